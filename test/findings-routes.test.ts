// The route and cluster findings (src/findings/routes.ts, src/findings/clusters.ts) on real dumps
// (samples/real/**, test/corpus/istio, samples/real/findings-routes with its SOURCES.md) and on small
// hand-made cases for Envoy's edges.
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadFile, loadText, type LoadedInput } from "../src/load/dump.js";
import { missingClusterAnalyzer, missingRouteConfigAnalyzer, regexSample, routeCovers, shadowedRouteAnalyzer } from "../src/findings/routes.js";
import { noEndpointsAnalyzer, unusedClusterAnalyzer } from "../src/findings/clusters.js";
import { endpointsOf } from "../src/model/endpoint.js";
import type { Analyzer, Finding } from "../src/findings/types.js";
import { decideRoute } from "../src/explain/route.js";
import type { RouteConfiguration } from "../src/gen/types/envoy/config/route/v3/route.js";

const root = path.resolve(import.meta.dirname, "..");
const R = (f: string) => path.join(root, "samples/real", f);
const S = (f: string) => path.join(root, "samples", f);
const C = (f: string) => path.join(root, "test/corpus/istio", f);
const F = (f: string) => path.join(root, "samples/real/findings-routes", f);
const ALL = [shadowedRouteAnalyzer, missingClusterAnalyzer, missingRouteConfigAnalyzer, noEndpointsAnalyzer, unusedClusterAnalyzer];
const cache = new Map<string, LoadedInput>();
const load = (f: string) => {
  let i = cache.get(f);
  if (!i) cache.set(f, (i = loadFile(f)));
  return i;
};
const run = (a: Analyzer, input: LoadedInput): Finding[] => a.run({ input, now: new Date("2025-01-01T00:00:00Z") });
const codes = (input: LoadedInput, ...as: Analyzer[]) => (as.length ? as : ALL).flatMap((a) => run(a, input)).map((f) => f.code);

// A config dump by hand: listeners, route configurations, clusters, endpoints (each section only when given).
const HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
function dump(o: { listeners?: unknown[]; routes?: unknown[]; clusters?: unknown[]; endpoints?: unknown[] }): LoadedInput {
  const configs: unknown[] = [];
  if (o.clusters) configs.push({ "@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump", dynamic_active_clusters: o.clusters.map((cluster) => ({ cluster })) });
  if (o.listeners) configs.push({ "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump", dynamic_listeners: o.listeners.map((l) => ({ name: (l as { name: string }).name, active_state: { listener: l } })) });
  if (o.routes) configs.push({ "@type": "type.googleapis.com/envoy.admin.v3.RoutesConfigDump", dynamic_route_configs: o.routes.map((route_config) => ({ route_config })) });
  if (o.endpoints) configs.push({ "@type": "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump", dynamic_endpoint_configs: o.endpoints.map((endpoint_config) => ({ endpoint_config })) });
  return loadText(JSON.stringify({ configs }), "hand.json");
}
const httpListener = (name: string, hcm: Record<string, unknown>) => ({
  name,
  address: { socket_address: { address: "0.0.0.0", port_value: 8080 } },
  filter_chains: [{ filters: [{ name: "envoy.filters.network.http_connection_manager", typed_config: { "@type": HCM, stat_prefix: "in", http_filters: [{ name: "envoy.filters.http.router" }], ...hcm } }] }],
});
const vhost = (routes: unknown[]) => ({ name: "rc", virtual_hosts: [{ name: "vh", domains: ["*"], routes }] });
const rt = (match: Record<string, unknown>, cluster = "c") => ({ match, route: { cluster } });
const shadowed = (routes: unknown[]) => run(shadowedRouteAnalyzer, dump({ routes: [vhost(routes)] }));
const cluster = (name: string, extra: Record<string, unknown> = {}) => ({ name, type: "STATIC", load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: "10.0.0.1", port_value: 80 } } } }] }] }, ...extra });

// --- SHADOWED_ROUTE on real material

