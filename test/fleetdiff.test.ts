// The fleet diff (`diff DIR_BEFORE DIR_AFTER`): real dumps copied byte for byte into a before and an after
// folder, paired by proxy name, each pair diffed as diff does, the mesh-wide summary first.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { Ajv2020 } from "ajv/dist/2020.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadFile } from "../src/load/dump.js";
import { diffInputs } from "../src/analyses/diff.js";
import { commonFolder, diffFleet, fleetDiffFails, type FleetMember } from "../src/analyses/fleetdiff.js";
import { fleetDiffDocument } from "../src/documents.js";
import { renderDiff } from "../src/render/diff.js";
import { renderFleetDiff } from "../src/render/fleetdiff.js";
import { renderDocument, serialize } from "../src/render/output.js";
import { InputError } from "../src/diag.js";
import { OptionError } from "../src/analyses/options.js";

const root = path.resolve(import.meta.dirname, "..");
const S = (f: string) => path.join(root, "samples", f);
const C = (f: string) => path.join(root, "test/corpus/istio", f);

/** Real dumps and the proxy each names (pod.namespace from its bootstrap, else the file's stem). */
const REVIEWS_PERMISSIVE = S("modern-permissive.json"); // reviews-7c9d8f6b5-x2x9z.default, PERMISSIVE on 9080 and 3306
const REVIEWS_STRICT = S("modern-strict.json"); // the same proxy, STRICT
const WAYPOINT = C("head-compare-configdump.json"); // istioctl's compare testdata: no bootstrap, so named by file
const WAYPOINT_CHANGED = C("head-compare-configdump_diff.json"); // its `_diff` copy: port 9080 renamed 9999
const BOOKSTORE = S("real/osm/sample-envoy-config-dump-bookstore.json"); // OSM sidecar, named by file
const GATEWAY = S("gateway-mutual.json"); // istio-ingressgateway-5d9c8f6b5-abcde.istio-system
const RATINGS = S("diff/ratings-strict.json"); // ratings-7c9d8f6b5-x2x9z.default
const CLIENT = S("client-productpage.json"); // productpage-v1-6b746f74dc-9stvs.default, Istio 1.20
const CLIENT_V2 = S("client-productpage-1.4-v2.json"); // the same pod name, as an Istio 1.4 v2 dump

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fleetdiff-"));
let folders = 0;

/** A folder with these files copied in (name → source), byte for byte. */
function folder(files: Record<string, string>): string {
  const dir = path.join(tmp, `f${++folders}`);
  for (const [name, src] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.copyFileSync(src, path.join(dir, name));
  }
  return dir;
}

/** The dumps of a folder (sub-folders too), in name order, as the command line lists them; `reads` counts each file's reads. */
function members(dir: string, reads = new Map<string, number>()): FleetMember[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out.map((file) => ({
    file,
    load: async () => {
      reads.set(file, (reads.get(file) ?? 0) + 1);
      return loadFile(file);
    },
  }));
}

const kept = (changes: { kind: string; name: string; path: string; change: string; meaning: string }[]) => changes.map(({ kind, name, path: p, change, meaning }) => ({ kind, name, path: p, change, meaning }));

// before: reviews PERMISSIVE, the waypoint, the OSM bookstore and the gateway; after: reviews STRICT (under
// another file name), the waypoint's changed copy, the same bookstore, no gateway, and ratings.
const fleet = () => {
  const before = folder({ "reviews-permissive.json": REVIEWS_PERMISSIVE, "waypoint.json": WAYPOINT, "bookstore.json": BOOKSTORE, "gateway.json": GATEWAY });
  const after = folder({ "reviews-strict.json": REVIEWS_STRICT, "waypoint.json": WAYPOINT_CHANGED, "bookstore.json": BOOKSTORE, "ratings.json": RATINGS });
  return { before, after };
};

