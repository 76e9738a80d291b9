// Real dumps of other meshes and gateways (samples/real, with SOURCES.md), every shape people
// paste, and tls-check pairing the way traffic flows.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import YAML from "yaml";
import { runCli } from "../src/cli.js";
import { loadFile, loadText } from "../src/load/dump.js";
import { proxyIps } from "../src/explain/capture.js";
import { runExplain } from "../src/analyses/explain.js";
import { inboundPorts, portMode, runTlsCheck, verdict } from "../src/analyses/tlscheck.js";
import { decideRoute } from "../src/explain/route.js";
import { diffInputs } from "../src/analyses/diff.js";
import { clusterRows, listenerRows } from "../src/analyses/listings.js";
import type { RouteConfiguration } from "../src/gen/types/envoy/config/route/v3/route.js";

const root = path.resolve(import.meta.dirname, "..");
const R = (f: string) => path.join(root, "samples/real", f);
const S = (f: string) => path.join(root, "samples", f);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-meshes-"));
const write = (name: string, text: string) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
};
async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}
const one = (file: string, o: Parameters<typeof runExplain>[1]) => runExplain(loadFile(file), o)[0]!;

test("OSM: an inbound connection goes to inbound-listener :15003, and the output says which capture model and why", () => {
  const r = one(R("osm/sample-envoy-config-dump-bookstore.json"), { port: 14001, client: "plaintext" });
  assert.is(r.capture.mesh, "Open Service Mesh");
  assert.is(r.capture.direction, "inbound");
  assert.match(r.capture.why, /inbound-listener :15003/);
  assert.is(r.accepted?.listener, "inbound-listener");
  assert.is(r.outcome.code, "NO_FILTER_CHAIN", "OSM's inbound chain takes only mTLS with ALPN osm");
  const mesh = one(R("osm/sample-envoy-config-dump-bookstore.json"), { port: 14001, transport: "tls", alpn: ["osm"], sni: "bookstore-v1.bookstore.svc.cluster.local", clientCert: true, path: "/books-bought", headers: { "user-agent": "Go-http-client/1.1", "client-app": "bookbuyer" } });
  assert.is(mesh.outcome.code, "MTLS_TERMINATED", mesh.outcome.summary);
  assert.is(mesh.route?.kind, "route", "OSM's routes match :method with a regex: the request's GET");
  const out = one(R("osm/sample-envoy-config-dump-bookstore.json"), { port: 14001, client: "plaintext", direction: "outbound", address: "10.96.196.30" });
  assert.is(out.accepted?.listener, "outbound-listener");
});

test("OSM: the proxy's own IP is never an outbound destination (a ClusterIP in an outbound chain)", () => {
  const input = loadFile(R("osm/sample-envoy-config-dump-bookstore.json"));
  assert.equal(proxyIps(input).ips, []);
  const r = runExplain(input, { port: 14001, client: "plaintext" })[0]!;
  assert.ok(r.connection.assumptions.some((a) => /placeholder/.test(a)), r.connection.assumptions.join("; "));
});

test("OSM tls-check: the client's cluster paired by --service; the server's chain wants another SNI, so a CONFLICT", () => {
  const r = runTlsCheck(loadFile(R("osm/sample-envoy-config-dump-bookbuyer.json")), loadFile(R("osm/sample-envoy-config-dump-bookstore.json")), { service: { host: "bookstore/bookstore", port: 14001 } });
  assert.is(r.rows.length, 1);
  assert.is(r.rows[0]!.server.port, 14001);
  assert.is(r.rows[0]!.status, "CONFLICT");
  assert.match(r.rows[0]!.client.sends, /ALPN osm, SNI bookstore\.bookstore\.svc\.cluster\.local/);
});

