// locate(): where a JSON path is in the input's text, tried on the real dumps: every value located
// must be the value at that path (its first character, and for a string the string itself), in JSON,
// YAML, gzip, dumps pasted into pages, and streamed inputs, with keys in either spelling.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { KEEP_TEXT_CHARS, loadBytes, loadFile, loadScanned, loadText, RESOURCE_KINDS, type LoadedInput, type ResourceRecord } from "../src/load/dump.js";
import { openInput } from "../src/load/open.js";
import { SpanReader } from "../src/load/scan.js";
import { pathSegments } from "../src/load/locate.js";
import { childPath } from "../src/diag.js";
import { ISTIO_IO_ROUTES_PAGE } from "./support/pasted.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const SAMPLES = path.join(ROOT, "samples");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-locate-test-"));

const JSON_SAMPLES = fs.readdirSync(SAMPLES).filter((f) => f.endsWith(".json")).map((f) => path.join(SAMPLES, f));

function allResources(input: LoadedInput): ResourceRecord[] {
  return RESOURCE_KINDS.flatMap((k) => input.resources[k]);
}

/** Where each line of a text starts (the last text's, kept: the tests ask many positions of one text). */
let lineStartsOf: { text: string; starts: number[] } | undefined;
function offset(text: string, p: { line: number; column: number }): number {
  if (lineStartsOf?.text !== text) {
    const starts = [0];
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    lineStartsOf = { text, starts };
  }
  return lineStartsOf.starts[p.line - 1]! + p.column - 1;
}

/** The text from a 1-based line and column on (the next 2,000 characters). */
function at(text: string, p: { line: number; column: number }): string {
  const o = offset(text, p);
  return text.slice(o, o + 2000);
}

/** The JSON value whose text starts at a position (its end found by its brackets). */
function valueAt(text: string, p: { line: number; column: number }): unknown {
  const start = offset(text, p);
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "{" || c === "[") depth++;
    else if ((c === "}" || c === "]") && --depth === 0) return JSON.parse(text.slice(start, i + 1));
  }
  return undefined;
}

/** The lines around a position: the located line and the few after it (a resource's name comes soon after its "{"). */
function near(text: string, p: { line: number; column: number }, after = 6): string {
  const o = offset(text, { line: p.line, column: 1 });
  const end = offset(text, { line: Math.min(p.line + after + 1, lineStartsOf!.starts.length), column: 1 });
  return text.slice(o, end > o ? end : undefined);
}

/** The name a resource's text spells (listeners without one are named by their address). */
function writtenName(r: ResourceRecord): string | undefined {
  const raw = r.raw as Record<string, unknown>;
  const n = raw.name ?? raw.cluster_name ?? raw.clusterName;
  return typeof n === "string" ? n : undefined;
}

/** Every path in a JSON value (up to `max`), with its value, walked with an explicit stack. */
function valuePaths(v: unknown, max: number): { path: string; value: unknown }[] {
  const out: { path: string; value: unknown }[] = [];
  const stack: { path: string; value: unknown }[] = [{ path: "$", value: v }];
  while (stack.length && out.length < max) {
    const e = stack.pop()!;
    out.push(e);
    if (Array.isArray(e.value)) e.value.forEach((x, i) => stack.push({ path: childPath(e.path, i), value: x }));
    else if (e.value && typeof e.value === "object") for (const [k, x] of Object.entries(e.value)) stack.push({ path: childPath(e.path, k), value: x });
  }
  return out;
}

/** The text at a located position starts the value: "{" an object, "[" a list, a string itself, a number's digits. */
function startsValue(rest: string, value: unknown): boolean {
  if (Array.isArray(value)) return rest.startsWith("[");
  if (value && typeof value === "object") return rest.startsWith("{");
  return rest.startsWith(JSON.stringify(value)) || (typeof value === "number" && Number(/^-?[\d.eE+-]+/.exec(rest)?.[0]) === value);
}

test("paths as childPath spells them, keys in canonical form", () => {
  assert.equal(pathSegments("$.configs[2].dynamic_listeners[0].activeState.listener"), ["configs", 2, "dynamiclisteners", 0, "activestate", "listener"]);
  assert.equal(pathSegments('$.xds["default/eg"].configs[0]["@type"]'), ["xds", "default/eg", "configs", 0, "@type"]);
  assert.equal(pathSegments('$["a\\"]b"]'), ['a"]b']);
  assert.equal(pathSegments("$"), []);
  assert.is(pathSegments("configs[0]"), undefined);
  assert.is(pathSegments("$.configs[x]"), undefined);
});

