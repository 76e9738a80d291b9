import fs from "node:fs";
// Client side and the mTLS check: what a client proxy sends (auto mTLS resolved per endpoint),
// whether the server takes it, route following, gateways, and the endpoint/secret summaries.

import path from "node:path";
import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadText, loadFile } from "../src/load/dump.js";
import { runTlsCheck, inboundPorts, portMode, type CheckRow } from "../src/analyses/tlscheck.js";
import { runExplain } from "../src/analyses/explain.js";
import { tlsCheckDocument } from "../src/documents.js";
import { upstreamPlan } from "../src/model/upstream.js";
import { decideRoute, selectVirtualHost } from "../src/explain/route.js";
import { secretModels } from "../src/model/secret.js";
import { allEndpoints } from "../src/model/endpoint.js";
import type { RouteConfiguration } from "../src/gen/types/envoy/config/route/v3/route.js";

const S = (f: string) => path.resolve(import.meta.dirname, "../samples", f);
const C = (f: string) => path.resolve(import.meta.dirname, "corpus/istio", f);

function statuses(client: string, server: string): Record<string, string> {
  const r = runTlsCheck(loadFile(S(client)), loadFile(S(server)), {});
  return Object.fromEntries(r.rows.map((x: CheckRow) => [`${x.port}/${x.cluster!.split("|")[2] || "auto"}`, x.status]));
}

test("tls-check, current shape: each DestinationRule mode against PERMISSIVE", () => {
  assert.equal(statuses("client-productpage.json", "modern-permissive.json"), {
    "9080/auto": "OK",
    "9080/plain": "PLAINTEXT",
    "9080/mesh": "OK",
    "9080/simple": "CONFLICT", // 1.8+: non-Istio TLS matches no chain on an HTTP port
    "9080/mutual-files": "CONFLICT",
    "9080/mutual-cred": "CONFLICT",
  });
});

test("tls-check, current shape: STRICT takes any mTLS client, not plaintext or certificate-less TLS; a certificate of the client's own (MUTUAL with files or a credentialName) against the mesh root is UNKNOWN", () => {
  assert.equal(statuses("client-productpage.json", "modern-strict.json"), {
    "9080/auto": "OK",
    "9080/plain": "CONFLICT",
    "9080/mesh": "OK",
    "9080/simple": "CONFLICT",
    // The chain takes them; whether sds:ROOTCA signed the app's own certificate is not in the dumps.
    "9080/mutual-files": "UNKNOWN",
    "9080/mutual-cred": "UNKNOWN",
  });
});

