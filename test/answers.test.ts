// One answer for one situation (issue #22, the engine half): a redirect to https is HTTPS_REDIRECT
// whatever writes it; the cluster a chain or route names is in the result without a clusters
// section; advice that fits the proxy's role; tls-check's service → target port from the server's
// own dump, --service by cluster name or SNI, client certificates the server may not trust; and the
// crashes fuzzing found. Real inputs from samples/ and samples/real/ (answers/SOURCES.md).
import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadFile, loadText, type LoadedInput } from "../src/load/dump.js";
import { runExplain } from "../src/analyses/explain.js";
import { runTlsCheck, verdict } from "../src/analyses/tlscheck.js";
import { diffInputs } from "../src/analyses/diff.js";
import { decideRoute, redirectAnswer } from "../src/explain/route.js";
import { routeAction } from "../src/model/route.js";
import { replaceAll } from "../src/model/regex.js";
import { upstreamPlan } from "../src/model/upstream.js";
import type { RouteConfiguration } from "../src/gen/types/envoy/config/route/v3/route.js";
import type { Route } from "../src/gen/types/envoy/config/route/v3/route_components.js";

const S = (f: string) => path.resolve(import.meta.dirname, "../samples", f);
const R = (f: string) => path.resolve(import.meta.dirname, "../samples/real", f);
const A = (f: string) => R(`answers/${f}`);
const C = (f: string) => path.resolve(import.meta.dirname, "corpus/istio", f);
const read = (f: string) => fs.readFileSync(f, "utf8");
/** Golden files of one kind each (listeners, routes): loaded as one proxy, as Envoy Gateway's translator test does. */
const together = (...files: string[]) => loadText(files.map(read).join(""), "together.yaml");
const one = (input: LoadedInput, o: Parameters<typeof runExplain>[1]) => runExplain(input, o)[0]!;

// --- 1. A redirect to https is HTTPS_REDIRECT whatever writes it

const EG_REDIRECT = () => together(A("envoy-gateway-xds-ir-httproute-redirect.listeners.yaml"), A("envoy-gateway-xds-ir-httproute-redirect.routes.yaml"));

test("HTTPS_REDIRECT from a route's scheme_redirect: https (Envoy Gateway golden, real): each response_code is the status (MOVED_PERMANENTLY when unset), the Location keeps path and query, the access log logs that status", () => {
  const input = EG_REDIRECT();
  const want: [string, number][] = [["301", 301], ["302", 302], ["303", 303], ["307", 307], ["308", 308]];
  for (const [p, code] of want) {
    const r = one(input, { port: 10080, client: "plaintext", host: "gateway.envoyproxy.io", path: `/status/${p}/x?q=1` });
    assert.is(r.outcome.code, "HTTPS_REDIRECT", r.outcome.summary);
    assert.is(r.outcome.ok, false);
    assert.is(r.outcome.clientSees, `HTTP ${code} to https://redirected.com/status/${p}/x?q=1`);
    assert.is(r.outcome.accessLog?.responseCode, code);
    assert.is(r.outcome.accessLog?.details, "direct_response");
    assert.ok(r.route?.kind === "route" && r.route.redirect?.toHttps === true && r.route.redirect.code === code, JSON.stringify(r.route));
    assert.match(r.outcome.summary, new RegExp(`route ${want.findIndex((w) => w[0] === p)} \\(path-separated prefix /status/${p}\\) redirects to https: Envoy answers ${code} to https://redirected\\.com/status/${p}/x\\?q=1$`));
  }
  // The route listing says what the redirect sets and keeps.
  const rc = input.routes[0]!.value as RouteConfiguration;
  const a = routeAction(rc.virtualHosts![0]!.routes![1]!);
  assert.equal(a, { kind: "redirect", to: "https://redirected.com{path}", code: 302, scheme: "https" });
});

