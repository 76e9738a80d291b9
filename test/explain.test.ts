// End to end: the explain engine on the bundled samples and the real corpus dumps, checked
// against the outcomes shared/reference/istio-generation.md §2.3 gives for each era and mode.
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadFile, loadText } from "../src/load/dump.js";
import { runExplain } from "../src/analyses/explain.js";
import { runTlsCheck, verdict } from "../src/analyses/tlscheck.js";
import type { PresetName } from "../src/explain/clients.js";
import { clientCertificateText, type ExplainResult } from "../src/explain/explain.js";

const SAMPLES = path.resolve(import.meta.dirname, "../samples");
const CORPUS = path.resolve(import.meta.dirname, "corpus/istio");

function explain(file: string, port: number, client: PresetName, extra: Record<string, unknown> = {}): ExplainResult {
  return runExplain(loadFile(file), { port, client, ...extra })[0]!;
}
const s = (f: string) => path.join(SAMPLES, f);

test("Istio 1.3 PERMISSIVE: a raw mTLS curl lands on the {} plaintext chain, because the mTLS chain needs ALPN istio", () => {
  const r = explain(s("istio-1.3-permissive.json"), 9080, "curl-mtls");
  assert.is(r.accepted?.listener, "virtualInbound");
  assert.is(r.filterChain?.terminatesTls, false);
  assert.is(r.filterChain?.match, "port 9080; dst 172.30.150.216/32");
  assert.is(r.outcome.code, "TLS_INTO_PLAINTEXT_HTTP");
  assert.match(r.outcome.clientSees, /curl exit 35.*wrong version number/);
  const mtls = r.candidates.find((c) => c.match.includes("ALPN istio"))!;
  assert.is(mtls.level, "application_protocols");
  assert.is(mtls.reason, "wants ALPN istio; the client offers h2,http/1.1");
  assert.ok(r.hints.some((h) => /would take this connection if the client had ALPN istio/.test(h)));
  assert.ok(r.hints.some((h) => /openssl s_client .* -alpn istio -cert/.test(h)));
  // A modern HTTP chain lists istio-http/1.0,istio-http/1.1,istio-h2 and not istio: the command offers one it lists.
  const modern = explain(s("modern-permissive.json"), 8080, "curl-mtls");
  const byHand = modern.hints.find((h) => /openssl s_client/.test(h));
  assert.match(byHand ?? "", /\(ALPN istio-http\/1\.0,istio-http\/1\.1,istio-h2\);.* -alpn istio-http\/1\.1 -cert/);
  assert.match(r.why, /ALPN h2,http\/1\.1 is listed by no chain, so the 1 chain\(s\) with no application_protocols match remain; #5 is what is left\./);
});

test("Istio 1.3 PERMISSIVE: an Istio sidecar of that era (ALPN istio) gets mTLS", () => {
  const r = explain(s("istio-1.3-permissive.json"), 9080, "istio-sidecar");
  assert.equal(r.client.sends.alpn, ["istio"]);
  assert.is(r.outcome.code, "MTLS_TERMINATED");
});

test("modern PERMISSIVE (1.8+): the same curl matches no chain on an HTTP port", () => {
  const r = explain(s("modern-permissive.json"), 9080, "curl-mtls");
  assert.is(r.filterChain, null);
  assert.is(r.outcome.code, "NO_FILTER_CHAIN");
  assert.match(r.outcome.envoySide!, /NR filter_chain_not_found/);
  assert.match(r.outcome.clientSees, /curl exit 35/);
  const steps = r.matching!.steps;
  assert.is(steps[steps.length - 1]!.level, "application_protocols");
});

test("modern PERMISSIVE: TLS to a TCP port is passed through to the app", () => {
  const r = explain(s("modern-permissive.json"), 3306, "curl-mtls");
  assert.is(r.outcome.code, "TLS_PASSTHROUGH");
  assert.is(r.filterChain?.terminatesTls, false);
});

test("modern PERMISSIVE: plaintext and the sidecar both work", () => {
  assert.is(explain(s("modern-permissive.json"), 9080, "plaintext").outcome.code, "PLAINTEXT_HTTP");
  const side = explain(s("modern-permissive.json"), 9080, "istio-sidecar");
  assert.is(side.outcome.code, "MTLS_TERMINATED");
  assert.equal(side.client.sends.alpn, ["istio-http/1.1", "istio", "http/1.1"]);
});

test("STRICT: curl with a mesh cert is accepted; plaintext is reset; no cert fails the handshake", () => {
  assert.is(explain(s("modern-strict.json"), 9080, "curl-mtls").outcome.code, "MTLS_TERMINATED");
  const plain = explain(s("modern-strict.json"), 9080, "plaintext");
  assert.is(plain.outcome.code, "NO_FILTER_CHAIN");
  assert.match(plain.outcome.clientSees, /curl exit 56/);
  assert.ok(plain.hints.some((h) => /only accepts TLS/.test(h)));
  assert.is(explain(s("modern-strict.json"), 9080, "curl-tls").outcome.code, "CLIENT_CERT_REQUIRED");
});

test("Istio 1.1 STRICT (v2, hand-off from the 'virtual' 15001 listener): plaintext hits the TLS chain", () => {
  const r = explain(s("istio-1.1-strict.json"), 9080, "plaintext");
  assert.is(r.accepted?.listener, "virtual");
  assert.is(r.handoff?.to, "10.52.2.21_9080");
  assert.is(r.outcome.code, "PLAINTEXT_INTO_TLS");
  assert.is(explain(s("istio-1.1-strict.json"), 9080, "curl-mtls").outcome.code, "MTLS_TERMINATED");
});

test("DISABLE: tls_inspector is disabled on the port, so TLS is seen as raw_buffer and reaches the plaintext HCM", () => {
  const r = explain(s("modern-disable.json"), 9080, "curl-mtls");
  const ti = r.listenerFilters.find((f) => f.name.endsWith("tls_inspector"));
  assert.ok(!ti || !ti.ran, "tls_inspector did not run");
  assert.is(r.attributes?.transportProtocol, "raw_buffer");
  assert.is(r.outcome.code, "TLS_INTO_PLAINTEXT_HTTP");
});

test("portLevelMtls: STRICT workload with port 8080 PERMISSIVE", () => {
  assert.is(explain(s("modern-portlevel.json"), 9080, "plaintext").outcome.code, "NO_FILTER_CHAIN");
  assert.is(explain(s("modern-portlevel.json"), 8080, "plaintext").outcome.code, "PLAINTEXT_HTTP");
  assert.is(explain(s("modern-portlevel.json"), 8080, "curl-mtls").outcome.code, "NO_FILTER_CHAIN");
  assert.is(explain(s("modern-portlevel.json"), 8080, "istio-sidecar").outcome.code, "MTLS_TERMINATED");
});

test("gateway: the MUTUAL server is chosen by SNI; without SNI nothing matches", () => {
  const ok = explain(s("gateway-mutual.json"), 8443, "curl-mtls", { sni: "secure.example.com" });
  assert.is(ok.accepted?.how.startsWith("bound to 0.0.0.0:8443"), true);
  assert.is(ok.filterChain?.index, 1);
  assert.is(ok.outcome.code, "MTLS_TERMINATED");
  assert.match(ok.next!.clientCertificate!, /sds:kubernetes:\/\/secure-cert-cacert/);
  assert.is(explain(s("gateway-mutual.json"), 8443, "curl-tls", { sni: "secure.example.com" }).outcome.code, "CLIENT_CERT_REQUIRED");
  assert.is(explain(s("gateway-mutual.json"), 8443, "curl-tls", { sni: "shop.example.com" }).outcome.code, "TLS_TERMINATED");
  assert.is(explain(s("gateway-mutual.json"), 8443, "curl-tls", { sni: "db.example.com" }).outcome.code, "TLS_PASSTHROUGH");
  const none = explain(s("gateway-mutual.json"), 8443, "curl-mtls");
  assert.is(none.outcome.code, "NO_FILTER_CHAIN");
  assert.ok(none.hints.some((h) => /--resolve/.test(h)));
});

test("no listener for the port: connection refused", () => {
  const r = explain(s("gateway-mutual.json"), 9999, "plaintext");
  assert.is(r.outcome.code, "NO_LISTENER");
  assert.match(r.outcome.clientSees, /curl exit 7/);
});

test("a listener JSON file alone is valid input", () => {
  const dump = JSON.parse(fs.readFileSync(s("modern-strict.json"), "utf8"));
  const vin = dump.configs[1].dynamic_listeners[1].active_state.listener;
  const input = loadText(JSON.stringify(vin), "listener.json");
  assert.is(input.format, "resource");
  const r = runExplain(input, { port: 9080, client: "curl-mtls", address: "10.244.1.7" })[0]!;
  assert.is(r.outcome.code, "MTLS_TERMINATED");
});

test("--detected takes transport/ALPN/SNI as given, with no inspector simulation", () => {
  const r = runExplain(loadFile(s("modern-permissive.json")), { port: 9080, transport: "tls", alpn: ["istio"], clientCert: true, detected: true })[0]!;
  assert.equal(r.listenerFilters, []);
  assert.is(r.attributes?.transportProtocol, "tls");
  assert.is(r.outcome.code, "MTLS_TERMINATED");
  const noCert = runExplain(loadFile(s("modern-permissive.json")), { port: 9080, transport: "tls", alpn: ["istio"], detected: true })[0]!;
  assert.is(noCert.outcome.code, "CLIENT_CERT_REQUIRED");
});

test("explicit overrides beat the preset", () => {
  const r = explain(s("istio-1.3-permissive.json"), 9080, "curl-mtls", { alpn: ["istio"] });
  assert.equal(r.client.sends.alpn, ["istio"]);
  assert.is(r.outcome.code, "MTLS_TERMINATED");
});

test("without --client every preset is explained", () => {
  const rs = runExplain(loadFile(s("modern-permissive.json")), { port: 9080 });
  assert.equal(rs.map((r) => r.client.preset), ["plaintext", "curl-tls", "curl-mtls", "openssl", "istio-sidecar"]);
});

test("ratings (Istio 1.2, v2) keeps the 15001 hand-off path and the PERMISSIVE story", () => {
  const r = explain(path.join(CORPUS, "v14-describe-ratings-v1-f745cf57b-vfwcv.json"), 9080, "curl-mtls");
  assert.is(r.handoff?.to, "172.30.144.156_9080");
  assert.is(r.outcome.code, "TLS_INTO_PLAINTEXT_HTTP");
});

test("old Envoy (v2 dump) adds tls_inspector by itself; a modern Envoy without one sees TLS as raw_buffer", () => {
  const proxy = (v2: boolean, cluster: string) =>
    v2 ? { name: "envoy.tcp_proxy", config: { stat_prefix: "in", cluster } } : { name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "in", cluster } };
  const chains = (v2: boolean) => [
    {
      filter_chain_match: { application_protocols: ["istio"] },
      ...(v2
        ? { tls_context: { common_tls_context: { tls_certificates: [{ certificate_chain: { filename: "/etc/certs/cert-chain.pem" } }] }, require_client_certificate: true } }
        : { transport_socket: { name: "envoy.transport_sockets.tls", typed_config: { "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext", require_client_certificate: true } } }),
      filters: [proxy(v2, "inbound|80||")],
    },
    { filters: [proxy(v2, "inbound|80||")] },
  ];
  const dump = (v2: boolean) => ({
    configs: [
      {
        "@type": `type.googleapis.com/envoy.admin.${v2 ? "v2alpha" : "v3"}.ListenersConfigDump`,
        [v2 ? "dynamic_active_listeners" : "static_listeners"]: [
          { listener: { name: "virtual", address: { socket_address: { address: "0.0.0.0", port_value: 15001 } }, use_original_dst: true, filter_chains: [{ filters: [proxy(v2, "PassthroughCluster")] }] } },
          { listener: { name: "10.0.0.1_80", address: { socket_address: { address: "10.0.0.1", port_value: 80 } }, ...(v2 ? { deprecated_v1: { bind_to_port: false } } : { bind_to_port: false }), filter_chains: chains(v2) } },
        ],
      },
    ],
  });
  const old = runExplain(loadText(JSON.stringify(dump(true)), "v2.json"), { port: 80, address: "10.0.0.1", client: "istio-sidecar" })[0]!;
  assert.is(old.handoff?.to, "10.0.0.1_80");
  assert.ok(old.listenerFilters.some((f) => f.name.endsWith("tls_inspector") && f.implicit && f.ran));
  assert.is(old.outcome.code, "MTLS_TERMINATED");
  const modern = runExplain(loadText(JSON.stringify(dump(false)), "v3.json"), { port: 80, address: "10.0.0.1", client: "istio-sidecar" })[0]!;
  assert.is(modern.handoff?.to, "10.0.0.1_80");
  assert.is(modern.attributes?.transportProtocol, "raw_buffer");
  assert.is(modern.outcome.code, "TLS_PASSTHROUGH");
  assert.ok(modern.hints.some((h) => /no tls_inspector/.test(h)), modern.hints.join("|"));
});

