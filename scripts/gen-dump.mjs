#!/usr/bin/env node
// A copy of ../shared/bench/gen-dump.mjs (the perf runs' Envoy-shaped dump writer, beside this project's
// folder on the machine where the scale issue (#25) was worked; sha256 5813effcae78615a…), kept here so that
// scripts/bench.mjs runs on a clone anywhere: the bench uses ../shared/bench/gen-dump.mjs when it exists,
// else this copy. Change the original, then copy it here again below this header.
//
// Istio-shaped Envoy /config_dump generator for envoy-explain perf runs.
// Extends the project's scripts/bench.mjs generator (same listener / cluster shapes, the inbound
// listeners of samples/modern-permissive.json) with EDS endpoints, RDS route configs and secrets,
// and scales by "units" of 50 services until the target size is reached.
//
// Usage (run from the envoy-explain project root):
//   node gen-dump.mjs --out FILE [--mb 100] [--units N] [--chains-per-listener 20]
//        [--fat-listener 5000]   one extra listener 0.0.0.0_20000 with N filter chains
//        [--fat-route 50000]     one extra route config "fat" with N virtual hosts
//        [--mutate K]            change K outbound chains and K clusters (for diff runs)
//        [--indent 2]            JSON indent (Envoy's admin output uses 2)
//        [--gzip]                write FILE gzip-compressed
//        [--proxy-ip A.B.C.D]    this proxy's own IP (bootstrap node id and INSTANCE_IPS; default 10.244.1.7).
//                                Endpoints are 10.0.0.1, 10.0.0.2, … (service i: 10.0.0.(3i+1..3i+3)), so a fleet of
//                                dumps written with --proxy-ip 10.0.0.1, 10.0.0.2, … pair as clients and servers.
// Prints a JSON summary (bytes, units, services, listeners, chains, clusters, endpoints, vhosts).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = argv[i + 1];
  return v === undefined || v.startsWith("--") ? true : isNaN(Number(v)) ? v : Number(v);
};
const out = arg("out");
if (!out) { console.error("--out FILE required"); process.exit(2); }
const targetMb = arg("mb", 100);
const perListener = arg("chains-per-listener", 20);
const fatListener = arg("fat-listener", 0);
const fatRoute = arg("fat-route", 0);
const mutate = arg("mutate", 0);
const indent = arg("indent", 2);
const root = arg("root", process.cwd());
const proxyIp = String(arg("proxy-ip", "10.244.1.7"));
const SVC = 50; // services per unit
const T = (t) => `type.googleapis.com/${t}`;
const J = (v) => JSON.stringify(v, null, indent);

// ---- shapes (listener/cluster as in scripts/bench.mjs) ----
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
const ip = (n) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const chain = (li, ci, mutated) =>
  ci % 2
    ? { filter_chain_match: { server_names: [`svc-${li}-${ci}.ns.svc.cluster.local`] }, filters: [hcm(li === 0 && fatRoute ? "fat" : `route-${li}-${ci}`)], transport_socket: tls(mutated ? `${ci}-rotated` : ci) }
    : { filter_chain_match: mutated ? { server_names: [`tcp-${li}-${ci}.ns.svc.cluster.local`], transport_protocol: "tls" } : { server_names: [`tcp-${li}-${ci}.ns.svc.cluster.local`] }, filters: [{ name: "envoy.filters.network.rbac", typed_config: { "@type": T("envoy.extensions.filters.network.rbac.v3.RBAC"), stat_prefix: "tcp.", rules: { policies: {} } } }, tcp(`outbound|${ci}||tcp-${li}.ns.svc.cluster.local`)] };