test("JSON samples: every resource is located at its '{', its name in the lines after", () => {
  let checked = 0;
  for (const file of JSON_SAMPLES) {
    const text = fs.readFileSync(file, "utf8");
    const input = loadFile(file);
    const recs = allResources(input);
    const located = input.locateAll(recs.map((r) => r.path));
    for (const r of recs) {
      const p = located.get(r.path);
      assert.ok(p, `${path.basename(file)}: ${r.path} located`);
      assert.ok(at(text, p!).startsWith("{"), `${path.basename(file)}: ${r.path} at a "{"`);
      const name = writtenName(r);
      if (name && r.kind !== "bootstrap") {
        assert.ok(near(text, p!, 12).includes(`"name": ${JSON.stringify(name)}`) || near(text, p!, 12).includes(`"cluster_name": ${JSON.stringify(name)}`), `${path.basename(file)}: ${r.name} near line ${p!.line}`);
        checked++;
      }
      // One path alone gives what the batch gave.
      assert.equal(input.locate(r.path), p);
    }
  }
  assert.ok(checked > 300, `${checked} names checked`);
});

test("JSON samples: every value at every path is located at its first character (strings: the string itself)", () => {
  for (const file of JSON_SAMPLES) {
    const text = fs.readFileSync(file, "utf8");
    const input = loadFile(file);
    const all = valuePaths(JSON.parse(text), 5000);
    const located = input.locateAll(all.map((e) => e.path));
    for (const e of all) {
      const p = located.get(e.path);
      assert.ok(p, `${path.basename(file)}: ${e.path} located`);
      assert.ok(startsValue(at(text, p!), e.value), `${path.basename(file)}: ${e.path} at ${p!.line}:${p!.column}: ${at(text, p!).slice(0, 40)}`);
    }
  }
});

test("virtualInbound: camelCase inner paths in a snake_case file, and the deepest prefix of a path that is not there", () => {
  const file = path.join(SAMPLES, "modern-permissive.json");
  const text = fs.readFileSync(file, "utf8");
  const input = loadFile(file);
  const rec = input.byName("listener", "virtualInbound")!;
  assert.match(rec.path, /\.dynamic_listeners\[\d+\]\.active_state\.listener$/, "a resource's path spells keys as the file does");
  const p = input.locate(rec.path)!;
  assert.ok(near(text, p).includes('"name": "virtualInbound"'), near(text, p));
  const camel = rec.path.replace("dynamic_listeners", "dynamicListeners").replace("active_state", "activeState");
  assert.equal(input.locate(camel), p, "either spelling");
  const chains = (rec.raw as { filter_chains: { filter_chain_match?: unknown }[] }).filter_chains;
  assert.ok(chains.length > 3);
  const third = input.locate(`${camel}.filterChains[3]`)!;
  assert.equal(third, input.locate(`${rec.path}.filter_chains[3]`));
  assert.ok(third.line > p.line);
  assert.ok(at(text, third).startsWith("{"));
  // The text there is the fourth chain, whole.
  assert.equal(valueAt(text, third), chains[3]);
  // Not there: the deepest prefix that is (the list of chains), and nothing for a path that is no path.
  const list = input.locate(`${camel}.filterChains`)!;
  assert.ok(at(text, list).startsWith("["));
  assert.equal(input.locate(`${camel}.filterChains[9999].filters[0]`), list);
  assert.equal(input.locate(`${camel}.noSuchField.deeper`), p);
  assert.is(input.locate("not a path"), undefined);
  // A batch with paths found and not found, and the same path twice.
  const m = input.locateAll([rec.path, rec.path, `${camel}.filterChains[3]`, "nonsense"]);
  assert.equal([...m.keys()].sort(), [rec.path, `${camel}.filterChains[3]`].sort());
});

test("gzip: lines are those of the inflated text (what zcat shows)", () => {
  const file = path.join(SAMPLES, "real/istio/deathstarbench-geo-1.18.2.config_dump.json.gz");
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8");
  const input = loadFile(file);
  const recs = input.clusters.concat(input.listeners, input.routes);
  assert.ok(recs.length > 100);
  const located = input.locateAll(recs.map((r) => r.path));
  let named = 0;
  for (const r of recs) {
    const p = located.get(r.path)!;
    assert.ok(at(text, p).startsWith("{"), r.path);
    const name = writtenName(r);
    if (name) {
      assert.ok(near(text, p, 10).includes(`"name": ${JSON.stringify(name)}`), `${r.name} near line ${p.line}`);
      named++;
    }
  }
  assert.ok(named > 100);
});

