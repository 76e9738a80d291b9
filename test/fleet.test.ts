// The fleet commands (`tls-check DIR`, `check DIR`, `diff DIR DIR`) on real dumps: every client cluster
// paired with the proxy that owns its endpoints, with tls-check's own rows and reasons; threads giving the
// answers one thread gives; exit codes and errors as for two dumps.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { Ajv2020 } from "ajv/dist/2020.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadFile } from "../src/load/dump.js";
import { openInput } from "../src/load/open.js";
import { shareDecodedResources } from "../src/load/input.js";
import { runFindings } from "../src/findings/index.js";
import { clusterReferences } from "../src/findings/clusters.js";
import { tlsCheckDocument } from "../src/documents.js";
import { fleetCheckDocument, fleetTlsDocument, type FleetMember } from "../src/fleetdoc.js";
import { fleetFiles, isFleetArg } from "../src/fleet-inputs.js";
import { renderFleetCheck, renderFleetTls } from "../src/render/fleet.js";
import { setTerminalWidth } from "../src/render/wrap.js";

const STATUS: Record<string, string> = { OK: "✓", CONFLICT: "✗", PLAINTEXT: "!", UNKNOWN: "?" };
import { FleetInterner, indexProxy } from "../src/analyses/fleet.js";
import { cli } from "./support/cli.js";
import { pod, podList } from "./support/podlist.js";