test("a route redirect with port_redirect and prefix_rewrite (Envoy Gateway http-route-redirect, real): https://redirected.com:8443 with the matched prefix replaced; the request's Host port is not kept; its regex_rewrite route computes the path with RE2", () => {
  const input = together(A("envoy-gateway-xds-ir-http-route-redirect.listeners.yaml"), R("findings/envoy-gateway-xds-ir-http-route-redirect.routes.yaml"));
  const r = one(input, { port: 10080, client: "plaintext", host: "www.example.com:10080", path: "/books?id=1" });
  assert.is(r.outcome.code, "HTTPS_REDIRECT");
  // prefix_rewrite replaces the matched prefix "/" (Envoy's currentUrlPathAfterRewrite), so /books becomes /redirectedbooks.
  assert.is(r.outcome.clientSees, "HTTP 302 to https://redirected.com:8443/redirectedbooks?id=1");
  assert.is(r.outcome.accessLog?.responseCode, 302);
  // The second route (shadowed, so asked directly): regex ^/redirect\/* → "/", no scheme: the request's scheme and Host stay.
  const route = (input.routes[0]!.value as RouteConfiguration).virtualHosts![0]!.routes![1]! as Route;
  const headers = { ":scheme": "http", "x-forwarded-proto": "http" };
  assert.equal(redirectAnswer(route, route.redirect!, "/redirect//deep/x?y=2", "www.example.com:10080", headers), { code: 301, location: "http://www.example.com:10080/deep/x?y=2", toHttps: false });
  assert.is(replaceAll("^/redirect\\/*", "/redirect/", "/"), "/");
});

test("Envoy's Location rules for the Host port: dropped with port_redirect, or when the scheme changes from x-forwarded-proto's and the port is its default; kept otherwise; path_redirect's query wins; strip_query", () => {
  const r: Route = { match: { prefix: "/" } };
  const http = { ":scheme": "http", "x-forwarded-proto": "http" };
  // Scheme to https from http on :80: the default port goes (utility.cc processRequestHost).
  assert.is(redirectAnswer(r, { httpsRedirect: true }, "/a", "shop.example.com:80", http).location, "https://shop.example.com/a");
  // A port that is not http's default stays.
  assert.is(redirectAnswer(r, { httpsRedirect: true }, "/a", "shop.example.com:8080", http).location, "https://shop.example.com:8080/a");
  // port_redirect replaces it.
  assert.is(redirectAnswer(r, { httpsRedirect: true, portRedirect: 8443 }, "/a", "shop.example.com:8080", http).location, "https://shop.example.com:8443/a");
  // path_redirect keeps the request's query unless it has one itself; strip_query drops the request's.
  assert.is(redirectAnswer(r, { pathRedirect: "/new" }, "/a?x=1", "h", http).location, "http://h/new?x=1");
  assert.is(redirectAnswer(r, { pathRedirect: "/new?y=2", stripQuery: true }, "/a?x=1", "h", http).location, "http://h/new?y=2");
  assert.is(redirectAnswer(r, { hostRedirect: "e.com", stripQuery: true, responseCode: "SEE_OTHER" }, "/a?x=1", "h", http).location, "http://e.com/a");
  assert.is(redirectAnswer(r, { hostRedirect: "e.com", responseCode: "SEE_OTHER" }, "/a", "h", http).code, 303);
  // A response_code no value has (a hostile dump) is the default.
  assert.is(redirectAnswer(r, { responseCode: 9 as unknown as "FOUND" }, "/a", "h", http).code, 301);
});

test("https_redirect: true is HTTPS_REDIRECT too (exact shape: the real Envoy Gateway routes with scheme_redirect: https written as https_redirect: true, as Envoy's own router tests write it)", () => {
  const routes = read(A("envoy-gateway-xds-ir-httproute-redirect.routes.yaml")).replaceAll("schemeRedirect: https", "httpsRedirect: true");
  assert.match(routes, /httpsRedirect: true/);
  const input = loadText(read(A("envoy-gateway-xds-ir-httproute-redirect.listeners.yaml")) + routes, "https-redirect.yaml");
  const r = one(input, { port: 10080, client: "plaintext", host: "gateway.envoyproxy.io", path: "/status/307" });
  assert.is(r.outcome.code, "HTTPS_REDIRECT");
  assert.is(r.outcome.clientSees, "HTTP 307 to https://redirected.com/status/307");
});