test("YAML: resources located at their node, keys in either spelling, several documents read as one list", () => {
  const files = ["envoy-examples/tls-sni-envoy.yaml", "envoy/internal_listener_proxy.yaml", "kuma/transparent-proxy-02.envoy.golden.yaml", "cilium/basic_tls_sni_listener.cec-output.yaml", "envoy-gateway/xds-ir-gateway-tls-frontend.routes.yaml"];
  let named = 0;
  for (const f of files) {
    const file = path.join(SAMPLES, "real", f);
    const text = fs.readFileSync(file, "utf8");
    const input = loadFile(file);
    assert.is(input.syntax, "yaml");
    const recs = allResources(input);
    const located = input.locateAll(recs.map((r) => r.path));
    for (const r of recs) {
      const p = located.get(r.path);
      assert.ok(p, `${f}: ${r.path}`);
      const name = writtenName(r);
      // A block mapping is located at its first key; its name is among its keys.
      if (name && r.kind !== "bootstrap") {
        const lines = text.split("\n");
        const indent = p!.column - 1;
        const own = [lines[p!.line - 1]!.slice(indent)];
        for (let l = p!.line; l < lines.length && (lines[l]!.slice(0, indent).trim() === "" && !/^\s*$/.test(lines[l]!) ? lines[l]!.length - lines[l]!.trimStart().length >= indent : false); l++) own.push(lines[l]!.slice(indent));
        assert.ok(own.some((l) => /^(?:- )?name: /.test(l) && l.includes(name)), `${f}: ${r.name} at ${p!.line}:${p!.column}`);
        named++;
      }
    }
  }
  assert.ok(named >= 10, `${named}`);
  // snake_case file, camelCase path.
  const file = path.join(SAMPLES, "real/envoy-examples/tls-sni-envoy.yaml");
  const text = fs.readFileSync(file, "utf8");
  const input = loadFile(file);
  const l = input.listeners[0]!;
  const chain = input.locate(`${l.path.replace("static_resources", "staticResources")}.filterChains[1].filterChainMatch.serverNames[0]`)!;
  const chains = (l.raw as { filter_chains: { filter_chain_match: { server_names: string[] } }[] }).filter_chains;
  assert.ok(at(text, chain).startsWith(chains[1]!.filter_chain_match.server_names[0]!) || at(text, chain).startsWith(JSON.stringify(chains[1]!.filter_chain_match.server_names[0]!)), at(text, chain).slice(0, 40));
  // Several documents: $[i] is the i-th of them all.
  const multi = "---\nname: a\nvirtual_hosts: []\n---\n- name: b\n  virtual_hosts: []\n- name: c\n  virtual_hosts: []\n";
  const m = loadText(multi, "multi.yaml");
  assert.equal(m.routes.map((r) => [r.name, r.path]), [["a", "$[0]"], ["b", "$[1]"], ["c", "$[2]"]]);
  assert.equal(m.locateAll(m.routes.map((r) => r.path)), new Map([["$[0]", { line: 2, column: 1 }], ["$[1]", { line: 5, column: 3 }], ["$[2]", { line: 7, column: 3 }]]));
});

