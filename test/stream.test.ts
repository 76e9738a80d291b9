// The streaming reader for inputs past 512 MiB, tried on the real dumps with its thresholds lowered:
// it must read what the text reader reads (same resources, same paths, same values), keep what is
// complete of a cut input, leave clusters, endpoints and routes in the file until they are used, and
// give the command line the same answers from a file, gzip and stdin.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import zlib from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadFile, loadScanned, loadText, RESOURCE_KINDS, type LoadedInput } from "../src/load/dump.js";
import { openInput } from "../src/load/open.js";
import { scanJson, skipBytes, SpanReader, useWasmSkip, type SkipState } from "../src/load/scan.js";
import { findInJson } from "../src/model/canonical.js";
import { peekListener } from "../src/model/listener.js";
import { checkDocument, clustersDocument, endpointsDocument, explainDocument, listenersDocument, overviewDocument, routesDocument, secretsDocument, tlsCheckDocument } from "../src/documents.js";
import { inboundPorts } from "../src/analyses/tlscheck.js";
import { clusterRows, listenerRows } from "../src/analyses/listings.js";
import { isObject } from "../src/load/keys.js";
import { keyOf } from "../src/load/v2.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const BIN = path.join(ROOT, "bin/envoy-explain.js");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-stream-test-"));

/** The JSON files under dir; a gzip-compressed one (`.json.gz`) is inflated into the test's directory, as the scanner reads bytes as they are. */
function jsonFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return jsonFiles(p);
    if (e.name.endsWith(".json.gz")) {
      const inflated = path.join(TMP, e.name.slice(0, -3));
      fs.writeFileSync(inflated, zlib.gunzipSync(fs.readFileSync(p)));
      return [inflated];
    }
    return e.name.endsWith(".json") ? [p] : [];
  });
}
const REAL = [...jsonFiles(path.join(ROOT, "samples")), ...jsonFiles(path.join(ROOT, "test/corpus"))];

function scan(file: string, assembleAbove: number): LoadedInput {
  const fd = fs.openSync(file, "r");
  return loadScanned(new SpanReader(fd, fs.fstatSync(fd).size), file, { assembleAbove });
}

/** What a loader read: every resource's kind, name, state, path and value as read, and the format. */
function summary(input: LoadedInput) {
  return {
    format: input.format,
    api: input.api,
    proxy: input.proxy,
    resources: RESOURCE_KINDS.flatMap((k) => input.resources[k].map((r) => ({ k, name: r.name, state: r.state, path: r.path, raw: r.raw }))),
    rejected: input.rejectedListeners.map((r) => r.name),
    warnings: input.diags.list.map((d) => `${d.code} ${d.path ?? ""}`),
  };
}

test("the real dumps are there to stream", () => {
  assert.ok(REAL.length >= 25, `found ${REAL.length}`);
});

/** Each real dump that is JSON, read afresh as text (what the streaming reader must match); the others are not dumps, or not JSON. */
function* realJsonDumps(): Generator<[string, LoadedInput]> {
  for (const f of REAL) {
    let text: LoadedInput;
    try {
      text = loadFile(f);
    } catch {
      continue; // not a dump (the streaming reader must then fail too)
    }
    if (text.syntax === "json") yield [f, text];
  }
}

test("streamed, every real dump reads as the text reader reads it (every container assembled, or only large ones)", () => {
  let compared = 0;
  for (const [f, text] of realJsonDumps()) {
    const want = summary(text); // before decoding, which adds its own warnings
    for (const above of [0, 2048]) {
      const s = scan(f, above);
      assert.ok(s.streamed);
      assert.ok(isDeepStrictEqual(summary(s), want), `${path.relative(ROOT, f)} (assembled above ${above} bytes) differs`);
      // And it decodes to the same thing.
      for (const k of RESOURCE_KINDS) s.resources[k].forEach((r, i) => assert.ok(isDeepStrictEqual(r.value, text.resources[k][i]!.value), `${f}: ${k} ${r.name}`));
      compared++;
    }
  }
  assert.ok(compared >= 20, `compared ${compared}`);
});