test("another redirect (to a host over http) keeps PLAINTEXT_HTTP and says the redirect (exact shape: the real routes without scheme_redirect)", () => {
  const routes = read(A("envoy-gateway-xds-ir-httproute-redirect.routes.yaml")).replaceAll("        schemeRedirect: https\n", "");
  const input = loadText(read(A("envoy-gateway-xds-ir-httproute-redirect.listeners.yaml")) + routes, "http-redirect.yaml");
  const r = one(input, { port: 10080, client: "plaintext", host: "gateway.envoyproxy.io", path: "/status/302" });
  assert.is(r.outcome.code, "PLAINTEXT_HTTP");
  assert.is(r.outcome.ok, true);
  assert.is(r.outcome.clientSees, "HTTP 302 to http://redirected.com/status/302");
  assert.match(r.outcome.summary, /route 1 \(path-separated prefix \/status\/302\): Envoy answers 302 to http:\/\/redirected\.com\/status\/302$/);
});

test("on a TLS chain a redirect to https is not HTTPS_REDIRECT: the request is https already (Envoy Gateway mutual-tls listener with the http-route-redirect routes, real)", () => {
  const input = together(A("envoy-gateway-xds-ir-mutual-tls.listeners.yaml"), R("findings/envoy-gateway-xds-ir-http-route-redirect.routes.yaml"));
  const r = one(input, { port: 10080, client: "curl-mtls", host: "www.example.com" });
  assert.is(r.outcome.code, "MTLS_TERMINATED");
  assert.is(r.outcome.clientSees, "HTTP 302 to https://redirected.com:8443/redirected");
  assert.ok(r.route?.kind === "route" && r.route.redirect?.toHttps === false);
});

test("require_tls (gateway-mutual's http.8080): 301 to https://{Host}{path} with the Host as sent, port and all (Envoy's createSslRedirectPath); decided by x-forwarded-proto; EXTERNAL_ONLY spares internal requests", () => {
  const gw = loadFile(S("gateway-mutual.json"));
  const r = one(gw, { port: 8080, client: "plaintext", host: "shop.example.com:80", path: "/cart?x=1" });
  assert.is(r.outcome.code, "HTTPS_REDIRECT");
  assert.is(r.outcome.clientSees, "HTTP 301 to https://shop.example.com:80/cart?x=1");
  assert.is(r.outcome.accessLog?.responseCode, 301);
  assert.match(r.outcome.summary, /requires TLS \(require_tls ALL\) and the request is not https/);
  // Behind a load balancer that terminated TLS: x-forwarded-proto https (trusted, no use_remote_address) is served.
  const lb = one(gw, { port: 8080, client: "plaintext", host: "shop.example.com", headers: { "x-forwarded-proto": "https" } });
  assert.is(lb.route?.kind, "route");
  assert.is(lb.outcome.code, "PLAINTEXT_HTTP");
  const rc: RouteConfiguration = { name: "r", virtualHosts: [{ name: "ext", domains: ["*"], requireTls: "EXTERNAL_ONLY", routes: [{ match: { prefix: "/" }, route: { cluster: "c" } }] }] };
  assert.is(decideRoute(rc, "r", { host: "a", path: "/", headers: {}, tls: false }).kind, "tls-redirect");
  assert.is(decideRoute(rc, "r", { host: "a", path: "/", headers: { "x-envoy-internal": "true" }, tls: false }).kind, "route");
});

// --- 2. The cluster is in the result without a clusters section

test("a listeners-only istioctl dump (samples/istioctl-listener.json, Istio's test data): the route's cluster is upstream.cluster, its mode UNKNOWN, and a note says it is not in this input", () => {
  const input = loadFile(S("istioctl-listener.json"));
  const r = one(input, { port: 8080, client: "plaintext", listener: "0.0.0.0_8080", host: "istio-pilot.istio-system:8080" });
  assert.is(r.outcome.code, "PLAINTEXT_HTTP");
  assert.equal(r.upstream, {
    cluster: "outbound|8080||istio-pilot.istio-system.svc.cluster.local",
    mode: "UNKNOWN",
    endpoints: [],
    edsInDump: false,
    notes: ["how this proxy connects to outbound|8080||istio-pilot.istio-system.svc.cluster.local is unknown: this input has no clusters (a listeners-only dump)"],
  });
  // And it survives JSON, as the CLI writes it.
  assert.is(JSON.parse(JSON.stringify(r)).upstream.cluster, "outbound|8080||istio-pilot.istio-system.svc.cluster.local");
});