test("real dumps: paired by proxy name (not file name), counted, added and removed; each changed proxy's diff is diffInputs on its pair", async () => {
  const { before, after } = fleet();
  const r = await diffFleet(members(before), members(after), { impact: true });
  assert.equal(r.counts, { compared: 3, changed: 2, unchanged: 1, added: 1, removed: 1 });
  assert.equal(
    r.proxies.map((p) => [p.proxy, p.status, p.by, p.before && path.relative(tmp, p.before), p.after && path.relative(tmp, p.after)]),
    [
      ["bookstore", "unchanged", "name", path.relative(tmp, path.join(before, "bookstore.json")), path.relative(tmp, path.join(after, "bookstore.json"))],
      ["istio-ingressgateway-5d9c8f6b5-abcde.istio-system", "removed", "name", path.relative(tmp, path.join(before, "gateway.json")), undefined],
      ["ratings-7c9d8f6b5-x2x9z.default", "added", "name", undefined, path.relative(tmp, path.join(after, "ratings.json"))],
      // Different file names, one proxy: paired by the name its bootstrap gives.
      ["reviews-7c9d8f6b5-x2x9z.default", "changed", "name", path.relative(tmp, path.join(before, "reviews-permissive.json")), path.relative(tmp, path.join(after, "reviews-strict.json"))],
      ["waypoint", "changed", "name", path.relative(tmp, path.join(before, "waypoint.json")), path.relative(tmp, path.join(after, "waypoint.json"))],
    ],
  );
  assert.is(r.before, `${before}${path.sep}`);
  assert.is(r.after, `${after}${path.sep}`);
  // The unchanged proxy carries no diff; the added and removed ones neither.
  for (const p of r.proxies.filter((x) => x.status !== "changed")) assert.not.ok("changes" in p || "summary" in p || "impact" in p, p.proxy);
  // Each changed proxy: diff's own report on that pair (its changes without the values before and after).
  for (const p of r.proxies.filter((x) => x.status === "changed")) {
    const d = diffInputs(loadFile(p.before!), loadFile(p.after!), { impact: true });
    assert.equal(p.changes, kept(d.changes), p.proxy);
    assert.equal(p.summary, d.summary, p.proxy);
    assert.equal(p.impact, d.impact, p.proxy);
    assert.ok(p.changes!.length > 0, p.proxy);
    for (const c of p.changes!) assert.not.ok("before" in c || "after" in c, "no resource values kept");
  }
  // The mode change surfaces in the fleet summary, as the proxy's own diff says it.
  assert.equal(r.modeChanges, [
    { proxy: "reviews-7c9d8f6b5-x2x9z.default", port: 3306, before: "PERMISSIVE", after: "STRICT" },
    { proxy: "reviews-7c9d8f6b5-x2x9z.default", port: 9080, before: "PERMISSIVE", after: "STRICT" },
  ]);
  const reviews = r.proxies.find((p) => p.proxy === "reviews-7c9d8f6b5-x2x9z.default")!;
  assert.equal(reviews.summary, r.modeChanges.map((m) => `port ${m.port}: ${m.before} → ${m.after}`));
  // The waypoint's real change (9080 → 9999 in a cluster, a route and a stat prefix) is no mode change.
  const waypoint = r.proxies.find((p) => p.proxy === "waypoint")!;
  assert.equal(waypoint.summary, []);
  assert.ok(waypoint.changes!.some((c) => c.kind === "cluster" && c.name.includes("9999") && c.change === "added"));
  // Impact: the connections whose outcome changed, and where.
  assert.ok(reviews.impact!.length > 0);
  assert.equal(r.impact, { connections: reviews.impact!.length + waypoint.impact!.length, proxies: ["reviews-7c9d8f6b5-x2x9z.default"] });
  assert.equal(r.collisions, []);
  assert.equal(r.failed, []);
  // Without --impact: no impact anywhere.
  const plain = await diffFleet(members(before), members(after));
  assert.is(plain.impact, undefined);
  assert.ok(plain.proxies.every((p) => p.impact === undefined));
  assert.equal(plain.modeChanges, r.modeChanges);
});