test("the scanner finds the same spans and hints whatever the chunk size: strings, escapes and nesting that straddle a chunk's end", () => {
  const escapes = path.join(TMP, "escapes.json");
  // Escaped quotes and backslashes deep inside resources (skipped in place) and in keys (tracked).
  fs.writeFileSync(
    escapes,
    JSON.stringify({
      configs: [
        {
          "@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
          dynamic_active_clusters: [
            { cluster: { name: 'a"b\\', type: "EDS", metadata: { filter_metadata: { x: { 'k\\"': ['\\', '"', '\\"{[', "}]\\\\", "\u00e9\u4e2d"] } } } } },
            { cluster: { name: "c", type: "EDS", metadata: { filter_metadata: { y: [[[{ z: "]]}}" }]]] } } } },
            { cluster: { NAME_ESCAPED: "d", type: "EDS" } },
            { cluster: { "\u00e9\u4e2d": "utf-8 key", name: "e", type: "EDS" } },
          ],
        },
      ],
    }).replace('"NAME_ESCAPED"', '"n\\u0061me"'), // a key written with an escape is the same key
  );
  const files = [escapes, path.join(ROOT, "samples/modern-permissive.json"), path.join(ROOT, "samples/real/osm/sample-envoy-config-dump-bookbuyer.json")];
  const resourceLists = new Set(["dynamic_active_clusters", "dynamic_listeners", "dynamic_route_configs", "dynamic_endpoint_configs"].map((k) => k.replace(/_/g, "")));
  const deepHints = new Set(["dynamiclisteners"]);
  const shape = (r: ReturnType<typeof scanJson>) =>
    JSON.stringify({ value: r.value, lazy: [...r.lazy.values()], fields: [...r.fields.values()], invalid: r.invalid, cut: r.cut ?? null });
  for (const f of files) {
    const fd = fs.openSync(f, "r");
    const reader = new SpanReader(fd, fs.fstatSync(fd).size);
    const want = shape(scanJson(reader, { resourceLists, deepHints }));
    for (const chunkSize of [1, 2, 3, 7, 64, 4099]) assert.is(shape(scanJson(reader, { resourceLists, deepHints, chunkSize })), want, `${path.basename(f)}, chunks of ${chunkSize}`);
    reader.close();
  }
  // And the escaped names come out as JSON.parse reads them.
  assert.equal(scan(escapes, 0).clusters.map((c) => c.name), ['a"b\\', "c", "d", "e"]);
});

test("the skip loop in WebAssembly (32 bytes at a time) stops where the JavaScript loop stops, with its state: random bytes of strings, escapes and nesting, and every real dump scanned in chunks", () => {
  // Random bytes over what the loop follows (quotes, backslashes, brackets) and what it passes over.
  let seed = 20261207;
  const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const ALPHABET = Buffer.from('{}[]"\\ a\n\u00e9:,');
  const weights = [4, 4, 3, 3, 6, 3, 14, 10, 2, 1, 2, 2];
  const pick = () => {
    let r = rand(weights.reduce((a, b) => a + b));
    let k = 0;
    while (r >= weights[k]!) r -= weights[k++]!;
    return ALPHABET[k]!;
  };
  let found = 0;
  let open = 0;
  for (let t = 0; t < 20_000; t++) {
    const bytes = Uint8Array.from({ length: 1 + rand(t % 10 === 0 ? 700 : 140) }, pick);
    const start = rand(Math.min(bytes.length, 40));
    const depth = 1 + rand(3);
    const js: SkipState = { depth, open: false, escape: false };
    const wasm: SkipState = { depth, open: false, escape: false };
    const a = skipBytes("js", bytes, start, js);
    const b = skipBytes("wasm", bytes, start, wasm);
    assert.ok(b !== undefined, "WebAssembly runs here");
    assert.equal([b, wasm], [a, js], `bytes ${JSON.stringify(Buffer.from(bytes).toString("latin1"))} from ${start}, ${depth} deep`);
    if (a! < bytes.length) found++;
    if (js.open) open++;
  }
  // Both ways ended often: the value closed, and the chunk ended inside a string.
  assert.ok(found > 2_000 && open > 2_000, `${found} closed, ${open} ended in a string`);
  // Whole scans, WebAssembly or not, at every chunk size: the same result.
  const resourceLists = new Set(["dynamic_active_clusters", "dynamic_listeners", "dynamic_route_configs", "dynamic_endpoint_configs", "dynamic_warming_clusters", "static_clusters", "static_listeners"].map((k) => k.replace(/_/g, "")));
  const shape = (r: ReturnType<typeof scanJson>) => JSON.stringify({ value: r.value, lazy: [...r.lazy.values()], fields: [...r.fields.values()], invalid: r.invalid, cut: r.cut ?? null });
  for (const [f] of realJsonDumps()) {
    const fd = fs.openSync(f, "r");
    const reader = new SpanReader(fd, fs.fstatSync(fd).size);
    for (const chunkSize of [31, 33, 4099, undefined]) {
      const opts = { resourceLists, deepHints: new Set(["dynamiclisteners"]), ...(chunkSize ? { chunkSize } : {}) };
      useWasmSkip(false);
      const want = shape(scanJson(reader, opts));
      useWasmSkip(true);
      assert.is(shape(scanJson(reader, opts)), want, `${path.relative(ROOT, f)}, chunks of ${chunkSize ?? "8 MiB"}`);
    }
    reader.close();
  }
});