test("a TCP proxy's cluster from a listeners-only xDS golden (Consul's public listener, real): upstream.cluster local_app, mode UNKNOWN; with the clusters the plan is the cluster's", () => {
  const r = one(loadFile(R("consul/connect-proxy-with-grpc-chain.envoy-1-17-x.listeners.golden.json")), { port: 9999, client: "istio-sidecar" });
  assert.is(r.outcome.code, "MTLS_TERMINATED");
  assert.is(r.upstream?.cluster, "local_app");
  assert.is(r.upstream?.mode, "UNKNOWN");
  const gw = one(loadFile(S("gateway-mutual.json")), { port: 8443, client: "curl-tls", sni: "shop.example.com" });
  assert.is(gw.upstream?.cluster, "outbound|8000||shop.shop.svc.cluster.local");
  assert.is.not(gw.upstream?.mode, "UNKNOWN");
});

// --- 3. Advice fits the proxy's role

test("an Istio gateway's TLS port refusing a plaintext client (gateway-mutual.json): use https with a server's SNI, or add a plaintext server to the Gateway; never PeerAuthentication", () => {
  const r = one(loadFile(S("gateway-mutual.json")), { port: 8443, client: "plaintext" });
  assert.is(r.capture.role, "gateway");
  assert.is(r.outcome.code, "NO_FILTER_CHAIN");
  const hints = r.hints.join("\n");
  // PeerAuthentication is named only to say it does not govern a Gateway's servers.
  assert.not.match(hints, /PERMISSIVE|ISTIO_MUTUAL|sidecar|mtls\.mode/);
  assert.match(hints, /\(tls mode SIMPLE, MUTUAL or PASSTHROUGH\), not PeerAuthentication's/);
  assert.match(hints, /this is an Istio gateway, whose TLS is its Gateway servers' .*connect with TLS and the SNI of a server \(curl --resolve shop\.example\.com:8443:10\.244\.2\.9 https:\/\/shop\.example\.com:8443\/; the names its servers take: shop\.example\.com, secure\.example\.com, db\.example\.com\)/);
  assert.match(hints, /add a server with protocol HTTP to the Gateway, on another port \(this gateway takes plaintext on port 8080\)/);
  // The MUTUAL server without a certificate: the Gateway's tls mode, not a mesh policy.
  const noCert = one(loadFile(S("gateway-mutual.json")), { port: 8443, client: "curl-tls", sni: "secure.example.com" });
  assert.is(noCert.outcome.code, "CLIENT_CERT_REQUIRED");
  assert.match(noCert.hints.join("\n"), /This Gateway server has tls mode MUTUAL: send a client certificate signed by the CA of its credential \(sds:kubernetes:\/\/secure-cert-cacert\)/);
  assert.not.match(noCert.hints.join("\n"), /PeerAuthentication|sidecar/);
  // A port nothing binds: the gateway's Service port maps to a target port.
  assert.match(one(loadFile(S("gateway-mutual.json")), { port: 443, client: "plaintext" }).hints.join("\n"), /0\.0\.0\.0:8443 \(0\.0\.0\.0_8443\): the gateway's Service port \(80, 443, …\) maps to one of these target ports/);
});

test("an Istio sidecar keeps its mesh advice (modern-strict.json): PeerAuthentication PERMISSIVE for plaintext, an Istio sidecar client for a certificate-less TLS client", () => {
  const strict = loadFile(S("modern-strict.json"));
  const plain = one(strict, { port: 9080, client: "plaintext" });
  assert.is(plain.capture.role, "sidecar");
  assert.match(plain.hints.join("\n"), /use mTLS \(an Istio sidecar client, or DestinationRule ISTIO_MUTUAL\), or PERMISSIVE mode to allow plaintext \(PeerAuthentication mtls\.mode PERMISSIVE\)/);
  const tls = one(strict, { port: 9080, client: "curl-tls" });
  assert.is(tls.outcome.code, "CLIENT_CERT_REQUIRED");
  assert.match(tls.hints.join("\n"), /call it from a pod with an Istio sidecar .*\(PeerAuthentication mtls\.mode PERMISSIVE\)/);
});

test("a gateway that is no mesh (Envoy Gateway mutual-tls listeners, real): plaintext is told TLS and a client certificate from the CA the chain trusts; no mesh words", () => {
  const input = loadFile(A("envoy-gateway-xds-ir-mutual-tls.listeners.yaml"));
  const plain = one(input, { port: 10080, client: "plaintext" });
  assert.is(plain.capture.role, "plain Envoy");
  assert.is(plain.outcome.code, "PLAINTEXT_INTO_TLS");
  assert.equal(plain.hints, ['Port 10080 only accepts TLS here (#0 "first-listener"): connect with TLS (https://…, openssl s_client) and a client certificate signed by the CA it trusts (sds:ca-cert) with curl --cert/--key.']);
  const tls = one(input, { port: 10081, client: "curl-tls" });
  assert.is(tls.outcome.code, "CLIENT_CERT_REQUIRED");
  assert.equal(tls.hints, ['Send a client certificate signed by the CA the chain trusts (sds:ca-cert-2) with curl --cert/--key, or use a chain that does not require one.']);
  // A port it does not bind: its ports are its own, not a Kubernetes Service's.
  const miss = one(input, { port: 80, client: "plaintext" });
  assert.ok(miss.hints.includes("this proxy listens on [::]:10080 (first-listener), [::]:10081 (second-listener)"), miss.hints.join("\n"));
});

test("a real Istio 1.3 ingress gateway's plaintext port and other meshes' sidecars (OSM, Consul, real): no Istio port-naming or PeerAuthentication advice", () => {
  const gw = one(loadFile(C("v14-describe-istio-ingressgateway-5bf6c9887-vvvmj.json")), { port: 80, client: "curl-tls" });
  assert.is(gw.capture.role, "gateway");
  assert.is(gw.outcome.code, "TLS_INTO_PLAINTEXT_HTTP");
  assert.not.match(gw.hints.join("\n"), /name the port|PeerAuthentication/);
  assert.match(gw.hints.join("\n"), /connect with http:\/\//);
  const osm = one(loadFile(R("osm/sample-envoy-config-dump-bookstore.json")), { port: 14001, client: "plaintext" });
  assert.is(osm.capture.role, "sidecar");
  assert.match(osm.hints.join("\n"), /Open Service Mesh's sidecars send mTLS with the mesh's certificates: call it from a workload in the mesh/);
  assert.not.match(osm.hints.join("\n"), /PeerAuthentication|permissive/i);
  const consul = one(loadFile(R("consul/connect-proxy-with-grpc-chain.envoy-1-17-x.listeners.golden.json")), { port: 9999, client: "plaintext" });
  assert.is(consul.outcome.code, "PLAINTEXT_INTO_TLS");
  assert.match(consul.hints.join("\n"), /Consul's sidecars send mTLS .*MutualTLSMode permissive/);
});

// --- 4. Service port → target port from the server's own dump

/** The real Istio 1.3 server (Istio's test data) with its workload moved to target port 9081; Service port 9080 stays in its cluster and route names. */
function movedTo9081(dropClusters: boolean): LoadedInput {
  const d = JSON.parse(read(S("istio-1.3-permissive.json")).replaceAll('"172.30.150.216_9080"', '"172.30.150.216_9081"').replaceAll('"destination_port": 9080', '"destination_port": 9081')) as { configs: { "@type": string }[] };
  const walk = (o: unknown): void => {
    if (Array.isArray(o)) return o.forEach(walk);
    if (!o || typeof o !== "object") return;
    const x = o as Record<string, unknown>;
    if ((x.address === "172.30.150.216" || x.address === "127.0.0.1") && x.port_value === 9080) x.port_value = 9081;
    Object.values(x).forEach(walk);
  };
  walk(d);
  if (dropClusters) d.configs = d.configs.filter((c) => !c["@type"].endsWith("ClustersConfigDump"));
  return loadText(JSON.stringify(d), "server-9081.json");
}

test("tls-check without client EDS (Istio 1.4 client) and a Service port that is not the target port (exact shape: the real 1.3 server's workload moved to 9081): the server's listeners map 9080 → 9081, even without its clusters", () => {
  const client = loadFile(S("client-productpage-1.4-v2.json"));
  for (const dropClusters of [true, false]) {
    const r = runTlsCheck(client, movedTo9081(dropClusters), {});
    const auto = r.rows.find((x) => x.cluster === "outbound|9080||productpage.default.svc.cluster.local");
    assert.ok(auto, `paired (${dropClusters ? "no clusters" : "with clusters"}): ${r.notes.join("; ")}`);
    assert.is(auto!.port, 9080);
    assert.equal([auto!.server.port, auto!.server.mode, auto!.status], [9081, "PERMISSIVE", "OK"]);
    assert.match(auto!.reason, dropClusters ? /^service port 9080 → target port 9081 \(the server's listener 172\.30\.150\.216_9081 sends port 9081 to inbound\|9080\|http\|productpage\.default\.svc\.cluster\.local\): auto mTLS/ : /^service port 9080 → target port 9081 \(the server's inbound cluster inbound\|9080\|http\|productpage\.default\.svc\.cluster\.local sends to port 9081\)/);
    assert.is(r.rows.find((x) => x.cluster?.includes("|plain|"))?.status, "PLAINTEXT");
  }
});

test("tls-check --service to a Service port the server's dump does not map, on a server with two ports (Istio 1.4 client, modern-permissive): UNKNOWN and not replayed, never a verdict from an unrelated port", () => {
  const r = runTlsCheck(loadFile(S("client-productpage-1.4-v2.json")), loadFile(S("modern-permissive.json")), { service: { host: "ratings.default.svc.cluster.local", port: 8080 } });
  assert.ok(r.rows.length > 0);
  for (const row of r.rows) {
    assert.is(row.status, "UNKNOWN", row.reason);
    assert.equal([row.server.port, row.server.outcome], [0, "NOT_REPLAYED"]);
    assert.match(row.reason, /^which of the server's ports \(3306, 9080\) serves service port 8080 is not in its dump: not replayed/);
  }
});

// --- 5. --service by cluster name, or by the SNI a cluster sends

test("--service by name (OSM, real): the cluster bookstore/bookstore by its name or by the SNI it sends; the port from the server (its Prometheus listener is not one)", () => {
  const client = loadFile(R("osm/sample-envoy-config-dump-bookbuyer.json"));
  const server = loadFile(R("osm/sample-envoy-config-dump-bookstore.json"));
  for (const name of ["bookstore/bookstore", "bookstore.bookstore.svc.cluster.local"]) {
    const r = runTlsCheck(client, server, { service: { name } });
    assert.equal(r.serverPorts.map((p) => p.port), [14001]);
    assert.equal(r.rows.map((x) => [x.cluster, x.server.port, x.status]), [["bookstore/bookstore", 14001, "CONFLICT"]], name);
    assert.match(r.rows[0]!.client.sends, /SNI bookstore\.bookstore\.svc\.cluster\.local/);
  }
  assert.match(runTlsCheck(client, server, { service: { name: "nowhere" } }).notes.join("\n"), /no cluster of .* is named nowhere or sends it as SNI/);
});

test("--service by name (Consul, real): the upstream db by its cluster name, which is also its SNI; an Istio cluster by its full name", () => {
  const db = "db.default.dc1.internal.11111111-2222-3333-4444-555555555555.consul";
  const r = runTlsCheck(loadFile(R("consul/connect-proxy-with-chain.envoy-1-18-x.clusters.golden.json")), loadFile(R("consul/connect-proxy-with-grpc-chain.envoy-1-17-x.listeners.golden.json")), { service: { name: db } });
  assert.equal(r.rows.map((x) => [x.cluster, x.server.port]), [[db, 9999]]);
  const istio = runTlsCheck(loadFile(S("client-productpage.json")), loadFile(S("modern-strict.json")), { service: { name: "outbound|9080|mesh|reviews.default.svc.cluster.local" } });
  assert.equal(istio.rows.map((x) => [x.cluster, x.status]), [["outbound|9080|mesh|reviews.default.svc.cluster.local", "OK"]]);
});

// --- 6. A client certificate the server may not trust

test("the mesh's own certificates against the mesh's root stay OK: Istio SDS (default/ROOTCA), Istio 1.1-1.4 files (/etc/certs), OSM's service-cert against root-cert-for-mtls-inbound (real)", () => {
  const modern = runTlsCheck(loadFile(S("client-productpage.json")), loadFile(S("modern-strict.json")), {});
  assert.is(modern.rows.find((x) => x.cluster === "outbound|9080|mesh|reviews.default.svc.cluster.local")?.status, "OK");
  const old = runTlsCheck(loadFile(S("client-productpage-1.4-v2.json")), loadFile(S("istio-1.1-strict.json")), {});
  assert.is(old.rows.find((x) => x.cluster === "outbound|9080|mesh|productpage.default.svc.cluster.local")?.status, "OK");
  // OSM: the bookbuyer's cluster as it sends, against the bookstore chain it is meant for (the SNI that chain asks for).
  const sends = upstreamPlan(loadFile(R("osm/sample-envoy-config-dump-bookbuyer.json")), "bookstore/bookstore")!.endpoints[0]!.sends;
  assert.equal(sends.certificates, ["sds:service-cert:bookbuyer/bookbuyer"]);
  const r = one(loadFile(R("osm/sample-envoy-config-dump-bookstore.json")), { port: 14001, transport: "tls", alpn: sends.alpn, sni: "bookstore-v1.bookstore.svc.cluster.local", clientCert: true, path: "/books-bought", headers: { "user-agent": "Go-http-client/1.1", "client-app": "bookbuyer" } });
  assert.is(r.outcome.code, "MTLS_TERMINATED");
  assert.is(verdict(sends, r, 14001, "mTLS only").status, "OK");
  // The mesh's sidecar replayed by preset presents the mesh's certificate: OK; curl's own is the next test's UNKNOWN.
  assert.equal(runTlsCheck(undefined, loadFile(S("modern-strict.json")), { from: "istio-sidecar" }).rows.map((x) => x.status), ["OK", "OK"]);
});

test("a certificate of the client's own against a root it may not have signed is UNKNOWN with both sides (curl --cert against Envoy Gateway's ca-cert, real; a MUTUAL DestinationRule's files against sds:ROOTCA)", () => {
  const eg = runTlsCheck(undefined, loadFile(A("envoy-gateway-xds-ir-mutual-tls.listeners.yaml")), { from: "curl-mtls" });
  const first = eg.rows.find((x) => x.port === 10080)!;
  assert.is(first.status, "UNKNOWN");
  assert.match(first.reason, /requires a client certificate signed by sds:ca-cert; the client presents a certificate of its own \(curl-mtls\): whether that CA signed it is not in the dumps/);
  const files = runTlsCheck(loadFile(S("client-productpage.json")), loadFile(S("modern-strict.json")), {}).rows.find((x) => x.cluster === "outbound|9080|mutual-files|reviews.default.svc.cluster.local")!;
  assert.is(files.status, "UNKNOWN");
  assert.match(files.reason, /signed by sds:ROOTCA with a SAN matching prefix:spiffe:\/\/cluster\.local\/; the client presents its certificate file:\/etc\/app-certs\/client\.pem/);
});

// --- 7. Crashes found by fuzzing

test("a Consul public listener without an address beside a capturing outbound_listener (exact shape fuzzing found, from Consul's real golden): explain, tls-check and diff answer, no crash", () => {
  const golden = JSON.parse(read(R("consul/connect-proxy-with-grpc-chain.envoy-1-17-x.listeners.golden.json"))) as { resources: Record<string, unknown>[] };
  const pub = golden.resources.find((r) => String(r.name).startsWith("public_listener:"))!;
  delete pub.address;
  golden.resources.push({
    "@type": "type.googleapis.com/envoy.config.listener.v3.Listener",
    name: "outbound_listener:127.0.0.1:15001",
    address: { socketAddress: { address: "127.0.0.1", portValue: 15001 } },
    listenerFilters: [{ name: "envoy.filters.listener.original_dst" }],
    filterChains: [{ filters: [{ name: "envoy.filters.network.tcp_proxy", typedConfig: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", statPrefix: "upstream.original-destination", cluster: "original-destination" } }] }],
    trafficDirection: "OUTBOUND",
  });
  const input = loadText(JSON.stringify(golden), "consul-no-address.json");
  const r = one(input, { port: 9999, client: "plaintext" });
  assert.is(r.capture.mesh, "Consul");
  assert.is(r.outcome.code, "NO_LISTENER", r.outcome.summary);
  runTlsCheck(input, input, {});
  runTlsCheck(undefined, input, { from: "curl-mtls" });
  assert.ok(Array.isArray(diffInputs(loadFile(R("consul/connect-proxy-with-grpc-chain.envoy-1-17-x.listeners.golden.json")), input, { impact: true } as Parameters<typeof diffInputs>[2]).summary));
});

test.run();