test("each dump is read once when the file names match across the folders; only a pair joined by name across different file names is read again", async () => {
  const { before, after } = fleet();
  const reads = new Map<string, number>();
  const progress: [number, number][] = [];
  await diffFleet(members(before, reads), members(after, reads), { onProgress: (done, total) => progress.push([done, total]) });
  const byName = Object.fromEntries([...reads].map(([f, n]) => [path.relative(tmp, f), n]));
  assert.equal(byName, {
    [path.relative(tmp, path.join(before, "bookstore.json"))]: 1,
    [path.relative(tmp, path.join(before, "gateway.json"))]: 1,
    [path.relative(tmp, path.join(before, "reviews-permissive.json"))]: 2,
    [path.relative(tmp, path.join(before, "waypoint.json"))]: 1,
    [path.relative(tmp, path.join(after, "bookstore.json"))]: 1,
    [path.relative(tmp, path.join(after, "ratings.json"))]: 1,
    [path.relative(tmp, path.join(after, "reviews-strict.json"))]: 2,
    [path.relative(tmp, path.join(after, "waypoint.json"))]: 1,
  });
  // Progress: one call per read, done counting up to a total that grows by the pair read again.
  assert.equal(progress.map(([d]) => d), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.is(progress[0]![1], 8);
  assert.is(progress[progress.length - 1]![1], 10);
});

test("at most one pair of dumps is alive at a time (a child process with --expose-gc counts the dumps not yet collected at each read)", () => {
  const files = [REVIEWS_PERMISSIVE, GATEWAY, CLIENT, S("istio-1.3-permissive.json"), RATINGS, S("istio-1.1-strict.json")];
  const script = `
    const { diffFleet } = await import(${JSON.stringify(path.join(root, "src/analyses/fleetdiff.ts"))});
    const { loadFile } = await import(${JSON.stringify(path.join(root, "src/load/dump.ts"))});
    const files = ${JSON.stringify(files)};
    const refs = [];
    let most = 0;
    // Half the after side under other file names: those pairs are read twice (names first, then the pair).
    const side = (name) => files.map((f, i) => ({
      file: "/fleet/" + name + "/" + (name === "after" && i % 2 ? "renamed-" : "") + i + ".json",
      load: async () => {
        // A new macrotask: WeakRefs read in this one keep their targets alive until it ends.
        await new Promise((r) => setImmediate(r));
        globalThis.gc();
        most = Math.max(most, refs.filter((r) => r.deref() !== undefined).length);
        const input = loadFile(f);
        refs.push(new WeakRef(input));
        return input;
      },
    }));
    const r = await diffFleet(side("before"), side("after"), { impact: true });
    console.log(JSON.stringify({ most, reads: refs.length, counts: r.counts }));
  `;
  const run = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  assert.is(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { most: number; reads: number; counts: { compared: number } };
  assert.is(out.counts.compared, files.length);
  assert.is(out.reads, files.length * 2 + (files.length / 2) * 2);
  // When the second dump of a pair is read, the first is alive; no other.
  assert.ok(out.most <= 1, `${out.most} dumps alive at a read`);
});

test("a name two dumps of one side give is reported with both files, and those proxies are paired by file stem", async () => {
  // Two dumps of the same pod (Istio 1.20 and a 1.4 v2 dump of productpage-v1-6b746f74dc-9stvs) in each
  // folder: the 1.4 one upgraded in the after folder. And one proxy with a name of its own.
  const before = folder({ "productpage-now.json": CLIENT, "productpage-old.json": CLIENT_V2, "reviews.json": REVIEWS_PERMISSIVE });
  const after = folder({ "productpage-now.json": CLIENT, "productpage-old.json": CLIENT, "reviews.json": REVIEWS_PERMISSIVE });
  const r = await diffFleet(members(before), members(after));
  assert.equal(r.collisions, [
    { side: "before", name: "productpage-v1-6b746f74dc-9stvs.default", files: [path.join(before, "productpage-now.json"), path.join(before, "productpage-old.json")] },
    { side: "after", name: "productpage-v1-6b746f74dc-9stvs.default", files: [path.join(after, "productpage-now.json"), path.join(after, "productpage-old.json")] },
  ]);
  assert.equal(
    r.proxies.map((p) => [p.proxy, p.by, p.status, p.names]),
    [
      ["productpage-now", "file", "unchanged", { before: "productpage-v1-6b746f74dc-9stvs.default", after: "productpage-v1-6b746f74dc-9stvs.default" }],
      ["productpage-old", "file", "changed", { before: "productpage-v1-6b746f74dc-9stvs.default", after: "productpage-v1-6b746f74dc-9stvs.default" }],
      ["reviews-7c9d8f6b5-x2x9z.default", "name", "unchanged", undefined],
    ],
  );
  const old = r.proxies.find((p) => p.proxy === "productpage-old")!;
  assert.equal(old.changes, kept(diffInputs(loadFile(CLIENT_V2), loadFile(CLIENT)).changes));
  assert.equal(r.counts, { compared: 3, changed: 1, unchanged: 2, added: 0, removed: 0 });

  // The name given twice on one side only: the other side's dump of that name is paired by its stem too.
  const once = folder({ "productpage-old.json": CLIENT });
  const r2 = await diffFleet(members(before), members(once));
  assert.equal(r2.collisions.map((c) => c.side), ["before"]);
  assert.equal(
    r2.proxies.map((p) => [p.proxy, p.by, p.status]),
    [
      ["productpage-now", "file", "removed"],
      ["productpage-old", "file", "changed"],
      ["reviews-7c9d8f6b5-x2x9z.default", "name", "removed"],
    ],
  );

  // The stem shared too (one file name in two sub-folders): paired by the path below the folder.
  const b3 = folder({ "v1/productpage.json": CLIENT_V2, "v2/productpage.json": CLIENT });
  const a3 = folder({ "v1/productpage.json": CLIENT, "v2/productpage.json": CLIENT });
  const r3 = await diffFleet(members(b3), members(a3));
  assert.equal(
    r3.proxies.map((p) => [p.proxy, p.by, p.status]),
    [
      [path.join("v1", "productpage.json"), "file", "changed"],
      [path.join("v2", "productpage.json"), "file", "unchanged"],
    ],
  );
});

test("a dump that cannot be read (ztunnel's config dump in the folder) is listed; the others are diffed", async () => {
  const before = folder({ "reviews.json": REVIEWS_PERMISSIVE, "ztunnel.json": S("real/inputs/ztunnel-config-dump.json") });
  const after = folder({ "reviews.json": REVIEWS_STRICT, "ztunnel.json": S("real/inputs/ztunnel-config-dump.json") });
  const r = await diffFleet(members(before), members(after));
  assert.equal(r.failed.map((f) => [f.side, f.file]), [
    ["before", path.join(before, "ztunnel.json")],
    ["after", path.join(after, "ztunnel.json")],
  ]);
  assert.match(r.failed[0]!.message, /ztunnel/);
  assert.ok(r.failed[0]!.message.startsWith(path.join(before, "ztunnel.json")), "the message names the file");
  assert.equal(r.counts, { compared: 1, changed: 1, unchanged: 0, added: 0, removed: 0 });
  // Anything else (a bug) stops it.
  const broken: FleetMember = { file: "x.json", load: () => Promise.reject(new TypeError("a bug")) };
  try {
    await diffFleet([broken], []);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, TypeError);
  }
});

test("options and members are checked before any dump is read, in the library's words", async () => {
  const reads = new Map<string, number>();
  const { before, after } = fleet();
  for (const [o, word] of [
    [{ impact: "yes" }, /impact/],
    [{ ignore: 3 }, /ignore/],
    [{ onProgress: 5 }, /onProgress must be a function/],
  ] as const) {
    try {
      await diffFleet(members(before, reads), members(after, reads), o as never);
      assert.unreachable();
    } catch (e) {
      assert.instance(e, OptionError);
      assert.match((e as Error).message, word);
    }
  }
  try {
    await diffFleet(members(before, reads), [{ file: "x.json" }] as never);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, InputError);
    assert.match((e as Error).message, /after\[0\]/);
  }
  assert.is(reads.size, 0, "nothing read");
});