// The CLI as a user runs it (needs the built bundle: `npm run build`, run by npm install).
const BIN = path.resolve(import.meta.dirname, "../bin/envoy-explain.js");
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

test("cli: main use prints each verdict once and the detail; -o json is an object with results", () => {
  const t = cli(s("modern-permissive.json"), "--port", "9080");
  assert.is(t.status, 0, t.stderr);
  assert.not.match(t.stdout, /CLIENT.*SENDS.*LISTENER.*FILTER CHAIN.*OUTCOME/);
  assert.is(t.stdout.match(/^\S*[✓✗]\S* curl-mtls → /gm)?.length, 1);
  assert.match(t.stdout, /Detail: curl-mtls/);
  const j = cli(s("modern-permissive.json"), "--port", "9080", "-c", "curl-mtls", "-o", "json");
  const parsed = JSON.parse(j.stdout);
  assert.is(parsed.version, 1);
  assert.is(parsed.results[0].outcome.code, "NO_FILTER_CHAIN");
  const md = cli(s("modern-permissive.json"), "--port", "9080", "-c", "curl-mtls", "-o", "markdown");
  assert.match(md.stdout, /```mermaid\nflowchart LR/);
});

test("cli: bad input exits 2 with one line naming the file, no stack trace", () => {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "ee-cli-"));
  fs.writeFileSync(path.join(dir, "bad.json"), "{\"configs\": 12");
  fs.writeFileSync(path.join(dir, "empty.json"), "");
  for (const f of ["bad.json", "empty.json", "nope.json"]) {
    const r = cli(path.join(dir, f), "--port", "80");
    assert.is(r.status, 2, `${f}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^envoy-explain: error: ${path.join(dir, f).replace(/[.]/g, "\\.")}`));
    assert.not.match(r.stderr, /\n\s+at /);
  }
  // A flag that explains a connection, without the port to explain, is a usage error (no port alone is the overview).
  const usage = cli(s("modern-permissive.json"), "--sni", "a.example.com");
  assert.is(usage.status, 2);
  assert.match(usage.stderr, /--sni explains a connection: it needs --port N/);
});

test("cli: warnings found while decoding are reported, with their path", () => {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "ee-warn-"));
  const f = path.join(dir, "typo.json");
  const tp = { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "s", cluster: "c", idle_timeout: "10 s" };
  fs.writeFileSync(f, JSON.stringify({ name: "x", address: { socket_address: { address: "0.0.0.0", port_value: 80 } }, filter_chainz: [], filter_chains: [{ filters: [{ name: "t", typed_config: tp }] }] }));
  const r = cli("listeners", f);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /unknown field "filter_chainz" in envoy\.config\.listener\.v3\.Listener \(ignored\) \(at \$\.filter_chainz\)/);
  assert.match(r.stderr, /expected a duration such as "10s", found "10 s" \(ignored\) \(at \$\.filter_chains\[0\]\.filters\[0\]\.typed_config\.idle_timeout\)/);
});

test("cli: stdin and the summaries", () => {
  const r = spawnSync(process.execPath, [BIN, "listeners", "-", "--port", "9080"], { input: fs.readFileSync(s("modern-strict.json")), encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /mTLS \(client cert required\)/);
  const c = cli("clusters", path.join(CORPUS, "head-describe-http_config.json"), "-o", "json");
  const parsed = JSON.parse(c.stdout);
  assert.is(parsed.clusters[0].transportSocketMatches[0].match.tlsMode, "istio");
});

test("a route or TCP proxy to a cluster Envoy does not have: 503 NC (or the route's cluster_not_found_response_code), a closed connection for TCP; warming clusters too; an Istio subset no DestinationRule defines is named", () => {
  const text = fs.readFileSync(s("gateway-mutual.json"), "utf8");
  type Dump = { configs: Record<string, unknown>[] };
  const edit = (f: (d: Dump, clusters: { cluster: { name: string } }[], routes: { route_config: { name: string; virtual_hosts: { routes: { route: Record<string, unknown> }[] }[] } }[]) => void) => {
    const d = JSON.parse(text) as Dump;
    const cs = d.configs.find((c) => String(c["@type"]).endsWith("ClustersConfigDump"))!;
    const rs = d.configs.find((c) => String(c["@type"]).endsWith(".RoutesConfigDump"))!;
    f(d, cs.dynamic_active_clusters as never, rs.dynamic_route_configs as never);
    return loadText(JSON.stringify(d), "edited.json");
  };
  const drop = (clusters: { cluster: { name: string } }[], name: string) => clusters.splice(clusters.findIndex((c) => c.cluster.name === name), 1);
  // HTTP: the secure server's route to a cluster that is gone.
  const noSecure = edit((_d, cs) => drop(cs, "outbound|8000||secure.shop.svc.cluster.local"));
  const http = runExplain(noSecure, { port: 8443, client: "curl-mtls", sni: "secure.example.com" })[0]!;
  assert.is(http.outcome.code, "NO_CLUSTER");
  assert.match(http.outcome.summary, /but cluster outbound\|8000\|\|secure\.shop\.svc\.cluster\.local is not among this proxy's clusters$/);
  assert.is(http.outcome.clientSees, "HTTP 503 (access log NC cluster_not_found)");
  // For tls-check the handshake goes through: the server's 503 is its HTTP answer, not a TLS conflict; the
  // client's own certificate (file:/c.pem) against the gateway's CA leaves the handshake itself UNKNOWN.
  const sends = { transport: "tls" as const, alpn: ["h2"], sni: "secure.example.com", clientCertificate: true, mode: "MUTUAL" as const, via: "transport_socket", certificates: ["file:/c.pem"], subjectAltNames: [] };
  const v = verdict(sends, http, 8443, "STRICT");
  assert.is(v.status, "UNKNOWN");
  assert.match(v.reason, /signed by sds:kubernetes:\/\/secure-cert-cacert; the client presents its certificate file:\/c\.pem: whether that CA signed it is not in the dumps/);
  assert.match(v.reason, /if it takes it, then .*: the client sees HTTP 503 \(access log NC cluster_not_found\)$/);
  // The route's cluster_not_found_response_code decides the status.
  const notFound = edit((_d, cs, rs) => {
    drop(cs, "outbound|8000||secure.shop.svc.cluster.local");
    rs.find((r) => r.route_config.name.includes("secure"))!.route_config.virtual_hosts[0]!.routes[0]!.route.cluster_not_found_response_code = "NOT_FOUND";
  });
  assert.is(runExplain(notFound, { port: 8443, client: "curl-mtls", sni: "secure.example.com" })[0]!.outcome.clientSees, "HTTP 404 (access log NC cluster_not_found)");
  // TCP: the passthrough server's cluster gone: the connection is closed.
  const noDb = edit((_d, cs) => drop(cs, "outbound|443||db.internal.svc.cluster.local"));
  const tcp = runExplain(noDb, { port: 8443, client: "curl-tls", sni: "db.example.com" })[0]!;
  assert.is(tcp.outcome.code, "NO_CLUSTER");
  assert.match(tcp.outcome.clientSees, /connection is closed at once/);
  // A cluster only warming is not there yet.
  const warming = edit((d, cs) => {
    const [db] = cs.splice(cs.findIndex((c) => c.cluster.name === "outbound|443||db.internal.svc.cluster.local"), 1);
    d.configs.find((c) => String(c["@type"]).endsWith("ClustersConfigDump"))!.dynamic_warming_clusters = [db];
  });
  assert.match(runExplain(warming, { port: 8443, client: "curl-tls", sni: "db.example.com" })[0]!.outcome.summary, /cluster outbound\|443\|\|db\.internal\.svc\.cluster\.local is still warming/);
  // Istio names a subset in the cluster: one no DestinationRule defines has none.
  const subset = edit((_d, _cs, rs) => {
    rs.find((r) => r.route_config.name.includes("secure"))!.route_config.virtual_hosts[0]!.routes[0]!.route.cluster = "outbound|8000|v3|secure.shop.svc.cluster.local";
  });
  assert.match(runExplain(subset, { port: 8443, client: "curl-mtls", sni: "secure.example.com" })[0]!.outcome.summary, /no DestinationRule for secure\.shop\.svc\.cluster\.local defines subset v3/);
  // Every cluster there: as before. A dump without clusters cannot tell.
  assert.is(runExplain(loadText(text, "gw.json"), { port: 8443, client: "curl-mtls", sni: "secure.example.com" })[0]!.outcome.code, "MTLS_TERMINATED");
  assert.not.equal(runExplain(loadFile(s("istioctl-listener.json")), { port: 9080, client: "plaintext" })[0]!.outcome.code, "NO_CLUSTER");
});

test("the result keeps apart what a client certificate must be (clientCertificateCheck), and what failed after the chain took the connection (afterChain): tls-check builds its reasons from them, not from the text", () => {
  const text = fs.readFileSync(s("gateway-mutual.json"), "utf8");
  const mtls = runExplain(loadText(text, "gw.json"), { port: 8443, client: "curl-mtls", sni: "secure.example.com" })[0]!;
  assert.is(mtls.outcome.code, "MTLS_TERMINATED");
  const check = mtls.next?.clientCertificateCheck;
  assert.ok(check && check.trustedCa.length > 0, JSON.stringify(mtls.next));
  assert.is(mtls.next?.clientCertificate, `required; ${clientCertificateText(check!)}`);
  // tls-check says the same of a STRICT sidecar's port, from the same check.
  const strict = loadFile(s("modern-strict.json"));
  const row = runTlsCheck(undefined, strict, { from: "curl-mtls" }).rows.find((r) => r.server.outcome === "MTLS_TERMINATED");
  assert.ok(row, "a curl with a client certificate gets through STRICT mutual TLS's chain");
  const sidecarCheck = runExplain(strict, { port: row!.port, client: "curl-mtls" })[0]!.next?.clientCertificateCheck;
  assert.ok(sidecarCheck);
  // curl's own certificate against the mesh root: whether that root signed it is not in the dump (UNKNOWN, not OK).
  assert.is(row!.status, "UNKNOWN");
  assert.ok(row!.reason.includes(`requires a client certificate signed by ${sidecarCheck!.trustedCa.join(", ")} with a SAN matching ${sidecarCheck!.subjectAltNames.join(" or ")}; the client presents a certificate of its own (curl-mtls)`), row!.reason);
  assert.is(mtls.outcome.afterChain, undefined, "a connection that went through has nothing after its chain that failed it (a 404's afterChain: the next test)");
});

test("a TLS client on a listener with no tls_inspector: the hint names the inspector only when a chain asks for TLS, SNI or ALPN (else it would change nothing: Envoy Gateway's plaintext listener)", () => {
  const eg = loadFile(path.resolve(import.meta.dirname, "../samples/real/envoy-gateway/egctl-config-out.all.json"));
  const r = runExplain(eg, { port: 10080, client: "curl-tls" })[0]!;
  assert.is(r.outcome.code, "TLS_INTO_PLAINTEXT_HTTP");
  assert.equal(r.hints, ["No chain of default-eg-http for this port terminates TLS or asks for TLS, SNI or ALPN: detecting TLS (tls_inspector) would change nothing here. It serves plaintext HTTP: connect with http://."]);
  // Where a chain asks for TLS and the inspector is missing, the hint says what it would have matched.
  const text = JSON.stringify({ static_resources: { listeners: [{ name: "l", address: { socket_address: { address: "0.0.0.0", port_value: 443 } }, filter_chains: [
    { filter_chain_match: { server_names: ["a.example.com"] }, filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "a", cluster: "a" } }] },
    { filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "b", cluster: "b" } }] },
  ] }] } });
  const sni = runExplain(loadText(text, "sni.json"), { port: 443, client: "curl-mtls", sni: "a.example.com" })[0]!;
  assert.match(sni.hints.join("\n"), /^TLS was not detected: this listener has no tls_inspector/);
});

test("an HTTP chain whose RDS configuration the dump's routes lack: Envoy has no routes for it (404 NR); without a routes section the route is unknown", () => {
  const text = fs.readFileSync(s("gateway-mutual.json"), "utf8");
  const d = JSON.parse(text) as { configs: Record<string, unknown>[] };
  const rs = d.configs.find((c) => String(c["@type"]).endsWith(".RoutesConfigDump"))!;
  const list = rs.dynamic_route_configs as { route_config: { name: string } }[];
  list.splice(list.findIndex((r) => r.route_config.name === "http.8080"), 1);
  const r = runExplain(loadText(JSON.stringify(d), "no-rds.json"), { port: 8080, client: "plaintext", host: "shop.example.com" })[0]!;
  assert.is(r.outcome.code, "NO_ROUTE");
  assert.match(r.outcome.summary, /Envoy has no route configuration http\.8080 \(not among the dump's routes: RDS has not sent it\)/);
  assert.is(r.outcome.clientSees, "HTTP 404 (access log NR route_not_found)");
  // What failed after the chain took the connection, kept apart (tls-check's reason for the server's answer).
  assert.match(r.outcome.afterChain ?? "", /^Envoy has no route configuration http\.8080 /);
  assert.ok(r.outcome.summary.endsWith(`; but ${r.outcome.afterChain}`), r.outcome.summary);
  d.configs = d.configs.filter((c) => !String(c["@type"]).endsWith(".RoutesConfigDump"));
  const unknown = runExplain(loadText(JSON.stringify(d), "no-routes-section.json"), { port: 8080, client: "plaintext", host: "shop.example.com" })[0]!;
  assert.is(unknown.outcome.code, "PLAINTEXT_HTTP");
  assert.match(unknown.outcome.summary, /route configuration http\.8080 is not in this dump: the route is unknown/);
});

test("a route configuration with parts elided decides no 404: a Host it does not hold may be in what was left out", () => {
  const T = (t: string) => `type.googleapis.com/${t}`;
  const listener = { "@type": T("envoy.config.listener.v3.Listener"), name: "http", address: { socket_address: { address: "0.0.0.0", port_value: 8080 } }, filter_chains: [{ filters: [{ name: "hcm", typed_config: { "@type": T("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"), stat_prefix: "h", rds: { route_config_name: "8080", config_source: { ads: {} } }, http_filters: [{ name: "envoy.filters.http.router", typed_config: { "@type": T("envoy.extensions.filters.http.router.v3.Router") } }] } }] }] };
  const text = `{"configs": [
    {"@type": "${T("envoy.admin.v3.ListenersConfigDump")}", "static_listeners": [{"listener": ${JSON.stringify(listener)}}]},
    {"@type": "${T("envoy.admin.v3.RoutesConfigDump")}", "dynamic_route_configs": [{"route_config": {"@type": "${T("envoy.config.route.v3.RouteConfiguration")}", "name": "8080", "virtual_hosts": [
      {"name": "a", "domains": ["a.example.com"], "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "a"}}]},
      ...snip...
    ]}}]}
  ]}`;
  const input = loadText(text, "snipped.json");
  const miss = runExplain(input, { port: 8080, client: "plaintext", host: "b.example.com", address: "10.0.0.1" })[0]!;
  assert.is(miss.outcome.code, "INCOMPLETE_INPUT");
  assert.match(miss.outcome.summary, /^route configuration 8080 has parts elided/);
  assert.match(miss.outcome.envoySide ?? "", /^from what was read: NO_ROUTE/);
  assert.is(runExplain(input, { port: 8080, client: "plaintext", host: "a.example.com", address: "10.0.0.1" })[0]!.outcome.code, "PLAINTEXT_HTTP", "a Host it holds routes");
});

test("a virtual host that routes by a match tree (virtual_host.matcher, as Envoy's docs example): the route is unknown, not a 404", () => {
  const T = (t: string) => `type.googleapis.com/${t}`;
  const rc = {
    name: "local_route",
    virtual_hosts: [{
      name: "local_service",
      domains: ["*"],
      matcher: { matcher_tree: { input: { name: "request-headers", typed_config: { "@type": T("envoy.type.matcher.v3.HttpRequestHeaderMatchInput"), header_name: ":path" } }, exact_match_map: { map: { "/new_endpoint/foo": { action: { name: "route_foo", typed_config: { "@type": T("envoy.config.route.v3.Route"), match: { prefix: "/foo" }, route: { cluster: "cluster_0" } } } } } } } },
    }],
  };
  const listener = { "@type": T("envoy.config.listener.v3.Listener"), name: "listener_0", address: { socket_address: { address: "0.0.0.0", port_value: 10000 } }, filter_chains: [{ filters: [{ name: "hcm", typed_config: { "@type": T("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"), stat_prefix: "x", route_config: rc, http_filters: [{ name: "envoy.filters.http.router", typed_config: { "@type": T("envoy.extensions.filters.http.router.v3.Router") } }] } }] }] };
  const input = loadText(JSON.stringify(listener), "match-tree.json");
  const r = runExplain(input, { port: 10000, client: "plaintext", path: "/new_endpoint/foo" })[0]!;
  assert.is(r.outcome.code, "PLAINTEXT_HTTP");
  assert.is(r.route?.kind, "match-tree");
  assert.match(r.outcome.summary, /picks its route with a match tree \(virtual_host\.matcher\), which this tool does not follow: the route is unknown$/);
  assert.equal(input.diags.list.filter((d) => d.code === "unknown-type").map((d) => d.message), [], "HttpRequestHeaderMatchInput is decoded");
});

test.run();