test("SHADOWED_ROUTE (Envoy Gateway golden): prefix / first hides the five path-separated-prefix routes after it, each replayed through decideRoute", () => {
  const input = load(F("envoy-gateway-xds-ir-local-ratelimit-method-match.routes.yaml"));
  const fs = run(shadowedRouteAnalyzer, input);
  assert.equal(fs.map((f) => f.path), [1, 2, 3, 4, 5].map((i) => `$[0].virtualHosts[0].routes[${i}]`));
  const first = fs[0]!;
  assert.is(first.severity, "warning");
  assert.match(first.message, /route method-match-listener \/ virtual host method-match-listener\/\* \/ route #1 "route-method-get" \(path-separated prefix \/data\) is never used: route #0 "route-method-post" \(prefix \/\) takes every request/);
  assert.is(first.evidence?.request, "GET example.com/data");
  // The evidence is the engine's: the same request, decided again, goes to route #0.
  const rc = input.routes[0]!.value as RouteConfiguration;
  const d = decideRoute(rc, rc.name ?? "", { host: "example.com", path: "/data", headers: {}, tls: false });
  assert.is(d.kind === "route" && d.routeIndex, 0);
});

test("SHADOWED_ROUTE (Envoy Gateway golden): the same path-separated prefix twice, the second never used", () => {
  const fs = run(shadowedRouteAnalyzer, load(F("envoy-gateway-xds-ir-http-route-rewrite-url-regex.routes.yaml")));
  assert.is(fs.length, 1);
  assert.match(fs[0]!.message, /route #2 "rewrite-route-timeout" \(path-separated prefix \/origin\) is never used: route #0 "rewrite-route"/);
  assert.match(fs[0]!.evidence!.shows, /engine takes route #0/);
});

test("SHADOWED_ROUTE: none in Istio's, OSM's, Higress's, Envoy Gateway's full dumps (Istio's header routes before the default, regex routes)", () => {
  for (const f of [S("istio-1.3-permissive.json"), S("istio-1.1-strict.json"), S("gateway-mutual.json"), C("v14-describe-productpage-v1-7bbd79f8fd-k6j79.json"), C("v14-describe-istio-ingressgateway-5bf6c9887-vvvmj.json"), C("head-routes-istio-gateway-http-route-prefix.json"), C("head-routes-k8s-gateway-http-route-path-prefix.json"), R("osm/sample-envoy-config-dump-bookstore.json"), R("higress/hgctl-config-in.all.json"), R("envoy-gateway/egctl-config-out.all.json"), R("wg-ai-gateway/config_dump.json"), R("istio/deathstarbench-geo-1.18.2.config_dump.json.gz")]) {
    assert.equal(codes(load(f), shadowedRouteAnalyzer), [], f);
  }
});

// --- SHADOWED_ROUTE: Envoy's edges, by hand

test("SHADOWED_ROUTE: prefix / before prefix /api; an inline route configuration is reported once (not again as Envoy's static copy)", () => {
  assert.equal(shadowed([rt({ prefix: "/" }), rt({ prefix: "/api" })]).map((f) => f.path), ["$.configs[0].dynamic_route_configs[0].route_config.virtualHosts[0].routes[1]"]);
  const l = httpListener("l", { route_config: vhost([rt({ prefix: "/" }), rt({ prefix: "/api" })]) });
  const text = JSON.stringify({
    configs: [
      { "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump", static_listeners: [{ listener: l }] },
      { "@type": "type.googleapis.com/envoy.admin.v3.RoutesConfigDump", static_route_configs: [{ route_config: vhost([rt({ prefix: "/" }), rt({ prefix: "/api" })]) }] },
    ],
  });
  const fs = run(shadowedRouteAnalyzer, loadText(text, "inline.json"));
  assert.is(fs.length, 1);
  assert.match(fs[0]!.path!, /filterChains\[0\]\.filters\[0\]\.typedConfig\.routeConfig\.virtualHosts\[0\]\.routes\[1\]$/);
  assert.match(fs[0]!.message, /inline in listener l chain #0/);
});

test("SHADOWED_ROUTE: case sensitivity, path vs prefix, path-separated prefix, regex only where provable", () => {
  const n = (routes: unknown[]) => shadowed(routes).length;
  assert.is(n([rt({ prefix: "/API", case_sensitive: false }), rt({ prefix: "/api/v1" })]), 1, "case-insensitive /API takes /api/v1");
  assert.is(n([rt({ prefix: "/API" }), rt({ prefix: "/api/v1" })]), 0, "case-sensitive /API does not");
  assert.is(n([rt({ prefix: "/api" }), rt({ prefix: "/API/v1", case_sensitive: false })]), 0, "a case-insensitive later route takes /API/v1 too");
  assert.is(n([rt({ prefix: "/api" }), rt({ path: "/api/x" })]), 1);
  assert.is(n([rt({ path: "/api" }), rt({ prefix: "/api" })]), 0);
  assert.is(n([rt({ path_separated_prefix: "/api" }), rt({ prefix: "/api/v1" })]), 1);
  assert.is(n([rt({ path_separated_prefix: "/api" }), rt({ prefix: "/apiv1" })]), 0, "/apiv1 is not under /api/");
  assert.is(n([rt({ safe_regex: { regex: ".*" } }), rt({ prefix: "/x" })]), 1);
  assert.is(n([rt({ safe_regex: { regex: "/a.*" } }), rt({ prefix: "/a" })]), 0, "a regex is wider only when provably so");
  assert.is(n([rt({ safe_regex: { regex: "/v[0-9]+/.*" } }), rt({ safe_regex: { regex: "/v[0-9]+/.*" } })]), 1, "the same regex");
  assert.is(n([rt({ prefix: "/" }), rt({ safe_regex: { regex: "/items/[0-9]+" } })]), 1, "prefix / takes a regex route (sampled /items/0)");
  assert.is(n([rt({ prefix: "/api" }), rt({ safe_regex: { regex: "/api/(v1|v2)/.*" } })]), 0, "no literal prefix is read through an alternation");
  assert.is(n([rt({ prefix: "/" }), rt({ connect_matcher: {} })]), 0, "CONNECT is not a path");
});

test("SHADOWED_ROUTE: headers, query parameters, runtime fraction, gRPC, TLS context, metadata on the earlier route", () => {
  const n = (routes: unknown[]) => shadowed(routes).length;
  const user = { name: "user", string_match: { exact: "jason" } };
  assert.is(n([rt({ prefix: "/", headers: [user] }), rt({ prefix: "/api" })]), 0, "an earlier route with a header is not wider than one without");
  assert.is(n([rt({ prefix: "/", headers: [user] }), rt({ prefix: "/api", headers: [user, { name: "x", present_match: true }] })]), 1, "same header and more");
  assert.is(n([rt({ prefix: "/", headers: [{ name: "user", present_match: true }] }), rt({ prefix: "/api", headers: [user] })]), 1, "present is implied by an exact value");
  assert.is(n([rt({ prefix: "/", headers: [{ name: "user", string_match: { prefix: "ja" } }] }), rt({ prefix: "/api", headers: [user] })]), 1, "prefix ja is implied by exact jason");
  assert.is(n([rt({ prefix: "/", headers: [{ name: "user", string_match: { exact: "bob" } }] }), rt({ prefix: "/api", headers: [user] })]), 0);
  assert.is(n([rt({ prefix: "/", headers: [{ ...user, invert_match: true }] }), rt({ prefix: "/api" })]), 0);
  assert.is(n([rt({ prefix: "/", query_parameters: [{ name: "debug", string_match: { exact: "1" } }] }), rt({ prefix: "/api" })]), 0);
  assert.is(n([rt({ prefix: "/", query_parameters: [{ name: "debug", string_match: { exact: "1" } }] }), rt({ prefix: "/api", query_parameters: [{ name: "debug", string_match: { exact: "1" } }] })]), 1);
  assert.is(n([rt({ prefix: "/", runtime_fraction: { default_value: { numerator: 100 } } }), rt({ prefix: "/api" })]), 0, "a runtime fraction is not always taken");
  assert.is(n([rt({ prefix: "/api" }), rt({ prefix: "/api", runtime_fraction: { default_value: { numerator: 50 } } })]), 1, "a later runtime fraction narrows it only");
  assert.is(n([rt({ prefix: "/", grpc: {} }), rt({ prefix: "/api" })]), 0);
  assert.is(n([rt({ prefix: "/", grpc: {} }), rt({ prefix: "/api", grpc: {} })]), 1);
  assert.is(n([rt({ prefix: "/", tls_context: { presented: true } }), rt({ prefix: "/api" })]), 0);
  assert.is(n([rt({ prefix: "/", dynamic_metadata: [{ filter: "f", path: [{ key: "k" }], value: { string_match: { exact: "v" } } }] }), rt({ prefix: "/api" })]), 0);
});

test("routeCovers and regexSample directly", () => {
  assert.ok(routeCovers({ prefix: "/" }, { pathMatchPolicy: { name: "t", typedConfig: { "@type": "x", pathTemplate: "/a/{id}" } } }));
  assert.not.ok(routeCovers({ pathMatchPolicy: { name: "t", typedConfig: { "@type": "x", pathTemplate: "/a/{id}" } } }, { prefix: "/a" }));
  assert.is(regexSample("/v[0-9]+/items"), "/v0/items");
  assert.is(regexSample("/(api|web)/x?"), "/api/");
  assert.is(regexSample("a".repeat(3000)), undefined, "too long a pattern is not read");
});

// --- MISSING_CLUSTER

test("MISSING_CLUSTER (OSM bookstore, real): rds-outbound's weighted clusters bookstore/bookstore-v1 and -v2 are not among the proxy's clusters, replayed to NO_CLUSTER", () => {
  const fs = run(missingClusterAnalyzer, load(R("osm/sample-envoy-config-dump-bookstore.json")));
  assert.equal(fs.map((f) => f.path), [0, 1].map((k) => `$.configs[5].dynamic_route_configs[0].route_config.virtualHosts[0].routes[0].route.weightedClusters.clusters[${k}].name`));
  assert.match(fs[0]!.message, /sends to cluster bookstore\/bookstore-v1 \(a weighted cluster\), which the proxy does not have: Envoy answers HTTP 503 \(NC cluster_not_found\)/);
  assert.is(fs[0]!.severity, "error");
  assert.is(fs[0]!.evidence?.outcome, "NO_CLUSTER");
  assert.is(fs[0]!.evidence?.request, "GET bookstore/");
});

test("MISSING_CLUSTER: none for Istio's BlackHoleCluster/PassthroughCluster, none on a listeners-only dump, none on istioctl's cut-down test dumps", () => {
  for (const f of [S("istio-1.3-permissive.json"), S("istio-1.1-strict.json"), S("gateway-mutual.json"), S("client-productpage.json"), S("modern-strict.json"), C("v14-describe-productpage-v1-7bbd79f8fd-k6j79.json"), C("v14-describe-istio-ingressgateway-5bf6c9887-vvvmj.json"), C("v13-auth-productpage_config_dump.json"), R("istio/deathstarbench-geo-1.18.2.config_dump.json.gz"), R("higress/hgctl-config-in.all.json"), R("envoy-gateway/egctl-config-out.all.json"), R("wg-ai-gateway/config_dump.json"), R("kuma/full_config.json"), R("osm/sample-envoy-config-dump-bookbuyer.json")]) {
    assert.equal(codes(load(f), missingClusterAnalyzer), [], f);
  }
  // Excerpts: the clusters section lacks BlackHoleCluster, or a built-in a route names (istioctl's test data).
  for (const f of [C("v16-writer-configdump.json"), C("head-describe-http_config.json"), C("head-compare-configdump.json"), C("head-proxyconfig-config_dump.json")]) {
    assert.equal(codes(load(f), missingClusterAnalyzer, unusedClusterAnalyzer), [], f);
  }
});

test("MISSING_CLUSTER by hand: a route and a TCP proxy; none without a clusters section; cluster_header skipped", () => {
  const routes = [vhost([rt({ prefix: "/a" }, "gone"), rt({ prefix: "/b" }, "c"), { match: { prefix: "/h" }, route: { cluster_header: "x-cluster" } }])];
  const tcp = { name: "t", address: { socket_address: { address: "0.0.0.0", port_value: 9000 } }, filter_chains: [{ filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "t", cluster: "nowhere" } }] }] };
  const fs = run(missingClusterAnalyzer, dump({ listeners: [tcp], routes, clusters: [cluster("c")] }));
  assert.equal(fs.map((f) => f.resource.kind), ["route_entry", "filter_chain"]);
  assert.is(fs[0]!.evidence?.request, "GET example.com/a");
  assert.match(fs[1]!.message, /listener t chain #0: its TCP proxy sends to cluster nowhere/);
  assert.is(fs[1]!.path, "$.configs[1].dynamic_listeners[0].active_state.listener.filterChains[0].filters[0].typedConfig.cluster");
  assert.equal(run(missingClusterAnalyzer, dump({ listeners: [tcp], routes })), []);
});

// --- MISSING_ROUTE_CONFIG

test("MISSING_ROUTE_CONFIG by hand: an RDS name the routes section lacks (no real dump found showing it); none without a routes section", () => {
  const l = httpListener("l", { rds: { route_config_name: "8080", config_source: { ads: {} } } });
  const fs = run(missingRouteConfigAnalyzer, dump({ listeners: [l], routes: [vhost([rt({ prefix: "/" })])] }));
  assert.is(fs.length, 1);
  assert.match(fs[0]!.message, /listener l chain #0: its HTTP connection manager takes routes 8080 over RDS, and the proxy has no route configuration of that name: Envoy answers every request on the chain with 404/);
  assert.is(fs[0]!.path, "$.configs[0].dynamic_listeners[0].active_state.listener.filterChains[0].filters[0].typedConfig.rds.routeConfigName");
  assert.is(fs[0]!.evidence?.outcome, "NO_ROUTE");
  assert.equal(run(missingRouteConfigAnalyzer, dump({ listeners: [l] })), []);
});

test("MISSING_ROUTE_CONFIG: none on the real dumps with a routes section", () => {
  for (const f of [S("istio-1.3-permissive.json"), S("gateway-mutual.json"), R("istio/deathstarbench-geo-1.18.2.config_dump.json.gz"), R("osm/sample-envoy-config-dump-bookstore.json"), R("higress/hgctl-config-in.all.json"), R("envoy-gateway/egctl-config-out.all.json"), C("v14-describe-istio-ingressgateway-5bf6c9887-vvvmj.json")]) {
    assert.equal(codes(load(f), missingRouteConfigAnalyzer), [], f);
  }
});

// --- NO_ENDPOINTS

test("NO_ENDPOINTS (Istio 1.18 sidecar, real, with EDS): 13 outbound EDS clusters list no endpoint, with the listeners and routes that use them; BlackHoleCluster is not one", () => {
  const fs = run(noEndpointsAnalyzer, load(R("istio/deathstarbench-geo-1.18.2.config_dump.json.gz")));
  assert.is(fs.length, 13);
  assert.not.ok(fs.some((f) => f.resource.name === "BlackHoleCluster"));
  const geo = fs.find((f) => f.resource.name === "outbound|8083||geo.hotel-res.svc.cluster.local")!;
  assert.match(geo.message, /\(EDS\) has no endpoints \(its EDS assignment lists no endpoint\): Envoy answers requests to it with HTTP 503 "no healthy upstream" \(UH\).* used by listener 10\.68\.42\.69_8083/);
  assert.match(geo.path!, /^\$\.configs\[2\]\.dynamic_endpoint_configs\[\d+\]\.endpoint_config$/);
});

test("NO_ENDPOINTS (Envoy Gateway goldens, real): endpoint assignments with no endpoint", () => {
  const fs = run(noEndpointsAnalyzer, load(F("envoy-gateway-xds-ir-udp-route-no-endpoints.endpoints.yaml")));
  assert.equal(fs.map((f) => f.resource), [{ kind: "endpoint", name: "udproute/default/udproute-1/rule/-1" }]);
  assert.is(run(noEndpointsAnalyzer, load(R("envoy-gateway/xds-ir-mutual-tls-san.endpoints.yaml"))).length, 2);
});

test("NO_ENDPOINTS (Istio's EDS alone, real): zipkin lists none; Istio's clusters with none by design (BlackHoleCluster, the passthroughs, inbound|9080||) are not told", () => {
  // samples/real/findings/SOURCES.md says what the file holds: five empty assignments, one of them a problem.
  const input = load(R("findings/istio-endpoint-configdump.json"));
  assert.is(input.clusters.length, 0);
  const empty = input.endpoints.filter((r) => endpointsOf(r.value as never, r.name).length === 0).map((r) => r.name).sort();
  assert.equal(empty, ["BlackHoleCluster", "InboundPassthroughClusterIpv4", "PassthroughCluster", "inbound|9080||", "zipkin"]);
  assert.equal(run(noEndpointsAnalyzer, input).map((f) => f.resource.name), ["zipkin"]);
});

test("NO_ENDPOINTS: EDS clusters only with the endpoints section; STATIC ones always; ORIGINAL_DST never", () => {
  const eds = { name: "e", type: "EDS", eds_cluster_config: { eds_config: { ads: {} } } };
  const empty = { name: "s", type: "STATIC", load_assignment: { cluster_name: "s" } };
  const odst = { name: "o", type: "ORIGINAL_DST", lb_policy: "CLUSTER_PROVIDED" };
  assert.equal(run(noEndpointsAnalyzer, dump({ clusters: [eds, empty, odst] })).map((f) => f.resource.name), ["s"]);
  assert.equal(run(noEndpointsAnalyzer, dump({ clusters: [eds, empty, odst], endpoints: [{ cluster_name: "e" }, { cluster_name: "s" }] })).map((f) => f.resource.name), ["e", "s"]);
  // The repo's dumps with endpoints and none empty: nothing.
  for (const f of [S("client-productpage.json"), R("osm/sample-envoy-config-dump-bookstore.json"), R("higress/hgctl-config-in.all.json"), R("envoy-gateway/egctl-config-out.all.json")]) assert.equal(codes(load(f), noEndpointsAnalyzer), [], f);
});

// --- UNUSED_CLUSTER

test("UNUSED_CLUSTER (Istio 1.3 sidecar, real): the DestinationRule subset clusters no route names, info; the proxy's own clusters never", () => {
  const fs = run(unusedClusterAnalyzer, load(S("istio-1.3-permissive.json")));
  assert.is(fs.length, 14);
  assert.ok(fs.every((f) => f.severity === "info"));
  assert.ok(fs.some((f) => f.resource.name === "outbound|9080|v1|reviews.default.svc.cluster.local"));
  assert.not.ok(fs.some((f) => /^(BlackHoleCluster|PassthroughCluster|xds-grpc|prometheus_stats|zipkin|sds-grpc|outbound\|9080\|\|reviews)/.test(f.resource.name)));
});

test("UNUSED_CLUSTER (Istio 1.18, real): inbound|8083|| is named only by virtualInbound, which Envoy rejected", () => {
  const fs = run(unusedClusterAnalyzer, load(R("istio/deathstarbench-geo-1.18.2.config_dump.json.gz")));
  const inbound = fs.find((f) => f.resource.name === "inbound|8083||");
  assert.ok(inbound);
  assert.match(inbound!.message, /only listener virtualInbound, which Envoy rejected/);
});

test("UNUSED_CLUSTER: none without listeners and routes; none on Envoy's and the examples' bootstraps (Go filter's plainText, aggregate, ext_authz)", () => {
  for (const f of [S("client-productpage.json"), S("modern-strict.json"), R("kuma/full_config.json"), F("envoy-examples-golang-network-envoy.yaml"), R("envoy-examples/double-proxy-envoy-frontend.yaml"), R("envoy-examples/tls-sni-envoy.yaml"), R("envoy/google_com_proxy.v2.yaml"), R("envoy/internal_listener_proxy.yaml"), R("osm/sample-envoy-config-dump-bookstore.json"), R("higress/hgctl-config-in.all.json"), R("envoy-gateway/egctl-config-out.all.json"), R("wg-ai-gateway/config_dump.json")]) {
    assert.equal(codes(load(f), unusedClusterAnalyzer), [], f);
  }
  const authz = httpListener("l", {
    route_config: vhost([rt({ prefix: "/" }, "agg")]),
    http_filters: [{ name: "envoy.filters.http.ext_authz", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz", grpc_service: { envoy_grpc: { cluster_name: "authz" } } } }, { name: "envoy.filters.http.router" }],
  });
  const agg = { name: "agg", cluster_type: { name: "envoy.clusters.aggregate", typed_config: { "@type": "type.googleapis.com/envoy.extensions.clusters.aggregate.v3.ClusterConfig", clusters: ["a1", "a2"] } }, lb_policy: "CLUSTER_PROVIDED" };
  const fs = run(unusedClusterAnalyzer, dump({ listeners: [authz], routes: [], clusters: [agg, cluster("a1"), cluster("a2"), cluster("authz"), cluster("lonely"), cluster("xds-grpc")] }));
  assert.equal(fs.map((f) => f.resource.name), ["lonely"]);
  // A route that picks its cluster from a header may use any: nothing is reported.
  const byHeader = httpListener("l", { route_config: vhost([{ match: { prefix: "/" }, route: { cluster_header: "x-c" } }]) });
  assert.equal(run(unusedClusterAnalyzer, dump({ listeners: [byHeader], routes: [], clusters: [cluster("lonely")] })), []);
});

test("every analyzer on every real dump of the repository: no throw, and each finding has a path and a fix", () => {
  for (const f of [S("istio-1.3-permissive.json"), S("gateway-mutual.json"), S("client-productpage-1.4-v2.json"), S("istioctl-listener.json"), C("v14-describe-istio-ingressgateway-5bf6c9887-vvvmj.json"), C("v16-writer-clusterdump.json"), R("cilium/basic_https_multi_port_listener.cec-output.yaml"), R("consul/connect-proxy-with-grpc-chain.envoy-1-17-x.listeners.golden.json"), R("emissary/clientcertificateauthentication.econf.json"), R("kuma/transparent-proxy-02.envoy.golden.yaml")]) {
    for (const x of ALL.flatMap((a) => run(a, load(f)))) {
      assert.ok(x.path && x.fix, `${f}: ${x.code}`);
    }
  }
});

test.run();