const listener = (li, nChains, mutateChain = -1) => ({
  "@type": T("envoy.config.listener.v3.Listener"),
  name: `0.0.0.0_${10000 + li}`,
  address: { socket_address: { address: "0.0.0.0", port_value: 10000 + li } },
  filter_chains: Array.from({ length: nChains }, (_, ci) => chain(li, ci, ci === mutateChain)),
  default_filter_chain: { filters: [tcp("PassthroughCluster")] },
  listener_filters: [{ name: "envoy.filters.listener.tls_inspector", typed_config: { "@type": T("envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector") } }],
  traffic_direction: "OUTBOUND",
  bind_to_port: false,
});
// A sidecar's catch-all port listener where TCP services share a port: one chain per destination IP
// (Istio's 0.0.0.0_PORT with prefix_ranges), plus SNI chains — the "many chains on one listener" case.
const fat = (n) => ({
  "@type": T("envoy.config.listener.v3.Listener"),
  name: "0.0.0.0_20000",
  address: { socket_address: { address: "0.0.0.0", port_value: 20000 } },
  filter_chains: Array.from({ length: n }, (_, ci) =>
    ci % 2
      ? { filter_chain_match: { prefix_ranges: [{ address_prefix: ip(ci), prefix_len: 32 }] }, filters: [tcp(`outbound|20000||tcp-${ci}.ns.svc.cluster.local`)] }
      : { filter_chain_match: { server_names: [`svc-fat-${ci}.ns.svc.cluster.local`], transport_protocol: "tls" }, filters: [hcm(`route-fat-${ci}`)], transport_socket: tls(ci) },
  ),
  default_filter_chain: { filters: [tcp("PassthroughCluster")] },
  listener_filters: [{ name: "envoy.filters.listener.tls_inspector", typed_config: { "@type": T("envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector") } }],
  traffic_direction: "OUTBOUND",
  bind_to_port: false,
});
const host = (i) => `svc-${i}.ns-${Math.floor(i / SVC)}.svc.cluster.local`;
const cname = (i) => `outbound|9080||${host(i)}`;
const cluster = (i, mutated) => ({
  "@type": T("envoy.config.cluster.v3.Cluster"),
  name: cname(i),
  type: "EDS",
  eds_cluster_config: { eds_config: { ads: {}, initial_fetch_timeout: "0s", resource_api_version: "V3" }, service_name: cname(i) },
  connect_timeout: "10s",
  circuit_breakers: { thresholds: [{ max_connections: 4294967295, max_pending_requests: 4294967295, max_requests: 4294967295, max_retries: 4294967295, track_remaining: true }] },
  metadata: { filter_metadata: { istio: { services: [{ host: host(i), name: `svc-${i}`, namespace: `ns-${Math.floor(i / SVC)}` }] } } },
  transport_socket_matches: mutated
    ? [{ name: "tlsMode-disabled", match: {}, transport_socket: { name: "envoy.transport_sockets.raw_buffer", typed_config: { "@type": T("envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer") } } }]
    : [
        { name: "tlsMode-istio", match: { tlsMode: "istio" }, transport_socket: { name: "envoy.transport_sockets.tls", typed_config: { "@type": T("envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"), common_tls_context: { alpn_protocols: ["istio-peer-exchange", "istio"], tls_certificate_sds_secret_configs: [{ name: "default", sds_config: { ads: {}, resource_api_version: "V3" } }] }, sni: `outbound_.9080_._.${host(i)}` } } },
        { name: "tlsMode-disabled", match: {}, transport_socket: { name: "envoy.transport_sockets.raw_buffer", typed_config: { "@type": T("envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer") } } },
      ],
});
const cla = (i) => ({
  "@type": T("envoy.config.endpoint.v3.ClusterLoadAssignment"),
  cluster_name: cname(i),
  endpoints: [{
    locality: { region: "us-east1", zone: `us-east1-${"bcd"[i % 3]}` },
    lb_endpoints: Array.from({ length: 3 }, (_, e) => ({
      endpoint: { address: { socket_address: { address: ip(i * 3 + e + 1), port_value: 9080 } }, health_check_config: {} },
      health_status: "HEALTHY",
      metadata: { filter_metadata: { "envoy.transport_socket_match": { tlsMode: "istio" }, istio: { workload: `svc-${i};ns-${Math.floor(i / SVC)};svc-${i};v1;Kubernetes` } } },
      load_balancing_weight: 1,
    })),
  }],
  policy: { overprovisioning_factor: 140 },
});
const vhost = (i, port = 9080) => ({
  name: `${host(i)}:${port}`,
  domains: [host(i), `svc-${i}`, `svc-${i}.ns-${Math.floor(i / SVC)}`, `${ip(i)}`],
  routes: [{
    name: "default",
    match: { prefix: "/" },
    route: { cluster: cname(i), timeout: "0s", retry_policy: { retry_on: "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes", num_retries: 2, retry_host_predicate: [{ name: "envoy.retry_host_predicates.previous_hosts", typed_config: { "@type": T("envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate") } }], host_selection_retry_max_attempts: "5", retriable_status_codes: [503] }, max_grpc_timeout: "0s" },
    decorator: { operation: `${host(i)}:${port}/*` },
  }],
  include_request_attempt_count: true,
});
const routeConfig = (name, from, n) => ({
  "@type": T("envoy.config.route.v3.RouteConfiguration"),
  name,
  virtual_hosts: [...Array.from({ length: n }, (_, k) => vhost(from + k)), { name: "allow_any", domains: ["*"], routes: [{ name: "allow_any", match: { prefix: "/" }, route: { cluster: "PassthroughCluster", timeout: "0s" } }], include_request_attempt_count: true }],
  validate_clusters: false,
  ignore_port_in_host_matching: true,
});
const lu = "2026-11-20T10:00:00.000Z";

// ---- size one unit, then pick the unit count ----
const unitBytes = (u) =>
  Buffer.byteLength(J({ version_info: "1", cluster: cluster(u * SVC), last_updated: lu })) * SVC +
  Buffer.byteLength(J({ name: "x", active_state: { version_info: "1", listener: listener(u, perListener), last_updated: lu } })) +
  Buffer.byteLength(J({ version_info: "1", route_config: routeConfig(`r${u}`, u * SVC, SVC), last_updated: lu })) +
  Buffer.byteLength(J({ version_info: "1", endpoint_config: cla(u * SVC), last_updated: lu })) * SVC;