const root = path.resolve(import.meta.dirname, "..");
const BIN = path.join(root, "dist/cli.js");
const S = (f: string) => path.join(root, "samples", f);
const REAL = (f: string) => path.join(root, "samples/real/fleet", f);
const CLIENT = S("client-productpage.json"); // productpage, Istio 1.20: its EDS lists reviews at 10.244.1.7
const REVIEWS = S("modern-permissive.json"); // reviews-7c9d8f6b5-x2x9z.default at 10.244.1.7, PERMISSIVE on 9080
const REVIEWS_STRICT = S("modern-strict.json"); // the same pod, STRICT

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-"));
let folders = 0;
function folder(files: Record<string, string>): string {
  const dir = path.join(tmp, `f${++folders}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, src] of Object.entries(files)) fs.copyFileSync(src, path.join(dir, name));
  return dir;
}
const members = (dir: string): FleetMember[] => fleetFiles([dir]).map((file) => ({ file, load: () => loadFile(file) }));
const ajv = new Ajv2020({ allErrors: true, strict: false });
/** Whether a document is valid against its committed schema (schema/NAME.json). */
function valid(name: string, doc: unknown): void {
  const v = ajv.compile(JSON.parse(fs.readFileSync(path.join(root, "schema", `${name}.json`), "utf8")));
  assert.ok(v(doc), `${name}: ${ajv.errorsText(v.errors)}`);
}
const bin = (...argv: string[]) => spawnSync(process.execPath, [BIN, ...argv], { encoding: "utf8" });

test("each row of the fleet is tls-check's row for that client and server: the same clusters, statuses and reasons", async () => {
  const dir = folder({ "productpage.json": CLIENT, "reviews.json": REVIEWS });
  const doc = await fleetTlsDocument(members(dir));
  const pair = tlsCheckDocument(loadFile(CLIENT), loadFile(REVIEWS));
  const client = "productpage-v1-6b746f74dc-9stvs.default";
  const rows = doc.rows.filter((r) => r.client === client);
  assert.ok(rows.length >= 6, JSON.stringify(doc.rows.map((r) => r.cluster)));
  const key = (r: { cluster?: string; status: string; reason: string }) => `${r.cluster}\u0000${r.status}\u0000${r.reason}`;
  assert.equal(rows.map(key).sort(), pair.rows.map(key).sort());
  for (const r of rows) assert.is(r.server, "reviews-7c9d8f6b5-x2x9z.default");
  // Both kinds of outcome are there: the mesh's mTLS is taken, a raw TLS client is refused.
  assert.ok(rows.some((r) => r.status === "OK") && rows.some((r) => r.status === "CONFLICT"));
  assert.is(doc.summary.proxies, 2);
});

test("the interner keeps one copy of a cluster proxies share, and never shares clusters that differ", () => {
  const interner = new FleetInterner();
  const a = interner.add(indexProxy(loadFile(CLIENT), "a"));
  const b = interner.add(indexProxy(loadFile(CLIENT), "b"));
  assert.ok(a.clusters.length > 3);
  a.clusters.forEach((k, i) => assert.is(b.clusters[i], k, k.cluster));
  assert.is(a.sends, b.sends);
  // The same pod's dump as STRICT: its own clusters are not the client's (different names or endpoints), and equal ones are shared.
  const c = interner.add(indexProxy(loadFile(REVIEWS_STRICT), "c"));
  for (const k of c.clusters) {
    const twin = a.clusters.find((x) => x.cluster === k.cluster);
    if (twin && JSON.stringify(twin) !== JSON.stringify(k)) assert.is.not(twin, k);
  }
  // What each endpoint sends is what the proxy's own list said before interning.
  const own = indexProxy(loadFile(CLIENT), "own");
  own.clusters.forEach((k, i) => k.endpoints.forEach((e, j) => assert.equal(a.sends[a.clusters[i]!.endpoints[j]!.sends], own.sends[e.sends])));
});

test("the same answers from worker threads as from one thread; a CONFLICT exits 1", () => {
  const dir = folder({ "productpage.json": CLIENT, "reviews.json": REVIEWS, "reviews-strict.json": REVIEWS_STRICT, "gateway.json": S("gateway-mutual.json") });
  const one = bin("tls-check", dir, "--jobs", "1", "-o", "json");
  const two = bin("tls-check", dir, "--jobs", "2", "-o", "json");
  assert.is(one.status, 1, one.stderr);
  assert.is(two.status, 1, two.stderr);
  assert.is(two.stdout, one.stdout);
  const doc = JSON.parse(one.stdout) as { rows: { status: string; server: string; servers: { name: string }[] }[]; summary: { proxies: number } };
  assert.is(doc.summary.proxies, 4);
  valid("fleet-tls-check", doc);
  // Two dumps name the same pod: told apart by their files, and a cluster reaching both lists both.
  assert.ok(doc.rows.some((r) => r.servers.length === 2 && r.servers.every((s) => /reviews-7c9d8f6b5-x2x9z\.default \((reviews|reviews-strict)\)/.test(s.name))), one.stdout.slice(0, 2000));
  // The text: the summary first, the shared IP said.
  const text = bin("tls-check", dir, "--jobs", "2");
  assert.match(text.stdout.split("\n")[0]!, /^4 proxies .*CONFLICT/);
  assert.match(text.stdout, /note: 10\.244\.1\.7 is the IP of more than one dump/);
});

test("real fleets: Envoy's front-proxy sandbox pairs by host name; OSM's client reaches both httpbin replicas by SNI", () => {
  const front = bin("tls-check", REAL("envoy-examples-front-proxy"), "-o", "json");
  assert.is(front.status, 0, front.stderr);
  const f = JSON.parse(front.stdout) as { rows: { client: string; cluster: string; server: string; status: string; reason: string }[] };
  assert.equal(
    f.rows.map((r) => [r.client, r.cluster, r.server, r.status]),
    [
      ["front-envoy", "service1-envoy", "service-envoy-1", "PLAINTEXT"],
      ["front-envoy", "service2-envoy", "service-envoy-2", "PLAINTEXT"],
    ],
  );
  const osm = bin("tls-check", REAL("osm-curl-httpbin"), "-o", "json");
  assert.is(osm.status, 0, osm.stderr);
  const o = JSON.parse(osm.stdout) as { rows: { client: string; status: string; reason: string; servers: { name: string }[] }[] };
  const curl = o.rows.find((r) => r.client === "curl_permissive")!;
  assert.ok(curl, osm.stdout.slice(0, 1000));
  assert.is(curl.status, "OK");
  assert.match(curl.reason, /ALPN osm, SNI httpbin\.httpbin\.svc\.cluster\.local/);
  assert.equal(curl.servers.map((s) => s.name).sort(), ["httpbin1_permissive", "httpbin2_permissive"]);
  // The double proxy: its mTLS hop pairs by the Compose alias (the name the backend is saved under); the CA files are not in the dumps, so UNKNOWN, not OK.
  const dbl = bin("tls-check", REAL("envoy-examples-double-proxy"), "-o", "json");
  const d = JSON.parse(dbl.stdout) as { rows: { client: string; server: string; status: string }[] };
  assert.equal(d.rows.map((r) => [r.client, r.server, r.status]), [["proxy-postgres-frontend", "proxy-postgres-backend.example.com", "UNKNOWN"]]);
  // Only the whole host name: the backend saved under its Compose service name alone is not the alias's owner.
  const dp = REAL("envoy-examples-double-proxy");
  const renamed = folder({ "proxy-postgres-frontend.yaml": path.join(dp, "proxy-postgres-frontend.yaml"), "proxy-postgres-backend.yaml": path.join(dp, "proxy-postgres-backend.example.com.yaml") });
  const none = JSON.parse(bin("tls-check", renamed, "-o", "json").stdout) as { rows: unknown[] };
  assert.equal(none.rows, []);
});

test("text: a table when the terminal is wide or unknown (piped); on a narrow terminal a block per row, names whole, the reason wrapped under it", async () => {
  const dir = folder({ "productpage.json": CLIENT, "reviews.json": REVIEWS_STRICT });
  const doc = await fleetTlsDocument(members(dir));
  try {
    setTerminalWidth(undefined);
    const piped = renderFleetTls(doc, "table");
    assert.match(piped, /\n  CLIENT +HOST:PORT +SENDS +SERVER/);
    setTerminalWidth(72);
    const narrow = renderFleetTls(doc, "table");
    assert.not.match(narrow, /CLIENT +HOST:PORT/);
    const blocks = narrow.split("\n\n").filter((b) => /^[✓✗!?] /.test(b));
    assert.is(blocks.length, doc.rows.length);
    for (const r of doc.rows) {
      const block = blocks.find((b) => b.includes(`${r.cluster} sends`))!;
      assert.ok(block, r.cluster);
      assert.ok(block.replace(/\s+/g, " ").startsWith(`${STATUS[r.status]} ${r.status} ${r.client} → ${r.server}, port ${r.serverPort}`), block);
      // The reason, every word of it, under the row.
      assert.ok(block.replace(/\s+/g, " ").includes(r.reason.replace(/\s+/g, " ")), block);
    }
    for (const line of narrow.split("\n")) if (line.length > 72) assert.not.match(line, / /, `only an unbreakable word runs past the width: ${line}`);
  } finally {
    setTerminalWidth(undefined);
  }
});

test("check DIR: every proxy's findings, and a TLS conflict between two proxies naming both", async () => {
  const dir = folder({ "productpage.json": CLIENT, "reviews.json": REVIEWS });
  const doc = await fleetCheckDocument(members(dir), {});
  const conflicts = doc.findings.filter((f) => f.code === "TLS_MODE_CONFLICT");
  assert.ok(conflicts.length > 0, JSON.stringify(doc.findings.map((f) => f.code)));
  for (const c of conflicts) {
    assert.match(c.message, /productpage-v1-6b746f74dc-9stvs\.default/);
    assert.match(c.message, /reviews-7c9d8f6b5-x2x9z\.default/);
  }
  const r = await cli("check", dir, "-o", "json");
  assert.is(r.code, 1, r.stderr);
  // Every proxy's certificates are judged at one moment (OSM's expired leaves, three dumps, two threads).
  const osm = JSON.parse(bin("check", REAL("osm-curl-httpbin"), "--jobs", "2", "-o", "json").stdout) as { findings: { code: string; message: string }[] };
  const moments = new Set(osm.findings.filter((f) => f.code === "CERT_EXPIRED").map((f) => /before (\S+)$/.exec(f.message)?.[1]));
  assert.is(osm.findings.filter((f) => f.code === "CERT_EXPIRED").length, 3);
  assert.is(moments.size, 1, [...moments].join(" "));
  valid("fleet-check", JSON.parse(r.stdout));
  // Many findings: one row per code, with how many and in how many dumps (each still in -o json).
  const many = { ...doc, findings: Array.from({ length: 30 }, () => doc.findings).flat() };
  const text = renderFleetCheck(many, "table");
  for (const code of new Set(doc.findings.map((f) => f.code))) {
    const line = text.split("\n").find((l) => l.includes(` ${code} `))!;
    assert.ok(line, `${code} in\n${text}`);
    assert.match(line, new RegExp(` ${doc.findings.filter((f) => f.code === code).length * 30} +${new Set(doc.findings.filter((f) => f.code === code).map((f) => f.file)).size} `));
  }
  assert.match(text, new RegExp(`${many.findings.length} findings of`));
  const sarif = await cli("check", dir, "-o", "sarif");
  assert.ok((JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string }[] }[] }).runs[0]!.results.some((x) => x.ruleId === "TLS_MODE_CONFLICT"));
});

test("inputs: a directory (sub-directories, dumps only), a quoted glob, files; bad ones exit 2 naming the file, the rest still read", async () => {
  const dir = folder({ "productpage.json": CLIENT, "reviews.json": REVIEWS, "notes.md": path.join(root, "README.md") });
  fs.mkdirSync(path.join(dir, "more"));
  fs.copyFileSync(REVIEWS_STRICT, path.join(dir, "more", "strict.json"));
  assert.equal(fleetFiles([dir]).map((f) => path.relative(dir, f)), ["more/strict.json", "productpage.json", "reviews.json"]);
  assert.equal(fleetFiles([path.join(dir, "r*.json")]).map((f) => path.basename(f)), ["reviews.json"]);
  assert.ok(isFleetArg(dir) && isFleetArg(path.join(dir, "*.json")) && !isFleetArg(CLIENT) && !isFleetArg("pod/x"));
  // A dump that is not one: an error that names it, exit 2, the others' rows still printed.
  fs.writeFileSync(path.join(dir, "broken.json"), '{"configs": [');
  const r = await cli("tls-check", dir, "--jobs", "1", "-o", "json");
  assert.is(r.code, 2);
  assert.match(r.stderr, /envoy-explain: error: .*broken\.json/);
  assert.ok((JSON.parse(r.stdout) as { rows: unknown[] }).rows.length > 0);
  // Usage: an empty directory, a glob matching nothing, --service with a fleet, --jobs out of range.
  const empty = path.join(tmp, "empty");
  fs.mkdirSync(empty);
  for (const argv of [["tls-check", empty], ["tls-check", path.join(dir, "nothing-*.json")], ["tls-check", dir, "--service", "reviews:9080"], ["tls-check", dir, "--jobs", "0"], ["check", dir, "--jobs", "x"]]) {
    const e = await cli(...argv);
    assert.is(e.code, 2, `${argv.join(" ")}: ${e.stderr}`);
    assert.is(e.stdout, "", argv.join(" "));
    assert.match(e.stderr, /^envoy-explain: /, argv.join(" "));
  }
});

test("diff DIR DIR: proxies paired by name, the mesh-wide summary first; exit 1 on a change, 0 without", async () => {
  const before = folder({ "productpage.json": CLIENT, "reviews.json": REVIEWS });
  const after = folder({ "productpage.json": CLIENT, "reviews.json": REVIEWS_STRICT });
  const r = await cli("diff", before, after);
  assert.is(r.code, 1, r.stderr);
  const lines = r.stdout.split("\n");
  assert.match(lines.slice(0, 3).join("\n"), /1 changed/);
  assert.match(r.stdout, /reviews-7c9d8f6b5-x2x9z\.default/);
  assert.match(r.stdout, /9080/);
  const same = await cli("diff", before, before, "-q");
  assert.is(same.code, 0, same.stderr);
  assert.is(same.stdout, "");
  const mode = await cli("diff", before, after, "--fail-on", "mode", "-o", "json");
  assert.is(mode.code, 1);
  assert.ok((JSON.parse(mode.stdout) as { modeChanges: { port: number }[] }).modeChanges.some((m) => m.port === 9080));
});

test("one file open at a time: 80 dumps under a limit of 64 open files, in this thread and in diff (each dump's file closed once it is used)", () => {
  const dir = path.join(tmp, "many");
  fs.mkdirSync(dir);
  for (let i = 0; i < 80; i++) fs.copyFileSync(i % 2 ? CLIENT : REVIEWS, path.join(dir, `p${String(i).padStart(2, "0")}.json`));
  for (const argv of [["tls-check", dir, "--jobs", "1", "-o", "json"], ["diff", dir, dir, "-o", "json"]]) {
    const r = spawnSync("sh", ["-c", 'ulimit -n 64 && exec "$@"', "sh", process.execPath, BIN, ...argv], { encoding: "utf8", maxBuffer: 64 << 20 });
    assert.ok(r.status === 0 || r.status === 1, `${argv[0]}: exit ${r.status}: ${r.stderr.slice(0, 400)}`);
    assert.not.match(r.stderr, /EMFILE/);
  }
});

test("the library: fleetTlsCheck, fleetCheck and fleetDiff give the command's documents; options checked before any dump is read", async () => {
  const lib = await import("../src/index.js");
  const dir = folder({ "productpage.json": CLIENT, "reviews.json": REVIEWS });
  const files = fleetFiles([dir]);
  const doc = await lib.fleetTlsCheck(files);
  const r = await cli("tls-check", dir, "--jobs", "1", "-o", "json");
  assert.equal(doc, JSON.parse(r.stdout));
  const check = await lib.fleetCheck(files, { concurrency: 1 });
  assert.ok(check.findings.some((f) => f.code === "TLS_MODE_CONFLICT"));
  const diff = await lib.fleetDiff(files, [files[0]!, REVIEWS_STRICT]);
  assert.ok(diff.counts.compared >= 1);
  let reads = 0;
  const counted = { get configs() { reads++; return []; } };
  for (const [call, field] of [[() => lib.fleetTlsCheck([counted], { concurrency: 0 }), "concurrency"], [() => lib.fleetTlsCheck([]), "inputs"], [() => lib.fleetCheck([counted], { now: "yesterday" } as never), "now"]] as const) {
    try {
      await call();
      assert.unreachable(field);
    } catch (e) {
      assert.instance(e, lib.OptionError);
      assert.is((e as { option?: string; field?: string }).option ?? (e as { field?: string }).field, field);
    }
  }
  assert.is(reads, 0, "no dump was read");
});

test("pod/ -l SELECTOR: the pods kubectl lists, fetched a few at a time, read as a fleet; a pod that fails is an error, the rest still paired", () => {
  const bin = path.join(tmp, "kbin");
  fs.mkdirSync(bin, { recursive: true });
  fs.copyFileSync(path.join(root, "test/support/kubectl-pods.sh"), path.join(bin, "kubectl"));
  fs.chmodSync(path.join(bin, "kubectl"), 0o755);
  const dumps = folder({ "productpage-v1-6b746f74dc-9stvs.json": CLIENT, "reviews-7c9d8f6b5-x2x9z.json": REVIEWS });
  const pods = path.join(tmp, "pods.json");
  fs.writeFileSync(
    pods,
    podList([
      pod({ name: "productpage-v1-6b746f74dc-9stvs", namespace: "default", app: "productpage" }),
      pod({ name: "reviews-7c9d8f6b5-x2x9z", namespace: "default", app: "reviews" }),
      pod({ name: "reviews-broken-1", namespace: "default", app: "reviews" }),
      pod({ name: "reviews-pending-1", namespace: "default", app: "reviews", phase: "Pending" }),
    ]),
  );
  const log = path.join(tmp, "kubectl.log");
  const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, KUBECTL_LOG: log, KUBECTL_PODS: pods, KUBECTL_DUMP: CLIENT, KUBECTL_DUMP_DIR: dumps };
  const r = spawnSync(process.execPath, [BIN, "tls-check", "pod/", "-l", "app in (productpage,reviews)", "-n", "default", "-o", "json"], { encoding: "utf8", env });
  // A pod that could not be read makes it exit 2, after the others' rows.
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /note: pod\/reviews-pending-1\.default skipped: not running \(Pending\)/);
  assert.match(r.stderr, /error: pod\/reviews-broken-1\.default: .*NotFound/);
  const doc = JSON.parse(r.stdout) as { rows: { client: string; server: string; status: string }[]; files: string[] };
  assert.ok(doc.rows.some((x) => x.client === "productpage-v1-6b746f74dc-9stvs.default" && x.server === "reviews-7c9d8f6b5-x2x9z.default" && x.status === "OK"), r.stdout.slice(0, 1500));
  const calls = fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => l.split("\x1f").slice(0, -1));
  assert.equal(calls[0], ["get", "pods", "-l", "app in (productpage,reviews)", "-n", "default", "-o", "json"]);
  assert.ok(calls.slice(1).every((c) => c[0] === "exec"));
  // The spool of fetched dumps is gone.
  assert.not.ok(fs.readdirSync(os.tmpdir()).some((f) => f.startsWith("envoy-explain-pods-") && fs.existsSync(path.join(os.tmpdir(), f, "1.json"))));
  // diff: the saved dumps against the live pods, paired by name: nothing changed.
  const live = path.join(tmp, "pods-live.json");
  fs.writeFileSync(live, podList([pod({ name: "productpage-v1-6b746f74dc-9stvs", namespace: "default", app: "productpage" }), pod({ name: "reviews-7c9d8f6b5-x2x9z", namespace: "default", app: "reviews" })]));
  const d = spawnSync(process.execPath, [BIN, "diff", dumps, "pod/", "-l", "app", "-n", "default", "-o", "json"], { encoding: "utf8", env: { ...env, KUBECTL_PODS: live } });
  assert.is(d.status, 0, d.stderr);
  const dd = JSON.parse(d.stdout) as { counts: { compared: number; unchanged: number }; proxies: { after?: string }[] };
  assert.equal([dd.counts.compared, dd.counts.unchanged], [2, 2]);
  assert.ok(dd.proxies.every((x) => x.after?.startsWith("pod/")), d.stdout);
  // A selector kubectl would refuse is refused before kubectl runs; -l without pod/ is a usage error.
  fs.rmSync(log, { force: true });
  const bad = spawnSync(process.execPath, [BIN, "tls-check", "pod/", "-l", "app reviews"], { encoding: "utf8", env });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /label selector/);
  const stray = spawnSync(process.execPath, [BIN, "check", S("modern-strict.json"), "-l", "app=reviews"], { encoding: "utf8", env });
  assert.is(stray.status, 2);
  assert.match(stray.stderr, /pod\//);
  assert.not.ok(fs.existsSync(log), "kubectl never ran");
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));


test("a fleet reads equal resources once (shared decodes), and each dump still gives what it gives alone: a listener entry's states apart, a warning in every dump", async () => {
  // A real dump with listeners, clusters and endpoints (OSM's bookstore).
  const d = JSON.parse(fs.readFileSync(path.join(root, "samples/real/osm/sample-envoy-config-dump-bookstore.json"), "utf8")) as { configs: Record<string, unknown>[] };
  const section = (t: string) => d.configs.find((c) => String(c["@type"]).endsWith(t)) as Record<string, Record<string, unknown>[]>;
  // One listener entry with two states that differ (its warming state listens on another port): one element, two resources.
  const entry = section("ListenersConfigDump").dynamic_listeners!.find((e) => e.active_state)! as { active_state: { listener: Record<string, unknown> }; warming_state?: unknown };
  const warming = structuredClone(entry.active_state);
  (warming.listener as { address?: { socket_address?: { port_value?: number } } }).address!.socket_address!.port_value = 19999;
  entry.warming_state = warming;
  // A cluster whose decode warns (a field its type does not have).
  const clusters = section("ClustersConfigDump").dynamic_active_clusters as { cluster: Record<string, unknown> }[];
  clusters[0]!.cluster.not_a_cluster_field = 1;
  const dir = path.join(tmp, "shared");
  fs.mkdirSync(dir);
  for (const n of ["a", "b", "c"]) fs.writeFileSync(path.join(dir, `${n}.json`), JSON.stringify(d, null, 2));
  const alone = async (file: string) => {
    const input = await openInput(file, { streamJsonFrom: 0 });
    return {
      listeners: input.listeners.concat(input.resources.listener.filter((r) => r.state !== "active")).map((r) => [r.name, r.state, JSON.stringify(r.value)]),
      clusters: input.clusters.map((r) => JSON.stringify(r.value)),
      findings: runFindings(input, { now: new Date("2026-01-01T00:00:00Z") }).map((f) => f.message),
      warnings: input.diags.list.map((w) => `${w.code} ${w.message}`),
    };
  };
  shareDecodedResources(false);
  const want = await alone(path.join(dir, "a.json"));
  assert.ok(want.warnings.some((w) => w.includes("not_a_cluster_field")), want.warnings.join("\n"));
  assert.ok(new Set(want.listeners.filter((l) => l[0] === want.listeners.find((x) => x[1] === "warming")?.[0]).map((l) => l[2])).size === 2, "the two states differ");
  shareDecodedResources();
  try {
    for (const n of ["a", "b", "c"]) assert.equal(await alone(path.join(dir, `${n}.json`)), want, n);
    // The fleet's own document (on this thread, which shares decodes while it runs, then stops): every dump's findings and warnings, as check gives them on that dump alone.
    const doc = await fleetCheckDocument(fleetFiles([dir]).map((file) => ({ file, load: () => openInput(file, { streamJsonFrom: 0 }) })), { findings: { now: new Date("2026-01-01T00:00:00Z") } });
    for (const n of ["a", "b", "c"]) {
      const file = path.join(dir, `${n}.json`);
      assert.equal(doc.findings.filter((f) => f.file === file && f.code !== "TLS_MODE_CONFLICT").map((f) => f.message).sort(), [...want.findings].sort(), n);
      assert.ok(doc.warnings.some((w) => w.file === file && w.message.includes("not_a_cluster_field")), `${n}: ${JSON.stringify(doc.warnings)}`);
    }
  } finally {
    shareDecodedResources(false);
  }
});

test("shared decodes are keyed by where the resource is in its element: the same text in another place, another list or another kind is read apart; a bare resource's own version_info still warns; tls-check DIR keeps every dump's warnings", async () => {
  const dir = path.join(tmp, "places");
  fs.mkdirSync(dir);
  const put = (name: string, doc: unknown) => (fs.writeFileSync(path.join(dir, name), typeof doc === "string" ? doc : JSON.stringify(doc)), path.join(dir, name));
  const listener = (port: number, cluster: string) => ({ "@type": "type.googleapis.com/envoy.config.listener.v3.Listener", name: "l", address: { socket_address: { address: "0.0.0.0", port_value: port } }, filter_chains: [{ filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "s", cluster } }] }] });
  const cluster = (name: string, extra: object = {}) => ({ "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", name, type: "STATIC", connect_timeout: "1s", load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: "10.0.0.1", port_value: 80 } } } }] }] }, ...extra });
  const LISTENERS = "type.googleapis.com/envoy.admin.v3.ListenersConfigDump";
  const CLUSTERS = "type.googleapis.com/envoy.admin.v3.ClustersConfigDump";
  // One element text: a static listener (its "listener") and a dynamic one (its active state's).
  const both = { name: "l", active_state: { listener: listener(8080, "c2") }, listener: listener(9090, "c2") };
  const asStatic = put("static.json", { configs: [{ "@type": LISTENERS, static_listeners: [both] }] });
  const asDynamic = put("dynamic.json", { configs: [{ "@type": LISTENERS, dynamic_listeners: [both] }] });
  // One element text read as a listener and as a cluster (c1 names c3 as its SNI, which is no reference).
  const wrapper = { listener: listener(8080, "c2"), cluster: cluster("c1", { transport_socket: { name: "envoy.transport_sockets.tls", typed_config: { "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext", sni: "c3" } } }) };
  const kinds = put("kinds.json", { configs: [{ "@type": LISTENERS, static_listeners: [wrapper] }, { "@type": CLUSTERS, static_clusters: [wrapper, { cluster: cluster("c2") }, { cluster: cluster("c3") }] }] });
  // A bare resource (a discovery response's): its version_info and last_updated are its own, unknown, fields.
  const plain = put("plain.json", { resources: [cluster("c1")] });
  const withTimes = put("times.json", `{"resources":[{"version_info":"7",${JSON.stringify(cluster("c1")).slice(1, -1)},"last_updated":"2026-01-01T00:00:00Z"}]}`);
  const read = async (file: string) => {
    const input = await openInput(file, { streamJsonFrom: 0 });
    for (const r of [...input.resources.listener, ...input.clusters]) void r.value;
    return {
      listeners: input.resources.listener.map((r) => `${r.state} ${JSON.stringify(r.value.address)}`),
      findings: runFindings(input, { now: new Date("2026-01-01T00:00:00Z") }).map((f) => f.message),
      warnings: input.diags.list.map((w) => w.message),
    };
  };
  shareDecodedResources(false);
  const alone = new Map<string, Awaited<ReturnType<typeof read>>>();
  for (const f of [asStatic, asDynamic, kinds, plain, withTimes]) alone.set(f, await read(f));
  assert.ok(alone.get(withTimes)!.warnings.some((w) => w.includes('"version_info"')), JSON.stringify(alone.get(withTimes)));
  shareDecodedResources();
  try {
    // Each read after the others, so that its text has been decoded before in this thread.
    for (const order of [[asStatic, asDynamic, kinds, kinds], [plain, withTimes, withTimes]]) for (const f of order) assert.equal(await read(f), alone.get(f), path.basename(f));
  } finally {
    shareDecodedResources(false);
  }
  // tls-check DIR (no findings: what a cluster sends is remembered) still tells each dump's warnings.
  const warned = path.join(tmp, "warned");
  fs.mkdirSync(warned);
  const d = JSON.parse(fs.readFileSync(path.join(root, "samples/real/osm/sample-envoy-config-dump-bookstore.json"), "utf8")) as { configs: { "@type": string; dynamic_active_clusters?: { cluster: Record<string, unknown> }[] }[] };
  d.configs.find((c) => c["@type"].endsWith("ClustersConfigDump"))!.dynamic_active_clusters![0]!.cluster.not_a_cluster_field = 1;
  for (const n of ["a", "b", "c"]) fs.writeFileSync(path.join(warned, `${n}.json`), JSON.stringify(d, null, 2));
  const doc = await fleetTlsDocument(fleetFiles([warned]).map((file) => ({ file, load: () => openInput(file, { streamJsonFrom: 0 }) })), {});
  for (const n of ["a", "b", "c"]) assert.ok(doc.warnings.some((w) => w.file === path.join(warned, `${n}.json`) && w.message.includes("not_a_cluster_field")), `${n}: ${JSON.stringify(doc.warnings)}`);
});

test("who refers to a cluster is the same with shared decodes as without at every budget: once a dump's walks run out of it, nothing more is noted", async () => {
  const dir = path.join(tmp, "budget");
  fs.mkdirSync(dir);
  const listener = (name: string, port: number, pad: number) => ({ "@type": "type.googleapis.com/envoy.config.listener.v3.Listener", name, address: { socket_address: { address: "0.0.0.0", port_value: port } }, metadata: { filter_metadata: { pad: { v: Array.from({ length: pad }, (_, i) => `p${i}`) } } }, filter_chains: [{ filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "s", cluster: "empty" } }] }] });
  const dump = {
    configs: [
      { "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump", static_listeners: [{ listener: listener("l1", 1, 20) }, { listener: listener("l2", 2, 0) }] },
      { "@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump", static_clusters: [{ cluster: { "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", name: "empty", type: "STATIC", connect_timeout: "1s", load_assignment: { cluster_name: "empty", endpoints: [] } } }] },
    ],
  };
  const file = path.join(dir, "d.json");
  fs.writeFileSync(file, JSON.stringify(dump, null, 2));
  const refs = async (budget: number) => {
    const input = await openInput(file, { streamJsonFrom: 0 });
    for (const r of [...input.listeners, ...input.clusters]) void r.value;
    const r = clusterReferences(input, budget);
    return { by: r.by.get("empty") ?? [], incomplete: r.incomplete };
  };
  shareDecodedResources(false);
  const alone: Awaited<ReturnType<typeof refs>>[] = [];
  for (let b = 1; b <= 120; b++) alone.push(await refs(b));
  // Both listeners are noted with room enough, and at some budgets only the first: the cut-off is exercised.
  assert.equal(alone[alone.length - 1], { by: ["listener l1", "listener l2"], incomplete: false });
  assert.ok(alone.some((r) => r.by.length === 1 && r.incomplete), JSON.stringify(alone));
  shareDecodedResources();
  try {
    await refs(120);
    await refs(120); // decoded, then shared
    for (let b = 1; b <= 120; b++) assert.equal(await refs(b), alone[b - 1], `a budget of ${b}`);
  } finally {
    shareDecodedResources(false);
  }
});

test.run();
