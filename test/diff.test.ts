// Semantic diff: identity over position, quiet about noise, meaning in traffic terms.
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadFile, loadText } from "../src/load/dump.js";
import { diffInputs, sameRaw } from "../src/analyses/diff.js";

const S = (f: string) => path.resolve(import.meta.dirname, "../samples", f);
const C = (f: string) => path.resolve(import.meta.dirname, "corpus/istio", f);

/** Field names snake_case -> camelCase, as istioctl's protojson writes them; map keys (data) stay as they are. */
const MAP_FIELDS = new Set(["typed_per_filter_config", "filter_metadata", "typed_filter_metadata", "typed_extension_protocol_options", "fields", "policies", "metadata"]);
function camelCase(text: string): string {
  const walk = (v: unknown, mapKeys: boolean): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, false));
    if (!v || typeof v !== "object") return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const key = mapKeys ? k : k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
      out[key] = walk(x, MAP_FIELDS.has(k) && k !== "metadata");
    }
    return out;
  };
  return JSON.stringify(walk(JSON.parse(text), false));
}

function reverseLists(v: unknown, keys: Set<string>): unknown {
  if (Array.isArray(v)) return v.map((x) => reverseLists(x, keys));
  if (!v || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  const entries = Object.entries(v as Record<string, unknown>).reverse(); // key order too
  for (const [k, x] of entries) {
    const r = reverseLists(x, keys);
    out[k] = keys.has(k) && Array.isArray(r) ? [...r].reverse() : r;
  }
  return out;
}

test("a dump against itself re-serialised in the other case style, reordered, with defaults made explicit and versions bumped: no changes", () => {
  const text = fs.readFileSync(C("head-authz-configdump.yaml"), "utf8");
  const before = loadText(text, "before.json");
  let other = JSON.parse(camelCase(text));
  other = reverseLists(other, new Set(["dynamicListeners", "filterChains", "serverNames", "prefixRanges", "domains", "virtualHosts"]));
  const dl = (other as { configs: { dynamicListeners: { activeState: { versionInfo: string; lastUpdated: string; listener: Record<string, unknown> } }[] }[] }).configs[0]!.dynamicListeners;
  for (const l of dl) {
    l.activeState.versionInfo = "2030-01-01T00:00:00Z/999";
    l.activeState.lastUpdated = "2030-01-01T00:00:00.000Z";
    // proto3 defaults spelled out (plain scalars and enums, not wrappers): no change.
    l.activeState.listener.statPrefix ??= "";
    l.activeState.listener.drainType ??= "DEFAULT";
  }
  const after = loadText(JSON.stringify(other), "after.json");
  const r = diffInputs(before, after, { impact: true });
  assert.equal(r.changes.map((c) => `${c.kind} ${c.name} ${c.path} ${c.change}`), []);
  assert.equal(r.impact, []);
});

test("resources the same as read are not decoded to be compared; a one-field change still is found", () => {
  const text = fs.readFileSync(C("v14-describe-productpage-v1-c7765c886-v99jb.json"), "utf8");
  const before = loadText(text, "before.json");
  const same = loadText(text, "same.json");
  assert.equal(diffInputs(before, same).changes, []);
  assert.ok(before.resources.cluster.length > 10);
  // Only what the port summary reads (listeners) is decoded: no cluster, route or endpoint.
  assert.ok(before.decoded <= before.listeners.length, `${before.decoded} decoded, ${before.listeners.length} listeners`);
  assert.ok(same.decoded <= same.listeners.length);
  const field = '"connect_timeout": "10s"';
  const i = text.indexOf(field, text.indexOf("dynamic_active_clusters"));
  assert.ok(i > 0);
  const edited = loadText(`${text.slice(0, i)}"connect_timeout": "11s"${text.slice(i + field.length)}`, "edited.json");
  const changed = diffInputs(before, edited).changes;
  assert.equal(changed.map((c) => `${c.kind} ${c.path} ${c.change}`), ["cluster connectTimeout modified"]);
});

test("sameRaw: keys in any order are the same; a different value, length or type is not; deep nesting does not overflow", () => {
  assert.ok(sameRaw({ a: 1, b: [1, { c: "x" }] }, { b: [1, { c: "x" }], a: 1 }));
  assert.not.ok(sameRaw({ a: 1 }, { a: "1" }));
  assert.not.ok(sameRaw({ a: [1, 2] }, { a: [1] }));
  assert.not.ok(sameRaw({ a: {} }, { a: [] }));
  assert.not.ok(sameRaw({ a: 1 }, { a: 1, b: undefined }));
  let x: unknown = 1;
  let y: unknown = 1;
  for (let i = 0; i < 200_000; i++) {
    x = { n: x };
    y = { n: y };
  }
  assert.ok(sameRaw(x, y));
});

test("a wrapper set to 0 is not the same as unset (absent means Envoy's default)", () => {
  const l = (extra: object) => JSON.stringify({ name: "x", address: { socket_address: { address: "0.0.0.0", port_value: 1 } }, filter_chains: [{ filters: [] }], ...extra });
  const r = diffInputs(loadText(l({}), "a.json"), loadText(l({ per_connection_buffer_limit_bytes: 0 }), "b.json"));
  assert.equal(r.changes.map((c) => `${c.path} ${c.change}`), ["perConnectionBufferLimitBytes added"]);
});

test("Durations and wrappers spelled differently are equal", () => {
  const l = (timeout: unknown, buf: unknown) =>
    JSON.stringify({ name: "x", address: { socket_address: { address: "0.0.0.0", port_value: 1 } }, listener_filters_timeout: timeout, per_connection_buffer_limit_bytes: buf, filter_chains: [{ filters: [] }] });
  const r = diffInputs(loadText(l("10s", 1024), "a.json"), loadText(l({ seconds: 10 }, { value: 1024 }), "b.json"));
  assert.equal(r.changes, []);
  const r2 = diffInputs(loadText(l("10s", 1024), "a.json"), loadText(l("11s", 1024), "b.json"));
  assert.is(r2.changes.length, 1);
  assert.is(r2.changes[0]!.path, "listenerFiltersTimeout");
});

test("PERMISSIVE → STRICT: the port summary says so, the plaintext chains are gone, and --impact lists the connections that changed", () => {
  const r = diffInputs(loadFile(S("modern-permissive.json")), loadFile(S("modern-strict.json")), { impact: true });
  assert.ok(r.summary.includes("port 9080: PERMISSIVE → STRICT"), r.summary.join("|"));
  assert.ok(r.changes.some((c) => c.change === "removed" && /plaintext removed/.test(c.meaning) && /port 9080/.test(c.path)));
  // The mTLS chain of port 9080 is the same chain with a changed match (ALPN dropped), not removed + added.
  assert.ok(r.changes.some((c) => c.change === "removed" && /^filterChains\[0\.0\.0\.0_9080 \{port 9080; transport tls/.test(c.path) && /applicationProtocols/.test(c.path)));
  assert.not.ok(r.changes.some((c) => c.change === "added" && /^filterChains\[[^\]]*\]$/.test(c.path)));
  const imp = r.impact!.map((i) => `${i.port} ${i.client}: ${i.before.split(":")[0]} → ${i.after.split(":")[0]}`);
  assert.ok(imp.includes("9080 plaintext: PLAINTEXT_HTTP → NO_FILTER_CHAIN"), imp.join("|"));
  assert.ok(imp.includes("9080 curl-mtls: NO_FILTER_CHAIN → MTLS_TERMINATED"));
  assert.not.ok(imp.some((i) => i.includes("istio-sidecar")), "the sidecar is served either way");
});

test("adding portLevelMtls: only port 8080 changes", () => {
  const r = diffInputs(loadFile(S("diff/ratings-strict.json")), loadFile(S("modern-portlevel.json")), { impact: true });
  assert.equal(r.summary, ["port 8080: STRICT → PERMISSIVE"]);
  assert.ok(r.changes.every((c) => c.kind === "listener" && c.name === "virtualInbound"));
  assert.ok(r.changes.every((c) => !/9080/.test(c.path)));
  assert.equal(r.impact!.map((i) => i.port), [8080, 8080]);
});

test("DestinationRule DISABLE → ISTIO_MUTUAL on the client: the cluster's upstream TLS changes", () => {
  const dump = JSON.parse(fs.readFileSync(S("client-productpage.json"), "utf8"));
  const clusters = dump.configs[1].dynamic_active_clusters as { cluster: Record<string, unknown> }[];
  const plain = clusters.find((c) => c.cluster.name === "outbound|9080|plain|reviews.default.svc.cluster.local")!.cluster;
  const mesh = clusters.find((c) => c.cluster.name === "outbound|9080|mesh|reviews.default.svc.cluster.local")!.cluster;
  plain.transport_socket = mesh.transport_socket;
  const r = diffInputs(loadFile(S("client-productpage.json")), loadText(JSON.stringify(dump), "after.json"));
  assert.is(r.changes.length, 1);
  const c = r.changes[0]!;
  assert.is(c.kind, "cluster");
  assert.is(c.name, "outbound|9080|plain|reviews.default.svc.cluster.local");
  assert.is(c.change, "added");
  assert.match(c.meaning, /^upstream TLS DISABLE → ISTIO_MUTUAL \(Istio mTLS \(ALPN istio-peer-exchange,istio/);
});

test("Istio 1.3 (v2) → current (v3) of the same workload: the behavioural change, not the rename noise", () => {
  const r = diffInputs(loadFile(S("istio-1.3-permissive.json")), loadFile(S("diff/productpage-1.20-permissive.json")), { impact: true });
  assert.equal(r.impact, [{ port: 9080, client: "curl-mtls", before: "TLS_INTO_PLAINTEXT_HTTP: chain #5 (plaintext)", after: "NO_FILTER_CHAIN: no chain" }]);
  const text = JSON.stringify(r.changes);
  assert.not.match(text, /envoy\.api\.v2|"@type" modified|\benvoy\.http_connection_manager\b|\benvoy\.listener\.tls_inspector\b|\btlsContext\b/);
  assert.not.ok(r.changes.some((c) => /(^|\.)name$/.test(c.path) && c.change === "modified"), "no renames reported");
});

test("Istio's comparator test data (istioctl, real waypoint dumps): the dump against itself matches; its mismatched copy differs in clusters, listeners and routes", () => {
  // istioctl/pkg/writer/compare/comparator_test.go expects "Clusters/Listeners/Routes Match" for the pair of equal dumps and
  // "… Don't Match" for each kind against configdump_diff.json.
  const before = loadFile(C("head-compare-configdump.json"));
  assert.equal(diffInputs(before, loadFile(C("head-compare-configdump.json"))).changes, []);
  const r = diffInputs(before, loadFile(C("head-compare-configdump_diff.json")));
  assert.equal([...new Set(r.changes.map((c) => c.kind))].sort(), ["cluster", "listener", "route"]);
  const has = (kind: string, name: string, change: string) => r.changes.some((c) => c.kind === kind && c.name === name && c.change === change);
  assert.ok(has("cluster", "inbound-vip|9080|http|ratings.default.svc.cluster.local", "removed"));
  assert.ok(has("cluster", "inbound-vip|9999|http|ratings.default.svc.cluster.local", "added"));
  assert.ok(has("route", "inbound-vip|9999|http|reviews-v3.default.svc.cluster.local", "added"));
  const stat = r.changes.find((c) => c.kind === "listener" && /statPrefix$/.test(c.path))!;
  assert.is(stat.name, "main_internal");
  assert.match(stat.meaning, /inbound_0\.0\.0\.0_9080 → inbound_0\.0\.0\.0_9999/);
});

test("--impact sends the sidecar's HTTP ALPN to an HTTP port, as explain does", () => {
  const hcm = { name: "envoy.filters.network.http_connection_manager", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager", stat_prefix: "in", route_config: { name: "r" } } };
  const mtls = { name: "envoy.transport_sockets.tls", typed_config: { "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext", require_client_certificate: true } };
  const listener = (chains: unknown[]) =>
    JSON.stringify({
      configs: [
        { "@type": "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump", bootstrap: { node: { id: "sidecar~10.1.1.1~w.ns~ns.svc.cluster.local", metadata: { ISTIO_VERSION: "1.20.0", INSTANCE_IPS: "10.1.1.1" } } } },
        {
          "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
          static_listeners: [{ listener: { name: "virtualInbound", address: { socket_address: { address: "0.0.0.0", port_value: 15006 } }, listener_filters: [{ name: "envoy.filters.listener.original_dst" }, { name: "envoy.filters.listener.tls_inspector" }], filter_chains: chains } }],
        },
      ],
    });
  const plain = { name: "p", filter_chain_match: { destination_port: 80, transport_protocol: "raw_buffer" }, filters: [hcm] };
  const httpMtls = { name: "m", filter_chain_match: { destination_port: 80, transport_protocol: "tls", application_protocols: ["istio-http/1.1"] }, filters: [hcm], transport_socket: mtls };
  const r = diffInputs(loadText(listener([plain]), "a.json"), loadText(listener([plain, httpMtls]), "b.json"), { impact: true });
  const side = r.impact!.find((i) => i.client === "istio-sidecar")!;
  assert.match(side.after, /chain "m" \(mTLS\)/, "the HTTP mTLS chain takes the sidecar (its TCP ALPN istio-peer-exchange,istio would match no chain)");
});

test("route order is reported where it matters; routes are matched by identity", () => {
  const rc = (routes: unknown[]) => JSON.stringify({ name: "r", virtual_hosts: [{ name: "v", domains: ["b", "a"], routes }] });
  const r1 = { name: "one", match: { prefix: "/a" }, route: { cluster: "a" } };
  const r2 = { name: "two", match: { prefix: "/" }, route: { cluster: "b" } };
  const r = diffInputs(loadText(rc([r1, r2]), "a.json"), loadText(rc([r2, { ...r1, route: { cluster: "c" } }]), "b.json"));
  const kinds = r.changes.map((c) => `${c.path} ${c.change}`).sort();
  assert.equal(kinds, ["virtualHosts[name=v].routes reordered", "virtualHosts[name=v].routes[name=one].route.cluster modified"]);
  assert.match(r.changes.find((c) => c.change === "reordered")!.meaning, /first matching route wins/);
});

test("--ignore drops changes under a path", () => {
  const l = (p: string) => JSON.stringify({ name: "x", stat_prefix: p, address: { socket_address: { address: "0.0.0.0", port_value: 1 } }, filter_chains: [{ filters: [] }] });
  assert.is(diffInputs(loadText(l("a"), "a"), loadText(l("b"), "b")).changes.length, 1);
  assert.is(diffInputs(loadText(l("a"), "a"), loadText(l("b"), "b"), { ignore: ["statPrefix"] }).changes.length, 0);
});

const BIN = path.resolve(import.meta.dirname, "../bin/envoy-explain.js");
test("an update Envoy rejected is a change: kept serving the previous version, or never accepted (nothing listens); one it no longer reports is too", () => {
  const text = fs.readFileSync(S("modern-permissive.json"), "utf8");
  const withError = (keepActive: boolean) => {
    const dump = JSON.parse(text) as { configs: Record<string, unknown>[] };
    const section = dump.configs.find((c) => String(c["@type"]).endsWith("ListenersConfigDump"))!;
    const vin = (section.dynamic_listeners as Record<string, unknown>[]).find((l) => l.name === "virtualInbound")!;
    const listener = (vin.active_state as Record<string, unknown>).listener;
    if (!keepActive) delete vin.active_state;
    // As Envoy 1.26 wrote it for an EnvoyFilter's broken Lua filter: a multi-line message.
    vin.error_state = { failed_configuration: listener, details: "Proto constraint validation failed (LuaValidationError.DefaultSourceCode: embedded message failed validation): default_source_code {\n}\n" };
    return loadText(JSON.stringify(dump), keepActive ? "kept.json" : "never.json");
  };
  const before = loadText(text, "before.json");
  const kept = diffInputs(before, withError(true));
  assert.equal(kept.changes.map((c) => [c.kind, c.name, c.path, c.change]), [["listener", "virtualInbound", "errorState", "added"]]);
  assert.is(kept.changes[0]!.meaning, "Envoy rejected an update of listener virtualInbound and keeps serving its previous version: Proto constraint validation failed (LuaValidationError.DefaultSourceCode: embedded message failed validation): default_source_code { }");
  const never = diffInputs(before, withError(false));
  assert.equal(never.changes.map((c) => [c.name, c.path, c.change]), [["virtualInbound", "", "removed"], ["virtualInbound", "errorState", "added"]]);
  assert.match(never.changes[1]!.meaning, /^Envoy rejected listener virtualInbound: it was never accepted, so nothing listens where it would: Proto constraint/);
  const fixed = diffInputs(withError(true), before);
  assert.equal(fixed.changes.map((c) => [c.path, c.change, c.meaning]), [["errorState", "removed", "Envoy no longer reports a rejected update of listener virtualInbound"]]);
  assert.equal(diffInputs(withError(true), withError(true)).changes, []);
});

/** A listener whose name (and chain and cluster) is `name`, with ALPN `alpn` on its chain: the shape of a fuzzed dump. */
const longNamed = (name: string, alpn: string[], extra: object = {}) =>
  JSON.stringify({
    name,
    address: { socket_address: { address: "0.0.0.0", port_value: 80 } },
    filter_chains: [{ name, filter_chain_match: { application_protocols: alpn }, filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "s", cluster: name } }] }],
    ...extra,
  });

test("a long name (a fuzzed dump's shape): diff is linear, not a regex tried at every character of the path (4 MiB: past 90 s before, now about a second; its time: scripts/guards.ts)", () => {
  const name = "l".repeat(4 * 2 ** 20);
  const a = loadText(longNamed(name, ["h2"]), "a.json");
  const b = loadText(longNamed(name, ["h2", "http/1.1"], { listener_filters: [{ name: "envoy.filters.listener.tls_inspector", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector" } }] }), "b.json");
  const r = diffInputs(a, b, { impact: true });
  assert.equal(r.changes.map((c) => [c.path.replace(/l{1000,}/g, "NAME"), c.change, c.meaning]), [
    ["filterChains[NAME {ALPN h2}].filterChainMatch.applicationProtocols", "added", "a filter chain's match changed (applicationProtocols: unset → http/1.1): different connections land on it"],
    ["listenerFilters", "added", "listener filters changed: what Envoy detects (TLS, SNI, ALPN, HTTP) may differ"],
  ]);
});

test("paths whose names hold brackets, '=' or line breaks: the field and the element are still read from the path's end", () => {
  const name = "a]b[name=c\nfilters[name=x";
  const l = (filters: object[], sni: string[]) =>
    JSON.stringify({ name, address: { socket_address: { address: "0.0.0.0", port_value: 80 } }, filter_chains: [{ name, filter_chain_match: { server_names: sni }, filters }] });
  const tcp = { name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "s", cluster: "c" } };
  const rbac = { name: "envoy.filters.network.rbac", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC", stat_prefix: "r" } };
  const r = diffInputs(loadText(l([tcp], ["a.example.com"]), "a.json"), loadText(l([rbac, tcp], ["a.example.com"]), "b.json"));
  assert.equal(r.changes.map((c) => c.meaning), ["network filter envoy.filters.network.rbac added"]);
  const vh = (domains: string[]) => JSON.stringify({ name: "r", virtual_hosts: [{ name: "v]h[name=", domains, routes: [{ match: { prefix: "/" }, route: { cluster: "c" } }] }] });
  const d = diffInputs(loadText(vh(["a"]), "a.json"), loadText(vh(["a", "b"]), "b.json"));
  assert.equal(d.changes.map((c) => c.meaning), ["domain b added (virtual host v): requests for it now reach this virtual host"]);
});

test("cli: exit 0 without changes, 1 with, 2 on bad input; --quiet prints nothing; -o json is a documented list", () => {
  const run = (...a: string[]) => spawnSync(process.execPath, [BIN, "diff", ...a], { encoding: "utf8" });
  const same = run(S("modern-strict.json"), S("modern-strict.json"));
  assert.is(same.status, 0, same.stderr);
  assert.match(same.stdout, /no semantic changes/);
  const q = run(S("modern-permissive.json"), S("modern-strict.json"), "--quiet");
  assert.is(q.status, 1);
  assert.is(q.stdout, "");
  const j = JSON.parse(run(S("modern-permissive.json"), S("modern-strict.json"), "-o", "json").stdout);
  for (const c of j.changes) for (const k of ["kind", "name", "path", "change", "meaning"]) assert.ok(k in c, k);
  assert.is(run(S("modern-strict.json"), S("missing.json")).status, 2);
});

test.run();