test("fleetDiffFails: --fail-on any (a proxy changed, added or removed), mode (a port's mode changed), impact (a connection's outcome changed)", async () => {
  const { before, after } = fleet();
  const r = await diffFleet(members(before), members(after), { impact: true });
  assert.ok(fleetDiffFails(r, "any"));
  assert.ok(fleetDiffFails(r, "mode"));
  assert.ok(fleetDiffFails(r, "impact"));
  // Only the waypoint's real change: a change, but no mode change and no connection's outcome.
  const wb = folder({ "waypoint.json": WAYPOINT, "bookstore.json": BOOKSTORE });
  const wa = folder({ "waypoint.json": WAYPOINT_CHANGED, "bookstore.json": BOOKSTORE });
  const w = await diffFleet(members(wb), members(wa), { impact: true });
  assert.ok(fleetDiffFails(w, "any"));
  assert.not.ok(fleetDiffFails(w, "mode"));
  assert.not.ok(fleetDiffFails(w, "impact"));
  // Only a proxy added: a change to the fleet.
  const added = await diffFleet(members(folder({ "bookstore.json": BOOKSTORE })), members(wb));
  assert.equal(added.counts, { compared: 1, changed: 0, unchanged: 1, added: 1, removed: 0 });
  assert.ok(fleetDiffFails(added, "any"));
  assert.not.ok(fleetDiffFails(added, "mode"));
  // The same fleet on both sides: nothing.
  const same = await diffFleet(members(wb), members(wb), { impact: true });
  assert.equal(same.counts, { compared: 2, changed: 0, unchanged: 2, added: 0, removed: 0 });
  assert.not.ok(fleetDiffFails(same));
});