const units = arg("units", Math.max(1, Math.round((targetMb * 1e6) / unitBytes(7))));
const mutateSet = new Set(Array.from({ length: mutate }, (_, k) => Math.floor(((k + 0.5) * units) / Math.max(1, mutate))));

// ---- buffered writer (optionally gzip) ----
const fd = fs.openSync(out, "w");
let buf = [];
let pending = 0;
let bytes = 0;
const gz = arg("gzip", false) ? zlib.createGzip({ level: 6 }) : null;
if (gz) gz.on("data", (c) => fs.writeSync(fd, c));
const flush = () => { const s = buf.join(""); buf = []; pending = 0; if (gz) gz.write(s); else fs.writeSync(fd, s); };
const w = (s) => { buf.push(s); pending += s.length; bytes += Buffer.byteLength(s); if (pending > 1 << 22) flush(); };
const list = (n, fn) => { for (let i = 0; i < n; i++) w(`${i ? ",\n" : ""}${fn(i)}`); };

const inbound = JSON.parse(fs.readFileSync(path.join(root, "samples", "modern-permissive.json"), "utf8")).configs[1].dynamic_listeners;
w(`{\n "configs": [\n  ${J({ "@type": T("envoy.admin.v3.BootstrapConfigDump"), bootstrap: { node: { id: `sidecar~${proxyIp}~bench.ns~ns.svc.cluster.local`, metadata: { ISTIO_VERSION: "1.20.3", INSTANCE_IPS: proxyIp } } } })},\n`);
// clusters
w(`  {"@type": "${T("envoy.admin.v3.ClustersConfigDump")}", "version_info": "1", "dynamic_active_clusters": [\n`);
list(units * SVC, (i) => J({ version_info: "1", cluster: cluster(i, mutateSet.has(Math.floor(i / SVC)) && i % SVC === 3), last_updated: lu }));
// listeners
w(`]},\n  {"@type": "${T("envoy.admin.v3.ListenersConfigDump")}", "version_info": "1", "dynamic_listeners": [\n`);
let nl = 0;
for (const dl of inbound) w(`${nl++ ? ",\n" : ""}${J(dl)}`);
for (let u = 0; u < units; u++) w(`,\n${J({ name: `0.0.0.0_${10000 + u}`, active_state: { version_info: "1", listener: listener(u, perListener, mutateSet.has(u) ? 5 : -1), last_updated: lu } })}`);
if (fatListener) w(`,\n${J({ name: "0.0.0.0_20000", active_state: { version_info: "1", listener: fat(fatListener), last_updated: lu } })}`);
// routes
w(`]},\n  {"@type": "${T("envoy.admin.v3.RoutesConfigDump")}", "dynamic_route_configs": [\n`);
list(units, (u) => J({ version_info: "1", route_config: routeConfig(`${9080 + u}`, u * SVC, SVC), last_updated: lu }));
if (fatRoute) w(`,\n${J({ version_info: "1", route_config: routeConfig("fat", 0, fatRoute), last_updated: lu })}`);
// secrets (Envoy redacts private keys; certificate chains shown inline base64-ish)
w(`]},\n  {"@type": "${T("envoy.admin.v3.SecretsConfigDump")}", "dynamic_active_secrets": [\n`);
list(2, (k) => J({ name: k ? "ROOTCA" : "default", version_info: "2026-11-20T10:00:00Z", last_updated: lu, secret: { "@type": T("envoy.extensions.transport_sockets.tls.v3.Secret"), name: k ? "ROOTCA" : "default", ...(k ? { validation_context: { trusted_ca: { inline_bytes: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvRENDQWVTZ0F3SUJBZ0lRCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K" } } } : { tls_certificate: { certificate_chain: { inline_bytes: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvRENDQWVTZ0F3SUJBZ0lRCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K" }, private_key: { inline_bytes: "W3JlZGFjdGVkXQ==" } } }) } }));
// endpoints (config_dump?include_eds)
w(`]},\n  {"@type": "${T("envoy.admin.v3.EndpointsConfigDump")}", "dynamic_endpoint_configs": [\n`);
list(units * SVC, (i) => J({ version_info: "1", endpoint_config: cla(i), last_updated: lu }));
w(`]}\n ]\n}\n`);
flush();
if (gz) await new Promise((r) => { gz.on("end", r); gz.end(); });
fs.closeSync(fd);
console.log(JSON.stringify({ file: path.basename(out), bytes, mb: +(bytes / 1e6).toFixed(1), units, services: units * SVC, listeners: units + inbound.length + (fatListener ? 1 : 0), outboundChains: units * perListener + fatListener, clusters: units * SVC, endpoints: units * SVC * 3, routeConfigs: units + (fatRoute ? 1 : 0), vhosts: units * (SVC + 1) + fatRoute, mutated: mutate }));
