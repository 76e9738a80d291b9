#!/usr/bin/env node
// Benchmark: load time of a large generated dump against plain read + JSON.parse.
// Each measurement runs in a fresh process (node --import tsx), `runs` times; medians are printed.
// Usage: npm run bench [-- --mb 100 --runs 3]
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const targetMb = arg("mb", 100);
const runs = arg("runs", 3);
const T = (t) => `type.googleapis.com/${t}`;

function generate(file) {
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
  for (let i = 0; i < 2000; i++) w(`${i ? ",\n" : ""}${JSON.stringify({ version_info: "1", cluster: cluster(i), last_updated: lu }, null, 1)}`);
  w(`]},\n  {"@type": "${T("envoy.admin.v3.ListenersConfigDump")}", "version_info": "1", "dynamic_listeners": [\n`);
  const inbound = JSON.parse(fs.readFileSync(path.join(root, "samples", "modern-permissive.json"), "utf8")).configs[1].dynamic_listeners;
  let li = 0;
  for (const dl of inbound) w(`${li++ ? ",\n" : ""}${JSON.stringify(dl, null, 1)}`);
  let size = fs.fstatSync(fd).size;
  for (let i = 0; size < targetMb * 1e6; i++) {
    w(`,\n${JSON.stringify({ name: `0.0.0.0_${10000 + i}`, active_state: { version_info: "1", listener: listener(i), last_updated: lu } }, null, 1)}`);
    if (i % 10 === 0) size = fs.fstatSync(fd).size;
  }
  w(`]}\n ]\n}\n`);
  fs.closeSync(fd);
}

const MEASURE = {
  "read + JSON.parse": `const t=performance.now(); JSON.parse(fs.readFileSync(F,"utf8")); out(performance.now()-t);`,
  "load (lazy)": `const {loadFile}=await import(R+"/src/load/dump.ts"); const t=performance.now(); loadFile(F); out(performance.now()-t);`,
  "explain --port 9080 -c curl-mtls": `const {loadFile}=await import(R+"/src/load/dump.ts"); const {runExplain}=await import(R+"/src/analyses/explain.ts"); const t=performance.now(); const i=loadFile(F); runExplain(i,{port:9080,client:"curl-mtls"}); out(performance.now()-t);`,
  "listeners --port 10005": `const {loadFile}=await import(R+"/src/load/dump.ts"); const {listenerRows}=await import(R+"/src/analyses/listings.ts"); const t=performance.now(); listenerRows(loadFile(F),{port:10005}); out(performance.now()-t);`,
  "diff of the dump against a copy (reads both)": `const {loadFile}=await import(R+"/src/load/dump.ts"); const {diffInputs}=await import(R+"/src/analyses/diff.ts"); const t=performance.now(); diffInputs(loadFile(F), loadFile(F)); out(performance.now()-t);`,
  "tls-check, client and server (reads both)": `const {loadFile}=await import(R+"/src/load/dump.ts"); const {runTlsCheck}=await import(R+"/src/analyses/tlscheck.ts"); const t=performance.now(); runTlsCheck(loadFile(F), loadFile(F), {}); out(performance.now()-t);`,
  "decode every listener (eager, for reference)": `const {loadFile}=await import(R+"/src/load/dump.ts"); const t=performance.now(); const i=loadFile(F); for (const r of i.listeners) r.value; out(performance.now()-t);`,
};

function measure(file, code) {
  const script = `import fs from "node:fs"; const F=${JSON.stringify(file)}; const R=${JSON.stringify(root)}; const out=(ms)=>console.log(JSON.stringify({ms, rss: process.memoryUsage().rss})); ${code}`;
  const res = execFileSync(process.execPath, ["--max-old-space-size=8192", "--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  return JSON.parse(res.trim().split("\n").pop());
}

const file = path.join(os.tmpdir(), `envoy-explain-bench-${targetMb}mb.json`);
if (!fs.existsSync(file)) {
  process.stdout.write(`generating ${file} … `);
  generate(file);
}
const mb = fs.statSync(file).size / 1e6;
console.log(`dump: ${file} (${mb.toFixed(1)} MB); ${runs} runs each, fresh process per run; median ms`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const [name, code] of Object.entries(MEASURE)) {
  const xs = [];
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const r = measure(file, code);
    xs.push(r.ms);
    rss = Math.max(rss, r.rss);
  }
  results[name] = median(xs);
  const ratio = results[name] / results["read + JSON.parse"];
  console.log(`${name.padEnd(46)} ${results[name].toFixed(0).padStart(6)} ms  ×${ratio.toFixed(2)}  (${(mb / (results[name] / 1000)).toFixed(0)} MB/s, rss ${(rss / 2 ** 20).toFixed(0)} MiB)`);
}