test("text: the fleet summary first, then each changed proxy as diff prints its pair; unchanged proxies counted, listed only in JSON", async () => {
  const { before, after } = fleet();
  const doc = await fleetDiffDocument(members(before), members(after), { impact: true });
  const text = renderDocument(doc, "table", renderFleetDiff);
  const at = (s: string) => {
    const i = text.indexOf(s);
    assert.ok(i >= 0, `${s} in the text`);
    return i;
  };
  assert.ok(text.startsWith(`fleet diff: ${before}${path.sep} → ${after}${path.sep}\n  3 proxies compared: 2 changed, 1 unchanged\n  1 added, 1 removed\n`), text.slice(0, 300));
  const order = [at("inbound ports whose mTLS mode changed"), at("4 connections changed outcome, on 1 proxy: reviews-7c9d8f6b5-x2x9z.default"), at("\nadded (1)"), at("\nremoved (1)"), at("\nproxy reviews-7c9d8f6b5-x2x9z.default: "), at("\nproxy waypoint: ")];
  assert.equal(order, [...order].sort((x, y) => x - y));
  assert.match(text, /reviews-7c9d8f6b5-x2x9z\.default +9080 +PERMISSIVE +STRICT/);
  assert.not.match(text, /bookstore/);
  // Each proxy's section is renderDiff's report on that pair, under a heading naming the proxy.
  for (const p of doc.proxies.filter((x) => x.status === "changed")) {
    const own = renderDiff(diffInputs(loadFile(p.before!), loadFile(p.after!), { impact: true }), "table");
    const body = own.slice(own.indexOf("\n") + 1);
    const heading = `\nproxy ${p.proxy}: ${p.before} → ${p.after}\n`;
    const start = at(heading) + heading.length;
    const next = text.indexOf("\n\nproxy ", start);
    assert.is(text.slice(start, next < 0 ? undefined : next), body, p.proxy);
  }
  // JSON and YAML: the document, unchanged proxies too, valid against its schema.
  const json = JSON.parse(serialize(doc, "json")) as typeof doc;
  assert.ok(json.proxies.some((p) => p.proxy === "bookstore" && p.status === "unchanged"));
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(root, "schema/fleet-diff.json"), "utf8")));
  assert.ok(validate(json), ajv.errorsText(validate.errors));
  assert.not.ok(validate({ ...json, proxies: [{ ...json.proxies[0], status: "maybe" }] }), "an unknown status");
  assert.equal(JSON.parse(JSON.stringify((await import("yaml")).parse(serialize(doc, "yaml")))), json);
});

test("markdown: a heading per changed proxy; names from dumps and files escaped, never cut", async () => {
  // The waypoint's real pair under a hostile file name (it has no bootstrap, so the file's stem is its name).
  const evil = "way|point*_[x](y)`<b>\u202e\nnext";
  const before = folder({ [`${evil}.json`]: WAYPOINT, "reviews.json": REVIEWS_PERMISSIVE });
  const after = folder({ [`${evil}.json`]: WAYPOINT_CHANGED, "reviews.json": REVIEWS_STRICT });
  const doc = await fleetDiffDocument(members(before), members(after));
  assert.ok(doc.proxies.some((p) => p.proxy === evil && p.status === "changed"), JSON.stringify(doc.proxies.map((p) => [p.proxy, p.status])));
  const md = renderDocument(doc, "markdown", renderFleetDiff);
  const headings = md.split("\n").filter((l) => l.startsWith("## "));
  assert.is(headings.length, 3, headings.join("\n"));
  assert.ok(headings[0]!.startsWith("## fleet diff: "));
  assert.is(headings[1], "## reviews-7c9d8f6b5-x2x9z.default");
  // One line, every character there (escaped), nothing markdown acts on.
  assert.is(headings[2], "## way\\|point\\*\\_\\[x\\](y)\\`\\<b\\>\\\\u202e\\\\nnext");
  assert.not.ok(md.includes("\u202e"));
  assert.not.ok(/^next/m.test(md), "the name's line break is no line");
  // The text: the line break and the bidi override shown as escapes, not acted on.
  const text = renderDocument(doc, "table", renderFleetDiff);
  assert.ok(text.includes("proxy way|point*_[x](y)`<b>\\u202e\\nnext: "), text);
  assert.not.ok(text.includes("\u202e"));
});

test("commonFolder: the folder the files share, the file for one, nothing for none", () => {
  assert.is(commonFolder(["a/b/x.json", "a/b/y.json"]), "a/b/");
  assert.is(commonFolder(["a/bx/x.json", "a/by/y.json"]), "a/");
  assert.is(commonFolder(["x.json", "y.json"]), "");
  assert.is(commonFolder(["a/b/x.json"]), "a/b/x.json");
  assert.is(commonFolder([]), "");
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.run();
