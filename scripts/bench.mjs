#!/usr/bin/env node
// Benchmark: each command of the built package (dist/cli.js) on generated Istio-shaped dumps of 10 MB,
// 100 MB, 400 MB and one past V8's 512 MiB string limit (streamed), from a file and from stdin, against a
// process that reads and JSON.parses the same file, in the same run. Each measurement is a whole
// process, in `runs` rounds of the baseline and every command (one round for the large dump); medians
// and peak RSS are printed, then start-up times. Generated dumps are deleted after. Builds the package
// first, so the figures are the sources'.
// Usage: npm run bench [-- --sizes 10,100,400,600 --runs 5 --keep --markdown]
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg("sizes", "10,100,400,600").split(",").map(Number).sort((a, b) => a - b);
const runs = Number(arg("runs", 5));
const keep = process.argv.includes("--keep");
const T = (t) => `type.googleapis.com/${t}`;

function generate(file, targetMb) {
  // Istio-shaped: outbound listeners with many SNI chains (TLS + HCM, or RBAC + tcp_proxy),
  // clusters with auto-mTLS transport socket matches, and a virtualInbound. Written in pieces.
  const tls = (i) => ({
    name: "envoy.transport_sockets.tls",
    typed_config: {
      "@type": T("envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"),
      common_tls_context: {
        alpn_protocols: ["h2", "http/1.1"],
        tls_certificate_sds_secret_configs: [{ name: `kubernetes://cert-${i}`, sds_config: { ads: {}, resource_api_version: "V3" } }],
        combined_validation_context: { default_validation_context: { match_subject_alt_names: [{ prefix: "spiffe://cluster.local/" }] }, validation_context_sds_secret_config: { name: "ROOTCA", sds_config: { ads: {}, resource_api_version: "V3" } } },
      },
      require_client_certificate: true,
    },
  });
  const hcm = (name) => ({
    name: "envoy.filters.network.http_connection_manager",
    typed_config: {
      "@type": T("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"),
      stat_prefix: name,
      rds: { config_source: { ads: {}, initial_fetch_timeout: "0s", resource_api_version: "V3" }, route_config_name: name },
      http_filters: ["envoy.filters.http.cors", "envoy.filters.http.fault", "envoy.filters.http.router"].map((n) => ({ name: n, typed_config: { "@type": T(n === "envoy.filters.http.router" ? "envoy.extensions.filters.http.router.v3.Router" : n === "envoy.filters.http.cors" ? "envoy.extensions.filters.http.cors.v3.Cors" : "envoy.extensions.filters.http.fault.v3.HTTPFault") } })),
      access_log: [{ name: "envoy.access_loggers.file", typed_config: { "@type": T("envoy.extensions.access_loggers.file.v3.FileAccessLog"), path: "/dev/stdout" } }],
      tracing: { random_sampling: { value: 1 } },
      stream_idle_timeout: "0s",
    },
  });
  const tcp = (c) => ({ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": T("envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"), stat_prefix: c, cluster: c, idle_timeout: "3600s" } });
  const listener = (li) => ({
    "@type": T("envoy.config.listener.v3.Listener"),
    name: `0.0.0.0_${10000 + li}`,
    address: { socket_address: { address: "0.0.0.0", port_value: 10000 + li } },
    filter_chains: Array.from({ length: 55 }, (_, ci) =>
      ci % 2
        ? { filter_chain_match: { server_names: [`svc-${li}-${ci}.ns.svc.cluster.local`] }, filters: [hcm(`route-${li}-${ci}`)], transport_socket: tls(ci) }
        : { filter_chain_match: { server_names: [`tcp-${li}-${ci}.ns.svc.cluster.local`] }, filters: [{ name: "envoy.filters.network.rbac", typed_config: { "@type": T("envoy.extensions.filters.network.rbac.v3.RBAC"), stat_prefix: "tcp.", rules: { policies: {} } } }, tcp(`outbound|${ci}||tcp-${li}.ns.svc.cluster.local`)] },
    ),
    default_filter_chain: { filters: [tcp("PassthroughCluster")] },
    listener_filters: [{ name: "envoy.filters.listener.tls_inspector", typed_config: { "@type": T("envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector") } }],
    traffic_direction: "OUTBOUND",
    bind_to_port: false,
  });
  const cluster = (i) => ({
    "@type": T("envoy.config.cluster.v3.Cluster"),
    name: `outbound|9080||svc-${i}.ns.svc.cluster.local`,
    type: "EDS",
    eds_cluster_config: { eds_config: { ads: {}, initial_fetch_timeout: "0s", resource_api_version: "V3" }, service_name: `outbound|9080||svc-${i}.ns.svc.cluster.local` },
    connect_timeout: "10s",
    circuit_breakers: { thresholds: [{ max_connections: 4294967295, max_pending_requests: 4294967295, max_requests: 4294967295, max_retries: 4294967295, track_remaining: true }] },
    metadata: { filter_metadata: { istio: { services: [{ host: `svc-${i}.ns.svc.cluster.local`, name: `svc-${i}`, namespace: "ns" }] } } },
    transport_socket_matches: [
      { name: "tlsMode-istio", match: { tlsMode: "istio" }, transport_socket: { name: "envoy.transport_sockets.tls", typed_config: { "@type": T("envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"), common_tls_context: { alpn_protocols: ["istio-peer-exchange", "istio"], tls_certificate_sds_secret_configs: [{ name: "default", sds_config: { ads: {}, resource_api_version: "V3" } }] }, sni: `outbound_.9080_._.svc-${i}.ns.svc.cluster.local` } } },
      { name: "tlsMode-disabled", match: {}, transport_socket: { name: "envoy.transport_sockets.raw_buffer", typed_config: { "@type": T("envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer") } } },
    ],
  });
  const lu = "2026-11-20T10:00:00.000Z";
  const fd = fs.openSync(file, "w");
  const w = (s) => fs.writeSync(fd, s);
  w(`{\n "configs": [\n  ${JSON.stringify({ "@type": T("envoy.admin.v3.BootstrapConfigDump"), bootstrap: { node: { id: "sidecar~10.244.1.7~bench.ns~ns.svc.cluster.local", metadata: { ISTIO_VERSION: "1.20.3", INSTANCE_IPS: "10.244.1.7" } } } }, null, 1)},\n`);
  w(`  {"@type": "${T("envoy.admin.v3.ClustersConfigDump")}", "version_info": "1", "dynamic_active_clusters": [\n`);
  // Clusters, EDS and route configs grow with the dump (a large mesh has many services); listeners fill the rest.
  const services = Math.max(50, Math.round(targetMb * 60));
  const endpoint = (i) => ({
    "@type": T("envoy.config.endpoint.v3.ClusterLoadAssignment"),
    cluster_name: `outbound|9080||svc-${i}.ns.svc.cluster.local`,
    endpoints: [{ locality: { region: "r1", zone: "z1" }, lb_endpoints: [0, 1, 2, 3].map((k) => ({ endpoint: { address: { socket_address: { address: `10.${(i >> 8) & 255}.${i & 255}.${k + 10}`, port_value: 9080 } } }, metadata: { filter_metadata: { istio: { workload: `svc-${i}-v${k};ns;svc-${i};v1;Kubernetes` }, "envoy.transport_socket_match": { tlsMode: "istio" } } }, load_balancing_weight: 1 })) }],
  });
  const routeConfig = (i) => ({
    "@type": T("envoy.config.route.v3.RouteConfiguration"),
    name: `${9000 + i}`,
    virtual_hosts: Array.from({ length: 10 }, (_, v) => ({ name: `svc-${i * 10 + v}.ns.svc.cluster.local:${9000 + i}`, domains: [`svc-${i * 10 + v}.ns.svc.cluster.local`, `svc-${i * 10 + v}`, `svc-${i * 10 + v}.ns`], routes: [{ name: "default", match: { prefix: "/" }, route: { cluster: `outbound|9080||svc-${i * 10 + v}.ns.svc.cluster.local`, timeout: "0s", retry_policy: { retry_on: "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes", num_retries: 2 } } }] })),
    validate_clusters: false,
  });
  const routeConfigs = Math.ceil(services / 10);
  const tail = services * JSON.stringify({ endpoint_config: endpoint(0), last_updated: lu }, null, 1).length + routeConfigs * JSON.stringify({ route_config: routeConfig(0), last_updated: lu }, null, 1).length;
  for (let i = 0; i < services; i++) w(`${i ? ",\n" : ""}${JSON.stringify({ version_info: "1", cluster: cluster(i), last_updated: lu }, null, 1)}`);
  w(`]},\n  {"@type": "${T("envoy.admin.v3.ListenersConfigDump")}", "version_info": "1", "dynamic_listeners": [\n`);
  const inbound = JSON.parse(fs.readFileSync(path.join(root, "samples", "modern-permissive.json"), "utf8")).configs[1].dynamic_listeners;
  let li = 0;
  for (const dl of inbound) w(`${li++ ? ",\n" : ""}${JSON.stringify(dl, null, 1)}`);
  let size = fs.fstatSync(fd).size;
  for (let i = 0; size < targetMb * 1e6 - tail; i++) {
    w(`,\n${JSON.stringify({ name: `0.0.0.0_${10000 + i}`, active_state: { version_info: "1", listener: listener(i), last_updated: lu } }, null, 1)}`);
    if (i % 10 === 0) size = fs.fstatSync(fd).size;
  }
  w(`]},\n  {"@type": "${T("envoy.admin.v3.RoutesConfigDump")}", "dynamic_route_configs": [\n`);
  for (let i = 0; i < routeConfigs; i++) w(`${i ? ",\n" : ""}${JSON.stringify({ version_info: "1", route_config: routeConfig(i), last_updated: lu }, null, 1)}`);
  w(`]},\n  {"@type": "${T("envoy.admin.v3.EndpointsConfigDump")}", "dynamic_endpoint_configs": [\n`);
  for (let i = 0; i < services; i++) w(`${i ? ",\n" : ""}${JSON.stringify({ endpoint_config: endpoint(i), last_updated: lu }, null, 1)}`);
  w(`]}\n ]\n}\n`);
  fs.closeSync(fd);
}

// Each command as a user runs it: the built command (dist/cli.js, whole process: start-up, reading,
// analysis, output), against a process that reads and JSON.parses the same file (`node -e`, whole
// process, as the issue measured). `A` is the command's arguments with F for the dump.
const CLI = {
  "load (lazy)": null,
  "explain --port 9080 -c curl-mtls": ["F", "--port", "9080", "-c", "curl-mtls"],
  "explain, the dump on stdin (cat F | …)": ["-", "--port", "9080", "-c", "curl-mtls"],
  "listeners --port 10005": ["listeners", "F", "--port", "10005"],
  "clusters -o json": ["clusters", "F", "-o", "json"],
  "endpoints -o json": ["endpoints", "F", "-o", "json"],
  "routes -o json": ["routes", "F", "-o", "json"],
  "diff of the dump against a copy (reads both)": ["diff", "F", "F"],
  "tls-check, the dump as client and server (reads both)": ["tls-check", "F", "F"],
};
/** Rows for the dump past 512 MiB (each takes a while): what the streaming reader is for. */
const LARGE = new Set(["load (lazy)", "explain --port 9080 -c curl-mtls", "explain, the dump on stdin (cat F | …)", "listeners --port 10005", "tls-check, the dump as client and server (reads both)"]);

const BIN = path.join(root, "dist/cli.js");
const LIB = path.join(root, "dist/index.js");
// Each measured process reports on exit, on stderr: its whole time (performance.now() counts from the
// process's start) and its peak RSS.
const REPORT = `process.on("exit", () => process.stderr.write("\\nBENCH " + JSON.stringify({ ms: performance.now(), maxRss: process.resourceUsage().maxRSS * 1024 }) + "\\n"));`;
const PARSE = `${REPORT} JSON.parse(fs.readFileSync(F, "utf8"));`;
function code(name) {
  // The library's open(): what reading costs before any command runs.
  if (CLI[name] === null) return `${REPORT} const { open } = await import(${JSON.stringify(pathToFileURL(LIB).href)}); await open(F);`;
  const args = JSON.stringify(CLI[name]).replaceAll('"F"', "F");
  return `${REPORT} process.argv = [process.execPath, ${JSON.stringify(BIN)}, ...${args}]; await import(${JSON.stringify(pathToFileURL(BIN).href)});`;
}

function measure(file, body, stdin) {
  const script = `import fs from "node:fs"; const F=${JSON.stringify(file)}; ${body}`;
  const argv = ["--max-old-space-size=8192", "--input-type=module", "-e", script];
  const res = stdin
    ? spawnSync("sh", ["-c", `cat "$0" | "$@"`, file, process.execPath, ...argv], { cwd: root, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 26 })
    : spawnSync(process.execPath, argv, { cwd: root, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 26 });
  const line = res.stderr.split("\n").filter((l) => l.startsWith("BENCH ")).pop();
  if (res.status > 1 || !line) throw new Error(`exit ${res.status}: ${res.stderr.slice(-2000)}`);
  return JSON.parse(line.slice(6));
}

execFileSync(process.execPath, [path.join(root, "scripts/build.mjs"), "--no-types"], { stdio: "inherit" });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MiB = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const MAX_TEXT = 512 * 2 ** 20;
let parseMBps; // read + JSON.parse throughput at the largest size it can run, for the dump past 512 MiB
const table = [];
console.log(`${os.cpus().length} cores, ${MiB(os.totalmem())} memory, Node ${process.versions.node}; fresh process per run; median ms`);
for (const targetMb of sizes) {
  const file = path.join(os.tmpdir(), `envoy-explain-bench-${targetMb}mb.json`);
  if (!fs.existsSync(file)) {
    process.stdout.write(`generating ${file} … `);
    generate(file, targetMb);
    console.log("done");
  }
  const bytes = fs.statSync(file).size;
  const mb = bytes / 1e6;
  const large = bytes > MAX_TEXT;
  const n = large ? 1 : runs;
  console.log(`\n${mb.toFixed(1)} MB${large ? " (past 512 MiB: streamed)" : ""}, ${n} run(s) each`);
  // A file just written may still be going to disk: read it once so every run reads from the page cache.
  fs.readFileSync(file);
  // Rounds: the baseline and then each command, once per round, so that what the machine does meanwhile
  // (this one's figures move by 10-20% over a minute) falls on all of them alike.
  const names = Object.keys(CLI).filter((name) => !large || LARGE.has(name));
  const times = new Map(names.map((name) => [name, []]));
  const rss = new Map(names.map((name) => [name, 0]));
  const baseRuns = [];
  let baseRss = 0;
  for (let round = 0; round < n; round++) {
    if (!large) {
      const r = measure(file, PARSE);
      baseRuns.push(r.ms);
      baseRss = Math.max(baseRss, r.maxRss);
    }
    for (const name of names) {
      const r = measure(file, code(name), name.includes("stdin"));
      times.get(name).push(r.ms);
      rss.set(name, Math.max(rss.get(name), r.maxRss));
    }
  }
  let base;
  if (!large) {
    base = median(baseRuns);
    parseMBps = mb / (base / 1000);
    table.push({ mb, name: "read + JSON.parse", ms: base, ratio: 1, rss: baseRss });
    console.log(`${"read + JSON.parse".padEnd(56)} ${base.toFixed(0).padStart(7)} ms  ×1.00  peak RSS ${MiB(baseRss)}  (runs: ${baseRuns.map((x) => x.toFixed(0)).join(", ")})`);
  } else {
    if (!parseMBps) throw new Error("a dump past 512 MiB has no JSON.parse baseline of its own: give a smaller size too (--sizes 100,600)");
    base = (mb / parseMBps) * 1000;
    console.log(`${"read + JSON.parse (cannot: one string; from the last size's MB/s)".padEnd(56)} ${base.toFixed(0).padStart(7)} ms`);
    table.push({ mb, name: "read + JSON.parse (estimated from MB/s)", ms: base, ratio: 1, rss: 0 });
  }
  for (const name of names) {
    const ms = median(times.get(name));
    table.push({ mb, name, ms, rss: rss.get(name) });
    console.log(`${name.padEnd(56)} ${ms.toFixed(0).padStart(7)} ms  peak RSS ${MiB(rss.get(name))}`);
  }
  for (const r of table) if (r.mb === mb) r.ratio = r.ms / base;
  console.log(table.filter((r) => r.mb === mb).map((r) => `  ×${r.ratio.toFixed(2)}  ${r.name}`).join("\n"));
  if (!keep) fs.rmSync(file);
}

// Start-up: the built command, whole process, on a small sample; in rounds with `node -e 0`, as above.
console.log("\nstart-up (dist/cli.js, whole process, median of 9 rounds)");
const startUp = [
  ["node -e 0 (for reference)", ["-e", "0"]],
  ...[["--version"], ["--help"], [path.join(root, "samples/modern-permissive.json"), "--port", "9080"]].map((args) => [`envoy-explain ${args.map((a) => path.basename(a)).join(" ")}`, [BIN, ...args]]),
];
const startTimes = startUp.map(() => []);
for (let round = 0; round < 9; round++) {
  startUp.forEach(([, argv], j) => {
    const t = performance.now();
    execFileSync(process.execPath, argv, { stdio: "ignore" });
    startTimes[j].push(performance.now() - t);
  });
}
startUp.forEach(([label], j) => console.log(`${label.padEnd(56)} ${median(startTimes[j]).toFixed(0).padStart(7)} ms`));

if (process.argv.includes("--markdown")) {
  console.log("\n| dump | what | ms | vs read + JSON.parse | peak RSS |\n| --- | --- | --- | --- | --- |");
  for (const r of table) console.log(`| ${r.mb.toFixed(0)} MB | ${r.name} | ${r.ms.toFixed(0)} | ${r.ratio.toFixed(2)}× | ${r.rss ? MiB(r.rss) : ""} |`);
}