test("tls-check: a server whose capture listener Envoy rejected refuses every client: CONFLICT, with Envoy's error and what the client's app sees", () => {
  const dump = JSON.parse(fs.readFileSync(S("modern-permissive.json"), "utf8")) as { configs: Record<string, unknown>[] };
  const section = dump.configs.find((c) => String(c["@type"]).endsWith("ListenersConfigDump"))!;
  const vin = (section.dynamic_listeners as Record<string, unknown>[]).find((l) => l.name === "virtualInbound")!;
  vin.error_state = { failed_configuration: (vin.active_state as Record<string, unknown>).listener, details: "Proto constraint validation failed (LuaValidationError.DefaultSourceCode: embedded message failed validation)" };
  delete vin.active_state;
  const server = loadText(JSON.stringify(dump), "rejected.json");
  const r = runTlsCheck(loadFile(S("client-productpage.json")), server, { service: { host: "reviews.default.svc.cluster.local", port: 9080 } });
  assert.ok(r.rows.length > 0);
  for (const row of r.rows) {
    assert.is(row.status, "CONFLICT", row.reason);
    assert.match(row.reason, /Envoy rejected that listener: Proto constraint validation failed.*connection refused: the client proxy's app gets 503 \(UF/);
  }
  // Without a client dump (--from): no port takes connections, and the note says why.
  const alone = runTlsCheck(undefined, server, { from: "plaintext" });
  assert.equal(alone.rows, []);
  assert.match(alone.notes.join("\n"), /Envoy rejected its inbound capture listener virtualInbound \(see its warning\), so nothing takes inbound connections/);
});

test("tls-check: DISABLE against an auto-mTLS client whose EDS still says tlsMode istio is a CONFLICT, and says why", () => {
  const r = runTlsCheck(loadFile(S("client-productpage.json")), loadFile(S("modern-disable.json")), {});
  const auto = r.rows.find((x) => x.cluster === "outbound|9080||reviews.default.svc.cluster.local")!;
  assert.is(auto.status, "CONFLICT");
  assert.match(auto.reason, /endpoint 10\.244\.1\.7:9080 has tlsMode istio/);
  assert.match(auto.reason, /plaintext HTTP chain/);
  assert.is(r.rows.find((x) => x.cluster?.includes("|plain|"))!.status, "PLAINTEXT");
});

test("tls-check: portLevelMtls (STRICT 9080, PERMISSIVE 8080) per port", () => {
  const got = statuses("client-productpage.json", "modern-portlevel.json");
  assert.is(got["9080/plain"], "CONFLICT");
  assert.is(got["8080/plain"], "PLAINTEXT");
  assert.is(got["9080/auto"], "OK");
  assert.is(got["8080/auto"], "OK");
  assert.is(got["8080/mutual-files"], "CONFLICT");
  assert.is(got["9080/mutual-files"], "UNKNOWN", "its own certificate against the mesh root");
});

test("tls-check, Istio 1.3/1.4 era (v2 client with tls_context, v2 servers)", () => {
  const perm = statuses("client-productpage-1.4-v2.json", "istio-1.3-permissive.json");
  assert.equal(perm, { "9080/auto": "OK", "9080/plain": "PLAINTEXT", "9080/mesh": "OK", "9080/simple": "CONFLICT", "9080/mutual-files": "CONFLICT" });
  const strict = statuses("client-productpage-1.4-v2.json", "istio-1.1-strict.json");
  assert.equal(strict, { "9080/auto": "OK", "9080/plain": "CONFLICT", "9080/mesh": "OK", "9080/simple": "CONFLICT", "9080/mutual-files": "UNKNOWN" });
  const r = runTlsCheck(loadFile(S("client-productpage-1.4-v2.json")), loadFile(S("istio-1.3-permissive.json")), {});
  const simple = r.rows.find((x) => x.cluster?.includes("|simple|"))!;
  assert.match(simple.reason, /lands on plaintext HTTP chain/, "≤1.7: non-Istio TLS lands on the {} chain");
  assert.match(r.rows.find((x) => x.cluster?.endsWith("||productpage.default.svc.cluster.local"))!.reason, /EDS is not in the client dump/);
});

test("tls-check: a legacy client with no sidecar (plaintext) against STRICT and PERMISSIVE ports", () => {
  const r = runTlsCheck(undefined, loadFile(S("modern-portlevel.json")), { from: "plaintext" });
  const by = Object.fromEntries(r.rows.map((x) => [x.port, x]));
  assert.is(by[9080]!.status, "CONFLICT");
  assert.match(by[9080]!.reason, /curl exit 56/);
  assert.is(by[8080]!.status, "PLAINTEXT");
});

test("tls-check with one dump: what each inbound port accepts", () => {
  const d = loadFile(S("modern-portlevel.json"));
  assert.equal(inboundPorts(d), [8080, 9080]);
  assert.is(portMode(d, 8080).mode, "PERMISSIVE");
  assert.is(portMode(d, 9080).mode, "STRICT");
  assert.is(portMode(loadFile(S("modern-disable.json")), 9080).mode, "DISABLE");
  assert.is(portMode(loadFile(S("istio-1.3-permissive.json")), 9080).mode, "PERMISSIVE");
  assert.is(portMode(loadFile(S("istio-1.1-strict.json")), 9080).mode, "STRICT");
});

test("tls-check on a gateway or plain Envoy: every bound listener other hosts reach is a port, whatever its transport (an Istio gateway marks its listeners outbound); loopback listeners are not; none found is said", () => {
  // An Istio ingress gateway (node type router): its listeners are marked OUTBOUND, and 8080 is plaintext.
  const gw = loadFile(S("gateway-mutual.json"));
  assert.equal(inboundPorts(gw), [8080, 8443]);
  const rows = runTlsCheck(undefined, gw, { from: "plaintext" }).rows;
  assert.equal(rows.map((r) => [r.port, r.status]), [[8080, "PLAINTEXT"], [8443, "CONFLICT"]]);
  // A sidecar's clusters are not paired with it by port alone: the gateway's app is unknown, and 8080 says nothing of which service it is.
  const paired = runTlsCheck(loadFile(S("client-productpage.json")), gw, {});
  assert.equal(paired.rows, []);
  assert.match(paired.notes.join("\n"), /no cluster of .*client-productpage\.json reaches the server/);
  // Envoy Gateway (egctl output) and Envoy's own example: plaintext listeners, no direction.
  assert.equal(inboundPorts(loadFile(path.join(S("real"), "envoy-gateway/egctl-config-out.all.json"))), [10080]);
  assert.equal(inboundPorts(loadFile(path.join(S("real"), "envoy/google_com_proxy.v2.yaml"))), [10000]);
  // Envoy Gateway's own readiness listener (envoy-gateway-proxy-ready-0.0.0.0-19003) is no traffic port, as Istio's 15021 is not.
  assert.equal(inboundPorts(loadFile(path.join(S("real"), "envoy-gateway/egctl-translate-from-gateway-api-to-xds.all.yaml"))), [1234, 8080, 8443, 10080]);
  // Consul: the public listener (inbound, mTLS); its upstreams listen on 127.0.0.1 and 127.10.10.10, for the app alone.
  assert.equal(inboundPorts(loadFile(path.join(S("real"), "consul/connect-proxy-with-grpc-chain.envoy-1-17-x.listeners.golden.json"))), [9999]);
  // A dump of clusters only, as the server: it holds no listeners, and the note says that.
  assert.match(runTlsCheck(undefined, loadFile(path.join(S("real"), "consul/connect-proxy-with-chain.envoy-1-18-x.clusters.golden.json")), { from: "plaintext" }).notes.join("\n"), /that other hosts connect to: it holds no listeners$/);
  // Kuma's golden binds its inbound listener to 127.0.0.1: nothing other hosts reach, and the report says so.
  const kuma = runTlsCheck(undefined, loadFile(path.join(S("real"), "kuma/full_config.json")), { from: "plaintext" });
  assert.equal(kuma.rows, []);
  assert.match(kuma.notes.join("\n"), /^found no port of .* that other hosts connect to/);
});

test("tls-check on a dump with nothing to check (routes, a bootstrap) says so instead of printing nothing", () => {
  const doc = tlsCheckDocument(loadFile(path.join(S("real"), "envoy-gateway/xds-ir-gateway-tls-frontend.routes.yaml")), undefined);
  assert.equal([doc.rows.length, doc.serverPorts.length, doc.clientClusters.length], [0, 0, 0]);
  assert.match(doc.notes.join("\n"), /^nothing to check in .*routes\.yaml: no inbound port and no outbound cluster \(it holds 0 listeners and 0 clusters\)/);
  // A dump with something to check has no such note.
  assert.not.match(tlsCheckDocument(loadFile(S("modern-strict.json")), undefined).notes.join("\n"), /nothing to check/);
});

test("tls-check: a cluster that sends HTTP/3 over QUIC (Envoy's own example) is said to, and not replayed over TCP against the server's TCP listener", () => {
  const client = loadFile(path.join(S("real"), "envoy/google_com_http3_upstream_proxy.yaml"));
  const server = loadFile(path.join(S("real"), "envoy/envoyproxy_io_proxy_http3_downstream.yaml"));
  const alone = runTlsCheck(client, undefined, {});
  assert.equal(alone.clientClusters.flatMap((c) => c.sends), ["(every endpoint): HTTP/3 over QUIC, TLS 1.3 (UDP, SNI www.google.com)"]);
  const r = runTlsCheck(client, server, { service: { host: "www.google.com", port: 443 } });
  assert.is(r.rows.length, 1);
  assert.is(r.rows[0]!.status, "UNKNOWN");
  assert.equal([r.rows[0]!.server.chain, r.rows[0]!.server.outcome], ["not replayed (UDP)", "NOT_REPLAYED"]);
  assert.match(r.rows[0]!.reason, /goes over UDP to a QUIC listener on port 10000: not checked$/);
});

test("--service pairs one host:port explicitly", () => {
  const r = runTlsCheck(loadFile(S("client-productpage.json")), loadFile(S("modern-strict.json")), { service: { host: "ratings.default.svc.cluster.local", port: 9080 } });
  assert.ok(r.rows.length > 0);
  assert.ok(r.rows.every((x) => x.host === "ratings.default.svc.cluster.local"));
});

test("auto mTLS is keyed on `match`, not on the entry's name (Istio 1.4-alpha named them mtls/plaintext)", () => {
  const d = loadFile(C("v14-describe-productpage-v1-c7765c886-v99jb.json"));
  const name = d.clusters.find((r) => /transport_socket_matches/.test(JSON.stringify(r.raw)))!.name;
  const plan = upstreamPlan(d, name)!;
  assert.is(plan.mode, "AUTO");
  assert.is(plan.edsInDump, false);
  const withMode = plan.endpoints.find((e) => e.socketMatch.tlsMode === "istio")!;
  assert.is(withMode.sends.mode, "ISTIO_MUTUAL");
  assert.equal(withMode.sends.alpn, ["istio"]);
  assert.is(plan.endpoints.find((e) => !e.socketMatch.tlsMode)!.sends.transport, "raw_buffer");
  assert.match(plan.notes[0]!, /EDS for this cluster is not in the dump/);
});

test("endpoints carry their tlsMode; a legacy endpoint without it gets plaintext from auto mTLS", () => {
  const d = loadFile(S("client-productpage.json"));
  const legacy = allEndpoints(d).find((e) => e.cluster.includes("legacy"))!;
  assert.equal(legacy.socketMatch, {});
  const plan = upstreamPlan(d, "outbound|9080||legacy.default.svc.cluster.local")!;
  assert.is(plan.endpoints[0]!.sends.transport, "raw_buffer");
  assert.ok(allEndpoints(loadFile(C("head-endpoint-configdump.json"))).some((e) => e.socketMatch.tlsMode === "istio"));
});

// Route selection (Envoy's findVirtualHost and route order).
const rc: RouteConfiguration = {
  name: "r",
  virtualHosts: [
    { name: "default", domains: ["*"], routes: [{ match: { prefix: "/" }, directResponse: { status: 404 } }] },
    { name: "exact", domains: ["www.example.com"], routes: [{ match: { path: "/a" }, route: { cluster: "a" } }, { match: { prefix: "/" }, route: { cluster: "root" } }] },
    { name: "suffix-long", domains: ["*.api.example.com"], routes: [] },
    { name: "suffix", domains: ["*.example.com"], routes: [] },
    { name: "prefix", domains: ["foo.*"], routes: [] },
    { name: "tls", domains: ["secure.test"], requireTls: "ALL", routes: [{ match: { prefix: "/" }, route: { cluster: "s" } }] },
  ],
};
const vh = (host: string) => selectVirtualHost(rc, host)?.name;

test("virtual hosts: exact, then the longest *suffix, then prefix*, then *", () => {
  assert.is(vh("www.example.com"), "exact");
  assert.is(vh("WWW.Example.COM"), "exact");
  assert.is(vh("v1.api.example.com"), "suffix-long");
  assert.is(vh("shop.example.com"), "suffix");
  assert.is(vh("example.com"), "default", "*.example.com needs at least one character before the suffix");
  assert.is(vh("foo.bar"), "prefix");
  assert.is(vh("www.example.com:8080"), "default", "the port is part of the Host unless the HCM strips it");
  assert.is(vh("other"), "default");
});

test("routes: the first match wins; path ignores the query, prefix does not; require_tls redirects plaintext", () => {
  const go = (host: string, p: string, tls = false) => decideRoute(rc, "r", { host, path: p, headers: {}, tls });
  const a = go("www.example.com", "/a?x=1");
  assert.ok(a.kind === "route" && a.action.kind === "cluster" && a.action.cluster === "a");
  const root = go("www.example.com", "/ab");
  assert.ok(root.kind === "route" && root.routeIndex === 1);
  assert.is(go("secure.test", "/").kind, "tls-redirect");
  assert.is(go("secure.test", "/", true).kind, "route");
  assert.is(go("v1.api.example.com", "/").kind, "no-route");
});

test("gateway: http→https redirect on 8080, and a header-matched weighted route on 8443", () => {
  const d = loadFile(S("gateway-mutual.json"));
  const redirect = runExplain(d, { port: 8080, client: "plaintext", host: "shop.example.com" })[0]!;
  assert.is(redirect.outcome.code, "HTTPS_REDIRECT");
  assert.match(redirect.outcome.clientSees, /301 to https:\/\/shop\.example\.com\//);
  const canary = runExplain(d, { port: 8443, client: "curl-tls", sni: "shop.example.com", path: "/api/items", headers: { "x-canary": "1" } })[0]!;
  assert.ok(canary.route?.kind === "route" && canary.route.action.kind === "weighted" && canary.route.action.clusters.length === 2);
  const plain = runExplain(d, { port: 8443, client: "curl-tls", sni: "shop.example.com", path: "/api/items" })[0]!;
  assert.ok(plain.route?.kind === "route" && plain.route.routeIndex === 1);
  assert.is(plain.upstream?.cluster, "outbound|8000||shop.shop.svc.cluster.local");
});

test("secrets: validity and serials as istioctl shows them; never a private key", () => {
  const d = loadFile(C("head-secret-istio-config_dump.json"));
  const ms = secretModels(d, new Date("2026-01-01T00:00:00Z"));
  const dflt = ms.find((m) => m.name === "default")!;
  assert.is(dflt.certificates[0]!.serial.toLowerCase(), "6fbee254c22900615cb1f74e3d2f1713");
  assert.is(dflt.certificates[0]!.notAfter, "2023-05-16T01:32:52.000Z");
  assert.is(dflt.certificates[0]!.valid, false);
  const root = ms.find((m) => m.name === "ROOTCA")!;
  assert.is(root.certificates[0]!.serial.toLowerCase(), "0193a543fe2b0d9cd4847675394dfc54");
  assert.is(root.certificates[0]!.valid, true);
  assert.is(ms.find((m) => m.name === "configmap://some/thing")!.state, "warming");
  assert.not.match(JSON.stringify(ms), /PRIVATE KEY|private_?key/i);
});

const BIN = path.resolve(import.meta.dirname, "../bin/envoy-explain.js");
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

test("cli: tls-check exits 1 on a CONFLICT, 0 without; -o json has one object per host:port row", () => {
  const bad = cli("tls-check", S("client-productpage.json"), S("modern-strict.json"), "-o", "json");
  assert.is(bad.status, 1, bad.stderr);
  const parsed = JSON.parse(bad.stdout);
  for (const r of parsed.rows) for (const k of ["host", "port", "client", "server", "status", "reason"]) assert.ok(k in r, k);
  const good = cli("tls-check", S("client-productpage.json"), S("modern-strict.json"), "--service", "reviews.default.svc.cluster.local:9080", "-o", "json");
  assert.is(JSON.parse(good.stdout).rows.some((r: CheckRow) => r.status === "CONFLICT"), true);
  const only = cli("tls-check", S("modern-permissive.json"), S("modern-permissive.json"), "--service", "nothing.local:1");
  assert.is(only.status, 0, only.stderr);
  assert.match(only.stdout, /use --service|no cluster/);
  assert.is(cli("tls-check", S("nope.json")).status, 2);
});

test("cli: routes, endpoints and secrets summaries", () => {
  assert.match(cli("routes", S("gateway-mutual.json")).stdout, /require TLS: ALL/);
  const eps = cli("endpoints", C("head-endpoint-configdump.json"), "-o", "json");
  assert.ok(JSON.parse(eps.stdout).endpoints.length > 10);
  assert.match(cli("endpoints", S("modern-strict.json")).stdout, /no endpoints section/);
  assert.match(cli("secrets", C("head-secret-istio-config_dump.json")).stdout, /WARMING/);
});

test.run();