test("a dump pasted into a bug report: lines of the whole page, through comments, ...snip... and fences", () => {
  const body = fs.readFileSync(path.join(SAMPLES, "gateway-mutual.json"), "utf8");
  const pasted = `Here is my config dump (proxy on 1.20):\n\`\`\`json\n${body.replace('"dynamic_listeners": [', '"dynamic_listeners": [ // the two listeners\n').replace(/\n( *)"last_updated"/, '\n$1...snip...\n$1"last_updated"').replace(/}\n ]\n}\n?$/, "},\n ]\n}")}\`\`\`\nThanks!`;
  const input = loadText(pasted, "issue.md");
  assert.is(input.syntax, "json-repaired");
  const plain = loadText(body, "dump.json");
  const recs = allResources(input);
  assert.ok(recs.length >= 5);
  const located = input.locateAll(recs.map((r) => r.path));
  for (const r of recs) {
    const p = located.get(r.path)!;
    assert.ok(at(pasted, p).startsWith("{"), r.path);
    if (r.kind !== "bootstrap") assert.ok(near(pasted, p).includes(`"name": ${JSON.stringify(r.name)}`), `${r.name} at ${p.line}`);
    // The page's lines: the dump's own, two lines further down (the text and the fence), and more after the comment.
    const own = plain.locate(r.path)!;
    assert.ok(p.line >= own.line + 2, `${r.path}: ${p.line} vs ${own.line}`);
  }
  // The same page with HTML escapes (a dump copied from a web page): the lines as written, and columns on them.
  const html = "<p>dump:</p>\n<pre>\n" + body.replace(/\[/g, "&#91;").replace(/"/g, "&quot;") + "</pre>\n";
  const h = loadText(html, "page.html");
  assert.ok(h.listeners.length >= 2);
  for (const r of h.listeners) {
    const p = h.locate(r.path)!;
    assert.ok(at(html, p).startsWith("{"), `${r.path} at ${p.line}:${p.column}: ${at(html, p).slice(0, 30)}`);
    assert.ok(near(html, p).includes(`&quot;name&quot;: &quot;${r.name}&quot;`));
  }
});

test("istio.io's page (a Hugo shortcode, a command line, a route configuration cut with \"...\"): located in the page", () => {
  const pasted = ISTIO_IO_ROUTES_PAGE;
  const input = loadText(pasted, "proxy-cmd.md");
  const r = input.routes[0]!;
  assert.is(r.path, "$[0]");
  assert.equal(input.locate(r.path), { line: 4, column: 9 });
  const cluster = input.locate("$[0].virtualHosts[0].routes[0].route.cluster")!;
  assert.is(cluster.line, 11);
  assert.is(cluster.column, pasted.split("\n")[10]!.indexOf('"outbound|9080') + 1);
  assert.ok(at(pasted, input.locate("$[0].virtual_hosts[0].domains[2]")!).startsWith('"reviews:9080"'));
  // Cut off: the deepest prefix that is there.
  assert.equal(input.locate("$[0].virtualHosts[1].name"), { line: 6, column: 29 });
});

test("streamed: resources and paths inside them located as the text reader locates them; the skeleton around them too", () => {
  const files = [...JSON_SAMPLES, path.join(SAMPLES, "real/osm/sample-envoy-config-dump-bookstore.json"), path.join(SAMPLES, "real/emissary/clientcertificateauthentication.econf.json")];
  let compared = 0;
  for (const file of files) {
    const text = loadFile(file);
    const fd = fs.openSync(file, "r");
    const streamed = loadScanned(new SpanReader(fd, fs.fstatSync(fd).size), file, { assembleAbove: 64 });
    try {
      assert.ok(streamed.streamed);
      const recs = allResources(text);
      const paths = [...recs.map((r) => r.path), ...text.listeners.map((r) => `${r.path}.filterChains[0].filters[0]`), "$.configs[0]", "$.configs[1].nope"];
      const a = text.locateAll(paths);
      const b = streamed.locateAll(paths);
      for (const p of paths) {
        if (!a.has(p)) continue;
        assert.equal(b.get(p), a.get(p), `${path.basename(file)}: ${p}`);
        compared++;
      }
    } finally {
      streamed.close();
    }
    assert.is(streamed.locate(text.listeners[0]?.path ?? "$"), undefined, "closed: nothing to read from");
  }
  assert.ok(compared > 500, `${compared}`);
});

test("streamed through openInput (a gzip inflated to a spool): lines of the inflated text", async () => {
  const file = path.join(SAMPLES, "real/istio/deathstarbench-geo-1.18.2.config_dump.json.gz");
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8");
  const input = await openInput(file, { streamFrom: 1024, assembleAbove: 4096 });
  try {
    assert.ok(input.streamed);
    const recs = input.clusters.slice(0, 50).concat(input.listeners);
    const located = input.locateAll(recs.map((r) => r.path));
    for (const r of recs) {
      const p = located.get(r.path)!;
      assert.ok(p, r.path);
      assert.ok(at(text, p).startsWith("{"), r.path);
      const name = writtenName(r);
      if (name) assert.ok(near(text, p, 10).includes(`"name": ${JSON.stringify(name)}`), `${r.name} near ${p.line}`);
    }
  } finally {
    input.close();
  }
});

test("a large file is read again when located, not kept; a file changed meanwhile gives nothing", () => {
  const body = fs.readFileSync(path.join(SAMPLES, "modern-strict.json"), "utf8");
  const big = body.replace(/\n}\s*$/, `\n${" ".repeat(KEEP_TEXT_CHARS + 10)}}\n`);
  const file = path.join(TMP, "big.json");
  fs.writeFileSync(file, big);
  const input = loadFile(file);
  const r = input.byName("listener", "virtualInbound")!;
  const p = input.locate(r.path)!;
  assert.ok(near(big, p).includes('"name": "virtualInbound"'));
  // Bytes given to loadBytes are kept in place of their large text.
  const fromBytes = loadBytes(zlib.gzipSync(Buffer.from(big)), "big.json.gz");
  assert.equal(fromBytes.locate(r.path), p);
  fs.writeFileSync(file, big + " ");
  assert.is(input.locate(r.path), undefined);
});

test.after(() => fs.rmSync(TMP, { recursive: true, force: true }));

test.run();