test("OSM: the mesh's sidecar preset is OSM's (ALPN osm, the SNI the port's chain asks for), so the port reads mTLS only and the sidecar is taken", () => {
  const store = loadFile(R("osm/sample-envoy-config-dump-bookstore.json"));
  const r = runExplain(store, { port: 14001, client: "istio-sidecar" })[0]!;
  assert.equal([r.client.sends.alpn, r.client.sends.sni], [["osm"], "bookstore-v1.bookstore.svc.cluster.local"]);
  assert.match(r.client.description, /^Open Service Mesh's sidecar: mTLS with a mesh certificate/);
  assert.is(r.filterChain?.index, 0, r.outcome.summary);
  const mode = portMode(store, 14001);
  assert.equal([mode.mode, mode.accepts.meshMtls, mode.accepts.otherMtls, mode.accepts.plaintext], ["STRICT", true, false, false], mode.detail);
  // Consul's offers no ALPN and is taken by the public listener's mTLS chain.
  const consul = runExplain(loadFile(R("consul/connect-proxy-with-grpc-chain.envoy-1-17-x.listeners.golden.json")), { port: 9999, client: "istio-sidecar" })[0]!;
  assert.equal([consul.client.sends.alpn, consul.outcome.code], [[], "MTLS_TERMINATED"]);
  assert.match(consul.client.description, /^Consul's sidecar/);
  // Kuma's offers ALPN kuma (as its golden clusters do), not an Istio era's.
  const kuma = runExplain(loadFile(R("kuma/full_config.json")), { port: 10010, client: "istio-sidecar" })[0]!;
  assert.equal(kuma.client.sends.alpn, ["kuma"]);
  assert.match(kuma.client.description, /^Kuma's sidecar/);
  // Istio's is unchanged: its era's ALPN, no SNI.
  const istio = runExplain(loadFile(S("modern-strict.json")), { port: 9080, client: "istio-sidecar" })[0]!;
  assert.equal([istio.client.sends.sni, istio.client.sends.alpn.includes("istio")], ["", true]);
});

test("Kuma transparent proxy (xDS golden file of Resource wrappers): passthrough listeners by direction and address family", () => {
  const input = loadFile(R("kuma/transparent-proxy-02.envoy.golden.yaml"));
  assert.is(input.format, "discovery_response");
  assert.is(input.listeners.length, 4);
  const v4 = runExplain(input, { port: 8080, client: "plaintext" })[0]!;
  assert.is(v4.capture.mesh, "Kuma");
  assert.is(v4.accepted?.listener, "self_transparentproxy_passthrough_inbound_ipv4");
  const v6 = runExplain(input, { port: 8080, client: "plaintext", address: "fd00::7" })[0]!;
  assert.is(v6.accepted?.listener, "self_transparentproxy_passthrough_inbound_ipv6");
  const out = runExplain(input, { port: 8080, client: "plaintext", direction: "outbound" })[0]!;
  assert.is(out.accepted?.listener, "self_transparentproxy_passthrough_outbound_ipv4");
});

test("Kuma universal: no capture, only bound listeners; a miss names what it does listen on", () => {
  const bound = one(R("kuma/full_config.json"), { port: 10010, client: "plaintext", address: "127.0.0.1" });
  assert.is(bound.accepted?.listener, "inbound:127.0.0.1:10010");
  const miss = one(R("kuma/full_config.json"), { port: 8080, client: "plaintext" });
  assert.is(miss.outcome.code, "NO_LISTENER");
  assert.is(miss.capture.captures, false);
  assert.match(miss.outcome.summary, /only bound listeners take connections/);
  assert.ok(miss.hints.some((h) => /127\.0\.0\.1:10010/.test(h)), miss.hints.join("; "));
});

test("Consul (xDS golden files, MPL-2.0 era): the bound public listener takes mTLS only; names say Consul; keys never printed", async () => {
  const listeners = R("consul/connect-proxy-with-grpc-chain.envoy-1-17-x.listeners.golden.json");
  const input = loadFile(listeners);
  assert.is(input.format, "discovery_response");
  const byClient = (client: string) => runExplain(input, { port: 9999, client: client as never })[0]!;
  const mtls = byClient("curl-mtls");
  assert.is(mtls.capture.mesh, "Consul");
  assert.match(mtls.capture.why, /public_listener/);
  assert.is(mtls.accepted?.listener, "public_listener:0.0.0.0:9999");
  assert.is(mtls.outcome.code, "MTLS_TERMINATED");
  assert.is(byClient("plaintext").outcome.code, "PLAINTEXT_INTO_TLS");
  assert.is(byClient("curl-tls").outcome.code, "CLIENT_CERT_REQUIRED");
  // An upstream listener of this sidecar, bound on loopback: the app's side of the mesh.
  const up = runExplain(input, { port: 9191, client: "plaintext", address: "127.0.0.1" })[0]!;
  assert.is(up.accepted?.listener, "db:127.0.0.1:9191");
  // The clusters of the same proxy: upstream mTLS with Consul's SNI; the test private key stays masked everywhere.
  const clusters = R("consul/connect-proxy-with-chain.envoy-1-18-x.clusters.golden.json");
  const table = await cli("clusters", clusters);
  assert.is(table.code, 0, table.stderr);
  assert.match(table.stdout, /db\.default\.dc1\.internal\.11111111-2222-3333-4444-555555555555\.consul/);
  for (const args of [["clusters", clusters, "-o", "json"], ["clusters", clusters, "-o", "yaml"], ["listeners", listeners, "-o", "json"], [listeners, "-p", "9999", "-o", "markdown"], ["diff", listeners, clusters]]) {
    const r = await cli(...args);
    assert.ok(r.code <= 1, `${args.join(" ")}: ${r.stderr}`);
    assert.not.match(r.stdout + r.stderr, /MHcCAQEEIMoTkpRggp3f/, `${args.join(" ")} printed the private key`);
  }
});

test("Emissary (gold econf, v2 bootstrap): TLS-only listener with client certificates; x-forwarded-proto from the connection; no Istio advice", () => {
  const input = loadFile(R("emissary/clientcertificateauthentication.econf.json"));
  assert.is(input.format, "bootstrap");
  assert.equal(input.diags.list.filter((d) => d.severity !== "note").map((d) => d.message), []);
  const run = (client: string, headers: Record<string, string> = {}) => runExplain(input, { port: 8443, client: client as never, path: "/ClientCertificateAuthentication/x", headers })[0]!;
  const mtls = run("curl-mtls", { "x-forwarded-proto": "http" });
  assert.is(mtls.capture.mesh, "Envoy");
  assert.is(mtls.accepted?.listener, "ambassador-listener-8443");
  assert.is(mtls.outcome.code, "MTLS_TERMINATED");
  // use_remote_address: Envoy sets x-forwarded-proto from the connection (TLS: https), whatever the client sent.
  assert.is(mtls.route?.kind, "route");
  const route = mtls.route as { routeIndex?: number; action?: { cluster?: string } };
  assert.is(route.routeIndex, 0);
  assert.is(route.action?.cluster, "cluster_clientcertificateauthentication_http_default");
  assert.is(run("curl-tls").outcome.code, "CLIENT_CERT_REQUIRED");
  const plain = run("plaintext");
  assert.is(plain.outcome.code, "NO_FILTER_CHAIN");
  const hints = plain.hints.join(" ");
  assert.match(hints, /connect with TLS .* client certificate/);
  assert.not.match(hints, /ISTIO_MUTUAL|PeerAuthentication|PERMISSIVE/);
  // A path no route takes: the 404 says what the routes match.
  const root = runExplain(input, { port: 8443, client: "curl-mtls" })[0]!;
  assert.is(root.outcome.code, "NO_ROUTE");
  assert.ok(root.route?.kind === "no-route" && root.route.routeCount === 4, JSON.stringify(root.route));
  assert.match(root.outcome.summary, /matches \/ \(its routes match prefix \/ClientCertificateAuthentication\/; header x-forwarded-proto=https \| prefix \/ambassador\/v0\/check_ready; header x-forwarded-proto=https \| .*: set the request with --path, --header\)$/);
});

test("Istio gateways' route dumps (istioctl's test data, 2023): port ignored in the Host, prefix and path_separated_prefix as Envoy matches them", () => {
  const C = (f: string) => path.join(root, "test/corpus/istio", f);
  const rcOf = (f: string, name: string) => loadFile(C(f)).byName("route", name)!.value as RouteConfiguration;
  const istioGw = rcOf("head-routes-istio-gateway-http-route-prefix.json", "http.8080");
  const req = (host: string, p: string) => ({ host, path: p, headers: {}, tls: false });
  const hit = decideRoute(istioGw, "http.8080", req("httpbin.example.com:80", "/get?x=1"));
  assert.is(hit.kind, "route", "ignore_port_in_host_matching: the Host's :80 is not part of the match");
  assert.is((hit as { action?: { cluster?: string } }).action?.cluster, "outbound|8000||httpbin.default.svc.cluster.local");
  assert.is(decideRoute(istioGw, "http.8080", req("httpbin.example.com", "/getx")).kind, "route", "prefix /get takes /getx");
  const miss = decideRoute(istioGw, "http.8080", req("other.example.com", "/get"));
  assert.is(miss.kind, "no-virtual-host");
  assert.equal(miss.kind === "no-virtual-host" && [miss.domains, miss.domainCount], [["httpbin.example.com"], 1], "the domains that would route");
  const k8sGw = rcOf("head-routes-k8s-gateway-http-route-path-prefix.json", "http.80");
  for (const [p, kind] of [["/get", "route"], ["/get/anything", "route"], ["/get?q", "route"], ["/getx", "no-route"]] as const) {
    assert.is(decideRoute(k8sGw, "http.80", req("httpbin.example.com:80", p)).kind, kind, `path_separated_prefix /get and ${p}`);
  }
});

test("Envoy Gateway: egctl's {namespace: {name: dump}}, egctl x translate's xds, several proxies and --proxy", async () => {
  const all = loadFile(R("envoy-gateway/egctl-config-out.all.json"));
  assert.is(all.proxy, "default/eg");
  const r = runExplain(all, { port: 10080, client: "plaintext", host: "www.example.com" })[0]!;
  assert.is(r.capture.mesh, "Envoy");
  assert.is(r.accepted?.listener, "default-eg-http");
  const miss = runExplain(all, { port: 8080, client: "plaintext" })[0]!;
  assert.ok(miss.hints.some((h) => /0\.0\.0\.0:10080 \(default-eg-http\)/.test(h)), "names the target port a Service maps to");
  assert.ok(loadFile(R("envoy-gateway/egctl-config-out.listener.yaml")).listeners.length > 0);
  assert.ok(loadFile(R("envoy-gateway/egctl-translate-from-gateway-api-to-xds.all.yaml")).listeners.length > 0);
  const many = await cli("routes", R("envoy-gateway/egctl-translate-multiple-xds.route.json"));
  assert.is(many.code, 2);
  assert.match(many.stderr, /holds the config of 2 proxies \(default\/eg, default\/eg2\): choose one with --proxy/);
  const chosen = await cli("routes", R("envoy-gateway/egctl-translate-multiple-xds.route.json"), "--proxy", "default/eg2", "-o", "json");
  assert.is(chosen.code, 0, chosen.stderr);
  assert.ok(JSON.parse(chosen.stdout).routes.length > 0);
});

test("an xDS DiscoveryResponse (file-based lds.yaml) and one entry cut out of a dump section read as their resources", () => {
  const golden = YAML.parse(fs.readFileSync(R("kuma/transparent-proxy-02.envoy.golden.yaml"), "utf8")) as { resources: { resource: Record<string, unknown> }[] };
  const listeners = golden.resources.map((r) => r.resource).filter((r) => String(r["@type"]).endsWith("Listener"));
  const lds = { version_info: "1", type_url: "type.googleapis.com/envoy.config.listener.v3.Listener", resources: listeners };
  assert.is(loadText(YAML.stringify(lds), "lds.yaml").listeners.length, listeners.length);
  const osm = JSON.parse(fs.readFileSync(R("osm/sample-envoy-config-dump-bookstore.json"), "utf8")) as { configs: Record<string, unknown>[] };
  const section = osm.configs.find((c) => String(c["@type"]).endsWith("ListenersConfigDump"))!;
  const entry = (section.dynamic_listeners as Record<string, unknown>[]).find((l) => l.name === "inbound-listener")!;
  const input = loadText(JSON.stringify(entry, null, 2), "entry.json");
  assert.equal(input.listeners.map((l) => l.name), ["inbound-listener"]);
  assert.is(input.listeners[0]!.state, "active");
});

test("/config_dump?resource=<list>: each element packed as its own config (DynamicListener, DynamicCluster…) reads as the full dump's resources", () => {
  // Envoy's admin (config_dump_handler.cc addResourceToDump) packs every element of the list asked for as an Any.
  const osm = JSON.parse(fs.readFileSync(R("osm/sample-envoy-config-dump-bookstore.json"), "utf8")) as { configs: Record<string, unknown>[] };
  const whole = loadText(JSON.stringify(osm), "whole.json");
  const names = (i: ReturnType<typeof loadText>, kind: "listeners" | "clusters" | "routes" | "secrets") => i[kind].map((r) => `${r.name} ${r.state}`).sort();
  const ELEMENT: Record<string, string> = {
    dynamic_listeners: "ListenersConfigDump.DynamicListener",
    static_listeners: "ListenersConfigDump.StaticListener",
    dynamic_active_clusters: "ClustersConfigDump.DynamicCluster",
    static_clusters: "ClustersConfigDump.StaticCluster",
    dynamic_route_configs: "RoutesConfigDump.DynamicRouteConfig",
    dynamic_active_secrets: "SecretsConfigDump.DynamicSecret",
  };
  const asked = (list: string) => {
    const configs = osm.configs.flatMap((c) => ((c[list] as Record<string, unknown>[] | undefined) ?? []).map((e) => ({ "@type": `type.googleapis.com/envoy.admin.v3.${ELEMENT[list]}`, ...e })));
    assert.ok(configs.length > 0, list);
    return loadText(JSON.stringify({ configs }, null, 2), `${list}.json`);
  };
  const listeners = asked("dynamic_listeners");
  assert.equal(names(listeners, "listeners"), names(whole, "listeners").filter((n) => !n.endsWith(" static")));
  assert.equal(names(asked("dynamic_active_clusters"), "clusters"), names(whole, "clusters").filter((n) => n.endsWith(" active")));
  assert.equal(names(asked("static_clusters"), "clusters"), names(whole, "clusters").filter((n) => n.endsWith(" static")));
  assert.equal(names(asked("dynamic_route_configs"), "routes"), names(whole, "routes").filter((n) => n.endsWith(" active")));
  assert.equal(names(asked("dynamic_active_secrets"), "secrets"), names(whole, "secrets").filter((n) => n.endsWith(" active")));
  // v2alpha (Istio 1.1-1.4): a DynamicListener wraps one listener, from dynamic_active_listeners.
  const v13 = JSON.parse(fs.readFileSync(S("istio-1.3-permissive.json"), "utf8")) as { configs: Record<string, unknown>[] };
  const v13Whole = loadText(JSON.stringify(v13), "v13.json");
  const v13Configs = v13.configs.flatMap((c) => ((c.dynamic_active_listeners as Record<string, unknown>[] | undefined) ?? []).map((e) => ({ "@type": "type.googleapis.com/envoy.admin.v2alpha.ListenersConfigDump.DynamicListener", ...e })));
  assert.ok(v13Configs.length > 10);
  assert.equal(names(loadText(JSON.stringify({ configs: v13Configs }), "v13-listeners.json"), "listeners"), names(v13Whole, "listeners").filter((n) => n.endsWith(" active")));
  // explain works on it as on the whole dump.
  const r = runExplain(listeners, { port: 14001, client: "plaintext" })[0]!;
  assert.is(r.accepted?.listener, "inbound-listener");
  assert.is(r.outcome.code, runExplain(whole, { port: 14001, client: "plaintext" })[0]!.outcome.code);
});

test("istioctl proxy-config bootstrap -o json ({bootstrap} without @type, istioctl's golden) reads as the bootstrap", async () => {
  const f = path.join(root, "test/corpus/istio/head-writer-bootstrapdump.json");
  const input = loadFile(f);
  assert.is(input.identity?.istioVersion, "1.10.0");
  assert.is(input.count(), "1 bootstrap");
  const r = await cli(f, "--port", "9080", "-c", "plaintext");
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /INCOMPLETE_INPUT/);
  assert.match(r.stdout, /holds no listeners/);
});

test("plain Envoy (envoyproxy/examples): chains by SNI and by ALPN as Envoy picks them, file certificates checked by name, no mesh advice", () => {
  const sni = loadFile(R("envoy-examples/tls-sni-envoy.yaml"));
  const by = (name: string) => runExplain(sni, { port: 10000, client: "curl-tls", sni: name })[0]!;
  const d1 = by("domain1.example.com");
  assert.is(d1.capture.mesh, "Envoy");
  assert.is(d1.capture.captures, false);
  assert.is(d1.outcome.code, "TLS_TERMINATED");
  assert.is(d1.filterChain?.index, 0);
  assert.match(d1.outcome.clientSees, /--cacert/);
  assert.not.match(d1.outcome.clientSees, /SPIFFE/);
  assert.is(by("domain2.example.com").filterChain?.index, 1);
  assert.is(by("domain3.example.com").outcome.code, "TLS_PASSTHROUGH");
  const other = by("other.example.com");
  assert.is(other.outcome.code, "NO_FILTER_CHAIN");
  assert.match(other.hints.join(" "), /SNI domain1\.example\.com/);
  // Every name the port answers to, the passthrough chain's too.
  assert.ok(other.hints.includes("The chains on this port by SNI: domain1.example.com (#0, TLS); domain2.example.com (#1, TLS); domain3.example.com (#2, passthrough (TLS not terminated))."), other.hints.join("\n"));
  const plain = runExplain(sni, { port: 10000, client: "plaintext" })[0]!;
  assert.is(plain.outcome.code, "NO_FILTER_CHAIN");
  // A plaintext client reaches none of them: the passthrough chain needs a ClientHello (its SNI) too.
  assert.ok(plain.hints.some((h) => h.startsWith("Port 10000 only accepts TLS here (#0, #1, #2): connect with TLS")), plain.hints.join("\n"));
  // By ALPN: curl's first ALPN (h2) picks the h2 chain; TLS with no ALPN finds no chain (the tls branch is taken, and Envoy never backtracks to the chain with no match); plaintext takes the chain with no match.
  const alpn = loadFile(R("envoy-examples/tls-inspector-envoy.yaml"));
  const on = (o: Omit<Parameters<typeof runExplain>[1], "port">) => runExplain(alpn, { ...o, port: 10000 })[0]!;
  assert.is(on({ client: "curl-tls" }).filterChain?.index, 0);
  assert.is(on({ transport: "tls", alpn: ["http/1.1"] }).filterChain?.index, 1);
  assert.is(on({ client: "plaintext" }).filterChain?.index, 2);
  assert.is(on({ client: "openssl" }).outcome.code, "NO_FILTER_CHAIN");
});

test("tls-check between two plain Envoys (envoyproxy/examples double-proxy): paired by the port the server listens on, or by --service host:port; their own files (certs/clientcert.pem against certs/cacert.pem) are UNKNOWN, not OK; a client without its certificate is a CONFLICT", async () => {
  const front = R("envoy-examples/double-proxy-envoy-frontend.yaml");
  const back = loadFile(R("envoy-examples/double-proxy-envoy-backend.yaml"));
  const r = runTlsCheck(loadFile(front), back, {});
  assert.equal(r.serverPorts.map((p) => p.port), [5432]);
  assert.is(r.rows.length, 1);
  // Whether certs/cacert.pem signed certs/clientcert.pem is in the certificate files, not in the configs.
  assert.is(r.rows[0]!.status, "UNKNOWN");
  assert.match(r.rows[0]!.reason, /requires a client certificate signed by file:certs\/cacert\.pem with a SAN matching dns exact:proxy-postgres-frontend\.example\.com; the client presents its certificate file:certs\/clientcert\.pem: whether that CA signed it is not in the dumps/);
  // Istio's words (STRICT, MUTUAL) stay in the JSON's mode fields; outside Istio the reason and the table say what is taken and sent.
  assert.is(r.mesh, "Envoy");
  assert.is(r.rows[0]!.server.mode, "STRICT");
  assert.match(r.rows[0]!.reason, /server port 5432 is mTLS only: chain #0 requires a client certificate/);
  const table = (await cli("tls-check", front, R("envoy-examples/double-proxy-envoy-backend.yaml"))).stdout;
  assert.match(table, /postgres_cluster:5432 +mTLS +mTLS only +UNKNOWN/);
  assert.not.match(table, /STRICT|MUTUAL/);
  const istio = (await cli("tls-check", S("client-productpage.json"), S("modern-strict.json"))).stdout;
  assert.match(istio, /AUTO → ISTIO_MUTUAL +STRICT +OK/);
  // diff says a port's mode change the same way: the backend no longer requiring a client certificate.
  const backText = fs.readFileSync(R("envoy-examples/double-proxy-envoy-backend.yaml"), "utf8");
  const optional = loadText(backText.replace("require_client_certificate: true", "require_client_certificate: false"), "backend-optional.yaml");
  assert.equal(diffInputs(back, optional).summary, ["port 5432: mTLS only → TLS, client certificate optional"]);
  const named = runTlsCheck(loadFile(front), back, { service: { host: "proxy-postgres-backend.example.com", port: 5432 } });
  assert.equal(named.rows.map((x) => x.status), ["UNKNOWN"]);
  assert.is(runTlsCheck(loadFile(front), back, { service: { host: "elsewhere.example.com", port: 5432 } }).rows.length, 0);
  // The same frontend without its client certificate.
  const text = fs.readFileSync(front, "utf8");
  const noCert = text.replace(/ {10}tls_certificates:\n(?: {10}[ -].*\n)+?(?= {10}validation_context)/, "");
  assert.ok(noCert.length < text.length);
  const bad = runTlsCheck(loadText(noCert, "frontend-no-cert.yaml"), back, {});
  assert.equal(bad.rows.map((x) => x.status), ["CONFLICT"]);
  assert.match(bad.rows[0]!.reason, /client certificate is required/);
});

test("a capture listener Envoy rejected: the connection is refused, naming the listener and Envoy's error", () => {
  const dump = JSON.parse(fs.readFileSync(S("modern-permissive.json"), "utf8")) as { configs: Record<string, unknown>[] };
  const section = dump.configs.find((c) => String(c["@type"]).endsWith("ListenersConfigDump"))!;
  const list = section.dynamic_listeners as Record<string, unknown>[];
  const vin = list.find((l) => l.name === "virtualInbound")!;
  const listener = (vin.active_state as Record<string, unknown>).listener;
  delete vin.active_state;
  vin.error_state = { failed_configuration: listener, details: "error adding listener '0.0.0.0:15006': multiple filter chains with the same matching rules are defined" };
  const r = runExplain(loadText(JSON.stringify(dump), "rejected.json"), { port: 9080, client: "istio-sidecar" })[0]!;
  assert.is(r.outcome.code, "NO_LISTENER");
  assert.match(r.outcome.summary, /iptables redirects inbound traffic to virtualInbound \(0\.0\.0\.0:15006\), but Envoy rejected that listener: error adding listener/);
  assert.match(r.outcome.clientSees, /connection refused/);
  assert.is(r.accepted, null, "never handed to another capture listener");
});

test("a real Istio 1.18 sidecar (gzip) whose EnvoyFilter broke virtualInbound: inbound refused with Envoy's error, once and on one line; outbound still works", async () => {
  const f = R("istio/deathstarbench-geo-1.18.2.config_dump.json.gz");
  const input = loadFile(f);
  // Envoy lists the failed update twice, once under an entry without a name: one rejection, named from its configuration.
  assert.equal(input.rejectedListeners.map((r) => r.name), ["virtualInbound"]);
  const warnings = input.diags.list.filter((d) => d.code === "rejected-update");
  assert.is(warnings.length, 1, warnings.map((w) => w.message).join("\n"));
  assert.ok(!/\n/.test(warnings[0]!.message), "Envoy's multi-line message is one line");
  assert.match(warnings[0]!.message, /listener "virtualInbound": Proto constraint validation failed \(LuaValidationError\.DefaultSourceCode: .*default_source_code \{ \}$/);
  const r = runExplain(input, { port: 8083, client: "istio-sidecar" })[0]!;
  assert.is(r.outcome.code, "NO_LISTENER");
  assert.match(r.outcome.summary, /iptables redirects inbound traffic to virtualInbound \(0\.0\.0\.0:15006\), but Envoy rejected that listener: Proto constraint validation failed/);
  assert.ok(!/\n/.test(r.outcome.summary));
  // Where the fix is: the part Envoy rejected, and in Istio the EnvoyFilter that usually put it there.
  assert.ok(r.hints.some((h) => /^Envoy refuses virtualInbound until istiod sends a version it accepts; the error is in the Lua part .*EnvoyFilter/.test(h)), r.hints.join("\n"));
  // The listing shows it, so a reader of listeners sees why nothing listens on 15006.
  const rows = JSON.parse((await cli("listeners", f, "--port", "15006", "-o", "json")).stdout).listeners as { listener: string; state: string; address: string; error?: string }[];
  assert.equal(rows.map((x) => [x.listener, x.state, x.address]), [["virtualInbound", "error", "0.0.0.0:15006"]]);
  assert.match(rows[0]!.error ?? "", /^Proto constraint validation failed \(LuaValidationError/);
  assert.match((await cli("listeners", f, "--port", "15006")).stdout, /virtualInbound \(rejected\) +0\.0\.0\.0:15006 .*rejected by Envoy \(never accepted\): Proto constraint/);
  // Named with --listener, it is the rejected one, not "no listener named".
  const named = runExplain(input, { port: 8083, client: "curl-mtls", listener: "virtualInbound" })[0]!;
  assert.is(named.outcome.code, "NO_LISTENER");
  assert.match(named.outcome.summary, /^Envoy rejected listener "virtualInbound" \(0\.0\.0\.0:15006\) and never accepted it: Proto constraint validation failed/);
  assert.match(named.outcome.clientSees, /connection refused: curl exit 7/);
  assert.is(r.connection.destination, "172.16.188.31:8083", "the pod IP from the bootstrap node");
  // The same broken inbound leaves geo's own Service without a ready endpoint: calling it gets Envoy's 503 UH.
  const self = runExplain(input, { port: 8083, address: "10.68.200.178", client: "plaintext", host: "geo.hr2.svc.cluster.local:8083" })[0]!;
  assert.is(self.outcome.code, "NO_ENDPOINTS");
  assert.match(self.outcome.summary, /cluster outbound\|8083\|\|geo\.hr2\.svc\.cluster\.local has no endpoints \(its EDS assignment in the dump lists no endpoint\)/);
  assert.is(self.outcome.clientSees, 'HTTP 503 "no healthy upstream" (access log UH)');
  assert.is(runExplain(input, { port: 8084, address: "10.68.182.6", client: "plaintext" })[0]!.outcome.code, "PLAINTEXT_HTTP", "rate.hr2 has endpoints");
  // Outbound, to mongodb-geo's ClusterIP: captured by virtualOutbound, handed to its listener, mTLS upstream by EDS tlsMode.
  const out = runExplain(input, { port: 27017, address: "10.68.227.119", client: "plaintext" })[0]!;
  assert.is(out.accepted?.listener, "virtualOutbound");
  assert.is(out.listener?.name, "10.68.227.119_27017", "handed to the listener of the ClusterIP and port");
  assert.is(out.outcome.code, "PLAINTEXT_TCP");
  assert.match(out.outcome.summary, /outbound\|27017\|\|mongodb-geo\.hr2\.svc\.cluster\.local/);
  const { code, stdout, stderr } = await cli(f, "--port", "8083", "--client", "curl-mtls");
  assert.is(code, 0);
  assert.match(stdout, /NO_LISTENER/);
  assert.is((stderr.match(/Envoy rejected listener/g) ?? []).length, 1, stderr);
  // As a server, every connection to it is refused (CONFLICT, exit 1); the same file twice warns once.
  const tc = await cli("tls-check", f, f, "--service", "geo.hr2.svc.cluster.local:8083", "-o", "json");
  assert.is(tc.code, 1);
  assert.equal((JSON.parse(tc.stdout).rows as { status: string }[]).map((x) => x.status), ["CONFLICT"]);
  assert.is((tc.stderr.match(/Envoy rejected listener/g) ?? []).length, 1, tc.stderr);
});

test("inline route configurations are listed once: Envoy's RoutesConfigDump repeats them under static_route_configs (real Envoy 1.26 and 1.37 dumps)", async () => {
  const gw = JSON.parse((await cli("routes", R("wg-ai-gateway/config_dump.json"), "-o", "json")).stdout).routes as { routeConfig: string; match: string; action: string }[];
  assert.equal(gw.map((r) => [r.routeConfig, r.match, r.action]), [["listener_http_routes (inline in listener-80 #0)", "path-separated prefix /get", "default-httpbin-backend-80 (1)"]]);
  const sidecar = JSON.parse((await cli("routes", R("istio/deathstarbench-geo-1.18.2.config_dump.json.gz"), "-o", "json")).stdout).routes as { routeConfig: string; virtualHost: string; match: string }[];
  const backend = sidecar.filter((r) => r.virtualHost === "backend");
  assert.equal(backend.map((r) => [r.routeConfig, r.match]).sort(), [["(inline in 0.0.0.0:15021 #0)", "prefix /healthz/ready"], ["(inline in 0.0.0.0:15090 #0)", "prefix /stats/prometheus"]]);
  // A static route configuration that no listener inlines stays: the bootstrap file's own, or a copy that differs.
  const dump = JSON.parse(fs.readFileSync(R("wg-ai-gateway/config_dump.json"), "utf8")) as { configs: Record<string, unknown>[] };
  const rs = dump.configs.find((c) => c["@type"] === "type.googleapis.com/envoy.admin.v3.RoutesConfigDump")! as { static_route_configs: { route_config: { virtual_hosts: { domains: string[] }[] } }[] };
  rs.static_route_configs[0]!.route_config.virtual_hosts[0]!.domains = ["changed.example"];
  const changed = JSON.parse((await cli("routes", write("wgai-changed.json", JSON.stringify(dump)), "-o", "json")).stdout).routes as { routeConfig: string; domains: string[] }[];
  assert.equal(changed.map((r) => [r.routeConfig, r.domains]), [["listener_http_routes", ["changed.example"]], ["listener_http_routes (inline in listener-80 #0)", ["*"]]]);
  // diff reports a change to an inline configuration once, at the listener that holds it, as Envoy's copy changes with it.
  const both = JSON.parse(fs.readFileSync(R("wg-ai-gateway/config_dump.json"), "utf8").replace(/"domains": \[\n? *"\*"\n? *\]/g, '"domains": ["api.example.com"]')) as { configs: Record<string, unknown>[] };
  const d = diffInputs(loadFile(R("wg-ai-gateway/config_dump.json")), loadText(JSON.stringify(both), "both.json"));
  assert.equal(d.changes.map((c) => [c.kind, c.name, c.change]), [["listener", "listener-80", "removed"], ["listener", "listener-80", "added"]]);
  assert.match(d.changes[1]!.meaning, /^domain api\.example\.com added/);
  // A static copy that no longer matches its inline configuration is a change of its own.
  const d2 = diffInputs(loadFile(R("wg-ai-gateway/config_dump.json")), loadText(JSON.stringify(dump), "static-only.json"));
  assert.equal(d2.changes.map((c) => [c.kind, c.name, c.change]), [["route", "listener_http_routes", "removed"], ["route", "listener_http_routes", "added"]]);
  // And explain routes the gateway's request by the inline configuration.
  const r = one(R("wg-ai-gateway/config_dump.json"), { port: 80, client: "plaintext", path: "/get" });
  assert.is(r.outcome.code, "PLAINTEXT_HTTP");
  assert.is(r.route?.kind, "route");
  assert.is(one(R("wg-ai-gateway/config_dump.json"), { port: 80, client: "plaintext", path: "/other" }).route?.kind, "no-route");
  // DestinationRule words (DISABLE, ISTIO_MUTUAL) are Istio's: a plain gateway's upstream line says what it sends.
  const text = (await cli(R("wg-ai-gateway/config_dump.json"), "--port", "80", "--client", "plaintext", "--path", "/get")).stdout;
  assert.match(text, /Upstream +default-httpbin-backend-80 \(every endpoint\): plaintext/);
  const istio = (await cli(R("istio/deathstarbench-geo-1.18.2.config_dump.json.gz"), "--port", "27017", "--address", "10.68.227.119", "--client", "plaintext")).stdout;
  assert.match(istio, /Upstream +outbound\|27017\|\|mongodb-geo\.hr2\.svc\.cluster\.local \[AUTO\] 172\.16\.188\.42:27017: Istio mTLS/);
});

test("Cilium (its operator's CiliumEnvoyConfigs): a Service's frontend port goes to the listener spec.services names, the destination kept", async () => {
  const multi = loadFile(R("cilium/basic_https_multi_port_listener.cec-output.yaml"));
  assert.is(multi.format, "cilium_envoy_config");
  assert.equal(multi.listeners.map((l) => l.name), ["listener", "listener-443", "listener-50051"]);
  assert.equal(multi.redirects.map((r) => [r.service, r.ports, r.listener]), [
    ["default/cilium-gateway-my-gateway", [80], "listener"],
    ["default/cilium-gateway-my-gateway", [443], "listener-443"],
    ["default/cilium-gateway-my-gateway", [50051], "listener-50051"],
  ]);
  const tls = runExplain(multi, { port: 443, client: "curl-tls", sni: "example.com", path: "/web" })[0]!;
  assert.is(tls.capture.mesh, "Cilium");
  assert.is(tls.accepted?.listener, "listener-443");
  assert.match(tls.accepted?.how ?? "", /^Cilium's eBPF sends default\/cilium-gateway-my-gateway port 443 to listener listener-443 \(CiliumEnvoyConfig spec\.services\), keeping the destination/);
  assert.is(tls.outcome.code, "TLS_TERMINATED");
  assert.is(tls.route?.kind === "route" && tls.route.routeConfig, "listener-443");
  const plain = runExplain(multi, { port: 80, client: "plaintext", host: "example.com", path: "/web" })[0]!;
  assert.is(plain.accepted?.listener, "listener");
  assert.is(plain.outcome.code, "PLAINTEXT_HTTP");
  assert.not.ok(plain.connection.assumptions.some((a) => a.startsWith("Host ")), "a Host given is not assumed");
  // Without --host the Host is the destination address, which no virtual host takes: said as an assumption,
  // and the 404 names the domains that would route.
  const bare = runExplain(multi, { port: 80, client: "plaintext", address: "10.0.0.9" })[0]!;
  assert.is(bare.outcome.code, "NO_ROUTE");
  assert.ok(bare.route?.kind === "no-virtual-host" && bare.route.domainCount === 2, JSON.stringify(bare.route));
  assert.match(bare.outcome.summary, /no virtual host of listener-insecure takes Host 10\.0\.0\.9:80 \(its virtual hosts take example\.com, example\.com:\*: set the Host with --host\)/);
  assert.ok(bare.connection.assumptions.includes("Host 10.0.0.9:80: the destination address (use --host)"), bare.connection.assumptions.join("; "));
  const bySni = runExplain(multi, { port: 443, client: "curl-tls", sni: "example.com", path: "/web" })[0]!;
  assert.ok(bySni.connection.assumptions.includes("Host example.com: the SNI (use --host)"), bySni.connection.assumptions.join("; "));
  const grpc = runExplain(multi, { port: 50051, client: "curl-tls", sni: "example.com", path: "/com.example.echo/Echo" })[0]!;
  assert.is(grpc.accepted?.listener, "listener-50051");
  assert.match(grpc.outcome.summary, /default:grpc-backend:9090/);
  const other = runExplain(multi, { port: 8443, client: "plaintext" })[0]!;
  assert.is(other.outcome.code, "NO_LISTENER");
  assert.match(other.outcome.summary, /Cilium sends only these Services' ports to this proxy \(CiliumEnvoyConfig spec\.services\): default\/cilium-gateway-my-gateway port 80; .* port 443; .* port 50051/);
  // No listener named: the first one. A TLSRoute's listener passes TLS through by SNI.
  const sni = loadFile(R("cilium/basic_tls_sni_listener.cec-output.yaml"));
  const foo = runExplain(sni, { port: 443, client: "curl-tls", sni: "foo.com" })[0]!;
  assert.match(foo.accepted?.how ?? "", /to the first listener, listener \(CiliumEnvoyConfig spec\.services\)/);
  assert.is(foo.outcome.code, "TLS_PASSTHROUGH");
  assert.match(foo.outcome.summary, /default:my-service:8080/);
  assert.is(runExplain(sni, { port: 443, client: "curl-tls", sni: "bar.com" })[0]!.outcome.code, "NO_FILTER_CHAIN");
  // kubectl get cec -o yaml: a List, one chosen with --proxy.
  const a = YAML.parse(fs.readFileSync(R("cilium/basic_https_multi_port_listener.cec-output.yaml"), "utf8")) as { metadata: { name: string } };
  const b = YAML.parse(fs.readFileSync(R("cilium/basic_tls_sni_listener.cec-output.yaml"), "utf8")) as { metadata: { name: string } };
  b.metadata.name = "cilium-gateway-tls";
  const list = write("cec-list.yaml", YAML.stringify({ apiVersion: "v1", kind: "List", items: [{ apiVersion: "cilium.io/v2", kind: "CiliumEnvoyConfig", ...a }, { apiVersion: "cilium.io/v2", kind: "CiliumEnvoyConfig", ...b }] }));
  const ask = await cli(list, "--port", "443");
  assert.is(ask.code, 2);
  assert.match(ask.stderr, /holds 2 CiliumEnvoyConfigs \(default\/cilium-gateway-my-gateway, default\/cilium-gateway-tls\): choose one with --proxy/);
  const chosen = JSON.parse((await cli(list, "--proxy", "default/cilium-gateway-tls", "--port", "443", "--client", "curl-tls", "--sni", "foo.com", "-o", "json")).stdout) as { results: { outcome: { code: string } }[] };
  assert.is(chosen.results[0]!.outcome.code, "TLS_PASSTHROUGH");
});

test("a listener whose latest update Envoy rejected: explain answers with the version it still serves, and says the last one sent is not what runs", () => {
  const dump = JSON.parse(fs.readFileSync(S("modern-permissive.json"), "utf8")) as { configs: Record<string, unknown>[] };
  const section = dump.configs.find((c) => String(c["@type"]).endsWith("ListenersConfigDump"))!;
  const vin = (section.dynamic_listeners as Record<string, unknown>[]).find((l) => l.name === "virtualInbound")!;
  vin.error_state = { failed_configuration: (vin.active_state as Record<string, unknown>).listener, details: "Proto constraint validation failed (LuaValidationError.DefaultSourceCode: embedded message failed validation)" };
  const before = runExplain(loadFile(S("modern-permissive.json")), { port: 9080, client: "istio-sidecar" })[0]!;
  const r = runExplain(loadText(JSON.stringify(dump), "stale.json"), { port: 9080, client: "istio-sidecar" })[0]!;
  assert.is(r.outcome.code, before.outcome.code, "the version Envoy serves decides");
  assert.ok(r.hints.some((h) => h.startsWith("Envoy rejected the latest update of listener virtualInbound and still serves its previous version")), r.hints.join("\n"));
  assert.not.ok(before.hints.some((h) => /latest update/.test(h)));
  // The listing marks the listener's rows: they are the version Envoy still serves.
  const rows = listenerRows(loadText(JSON.stringify(dump), "stale.json"), { name: "virtualInbound" });
  assert.ok(rows.length > 0 && rows.every((x) => x.state === "active" && /^Proto constraint validation failed \(LuaValidationError/.test(x.updateRejected ?? "")));
  assert.ok(listenerRows(loadFile(S("modern-permissive.json")), { name: "virtualInbound" }).every((x) => x.updateRejected === undefined));
});

test("a listener Envoy is still warming does not listen: refused, naming the secrets it waits for (an Istio Gateway's missing credentialName Secret)", () => {
  const dump = JSON.parse(fs.readFileSync(S("gateway-mutual.json"), "utf8")) as { configs: Record<string, unknown>[] };
  const section = dump.configs.find((c) => String(c["@type"]).endsWith("ListenersConfigDump"))!;
  const l = (section.dynamic_listeners as Record<string, unknown>[]).find((x) => x.name === "0.0.0.0_8443")!;
  l.warming_state = l.active_state;
  delete l.active_state;
  const ok = runExplain(loadFile(S("gateway-mutual.json")), { port: 8443, client: "curl-tls", sni: "db.example.com" })[0]!;
  assert.is.not(ok.outcome.code, "NO_LISTENER");
  // Without a secrets section the dump cannot tell which it waits for.
  const unknown = runExplain(loadText(JSON.stringify(dump), "warming.json"), { port: 8443, client: "curl-tls", sni: "db.example.com" })[0]!;
  assert.is(unknown.outcome.code, "NO_LISTENER");
  assert.match(unknown.outcome.summary, /^listener 0\.0\.0\.0_8443 \(0\.0\.0\.0:8443\) is warming, never yet active: it may be waiting for secret kubernetes:\/\/shop-cert, .*\(this dump has no section to tell\)/);
  assert.match(unknown.outcome.clientSees, /connection refused/);
  // With one: a secret it has, one still warming, one it never got.
  dump.configs.push({
    "@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
    dynamic_active_secrets: [{ name: "kubernetes://shop-cert", secret: { "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", name: "kubernetes://shop-cert", tls_certificate: {} } }],
    dynamic_warming_secrets: [{ name: "kubernetes://secure-cert", secret: { "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", name: "kubernetes://secure-cert" } }],
  });
  const known = runExplain(loadText(JSON.stringify(dump), "warming-secrets.json"), { port: 8443, client: "curl-tls", sni: "db.example.com" })[0]!;
  assert.match(known.outcome.summary, /it waits for secret kubernetes:\/\/secure-cert \(warming: its source has not sent it\), secret kubernetes:\/\/secure-cert-cacert \(not in the dump\)\. Envoy does not listen/);
  assert.not.match(known.outcome.summary, /shop-cert/);
  assert.ok(known.hints.some((h) => /credentialName/.test(h)));
  assert.equal(known.notListening, { listener: "0.0.0.0_8443", state: "warming" });
  // tls-check's verdict: Envoy itself says nothing listens there, so a client's connection fails: CONFLICT, not UNKNOWN.
  const sends = { transport: "tls" as const, alpn: ["h2", "http/1.1"], sni: "db.example.com", clientCertificate: false, mode: "SIMPLE" as const, via: "transport_socket", certificates: [], subjectAltNames: [] };
  const v = verdict(sends, known, 8443, "SIMPLE");
  assert.is(v.status, "CONFLICT");
  assert.match(v.reason, /is warming, never yet active/);
  assert.is(verdict(sends, runExplain(loadFile(S("gateway-mutual.json")), { port: 9999, client: "curl-tls" })[0]!, 9999, "SIMPLE").status, "UNKNOWN", "a port nothing is configured for stays UNKNOWN");
});

test("Istio 1.3 without its bootstrap: own IPs come from inbound listeners, not outbound ClusterIP listeners", () => {
  const dump = JSON.parse(fs.readFileSync(S("istio-1.3-permissive.json"), "utf8")) as { configs: Record<string, unknown>[] };
  dump.configs = dump.configs.filter((c) => !String(c["@type"]).endsWith("BootstrapConfigDump"));
  const ips = proxyIps(loadText(JSON.stringify(dump), "no-bootstrap.json")).ips;
  assert.is(ips[0], "172.30.150.216");
  assert.not.ok(ips.some((ip) => ip.startsWith("10.")), `no ClusterIP among ${ips.join(", ")}`);
});

test("pasted into Markdown: fences, Hugo shortcodes, # comments and <clipped> swallowing closing brackets; a Python repr is named", async () => {
  const osm = fs.readFileSync(R("osm/sample-envoy-config-dump-bookstore.json"), "utf8");
  // Cut the inbound listener short where it starts its chains, as a writer eliding "the rest" would.
  const at = osm.indexOf('"filter_chains"', osm.indexOf('"name": "inbound-listener"'));
  const next = osm.lastIndexOf("{", osm.indexOf('"name": "inbound-prometheus-listener"'));
  assert.ok(at > 0 && next > at);
  const pasted = `My dump:\n\n{{< highlight json >}}\n\`\`\`json\n# from the bookstore pod\n${osm.slice(0, at)}<"clipped">\n        },\n        ${osm.slice(next)}\n\`\`\`\n{{< /highlight >}}\n`;
  const input = loadText(pasted, "pasted.md");
  const names = input.listeners.map((l) => l.name);
  assert.ok(names.includes("outbound-listener") && names.includes("inbound-prometheus-listener"), names.join(", "));
  const py = await cli("listeners", write("repr.txt", "{'configs': [{'@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', 'ok': True}]}"));
  assert.is(py.code, 2);
  assert.match(py.stderr, /looks like a Python repr/);
  // istioctl's tables (its goldens: proxy-config listener and all, x authz check) given in place of a dump.
  for (const [f, cols] of [
    ["v16-writer-listenersummary.txt", /columns ADDRESS, PORT, TYPE\)/],
    ["head-proxyconfig-config_dump_summary.txt", /columns NAME, SERVICE FQDN, PORT/],
    ["v13-auth-productpage.golden", /columns LISTENER, CERTIFICATE, mTLS \(MODE\)/],
  ] as const) {
    const t = await cli("listeners", path.join(root, "test/corpus/istio", f));
    assert.is(t.code, 2, f);
    assert.match(t.stderr, cols, t.stderr);
    assert.match(t.stderr, /not a dump: .*-o json/);
  }
  // The admin's /clusters without ?format=json.
  const text = await cli("clusters", write("clusters.txt", "outbound|9080||reviews.default.svc.cluster.local::observability_name::outbound|9080||reviews.default.svc.cluster.local\noutbound|9080||reviews.default.svc.cluster.local::10.244.0.12:9080::cx_active::0\n"));
  assert.is(text.code, 2);
  assert.match(text.stderr, /\/clusters text output .*\?format=json/);
  // YAML is still YAML: istioctl -o yaml and Kuma's golden file load.
  assert.ok(loadFile(R("kuma/transparent-proxy-02.envoy.golden.yaml")).listeners.length > 0);
  assert.ok(loadFile(R("envoy-gateway/egctl-config-out.listener.yaml")).listeners.length > 0);
});

test("tls-check: Service port ≠ target port, paired through the client's EDS (cluster on 8000, endpoint at 9080)", () => {
  const text = fs.readFileSync(S("client-productpage.json"), "utf8").replaceAll("outbound|9080||reviews.default.svc.cluster.local", "outbound|8000||reviews.default.svc.cluster.local");
  const r = runTlsCheck(loadText(text, "client.json"), loadFile(S("modern-permissive.json")), {});
  const row = r.rows.find((x) => x.cluster === "outbound|8000||reviews.default.svc.cluster.local");
  assert.ok(row, `${r.notes.join("; ")} ${r.rows.map((x) => x.cluster).join(", ")}`);
  assert.is(row!.port, 8000);
  assert.is(row!.server.port, 9080);
  assert.is(row!.status, "OK");
  assert.match(row!.reason, /service port 8000 → target port 9080/);
  // --service host:port replays on the endpoint's port.
  const svc = runTlsCheck(loadText(text, "client.json"), loadFile(S("modern-strict.json")), { service: { host: "reviews.default.svc.cluster.local", port: 8000 } });
  assert.ok(svc.rows.length > 0 && svc.rows.every((x) => x.server.port === 9080 && x.server.mode === "STRICT"));
});

test("tls-check: a subset whose endpoints are another pod is not a row against this server", () => {
  const dump = JSON.parse(fs.readFileSync(S("client-productpage.json"), "utf8")) as { configs: Record<string, unknown>[] };
  const eds = dump.configs.find((c) => String(c["@type"]).endsWith("EndpointsConfigDump"))!;
  const configs = eds.dynamic_endpoint_configs as { endpoint_config: Record<string, unknown> }[];
  const reviews = configs.find((c) => c.endpoint_config.cluster_name === "outbound|9080||reviews.default.svc.cluster.local")!;
  const other = JSON.parse(JSON.stringify(reviews.endpoint_config).replaceAll("10.244.1.7", "10.244.9.9").replaceAll("outbound|9080||reviews", "outbound|9080|v2|reviews")) as Record<string, unknown>;
  configs.push({ endpoint_config: other });
  const clusters = dump.configs.find((c) => String(c["@type"]).endsWith("ClustersConfigDump"))!;
  const list = clusters.dynamic_active_clusters as { cluster: Record<string, unknown> }[];
  const auto = list.find((c) => c.cluster.name === "outbound|9080||reviews.default.svc.cluster.local")!;
  list.push({ cluster: JSON.parse(JSON.stringify(auto.cluster).replaceAll("outbound|9080||reviews", "outbound|9080|v2|reviews")) as Record<string, unknown> });
  const r = runTlsCheck(loadText(JSON.stringify(dump), "client.json"), loadFile(S("modern-permissive.json")), {});
  assert.ok(r.rows.some((x) => x.cluster === "outbound|9080||reviews.default.svc.cluster.local"));
  assert.not.ok(r.rows.some((x) => x.cluster === "outbound|9080|v2|reviews.default.svc.cluster.local"), "v2's endpoint is another pod");
});

test("a Host no virtual host takes names the first domains that would route, each once, and how many there are", () => {
  const vhs = [0, 1, 2, 3].map((i) => ({ name: `v${i}`, domains: [`s${i}.example.com`, `s${i}.example.com:80`], routes: [{ match: { prefix: "/" }, route: { cluster: "c" } }] }));
  vhs.push({ name: "dup", domains: ["s0.example.com"], routes: [] });
  const rc = loadText(JSON.stringify({ "@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", name: "r", virtual_hosts: vhs }), "r.json").routes[0]!.value as RouteConfiguration;
  const d = decideRoute(rc, "r", { host: "10.0.0.1:80", path: "/", headers: {}, tls: false });
  assert.ok(d.kind === "no-virtual-host");
  if (d.kind !== "no-virtual-host") return;
  assert.is(d.domainCount, 8);
  assert.equal(d.domains, ["s0.example.com", "s0.example.com:80", "s1.example.com", "s1.example.com:80", "s2.example.com", "s2.example.com:80"]);
  const none = loadText(JSON.stringify({ "@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", name: "empty" }), "e.json").routes[0]!.value as RouteConfiguration;
  const e = decideRoute(none, "empty", { host: "a", path: "/", headers: {}, tls: false });
  assert.equal(e.kind === "no-virtual-host" && [e.domains, e.domainCount], [[], 0]);
});

test("requests as the connection manager sees them: pseudo-headers, x-forwarded-proto, Host port stripping, Host from the SNI", () => {
  const rc = (extra: Record<string, unknown>, routes: unknown[]) =>
    loadText(JSON.stringify({ "@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", name: "r", virtual_hosts: [{ name: "shop", domains: ["shop.example.com"], routes }], ...extra }), "r.json").routes[0]!.value as RouteConfiguration;
  const post = rc({}, [{ match: { prefix: "/", headers: [{ name: ":method", string_match: { exact: "POST" } }] }, route: { cluster: "writes" } }, { match: { prefix: "/" }, route: { cluster: "reads" } }]);
  const get = decideRoute(post, "r", { host: "shop.example.com", path: "/", headers: {}, tls: false });
  assert.is(get.kind === "route" && get.action.kind === "cluster" && get.action.cluster, "reads", "GET is the default :method");
  const xfp = rc({}, [{ match: { prefix: "/", headers: [{ name: "x-forwarded-proto", string_match: { exact: "https" } }] }, route: { cluster: "secure" } }]);
  assert.is(decideRoute(xfp, "r", { host: "shop.example.com", path: "/", headers: {}, tls: true }).kind, "route", "x-forwarded-proto is https after TLS");
  assert.is(decideRoute(xfp, "r", { host: "shop.example.com", path: "/", headers: { "x-forwarded-proto": "https" }, tls: false, hcm: { useRemoteAddress: true } }).kind, "no-route", "use_remote_address overwrites the client's value");
  const withPort = { host: "shop.example.com:8443", path: "/", headers: {}, tls: true };
  assert.is(decideRoute(rc({}, [{ match: { prefix: "/" }, route: { cluster: "c" } }]), "r", withPort).kind, "no-virtual-host");
  assert.is(decideRoute(rc({ ignore_port_in_host_matching: true }, [{ match: { prefix: "/" }, route: { cluster: "c" } }]), "r", withPort).kind, "route");
  assert.is(decideRoute(rc({}, [{ match: { prefix: "/" }, route: { cluster: "c" } }]), "r", { ...withPort, hcm: { stripMatchingHostPort: true, listenerPort: 8443 } }).kind, "route");
  assert.is(decideRoute(rc({}, [{ match: { prefix: "/" }, route: { cluster: "c" } }]), "r", { ...withPort, hcm: { stripMatchingHostPort: true, listenerPort: 443 } }).kind, "no-virtual-host");
  const gw = one(S("gateway-mutual.json"), { port: 8443, client: "curl-mtls", sni: "secure.example.com" });
  assert.is(gw.route?.request.host, "secure.example.com");
});

test("tls-check: a client whose connection managers have istio.alpn offers istio-http/1.1 for HTTP, not the cluster's ALPN", () => {
  const dump = JSON.parse(fs.readFileSync(S("client-productpage.json"), "utf8")) as { configs: Record<string, unknown>[] };
  const hcm = { name: "envoy.filters.network.http_connection_manager", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager", stat_prefix: "outbound_0.0.0.0_9080", rds: { route_config_name: "9080", config_source: { ads: {} } }, http_filters: [{ name: "istio.alpn", typed_config: { "@type": "type.googleapis.com/istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig" } }, { name: "envoy.filters.http.router" }] } };
  dump.configs.push({ "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump", dynamic_listeners: [{ name: "0.0.0.0_9080", active_state: { listener: { "@type": "type.googleapis.com/envoy.config.listener.v3.Listener", name: "0.0.0.0_9080", address: { socket_address: { address: "0.0.0.0", port_value: 9080 } }, bind_to_port: false, traffic_direction: "OUTBOUND", filter_chains: [{ filters: [hcm] }] } } }] });
  const r = runTlsCheck(loadText(JSON.stringify(dump), "client.json"), loadFile(S("modern-permissive.json")), {});
  const mesh = r.rows.find((x) => x.cluster === "outbound|9080|mesh|reviews.default.svc.cluster.local")!;
  assert.match(mesh.client.sends, /ALPN istio-http\/1\.1,istio/);
  assert.is(mesh.status, "OK");
  const without = runTlsCheck(loadFile(S("client-productpage.json")), loadFile(S("modern-permissive.json")), {});
  assert.match(without.rows.find((x) => x.cluster === "outbound|9080|mesh|reviews.default.svc.cluster.local")!.client.sends, /ALPN istio-peer-exchange,istio/);
});

test("partial input gives no confident answer: no listeners, or cut where the answer lives", () => {
  const dump = JSON.parse(fs.readFileSync(S("client-productpage.json"), "utf8")) as { configs: Record<string, unknown>[] };
  const clustersOnly = { configs: dump.configs.filter((c) => String(c["@type"]).endsWith("ClustersConfigDump")) };
  assert.is(clustersOnly.configs.length, 1);
  const r = runExplain(loadText(JSON.stringify(clustersOnly), "clusters.json"), { port: 9080, client: "curl-mtls" })[0]!;
  assert.is(r.outcome.code, "INCOMPLETE_INPUT");
  assert.match(r.outcome.summary, /holds no listeners \(it has \d+ clusters\)/);
  const text = fs.readFileSync(S("modern-permissive.json"), "utf8");
  const cutAt = text.indexOf('"filter_chains"', text.indexOf('"name": "virtualInbound"'));
  assert.ok(cutAt > 0);
  const cut = runExplain(loadText(text.slice(0, cutAt + 200), "cut.json"), { port: 9080, client: "curl-mtls" })[0]!;
  assert.is(cut.outcome.code, "INCOMPLETE_INPUT", cut.outcome.summary);
  assert.match(cut.outcome.summary, /cut off at line \d+/);
  assert.ok(cut.incomplete);
});

test("copied out of a web page: a shell prompt line before the JSON, HTML escapes (&#91;), CJK elisions, ### comments", () => {
  const listener = (name: string, port: number, extra = "") =>
    `{ "name": "${name}", "address": { "socketAddress": { "address": "0.0.0.0", "portValue": ${port} } }, "filterChains": &#91; {${extra} "filters": &#91; { "name": "envoy.tcp_proxy", "typedConfig": { "@type": "type.googleapis.com/envoy.config.filter.network.tcp_proxy.v2.TcpProxy", "statPrefix": "s", "cluster": "c${port}" } } ] } ], "useOriginalDst": ${port === 15001} }`;
  const page = ["```", "[root@k8s-master ~]# istioctl proxy-config listener productpage-v1.bookinfo -o json", "&#91;", `${listener("virtualOutbound", 15001)},`, "。。。。忽略。。。", `${listener("0.0.0.0_9080", 9080, '\n### the author\'s note\n "filterChainMatch": { "applicationProtocols": &#91; "http/1.1" ] },')}`, "]", "```"].join("\n");
  const input = loadText(page, "blog.md");
  assert.equal(input.listeners.map((l) => l.name), ["virtualOutbound", "0.0.0.0_9080"]);
  assert.ok(input.diags.list.some((d) => d.code === "elided" && /。。。。忽略。。。/.test(d.message)));
});

const matcherListener = (tree: Record<string, unknown>) =>
  JSON.stringify({
    "@type": "type.googleapis.com/envoy.config.listener.v3.Listener",
    name: "m",
    address: { socket_address: { address: "0.0.0.0", port_value: 8443 } },
    filter_chain_matcher: { matcher_tree: tree },
    filter_chains: ["east", "west"].map((n) => ({ name: n, filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: n, cluster: n } }] })),
  });
const action = (chain: string) => ({ action: { name: chain, typed_config: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: chain } } });

test("filter_chain_matcher: FilterStateInput reads --filter-state; an IPMatcher range that is not an IP rejects the listener", async () => {
  const byState = matcherListener({
    input: { name: "fs", typed_config: { "@type": "type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.FilterStateInput", key: "io.example.zone" } },
    exact_match_map: { map: { east: action("east"), west: action("west") } },
  });
  const input = loadText(byState, "fs.json");
  const west = runExplain(input, { port: 8443, client: "plaintext", filterState: { "io.example.zone": "west" } })[0]!;
  assert.is(west.filterChain?.name, "west");
  const none = runExplain(input, { port: 8443, client: "plaintext" })[0]!;
  assert.is(none.outcome.code, "NO_FILTER_CHAIN", "no filter state: the input has no value");
  const viaCli = await cli(write("fs.json", byState), "-p", "8443", "-c", "plaintext", "--filter-state", "io.example.zone=east", "-o", "json");
  assert.is(JSON.parse(viaCli.stdout).results[0].filterChain.name, "east");
  const badIp = matcherListener({
    input: { name: "ip", typed_config: { "@type": "type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.SourceIPInput" } },
    custom_match: { name: "ip", typed_config: { "@type": "type.googleapis.com/xds.type.matcher.v3.IPMatcher", range_matchers: [{ ranges: [{ address_prefix: "10.0.0.300", prefix_len: 32 }], on_match: action("east") }] } },
  });
  const rejected = runExplain(loadText(badIp, "ip.json"), { port: 8443, client: "plaintext" })[0]!;
  assert.is(rejected.outcome.code, "LISTENER_REJECTED");
  assert.match(rejected.rejected ?? "", /malformed IP address: 10\.0\.0\.300/);
});

test("listings: inline route configurations are listed; a TLS-matching chain without a socket is passthrough", async () => {
  const routes = JSON.parse((await cli("routes", S("istio-1.3-permissive.json"), "-o", "json")).stdout).routes as { routeConfig: string }[];
  assert.ok(routes.some((r) => /\(inline in 172\.30\.150\.216_9080 #\d+\)/.test(r.routeConfig)), "the inbound listener's inline routes");
  const rows = JSON.parse((await cli("listeners", S("gateway-mutual.json"), "-o", "json")).stdout).listeners as { tls: string; match: { transportProtocol?: string } | null }[];
  const passthrough = rows.filter((r) => r.tls.startsWith("passthrough") && ((r.match as { serverNames?: string[] } | null)?.serverNames ?? []).includes("db.example.com"));
  assert.ok(passthrough.length > 0, rows.map((r) => r.tls).join(", "));
  // explain's chain table says the same as the listing: Istio 1.18's PERMISSIVE virtualInbound keeps a `tls` chain with no socket.
  const authz = loadFile(path.join(root, "test/corpus/istio/head-authz-configdump.yaml"));
  const r = runExplain(authz, { port: 8080, client: "curl-tls" })[0]!;
  const tlsOnly = r.candidates.find((c) => c.name === "virtualInbound" && c.match === "dst 0.0.0.0/0; transport tls")!;
  assert.is(tlsOnly.transport, "passthrough (TLS not terminated)");
  assert.is(r.filterChain?.index, tlsOnly.index, "port 8080 has no chain of its own: the TLS client is passed through");
  assert.is(r.filterChain?.transport, "passthrough (TLS not terminated)");
});

test("diff names what changed: a removed HTTP filter, removed domains", async () => {
  const after = JSON.parse(fs.readFileSync(S("istio-1.3-permissive.json"), "utf8")) as unknown;
  // Drop the first HTTP filter that is not the router, and the first domain of a virtual host with several.
  let filter: string | undefined;
  let domain: string | undefined;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!v || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(o)) {
      if (!filter && (k === "http_filters" || k === "httpFilters") && Array.isArray(x)) {
        const i = x.findIndex((f) => !/router/.test(String((f as { name?: string }).name)));
        if (i >= 0) filter = String((x.splice(i, 1)[0] as { name: string }).name);
      }
      if (!domain && k === "domains" && Array.isArray(x) && x.length > 1) domain = String(x.shift());
      visit(x);
    }
  };
  visit(after);
  assert.ok(filter && domain, "the sample has an HTTP filter besides the router and a virtual host with two domains");
  const r = await cli("diff", S("istio-1.3-permissive.json"), write("after.json", JSON.stringify(after)), "-o", "json");
  const meanings = (JSON.parse(r.stdout).changes as { meaning: string }[]).map((c) => c.meaning);
  assert.ok(meanings.includes(`HTTP filter ${filter} removed`), meanings.join(" | "));
  assert.ok(meanings.some((x) => x.startsWith(`domain ${domain} removed`)), meanings.join(" | "));
  assert.not.ok(meanings.some((x) => /^filter chain .* removed$/.test(x)), "no chain was removed");
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test("Envoy's HTTP/3 example (configs/, Envoy's repository): a UDP (QUIC) listener on the TCP listener's port takes no TCP connection", () => {
  const file = R("envoy/envoyproxy_io_proxy_http3_downstream.yaml");
  const input = loadFile(file);
  assert.is(input.diags.list.filter((d) => /unknown @type/.test(d.message)).length, 0, "QuicDownstreamTransport is decoded");
  const rows = listenerRows(input, {});
  const udp = rows.find((r) => r.listener === "listener_udp")!;
  assert.is(udp.address, "0.0.0.0:10000/udp");
  assert.is(udp.tls, "QUIC (TLS 1.3)");
  assert.ok(udp.transport.kind === "tls" && udp.transport.quic === true && udp.transport.certificates[0] === "file:certs/servercert.pem", JSON.stringify(udp.transport));
  assert.is(rows.find((r) => r.listener === "listener_tcp")!.address, "0.0.0.0:10000");
  assert.is(runExplain(input, { port: 10000, client: "curl-tls" })[0]!.accepted?.listener, "listener_tcp");
  // The UDP listener first, then alone: TCP clients still reach only TCP listeners, and are refused without one.
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { static_resources: { listeners: { name: string }[] } };
  doc.static_resources.listeners.reverse();
  assert.is(runExplain(loadText(JSON.stringify(doc), "udp-first.json"), { port: 10000, client: "curl-tls" })[0]!.accepted?.listener, "listener_tcp");
  doc.static_resources.listeners = doc.static_resources.listeners.filter((l) => l.name === "listener_udp");
  const only = loadText(JSON.stringify(doc), "udp-only.json");
  const r = runExplain(only, { port: 10000, client: "curl-tls" })[0]!;
  assert.is(r.outcome.code, "NO_LISTENER");
  assert.ok(r.hints.some((h) => h === "listener_udp listens on 0.0.0.0:10000/udp (UDP: QUIC for HTTP/3, or a UDP proxy): a TCP connection never reaches it"), r.hints.join("\n"));
  assert.equal(inboundPorts(only), [], "tls-check has no TCP port to check there");
  assert.equal(inboundPorts(input), [10000]);
  const named = runExplain(only, { port: 10000, client: "curl-tls", listener: "listener_udp" })[0]!;
  assert.is(named.outcome.code, "NO_LISTENER");
  assert.match(named.outcome.summary, /^listener_udp listens on 0\.0\.0\.0:10000\/udp \(UDP/);
});

test("Envoy's own v2 example (configs/google_com_proxy.v2.yaml): v2 field names read as their v3 successors, no field left unknown", () => {
  const input = loadFile(R("envoy/google_com_proxy.v2.yaml"));
  const r = runExplain(input, { port: 10000, client: "plaintext" })[0]!;
  assert.is(r.outcome.code, "PLAINTEXT_HTTP");
  assert.ok(r.route?.kind === "route" && r.route.action.kind === "cluster" && r.route.action.cluster === "service_google", JSON.stringify(r.route));
  const l = input.listeners[0]!;
  assert.ok(l.upgrades.some((u) => u === "route action host_rewrite -> host_rewrite_literal"), l.upgrades.join("; "));
  assert.equal(input.diags.list.filter((d) => d.severity !== "note").map((d) => d.message), []);
});

test("transport sockets that wrap another (internal upstream, PROXY protocol, TCP stats) are read through: the inner one decides plaintext or TLS", () => {
  const waypoint = loadFile(path.join(root, "test/corpus/istio/head-proxyconfig-config_dump.json"));
  const vip = clusterRows(waypoint).find((c) => c.name.startsWith("inbound-vip|8000|http|httpbin"))!;
  assert.equal(vip.transport, { kind: "plaintext", wrappers: ["internal upstream"] });
  const T = (t: string) => `type.googleapis.com/${t}`;
  const tls = { name: "envoy.transport_sockets.tls", typed_config: { "@type": T("envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"), sni: "db.example.com", common_tls_context: { alpn_protocols: ["h2"] } } };
  const wrap = (type: string, inner?: unknown) => ({ name: "w", typed_config: { "@type": T(type), ...(inner ? { transport_socket: inner } : {}) } });
  const cluster = (name: string, ts: unknown) => ({ "@type": T("envoy.config.cluster.v3.Cluster"), name, type: "STATIC", transport_socket: ts });
  const input = loadText(
    JSON.stringify({ resources: [
      cluster("pp-tls", wrap("envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport", wrap("envoy.extensions.transport_sockets.tcp_stats.v3.Config", tls))),
      cluster("pp-bare", wrap("envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport")),
    ] }),
    "wrapped.json",
  );
  const rows = clusterRows(input);
  const t = rows.find((c) => c.name === "pp-tls")!.transport;
  assert.ok(t.kind === "tls" && t.sni === "db.example.com" && t.alpn[0] === "h2", JSON.stringify(t));
  assert.equal(t.kind === "tls" && t.wrappers, ["PROXY protocol", "TCP stats"]);
  assert.equal(rows.find((c) => c.name === "pp-bare")!.transport, { kind: "plaintext", wrappers: ["PROXY protocol"] });
});

test("connect_matcher (Envoy's configs/proxy_connect.yaml) takes CONNECT requests only", () => {
  const rc = loadText(
    JSON.stringify({ "@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", name: "local_route", virtual_hosts: [{ name: "local_service", domains: ["*"], routes: [{ match: { connect_matcher: {} }, route: { cluster: "cluster_0", upgrade_configs: [{ upgrade_type: "CONNECT", connect_config: {} }] } }] }] }),
    "connect.json",
  ).routes[0]!.value as RouteConfiguration;
  const connect = decideRoute(rc, "local_route", { host: "www.google.com:443", path: "/", headers: { ":method": "CONNECT" }, tls: false });
  assert.ok(connect.kind === "route" && connect.action.kind === "cluster" && connect.action.cluster === "cluster_0", JSON.stringify(connect));
  assert.is(decideRoute(rc, "local_route", { host: "www.google.com:443", path: "/", headers: {}, tls: false }).kind, "no-route", "a GET is not a CONNECT");
});

test("Envoy Gateway's xDS golden YAML whose access log format starts a line with \"[\" reads as YAML, not as a JSON block; an empty list is no resources", () => {
  const input = loadFile(R("envoy-gateway/xds-ir-accesslog.listeners.yaml"));
  assert.is(input.syntax, "yaml");
  const rows = listenerRows(input, {});
  assert.ok(rows.length > 0 && rows.every((r) => r.listener === "first-listener"), JSON.stringify(rows.map((r) => r.listener)));
  assert.is(rows[0]!.address, "[::]:10080");
  const empty = loadText("[]\n", "empty.listeners.yaml");
  assert.is(empty.resourceCount(), 0);
  assert.ok(empty.diags.list.some((d) => d.message === "an empty list: no resources"));
  // Kuma's goldens for no routes, and the admin's /config_dump?resource= matching nothing: {}.
  const none = loadText("{}\n", "routes.golden.yaml");
  assert.equal([none.resourceCount(), none.diags.list.some((d) => d.message === "an empty object: no resources")], [0, true]);
  // Text that is not YAML around a JSON block is still read as the block.
  const pasted = loadText('Version: 1.26, the listener:\n  {"name": "l", "address": {"socket_address": {"address": "0.0.0.0", "port_value": 80}}}\n', "note.txt");
  assert.equal(pasted.listeners.map((l) => l.name), ["l"]);
  // Valid YAML that holds no config ("Output:" over an indented JSON block): read again for the block.
  const under = loadText('Output:\n  {"name": "l", "address": {"socket_address": {"address": "0.0.0.0", "port_value": 80}}}\n', "note2.txt");
  assert.equal([under.syntax, under.listeners.map((l) => l.name)], ["json-repaired", ["l"]]);
});

test("Envoy Gateway's goldens of route configurations with no virtual host and assignments with no endpoint: read as such, and named", async () => {
  const routes = loadFile(R("envoy-gateway/xds-ir-gateway-tls-frontend.routes.yaml"));
  assert.equal(routes.routes.map((r) => r.name), ["envoy-gateway/client-validation-insecure-fallback/https", "envoy-gateway/client-validation-insecure-fallback/https-with-hostname"]);
  const eds = loadFile(R("envoy-gateway/xds-ir-mutual-tls-san.endpoints.yaml"));
  assert.equal(eds.endpoints.map((r) => r.name), ["first-route-dest", "tls-terminate-dest"]);
  const r = await cli("routes", R("envoy-gateway/xds-ir-gateway-tls-frontend.routes.yaml"));
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /: 2 route configurations \(envoy-gateway\/client-validation-insecure-fallback\/https, envoy-gateway\/client-validation-insecure-fallback\/https-with-hostname\) have no route/);
  const e = JSON.parse((await cli("endpoints", R("envoy-gateway/xds-ir-mutual-tls-san.endpoints.yaml"), "-o", "json")).stdout) as { endpoints: unknown[]; withoutEndpoints: string[] };
  assert.equal([e.endpoints.length, e.withoutEndpoints], [0, ["first-route-dest", "tls-terminate-dest"]]);
  // A cluster with no endpoint among others: listed in the JSON beside the rows.
  const mixed = JSON.parse((await cli("endpoints", S("client-productpage.json"), "-o", "json")).stdout) as { endpoints: { cluster: string }[]; withoutEndpoints: string[] };
  assert.ok(mixed.endpoints.length > 0);
  assert.not.ok(mixed.withoutEndpoints.some((c) => mixed.endpoints.some((x) => x.cluster === c)), "a cluster with rows is not listed as without");
});

test("the default destination when the dump does not reveal the proxy's IP: the one address bound on the port, an IPv6 placeholder for [::] alone, else 192.0.2.1", () => {
  // Envoy's internal-listener example binds 127.0.0.1:9999 (reached from this host); Envoy Gateway's golden binds [::]:10080 without ipv4_compat (IPv6 alone).
  const cases = [
    { file: "envoy/internal_listener_proxy.yaml", port: 9999, listener: "ingress", destination: "127.0.0.1:9999", source: "127.0.0.1:40000", assumed: "destination 127.0.0.1: the only address a listener binds on port 9999 (ingress)", other: "10.1.1.1" },
    { file: "envoy-gateway/xds-ir-accesslog.listeners.yaml", port: 10080, listener: "first-listener", destination: "[2001:db8::1]:10080", source: "[2001:db8::10]:40000", assumed: "destination 2001:db8::1: an IPv6 placeholder, as only [::] listens on port 10080", other: "10.0.0.1" },
  ];
  for (const c of cases) {
    const input = loadFile(R(c.file));
    const r = runExplain(input, { port: c.port, client: "plaintext" })[0]!;
    assert.equal([r.accepted?.listener, r.connection.destination, r.connection.source], [c.listener, c.destination, c.source], c.file);
    assert.ok(r.connection.assumptions.some((a) => a.startsWith(c.assumed)), r.connection.assumptions.join("; "));
    // Given, the destination is the user's: another address (IPv4, for [::] bound IPv6-only) is refused.
    assert.is(runExplain(input, { port: c.port, client: "plaintext", address: c.other })[0]!.outcome.code, "NO_LISTENER", c.file);
  }
  const internal = loadFile(R("envoy/internal_listener_proxy.yaml"));
  assert.is(runExplain(internal, { port: 9999, client: "plaintext" })[0]!.outcome.code, "PLAINTEXT_TCP");
  const other = runExplain(internal, { port: 9999, client: "plaintext", address: "10.1.1.1" })[0]!;
  assert.ok(other.hints.includes("ingress listens on 127.0.0.1:9999: a connection to that address would reach it"), other.hints.join("\n"));
  assert.is(runExplain(internal, { port: 10000, client: "plaintext" })[0]!.connection.destination, "192.0.2.1:10000", "a port nobody binds at one address: the placeholder");
  const gw = runExplain(loadFile(R("envoy-gateway/xds-ir-accesslog.listeners.yaml")), { port: 10080, client: "plaintext" })[0]!;
  assert.is(gw.route?.request.host, "[2001:db8::1]:10080", "a Host from an IPv6 destination is bracketed");
});

test("Higress (hgctl's test dump, an Istio-based gateway on Envoy 1.26): a route on :authority is reached with --host, and its 404 says so", () => {
  const input = loadFile(R("higress/hgctl-config-in.all.json"));
  const miss = runExplain(input, { port: 10080, client: "plaintext" })[0]!;
  assert.is(miss.accepted?.listener, "default-higress-http");
  assert.is(miss.outcome.code, "NO_ROUTE");
  assert.match(miss.outcome.summary, /its routes match prefix \/; header :authority exact:www\.example\.com: set the request with --path, --host\)$/);
  const hit = runExplain(input, { port: 10080, client: "plaintext", host: "www.example.com" })[0]!;
  assert.is(hit.outcome.code, "PLAINTEXT_HTTP");
  assert.ok(hit.route?.kind === "route" && hit.route.action.kind === "cluster" && hit.route.action.cluster === "default-backend-rule-0-match-0-www.example.com", JSON.stringify(hit.route));
});

test.run();