test("streamed, every real dump gives the same answers as read as text: explain on its ports, tls-check against itself and alone, check, the overview, listings", () => {
  let compared = 0;
  for (const [f, text] of realJsonDumps()) {
    // Containers assembled as in use.
    const fd = fs.openSync(f, "r");
    const streamed = loadScanned(new SpanReader(fd, fs.fstatSync(fd).size), f);
    const same = (what: string, a: unknown, b: unknown) => assert.is(JSON.stringify(b), JSON.stringify(a), `${path.relative(ROOT, f)}: ${what}`);
    // Decoding adds warnings of its own: each side is compared after the same work, in the same order.
    const ports = [...new Set([...inboundPorts(text), 9080, 15001])].slice(0, 4);
    same("server ports", ports, [...new Set([...inboundPorts(streamed), 9080, 15001])].slice(0, 4));
    for (const port of ports) same(`explain --port ${port}`, explainDocument(text, { port }), explainDocument(streamed, { port }));
    same("tls-check", tlsCheckDocument(text, text), tlsCheckDocument(streamed, streamed));
    same("tls-check, one dump", tlsCheckDocument(text, undefined), tlsCheckDocument(streamed, undefined));
    const at = { now: new Date("2026-01-01T00:00:00Z") };
    same("check", checkDocument([text], at), checkDocument([streamed], at));
    same("overview", overviewDocument(text, at), overviewDocument(streamed, at));
    same("listeners", listenersDocument(text), listenersDocument(streamed));
    same("routes", routesDocument(text), routesDocument(streamed));
    same("clusters", clustersDocument(text), clustersDocument(streamed));
    same("endpoints", endpointsDocument(text), endpointsDocument(streamed));
    const now = new Date("2026-01-01T00:00:00Z");
    same("secrets", secretsDocument(text, now), secretsDocument(streamed, now));
    streamed.close();
    compared++;
  }
  assert.ok(compared >= 20, `compared ${compared}`);
});

test("streamed, the routes listing reads only listeners whose bytes can hold an inline route config, in any spelling the loader reads", () => {
  const hcm = (routeKey: string) => ({
    name: "envoy.filters.network.http_connection_manager",
    typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager", stat_prefix: "x", [routeKey]: { name: `inline-${routeKey}`, virtual_hosts: [{ name: "vh", domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: "c" } }] }] } },
  });
  const listener = (name: string, port: number, routeKey: string) => ({ name, active_state: { listener: { "@type": "type.googleapis.com/envoy.config.listener.v3.Listener", name, address: { socket_address: { address: "0.0.0.0", port_value: port } }, filter_chains: [{ filters: [hcm(routeKey)] }] } } });
  const rds = { name: "rds", active_state: { listener: { "@type": "type.googleapis.com/envoy.config.listener.v3.Listener", name: "rds", address: { socket_address: { address: "0.0.0.0", port_value: 9 } }, filter_chains: [{ filters: [{ name: "envoy.filters.network.http_connection_manager", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager", stat_prefix: "r", rds: { route_config_name: "r", config_source: { ads: {} } } } }] }] } } };
  const dump = { configs: [{ "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump", dynamic_listeners: [rds, listener("snake", 1, "route_config"), listener("camel", 2, "routeConfig"), listener("odd", 3, "ROUTE__CONFIG"), listener("escaped", 4, "ESCAPED")] }] };
  const f = path.join(TMP, "inline-routes.json");
  fs.writeFileSync(f, JSON.stringify(dump, null, 1).replace('"ESCAPED"', '"\\u0072oute_config"'));
  const text = loadFile(f);
  const streamed = scan(f, 0);
  const names = (i: LoadedInput) => [...new Set(routesDocument(i).routes.map((r) => r.routeConfig))].sort();
  assert.equal(names(streamed), names(text));
  assert.is(names(text).length, 4, names(text).join(", "));
  // The listener with only RDS is not read from the file for it.
  assert.not.ok(streamed.listeners.find((l) => l.name === "rds")!.mayHaveKey("route_config"));
  assert.ok(streamed.listeners.find((l) => l.name === "odd")!.mayHaveKey("route_config"));
  streamed.close();
});

test("a cut-off input keeps the same complete resources streamed as read as text", () => {
  const names = (i: LoadedInput) => RESOURCE_KINDS.map((k) => i.resources[k].map((r) => r.name).join(",")).join("|");
  for (const f of ["samples/modern-permissive.json", "samples/real/envoy-gateway/egctl-config-out.all.json", "test/corpus/istio/v16-writer-configdump.json"]) {
    const full = fs.readFileSync(path.join(ROOT, f), "utf8");
    for (let at = 200; at < full.length; at += Math.floor(full.length / 23)) {
      const cut = path.join(TMP, "cut.json");
      fs.writeFileSync(cut, full.slice(0, at));
      let a: LoadedInput | Error, b: LoadedInput | Error;
      try {
        a = loadText(full.slice(0, at), "x");
      } catch (e) {
        a = e as Error;
      }
      try {
        b = scan(cut, 0);
      } catch (e) {
        b = e as Error;
      }
      if (a instanceof Error || b instanceof Error) {
        assert.is(b instanceof Error, a instanceof Error, `${f} cut at ${at}: ${a instanceof Error ? a.message : "loads"} / ${b instanceof Error ? b.message : "loads"}`);
        continue;
      }
      assert.is(names(b), names(a), `${f} cut at ${at}`);
      const w = b.diags.list.find((d) => d.code === "truncated");
      assert.ok(w?.line && w.line > 1, "the warning says where the input ends");
    }
  }
});

test("a listing releases what it decoded of a streamed resource: read again it is the same, its warnings told once", () => {
  const dump = JSON.parse(fs.readFileSync(path.join(ROOT, "samples/client-productpage.json"), "utf8")) as { configs: Record<string, unknown>[] };
  const section = dump.configs.find((c) => String(c["@type"]).endsWith("ClustersConfigDump"))!;
  const entry = (section.dynamic_active_clusters as { cluster: Record<string, unknown> }[])[0]!;
  entry.cluster.not_a_cluster_field = 1; // a warning when decoded
  const f = path.join(TMP, "release.json");
  fs.writeFileSync(f, JSON.stringify(dump));
  const input = scan(f, 0);
  const text = loadFile(f);
  const rec = input.clusters[0]!;
  const rows = clusterRows(input);
  assert.is(rows.length, input.clusters.length);
  const warnings = () => input.diags.list.filter((d) => /not_a_cluster_field|notAClusterField/.test(d.message)).map((d) => d.count ?? 1);
  assert.equal(warnings(), [1]);
  const decodes = input.decoded;
  // Released: read and decoded again, the same value; the warning is not told twice.
  assert.ok(isDeepStrictEqual(rec.value, text.clusters[0]!.value));
  assert.is(input.decoded, decodes + 1, "decoded again after release");
  assert.equal(warnings(), [1]);
  assert.equal(clusterRows(input), rows);
});

test("check and the one-dump tls-check decode each streamed cluster and EDS resource once, and let it go after (read again if asked)", () => {
  const f = path.join(ROOT, "samples/client-productpage.json");
  const text = loadFile(f);
  const now = new Date("2026-01-01T00:00:00Z");
  for (const [what, run] of [
    ["check", (i: LoadedInput) => checkDocument([i], { now })],
    ["tls-check", (i: LoadedInput) => tlsCheckDocument(i, undefined)],
  ] as const) {
    const input = scan(f, 0);
    const doc = run(input);
    assert.ok(input.clusters.length > 20 && input.endpoints.length >= 4, "a client with clusters and their EDS");
    // check reads every cluster and EDS resource; tls-check every (outbound) cluster, and the EDS of those with auto mTLS.
    const least = what === "check" ? input.clusters.length + input.endpoints.length : input.clusters.length;
    assert.ok(input.decoded >= least && input.decoded <= input.resourceCount(), `${what}: ${input.decoded} decodes, at least ${least}, none twice (${input.resourceCount()} resources)`);
    const decoded = input.decoded;
    // Released: asked again, it is read and decoded again, the same value as the text reader's.
    const rec = input.byName("cluster", "outbound|9080||reviews.default.svc.cluster.local")!;
    const ep = input.byName("endpoint", rec.name)!;
    assert.ok(isDeepStrictEqual(rec.value, text.byName("cluster", rec.name)!.value), `${what}: ${rec.name} as read as text`);
    assert.ok(isDeepStrictEqual(ep.value, text.byName("endpoint", ep.name)!.value), `${what}: ${ep.name} as read as text`);
    assert.is(input.decoded, decoded + 2, `${what}: the cluster and the EDS resource were let go`);
    // What the analysis kept answers the same again, without decoding.
    assert.is(JSON.stringify(run(input)), JSON.stringify(doc), `${what}: the same answer again`);
    input.close();
  }
});

test("streamed, every resource stays in the file until used, in a small dump too; a listener is placed from its outline, without its chains", () => {
  const f = path.join(ROOT, "samples/real/osm/sample-envoy-config-dump-bookbuyer.json");
  const fd = fs.openSync(f, "r");
  const reader = new SpanReader(fd, fs.fstatSync(fd).size);
  let parses = 0;
  const parsedTypes: string[] = [];
  const parse = reader.parse.bind(reader);
  reader.parse = (s) => {
    parses++;
    const v = parse(s);
    findInJson(v, (x) => (typeof x === "string" && x.startsWith("type.googleapis.com/") ? void parsedTypes.push(x) : undefined));
    return v;
  };
  // The containers are assembled as in use (above 8 MiB): a small section holding the lists is built around them all the same.
  const input = loadScanned(reader, f);
  const text = loadFile(f);
  // Named from the scan's hints: no listener, cluster or route configuration was parsed to load the dump.
  assert.not.ok(parsedTypes.some((t) => /\.(Listener|Cluster|RouteConfiguration)$/.test(t)), parsedTypes.join(", "));
  const afterLoad = parses; // the secrets, which are small
  // Placing every listener (addresses, bind_to_port, direction, capture) reads only its outline.
  const place = (i: LoadedInput) =>
    i.listeners.map((l) => {
      const p = peekListener(l);
      return [p.name, p.addresses, p.bindToPort, p.capture, p.direction];
    });
  assert.equal(place(input), place(text));
  assert.is(parses, afterLoad, "placing the listeners parsed none");
  assert.ok(input.listeners.every((l) => isObject(l.outline) && keyOf(l.outline, "filter_chains") === undefined), "the outline leaves the chains in the file");
  // The chains are read when asked for, once.
  assert.equal(input.listeners.map((l) => peekListener(l).chainPorts), text.listeners.map((l) => peekListener(l).chainPorts));
  assert.is(parses, afterLoad + input.listeners.length, "each listener read once, for its chains");
  for (const l of input.listeners) void l.raw;
  assert.is(parses, afterLoad + input.listeners.length, "listeners were kept once read");
  const afterListeners = parses;
  assert.is(input.clusters.length, 2);
  void input.clusters[1]!.raw;
  void input.clusters[1]!.raw;
  assert.is(parses, afterListeners + 1, "one cluster read once, on use");
  void input.routes[0]!.value;
  assert.is(parses, afterListeners + 2, "a route read on use");
  assert.equal(input.clusters[1]!.raw, text.clusters[1]!.raw);
  assert.equal(input.listeners.map((l) => l.raw), text.listeners.map((l) => l.raw));
});

test("streamed, a listener whose bytes hold no destination_port key has no chain ports, and is not read for them; listeners --port reads only the listeners it lists", () => {
  const f = path.join(ROOT, "samples/modern-permissive.json");
  const fd = fs.openSync(f, "r");
  const reader = new SpanReader(fd, fs.fstatSync(fd).size);
  const parsed: string[] = [];
  const parse = reader.parse.bind(reader);
  reader.parse = (sp) => {
    const v = parse(sp);
    if (isObject(v) && typeof v.name === "string") parsed.push(v.name);
    return v;
  };
  const input = loadScanned(reader, f);
  const text = loadFile(f);
  assert.equal(input.listeners.map((l) => peekListener(l).chainPorts), text.listeners.map((l) => peekListener(l).chainPorts));
  assert.ok(parsed.includes("virtualInbound"), "the listener with destination ports is read for them");
  assert.not.ok(parsed.includes("virtualOutbound"), `virtualOutbound's bytes hold no destination_port: not read (${parsed.join(", ")})`);
  // The listing for a port reads what it lists, the same as from text.
  assert.equal(listenerRows(input, { port: 9080 }), listenerRows(text, { port: 9080 }));
  assert.not.ok(parsed.includes("virtualOutbound"), "virtualOutbound (port 15001, no chain for 9080) still not read");
});

test("streamed, a listener whose chains are not JSON is used for what can be read, and explain says the answer may change", () => {
  const full = JSON.parse(fs.readFileSync(path.join(ROOT, "samples/modern-permissive.json"), "utf8"));
  const text = JSON.stringify(full, null, 1);
  // A raw control character inside a string of virtualInbound's chains: JSON.parse refuses that listener.
  const at = text.indexOf('"name": "virtualInbound-catchall-http"');
  assert.ok(at > 0);
  const f = path.join(TMP, "bad-chain.json");
  fs.writeFileSync(f, text.slice(0, at + 10) + "\u0001" + text.slice(at + 10));
  const input = scan(f, 0);
  const vi = input.listeners.find((l) => l.name === "virtualInbound")!;
  assert.ok(vi);
  assert.ok(isObject(vi.raw) && keyOf(vi.raw, "address") !== undefined, "its other fields are used");
  assert.ok(vi.partial, "it is marked partial");
  assert.ok(input.diags.list.some((d) => d.code === "syntax" && /virtualInbound.*filter_chains/.test(d.message)), input.diags.list.map((d) => d.message).join("; "));
  const r = spawnSync(process.execPath, [BIN, f, "--port", "9080", "-c", "plaintext", "--stream-from", "1"], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /INCOMPLETE_INPUT/);
  assert.match(r.stdout, /not valid JSON \(filter_chains\)/);
});

test("streamed, hostile keys stay keys and bad elements are skipped with a warning", () => {
  const f = path.join(TMP, "hostile.json");
  fs.writeFileSync(
    f,
    `{"__proto__": {"polluted": 1}, "configs": [{"@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump", "constructor": 1,
      "dynamic_active_clusters": [{"cluster": {"name": "a", "type": "EDS"}}, {"cluster": {"name": "b", "type": "EDS", "__proto__": {"x": 1}}}]}]}`,
  );
  const input = scan(f, 0);
  assert.equal(input.clusters.map((c) => c.name), ["a", "b"]);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  assert.is(({} as Record<string, unknown>).x, undefined);
  // The scanner's hints keep such a key as an own key of the hint, not its prototype.
  const g = path.join(TMP, "hostile-hint.json");
  fs.writeFileSync(g, `[{"__proto__": {"name": "p", "x": 1}, "cluster": {"name": "c"}}]`);
  const fd = fs.openSync(g, "r");
  const reader = new SpanReader(fd, fs.fstatSync(fd).size);
  const spans = [...scanJson(reader, { resourceLists: new Set() }).lazy.values()][0]!;
  reader.close();
  const hint = spans[0]!.hint!;
  assert.ok(Object.hasOwn(hint, "__proto__"), JSON.stringify(hint));
  assert.is(JSON.stringify(hint["__proto__"]), `{"name":"p"}`);
  assert.is((hint as { name?: unknown }).name, undefined);
  assert.is(JSON.stringify(hint.cluster), `{"name":"c"}`);
});

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  return "(no error)";
}

test("streamed, a bad token inside valid structure costs only its value: a bad literal is left out, a bad resource skipped, each with a warning and its line", () => {
  const f = path.join(TMP, "bad-token.json");
  fs.writeFileSync(
    f,
    `{"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump","version_info":tru,
"dynamic_active_clusters":[{"cluster":{"name":"a","type":"EDS"}},
{"cluster":{"name":"b\\x","type":"EDS"}},
{"cluster":{"name":"c","type":"EDS"}}]}]}`,
  );
  for (const above of [0, 1 << 20]) {
    const input = scan(f, above);
    assert.equal(input.clusters.map((c) => c.name), ["a", "c"], `assembled above ${above}`);
    const w = input.diags.list.filter((d) => d.code === "syntax");
    assert.ok(w.some((d) => d.line === 1 && /left out/.test(d.message)), JSON.stringify(w));
    assert.ok(w.some((d) => d.line === 3 && /skipped/.test(d.message) && d.path === "$.configs[0].dynamic_active_clusters[1]"), JSON.stringify(w));
  }
});

test("openInput streams past the threshold from a file and gzip, and stays bounded", async () => {
  const f = path.join(ROOT, "samples/modern-permissive.json");
  const gz = path.join(TMP, "dump.json.gz");
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(f)));
  const want = summary(loadFile(f)).resources.map((r) => r.name);
  for (const file of [f, gz]) {
    const input = await openInput(file, { streamFrom: 1024 });
    assert.ok(input.streamed, file);
    assert.equal(summary(input).resources.map((r) => r.name), want);
  }
  const small = await openInput(f, { streamFrom: 10 * 2 ** 20 });
  assert.not.ok(small.streamed, "under the threshold an input is read as text");
  small.close(); // nothing to close: harmless
  // close() releases a streamed input's file descriptor; what was not read yet cannot be read after it.
  const fds = () => (fs.existsSync("/proc/self/fd") ? fs.readdirSync("/proc/self/fd").length : 0);
  const fdsBefore = fds();
  const osm = await openInput(path.join(ROOT, "samples/real/osm/sample-envoy-config-dump-bookbuyer.json"), { streamFrom: 1024, assembleAbove: 0 });
  if (fdsBefore) assert.is(fds(), fdsBefore + 1);
  osm.close();
  osm.close();
  if (fdsBefore) assert.is(fds(), fdsBefore);
  assert.throws(() => osm.clusters[0]!.raw, /closed/);
  assert.match(await failure(openInput(gz, { streamFrom: 1024, maxBytes: 4096 })), /inflates to more than 4 KiB/);
  assert.match(await failure(openInput(f, { streamFrom: 1024, maxBytes: 4096 })), /over the limit of 4 KiB/);
});

test("openInput for part of a dump (streamJsonFrom): plain JSON past the threshold is streamed; YAML, comments and elisions are read as text, with every tolerance", async () => {
  const f = path.join(ROOT, "samples/modern-permissive.json");
  const want = summary(loadFile(f)).resources.map((r) => r.name);
  const plain = await openInput(f, { streamJsonFrom: 1024 });
  assert.ok(plain.streamed, "plain JSON is streamed");
  assert.equal(summary(plain).resources.map((r) => r.name), want);
  const under = await openInput(f, { streamJsonFrom: 10 * 2 ** 20 });
  assert.not.ok(under.streamed, "under the threshold it is read as text");
  // Pasted: a comment and an elision inside the JSON. Streaming stops at them; the text reader goes on.
  const text = fs.readFileSync(f, "utf8");
  const at = text.indexOf('"dynamic_listeners"');
  const pasted = path.join(TMP, "pasted.json");
  fs.writeFileSync(pasted, `# istioctl proxy-config all -o json\n${text.slice(0, at)}\n...snip...\n${text.slice(at)}`);
  const fromText = loadFile(pasted);
  for (const [opts, fifo] of [[{ streamJsonFrom: 1024 }, false], [{ streamJsonFrom: 1024 }, true], [{ streamJsonFrom: 1024, inMemory: 1024 }, true]] as const) {
    const input = fifo ? await viaFifo(pasted, opts) : await openInput(pasted, opts);
    assert.not.ok(input.streamed, `read as text ${JSON.stringify(opts)}`);
    assert.equal(summary(input).resources.map((r) => r.name), summary(fromText).resources.map((r) => r.name));
    assert.equal(input.diags.list.map((d) => d.code), fromText.diags.list.map((d) => d.code));
  }
  // YAML (istioctl -o yaml) is read as text too; from a FIFO spooled past the threshold, plain JSON is streamed.
  const yaml = path.join(TMP, "dump.yaml");
  fs.writeFileSync(yaml, (await import("yaml")).stringify(JSON.parse(text)));
  const y = await openInput(yaml, { streamJsonFrom: 1024 });
  assert.not.ok(y.streamed);
  assert.equal(summary(y).resources.map((r) => r.name), want);
  // A stream (stdin, a FIFO) past the threshold goes to the spool there, not only past what is held in memory.
  for (const opts of [{ streamJsonFrom: 1024, inMemory: 1024 }, { streamJsonFrom: 1024 }]) {
    const spooled = await viaFifo(f, opts);
    assert.ok(spooled.streamed, `a spooled stream of plain JSON is streamed ${JSON.stringify(opts)}`);
    assert.equal(summary(spooled).resources.map((r) => r.name), want);
  }
});

async function viaFifo(file: string, opts: Parameters<typeof openInput>[1]): Promise<LoadedInput> {
  const fifo = path.join(TMP, `fifo-${Math.random().toString(36).slice(2)}`);
  assert.is(spawnSync("mkfifo", [fifo]).status, 0);
  const writer = spawn("sh", ["-c", 'cat "$0" > "$1"', file, fifo]);
  const closed = new Promise((r) => writer.on("close", r));
  const input = await openInput(fifo, opts);
  await closed;
  return input;
}

test("openInput scans on a worker thread when asked (two inputs at once): the same input as scanned here, hostile keys and all", async () => {
  const files = [path.join(ROOT, "samples/client-productpage.json"), path.join(ROOT, "samples/real/osm/sample-envoy-config-dump-bookbuyer.json"), path.join(ROOT, "samples/modern-strict.json")];
  const hostile = path.join(TMP, "hostile-worker.json");
  fs.writeFileSync(hostile, `{"__proto__": {"polluted": 1}, "configs": [{"@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump", "dynamic_active_clusters": [{"cluster": {"name": "a", "type": "EDS", "__proto__": {"x": 1}}}]}]}`);
  for (const f of [...files, hostile]) {
    // Started first, on the thread; the second is read here meanwhile.
    const threaded = openInput(f, { streamFrom: 1, inWorker: true });
    const here = await openInput(f, { streamFrom: 1 });
    const there = await threaded;
    assert.ok(there.streamed && here.streamed);
    assert.not.ok(there.diags.list.some((d) => d.code === "thread"), "scanned on the thread, not after it failed");
    assert.ok(isDeepStrictEqual(summary(there), summary(here)), `${path.relative(ROOT, f)} differs`);
    for (const k of RESOURCE_KINDS) there.resources[k].forEach((r, i) => assert.ok(isDeepStrictEqual(r.outline, here.resources[k][i]!.outline), `${f}: ${k} ${r.name} outline`));
  }
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test("a scan on a worker thread stops when its signal aborts (the command's other input failed), streamed or read as text", async () => {
  const f = path.join(ROOT, "samples/real/osm/sample-envoy-config-dump-bookbuyer.json");
  for (const opts of [{ streamFrom: 1 }, {}]) {
    const stop = new AbortController();
    const pending = openInput(f, { ...opts, inWorker: true, signal: stop.signal });
    stop.abort(new Error("the other input failed"));
    assert.match(await failure(pending), /the other input failed/, JSON.stringify(opts));
  }
  // Not aborted: the same input as ever.
  const kept = await openInput(f, { streamFrom: 1, inWorker: true, signal: new AbortController().signal });
  assert.equal(summary(kept).resources.map((r) => r.name), summary(loadFile(f)).resources.map((r) => r.name));
  // The command line reports the input that failed, whichever way the other was being read.
  for (const extra of [[], ["--stream-from", "1"]]) {
    for (const cmd of ["tls-check", "diff"]) {
      const r = spawnSync(process.execPath, [BIN, cmd, path.join(TMP, "no-such.json"), f, ...extra], { encoding: "utf8" });
      assert.is(r.status, 2, `${cmd} ${extra.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /no-such\.json: no such file/);
    }
  }
});

test("cli: tls-check reads its two dumps at once (the server's on a worker thread), with the answer and the warnings of reading them one by one", () => {
  for (const [client, server] of [
    ["samples/client-productpage.json", "samples/modern-strict.json"],
    ["samples/client-productpage-1.4-v2.json", "samples/istio-1.3-permissive.json"],
  ]) {
    // --verbose: every note too (one says so when the thread failed and the scan ran here instead).
    const run = (extra: string[]) => spawnSync(process.execPath, [BIN, "tls-check", path.join(ROOT, client!), path.join(ROOT, server!), "-o", "json", "--verbose", ...extra], { encoding: "utf8" });
    const text = run([]);
    const streamed = run(["--stream-from", "1"]);
    assert.ok(text.status! <= 1, text.stderr);
    assert.is(streamed.status, text.status, streamed.stderr);
    assert.equal(JSON.parse(streamed.stdout), JSON.parse(text.stdout), `${client} → ${server}`);
    assert.is(streamed.stderr, text.stderr);
  }
});

test("cli: tls-check and diff report the warnings of their two dumps in the order given, read as text or streamed", () => {
  const full = fs.readFileSync(path.join(ROOT, "samples/modern-permissive.json"), "utf8");
  const one = path.join(TMP, "one-cut.json");
  const two = path.join(TMP, "two-cut.json");
  fs.writeFileSync(one, full.slice(0, Math.floor(full.length * 0.8)));
  fs.writeFileSync(two, full.slice(0, Math.floor(full.length * 0.9)));
  for (const cmd of ["tls-check", "diff"]) {
    for (const extra of [[], ["--stream-from", "1"]]) {
      for (const [a, b] of [[one, two], [two, one]]) {
        const r = spawnSync(process.execPath, [BIN, cmd, a!, b!, "-o", "json", ...extra], { encoding: "utf8" });
        assert.ok(r.status! <= 1, r.stderr);
        const files = r.stderr.split("\n").filter((l) => l.startsWith("warning:")).map((l) => (l.includes(one) ? "a" : l.includes(two) ? "b" : "?"));
        assert.ok(files.length >= 2, r.stderr);
        assert.is(files[0], a === one ? "a" : "b", `${cmd} ${extra.join(" ")}: ${r.stderr}`);
      }
    }
  }
});

test("openInput reads a FIFO: held in memory, spooled and read back as text, or spooled and streamed", async () => {
  const f = path.join(ROOT, "samples/real/osm/sample-envoy-config-dump-bookbuyer.json");
  const want = summary(loadFile(f)).resources.map((r) => r.name);
  const fifo = path.join(TMP, "fifo");
  assert.is(spawnSync("mkfifo", [fifo]).status, 0);
  for (const [opts, streamed] of [[{}, false], [{ inMemory: 1024 }, false], [{ inMemory: 1024, streamFrom: 4096 }, true]] as const) {
    const writer = spawn("sh", ["-c", 'cat "$0" > "$1"', f, fifo]);
    const closed = new Promise((r) => writer.on("close", r));
    const input = await openInput(fifo, opts);
    await closed;
    assert.is(input.streamed, streamed, JSON.stringify(opts));
    assert.equal(summary(input).resources.map((r) => r.name), want, JSON.stringify(opts));
  }
});

test("stdin past the ring of the threads that pump it (40 MB, more than its 32 MiB), through a pipe that pauses: the same answer as the file", () => {
  const f = path.join(TMP, "pumped.json");
  const gen = spawnSync(process.execPath, [path.join(ROOT, "scripts/gen-dump.mjs"), "--out", f, "--mb", "40"], { cwd: ROOT, encoding: "utf8" });
  assert.is(gen.status, 0, gen.stderr);
  const args = ["listeners", "--port", "10005", "-o", "json"];
  const fromFile = spawnSync(process.execPath, [BIN, ...args.slice(0, 1), f, ...args.slice(1)], { encoding: "utf8" });
  assert.is(fromFile.status, 0, fromFile.stderr);
  // Half, a pause (the pump hands over what came instead of waiting for a full slot), then the rest.
  const half = Math.floor(fs.statSync(f).size / 2);
  const script = `head -c ${half} "$0"; sleep 0.3; tail -c +${half + 1} "$0"`;
  const piped = spawnSync("sh", ["-c", `(${script}) | "$1" "$2" listeners - --port 10005 -o json --stream-from 1k`, f, process.execPath, BIN], { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.is(piped.status, 0, piped.stderr);
  assert.is(piped.stdout.replaceAll("<stdin>", f), fromFile.stdout.replaceAll(JSON.stringify(f).slice(1, -1), f));
  fs.rmSync(f);
});

test("cli: the same answer from a streamed file, stdin and gzip stdin as from the text reader", () => {
  const f = path.join(ROOT, "samples/modern-permissive.json");
  const args = ["--port", "9080", "-c", "curl-mtls", "-o", "json"];
  const run = (file: string, extra: string[], input?: Buffer) => spawnSync(process.execPath, [BIN, file, ...args, ...extra], { encoding: "utf8", ...(input ? { input } : {}) });
  const base = run(f, []);
  assert.is(base.status, 0, base.stderr);
  const results = (out: string) => JSON.stringify((JSON.parse(out) as { results: unknown }).results);
  for (const [label, r] of [
    ["file", run(f, ["--stream-from", "1k"])],
    ["stdin", run("-", ["--stream-from", "1k"], fs.readFileSync(f))],
    ["gzip stdin", run("-", ["--stream-from", "1k"], zlib.gzipSync(fs.readFileSync(f)))],
  ] as const) {
    assert.is(r.status, 0, `${label}: ${r.stderr}`);
    assert.is(results(r.stdout), results(base.stdout), label);
  }
  const noTmp = spawnSync(process.execPath, [BIN, "-", ...args, "--stream-from", "1k"], { encoding: "utf8", input: fs.readFileSync(f), env: { ...process.env, TMPDIR: path.join(TMP, "no-such-dir") } });
  assert.is(noTmp.status, 2, "a temporary directory that cannot take the spool is an input error, not a crash");
  assert.match(noTmp.stderr, /<stdin>: cannot copy the input to a temporary file in .*no-such-dir \(ENOENT\): set TMPDIR/);
  const md = spawnSync(process.execPath, [BIN, path.join(ROOT, "README.md"), ...args, "--stream-from", "1"], { encoding: "utf8" });
  assert.is(md.status, 2);
  assert.match(md.stderr, /README\.md:1:1: is not JSON \(expected \{ or \[ at the start of the input\): an input read as a stream \(past 512 MiB\) must be plain JSON/);
  const blank = path.join(TMP, "blank.json");
  fs.writeFileSync(blank, "  \n ");
  assert.match(spawnSync(process.execPath, [BIN, blank, ...args, "--stream-from", "1"], { encoding: "utf8" }).stderr, /blank\.json: is empty/);
  const over = run("-", ["--stream-from", "1k", "--max-size", "8k"], fs.readFileSync(f));
  assert.is(over.status, 2);
  assert.match(over.stderr, /<stdin>: goes on past the limit of 8 KiB/);
});

test.after(() => fs.rmSync(TMP, { recursive: true, force: true }));
test.run();
