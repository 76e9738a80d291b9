// What a person reads: aligned columns fitted to the terminal, names whole on one line (never cut,
// elided or split), a name's line break never drawing a line of its own, long names said once, output
// in proportion to the input, and colour that means the same in every command.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../src/cli.js";
import { columns, OVERFLOW, setWideOutput, wrapProse } from "../src/render/table.js";
import { escapeLine } from "../src/render/sanitize.js";
import { LONG_NAME, LongNames, forText } from "../src/render/longnames.js";
import { jsonSizeAtLeast, MAX_OUTPUT, OutputTooLarge, plainDocument, renderDocument, serialize } from "../src/render/output.js";
import { InputError } from "../src/diag.js";

const root = path.resolve(import.meta.dirname, "..");
const S = (f: string) => path.join(root, "samples", f);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-output-"));
const write = (name: string, v: unknown) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, typeof v === "string" ? v : JSON.stringify(v));
  return f;
};

async function cli(argv: string[], io: { isTTY?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), ...io });
  return { code, stdout, stderr };
}

async function withEnv<T>(env: Record<string, string | undefined>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/** A listener (the shape a hostile dump gives): `name` for the listener, its chain and its TCP proxy's cluster. */
const tcpListener = (name: string, port = 80) => ({
  "@type": "type.googleapis.com/envoy.config.listener.v3.Listener",
  name,
  address: { socket_address: { address: "0.0.0.0", port_value: port } },
  filter_chains: [{ name, filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "s", cluster: name } }] }],
});
const BOX = /[─│┌┐└┘├┤┬┴┼]/;

test("columns: a name is never cut, elided or split at any width; descriptive text wraps at words and keeps every word", () => {
  const name = "outbound|9080|v1|reviews.default.svc.cluster.local";
  const reason = "client sends Istio mTLS (ALPN istio-peer-exchange,istio, SNI outbound_.9080_._.reviews.default.svc.cluster.local); server port 9080 is PERMISSIVE";
  for (const width of [30, 60, 80, 120, undefined]) {
    const out = columns(["CLUSTER", "MODE", { title: "REASON", wrap: true }], [[name, "ISTIO_MUTUAL", reason], ["x", "DISABLE", "plaintext"]], width);
    const lines = out.split("\n");
    assert.ok(lines.some((l) => l.includes(name)), `${width}: the name whole on one line\n${out}`);
    assert.ok(lines.some((l) => l.includes("outbound_.9080_._.reviews.default.svc.cluster.local")), `${width}: the SNI in the text whole`);
    assert.not.match(out, /…/);
    // Every word of the reason is there, in order.
    const words = out.split(/\s+/).filter(Boolean).join(" ");
    assert.ok(words.includes("ISTIO_MUTUAL client sends Istio mTLS"), `${width}: ${words}`);
    assert.ok(words.replace(/, /g, ",").includes("istio-peer-exchange,istio,"), words);
    // Where the names and the longest words fit, every line does; narrower, lines run long rather than split a name.
    if (width === 200) assert.ok(lines.every((l) => l.length <= width), `${width}:\n${out}`);
  }
});

test("columns: at a narrow width the columns marked to drop are left out and said so; -o wide (setWideOutput) keeps them; piped keeps every one", () => {
  const head = ["NAME", { title: "DETAIL", wrap: true, drop: 1 }, { title: "REASON", wrap: true }];
  const rows = [["a-rather-long-resource-name", "some detail that takes room", "the reason why this row is what it is"]];
  const narrow = columns(head, rows, 60);
  assert.not.match(narrow.split("\n")[0]!, /DETAIL/);
  assert.match(narrow, /\(not shown at this width: DETAIL; \d+ columns show every one\)/);
  assert.ok(narrow.split("\n").every((l) => l.length <= 60), narrow);
  assert.match(columns(head, rows, 200), /^NAME +DETAIL +REASON$/m);
  assert.match(columns(head, rows, undefined), /^NAME +DETAIL +REASON$/m);
  setWideOutput(true);
  try {
    assert.match(columns(head, rows, 60), /^NAME +DETAIL +REASON$/m);
  } finally {
    setWideOutput(false);
  }
});

test("columns: one cell past OVERFLOW runs on, whole, instead of widening its column for every row: output grows with the input, not rows × longest", () => {
  const long = "n".repeat(100_000);
  const rows = Array.from({ length: 2000 }, (_, i) => [i === 7 ? long : `listener-${i}`, "0.0.0.0:80", "TCP"]);
  const out = columns(["LISTENER", "ADDRESS", "DESTINATION"], rows, undefined);
  const input = rows.reduce((s, r) => s + r.join("").length, 0);
  assert.ok(out.length < input + rows.length * (OVERFLOW + 40), `${out.length} characters for ${input} of input`);
  const lines = out.split("\n");
  assert.ok(lines[8]!.startsWith(`${long}   0.0.0.0:80`), "the long name whole, its row running on");
  assert.match(lines[1]!, /^listener-0 {3,}0\.0\.0\.0:80 {3,}TCP$/);
  assert.ok(lines[1]!.length < 60, "other rows keep their width");
});

test("wrapProse wraps prose under its own indentation and leaves a table's rows, even long ones, as rows", () => {
  const text = ["Client       a b c d e f g h i j k l m n o p q r s t u v w x y z", "name-one   10.0.0.1:80   a value that runs on and on past the width of the terminal"].join("\n");
  const out = wrapProse(text, 30).split("\n");
  assert.ok(out.slice(0, -1).every((l) => l.length <= 30));
  assert.ok(out.slice(1, -1).every((l) => l.startsWith("             ")), out.join("\n"));
  assert.is(out[out.length - 1], "name-one   10.0.0.1:80   a value that runs on and on past the width of the terminal");
});

test("escapeLine: a line break, a tab and every control character shown escaped: one line whatever the name holds", () => {
  assert.is(escapeLine("a\nb\tc\r\u001b[2J\u202e"), "a\\nb\\tc\\r\\x1b[2J\\u202e");
  assert.is(escapeLine("plain name"), "plain name");
});

test("a listener name with a line break draws no row of its own: in listings, explain, tls-check and diff, every format (the shape of a fuzzed dump)", async () => {
  const fake = "fake-listener   0.0.0.0:1   0   (none)   plaintext   TCP → evil";
  const f = write("newline.json", tcpListener(`real\n${fake}`));
  const g = write("newline2.json", { ...tcpListener(`real\n${fake}`), filter_chains: [] });
  const runs = [["listeners", f], [f, "-p", "80"], [f, "-p", "80", "-c", "plaintext"], ["tls-check", f, f], ["diff", f, g], ["clusters", f], [f]];
  for (const argv of runs) {
    for (const o of ["table", "markdown"]) {
      const r = await withEnv({ COLUMNS: o === "table" ? "80" : undefined }, () => cli([...argv, "-o", o]));
      assert.ok(r.code <= 1, `${argv.join(" ")} -o ${o}: ${r.code} ${r.stderr}`);
      const lines = r.stdout.split("\n");
      assert.not.ok(lines.some((l) => l.startsWith("fake-listener")), `${argv.join(" ")} -o ${o}: a fake row\n${r.stdout}`);
      // Where the name is shown, its line break is \n (in Markdown, the backslash escaped: \\n).
      for (const at of r.stdout.matchAll(/fake-listener/g)) assert.match(r.stdout.slice(at.index! - 8, at.index), o === "markdown" ? /real\\{1,2}n$/ : /real\\n$/, `${argv.join(" ")} -o ${o}:\n${r.stdout}`);
    }
  }
});

test("a name with a line break and spaces is kept whole on its line at any width: a table or prose wrapping at its spaces cannot start a line with what followed the break (a fuzzed dump's listener)", async () => {
  const name = "0.0.0.0_8082\nwarning: FAKE-WARNING all good";
  const f = write("newline-spaces.json", tcpListener(name));
  for (const argv of [["listeners", f], [f, "-p", "80"], [f]]) {
    for (const columns of ["80", "40", undefined]) {
      const r = await withEnv({ COLUMNS: columns }, () => cli(argv));
      assert.ok(r.code <= 1, `${argv.join(" ")}: ${r.code} ${r.stderr}`);
      assert.not.match(r.stdout, /^\s*(?:warning: )?FAKE-/m, `${argv.join(" ")} at ${columns ?? "no"} columns:\n${r.stdout}`);
      // The name is on one line, escaped; its spaces no-break spaces (a terminal shows them as spaces).
      if (argv[0] === "listeners") assert.ok(r.stdout.includes("0.0.0.0_8082\\nwarning:\u00a0FAKE-WARNING\u00a0all\u00a0good"), r.stdout);
    }
  }
  // A name without a line break keeps its spaces as they are.
  assert.is(new LongNames().text("plain name with spaces"), "plain name with spaces");
});

test("tls-check on one dump at 80 columns: a block per cluster, its name whole at the line's start and what it sends under it; piped, the table", async () => {
  const f = path.join(root, "samples/client-productpage.json");
  const narrow = await withEnv({ COLUMNS: "80" }, () => cli(["tls-check", f]));
  const piped = await withEnv({ COLUMNS: undefined }, () => cli(["tls-check", f]));
  assert.is(narrow.code, 0, narrow.stderr);
  const lines = narrow.stdout.split("\n");
  assert.ok(lines.every((l) => l.length <= 80 || !l.includes(" ")), narrow.stdout);
  const heads = lines.filter((l) => l.startsWith("outbound|"));
  assert.is(heads.length, 25, narrow.stdout);
  assert.ok(lines.includes("outbound|9080|plain|reviews.default.svc.cluster.local  DISABLE"), narrow.stdout);
  assert.ok(lines.includes("    (every endpoint): plaintext"), narrow.stdout);
  assert.match(piped.stdout, /^CLUSTER +MODE +SENDS$/m);
  assert.ok(piped.stdout.split("\n").some((l) => /^outbound\|9080\|plain\|reviews\.default\.svc\.cluster\.local +DISABLE +\(every endpoint\): plaintext$/.test(l)), piped.stdout);
});

test("a field name with a line break draws no warning: line of its own (the CLI prints diagnostics through escapeLine)", async () => {
  const f = write("newline-field.json", { ...tcpListener("l"), "bogus\nwarning: all good, nothing to see": 1 });
  for (const argv of [["listeners", f], ["listeners", f, "-v"], [f, "-p", "80", "-c", "plaintext"]]) {
    const r = await cli(argv);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /unknown field/);
    assert.not.match(r.stderr, /^warning: all good/m, `${argv.join(" ")}:\n${r.stderr}`);
  }
});

test("explain without --client on a dump with a long name (the shape of a fuzzed dump): the table and Markdown say it once, at the end, and refer to it; -o json and yaml of a 12 MiB name, too large to build, exit 2 saying so", async () => {
  const name = "n".repeat(2 * 2 ** 20);
  const f = write("long-name.json", tcpListener(name));
  const size = fs.statSync(f).size;
  for (const o of ["table", "markdown"]) {
    const r = await cli([f, "-p", "80", "-o", o]);
    assert.is(r.code, 0, r.stderr);
    assert.ok(r.stdout.length < size, `-o ${o}: ${r.stdout.length} characters for a ${size}-byte input`);
    assert.is(r.stdout.split(name).length - 1, 1, `-o ${o}: the name once`);
    const line = r.stdout.split("\n").find((l) => l.includes(name))!;
    assert.is(line, name, "whole, on a line of its own");
    assert.match(r.stdout, /✓ plaintext → ‹long name 1› \\?#0/);
    assert.match(r.stdout, new RegExp(`‹long name 1›, ${name.length} characters:`));
  }
  // 12 MiB, said in each client's result (listener, chain, cluster, why, outcome): more than one text can hold.
  const huge = write("huge-name.json", tcpListener("n".repeat(12 * 2 ** 20)));
  for (const o of ["json", "yaml"]) {
    const r = await cli([huge, "-p", "80", "-o", o]);
    assert.is(r.code, 2, `-o ${o}: ${r.stderr.slice(0, 300)}`);
    assert.match(r.stderr, new RegExp(`^envoy-explain: error: ${huge.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: the -o ${o} output would be (at least|over) \\d+ MiB, more than one text can hold \\(511 MiB\\): ask for less \\(explain: one client with --client`));
    assert.is(r.stdout, "");
  }
});

test("a document too large for a string is an InputError before anything is built; a renderer's RangeError is too; nothing else is", () => {
  const big = "x".repeat(32 * 2 ** 20);
  // JSON.stringify calls toJSON: the probe tells whether building began.
  let built = false;
  const doc = { file: "d.json", results: Array.from({ length: 20 }, () => ({ name: big })), probe: { toJSON: () => ((built = true), 1) } };
  assert.ok(jsonSizeAtLeast(doc) > MAX_OUTPUT);
  for (const format of ["json", "yaml"] as const) {
    try {
      serialize(doc, format);
      assert.unreachable("serialized");
    } catch (e) {
      assert.instance(e, OutputTooLarge);
      assert.instance(e, InputError);
      assert.match((e as InputError).format(), new RegExp(`^d\\.json: the -o ${format} output would be at least \\d+ MiB`));
    }
  }
  assert.not.ok(built, "refused without building it");
  assert.throws(() => plainDocument(doc), (e: unknown) => e instanceof OutputTooLarge);
  assert.equal(plainDocument({ a: [1, "b"], u: undefined }), { a: [1, "b"] }, "plain data, as JSON gives it");
  assert.throws(() => renderDocument({ file: "d.json" }, "table", () => "x".repeat(2 ** 29 - 24) + "x".repeat(2 ** 29 - 24)), (e: unknown) => e instanceof OutputTooLarge);
  assert.throws(() => renderDocument({ file: "d.json" }, "table", () => { throw new RangeError("Maximum call stack size exceeded"); }), (e: unknown) => e instanceof RangeError && !(e instanceof InputError));
  assert.is(jsonSizeAtLeast({ a: [1, "bc"] }) <= JSON.stringify({ a: [1, "bc"] }, null, 2).length, true, "a lower bound");
});

test("long names: one reference per name, the name once; what surrounds it in a sentence or a path stays; linear in the text", () => {
  const n = new LongNames();
  const name = `${"a".repeat(LONG_NAME)}.svc`;
  assert.is(n.text(name), "‹long name 1›");
  assert.is(n.text(`listener ${name}'s 3 chains`), "listener ‹long name 1›'s 3 chains");
  assert.is(n.text(`filterChains[${name} {port 80}].filterChainMatch`), "filterChains[‹long name 1› {port 80}].filterChainMatch");
  assert.is(n.text(`#0 "${name}": done.`), '#0 "‹long name 1›": done.');
  assert.is(n.text("short, and untouched"), "short, and untouched");
  assert.is(n.text(`${"b".repeat(40)},${"c".repeat(40)}`), `${"b".repeat(40)},${"c".repeat(40)}`, "a list is short names");
  assert.equal(n.names, [name]);
  const doc = { a: [{ name }, { why: `see ${name}` }], n: 1, same: "x" };
  const m = new LongNames();
  const t = forText(doc, m);
  assert.equal(t, { a: [{ name: "‹long name 1›" }, { why: "see ‹long name 1›" }], n: 1, same: "x" });
  assert.is(doc.a[0]!.name, name, "the document itself is not changed");
  assert.match(m.section("table"), new RegExp(`‹long name 1›, ${name.length} characters:\\n${name}$`));
  // A long text of short runs leaves it as it is; a single run of 6 million characters is one long name (how fast each is, scripts/guards.ts times).
  const many = "ab ".repeat(2_000_000);
  assert.is(new LongNames().text(many), many);
  const one = new LongNames();
  assert.is(one.text("x".repeat(6_000_000)), "‹long name 1›");
});

/** Every string under these keys of a JSON document. */
function strings(doc: unknown, keys: RegExp): string[] {
  const out: string[] = [];
  const stack = [doc];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === "string" && keys.test(k)) out.push(x);
        else stack.push(x);
      }
    }
  }
  return out;
}

test("every command at 80, 120 and 200 columns on real dumps: every name the JSON holds that the text shows is whole on one line; no box-drawing character", async () => {
  const R = (f: string) => path.join(root, "samples/real", f);
  const C = (f: string) => path.join(root, "test/corpus/istio", f);
  const log = fs.readFileSync(R("accesslog/istio-io-access-log.log"), "utf8").split("\n").find((l) => l.trim())!;
  const eg = R("envoy-gateway/egctl-config-out.all.json");
  const egPort = String((JSON.parse((await cli(["listeners", eg, "-o", "json"])).stdout).listeners as { address: string }[])[0]!.address.split(":").pop());
  const runs: string[][] = [
    [S("istio-1.3-permissive.json"), "-p", "9080"],
    [S("istio-1.3-permissive.json")],
    [S("istio-1.3-permissive.json"), "--log", log],
    [eg, "-p", egPort],
    ["check", C("head-proxyconfig-config_dump.json")],
    ["tls-check", R("osm/sample-envoy-config-dump-bookbuyer.json"), R("osm/sample-envoy-config-dump-bookstore.json")],
    ["tls-check", S("client-productpage.json"), S("modern-permissive.json")],
    ["tls-check", S("client-productpage.json")],
    ["diff", C("head-compare-configdump.json"), C("head-compare-configdump_diff.json"), "--impact"],
    ["listeners", C("head-proxyconfig-config_dump.json")],
    ["clusters", C("head-proxyconfig-config_dump.json")],
    ["routes", eg],
    ["endpoints", C("head-endpoint-configdump.json")],
    ["secrets", C("head-secret-istio-config_dump.json")],
  ];
  const NAMES = /^(name|listener|cluster|routeConfig|virtualHost|host|address|preset|sni)$/;
  let checked = 0;
  for (const argv of runs) {
    const json = await withEnv({ COLUMNS: undefined }, () => cli([...argv, "-o", "json"]));
    assert.ok(json.code <= 1, `${argv.join(" ")}: ${json.stderr}`);
    const names = [...new Set(strings(JSON.parse(json.stdout), NAMES))].filter((x) => x.length >= 4 && !/\s/.test(x));
    for (const width of ["80", "120", "200"]) {
      const r = await withEnv({ COLUMNS: width }, () => cli(argv));
      const where = `${argv.map((a) => path.basename(a)).join(" ")} at ${width}`;
      assert.ok(r.code <= 1, `${where}: ${r.stderr}`);
      assert.not.match(r.stdout, BOX, where);
      const lines = r.stdout.split("\n");
      const joined = r.stdout.replace(/\n\s*/g, "");
      for (const x of names) {
        if (!joined.includes(x)) continue;
        checked++;
        assert.ok(lines.some((l) => l.includes(x)), `${where}: "${x}" is split`);
      }
    }
  }
  assert.ok(checked > 300, `${checked} names looked at`);
});

test("colour means the same in every command: our marks at a line's start only (✓ green, ✗ red, ! and ? yellow), tls-check's CONFLICT too; NO_COLOR, --no-color and a pipe print none", async () => {
  const runs = [
    [S("modern-permissive.json"), "-p", "9080"],
    ["tls-check", S("client-productpage.json"), S("modern-permissive.json")],
    ["check", S("modern-permissive.json")],
    ["listeners", S("modern-permissive.json")],
    ["diff", S("modern-permissive.json"), S("modern-strict.json")],
  ];
  await withEnv({ NO_COLOR: undefined, FORCE_COLOR: undefined }, async () => {
    const tls = await cli(runs[1]!, { isTTY: true });
    assert.is(tls.code, 1);
    assert.match(tls.stdout, /^\u001b\[31m✗\u001b\[39m reviews\.default\.svc\.cluster\.local:9080 \(simple\) +.*CONFLICT/m, "a CONFLICT row is red");
    assert.match(tls.stdout, /^\u001b\[32m✓\u001b\[39m reviews\.default\.svc\.cluster\.local:9080 +.*OK/m, "an OK row is green");
    const plain = await cli(runs[1]!, { isTTY: false });
    assert.match(plain.stdout, /^✗ reviews\.default\.svc\.cluster\.local:9080 \(simple\)/m);
    // Colour only where a line starts with a mark, and only the mark.
    for (const argv of runs) {
      const r = await cli(argv, { isTTY: true });
      for (const m of r.stdout.matchAll(/\u001b\[[0-9;]*m/g)) {
        const lineStart = r.stdout.lastIndexOf("\n", m.index) + 1;
        assert.ok(m.index === lineStart || r.stdout.slice(lineStart, m.index).match(/^\u001b\[3[123]m(?:[✓✗!?]|INCOMPLETE INPUT:)$/), `${argv[0]}: colour inside a line: ${JSON.stringify(r.stdout.slice(lineStart, m.index + 12))}`);
      }
      for (const [io, env, flags] of [[{ isTTY: false }, {}, []], [{ isTTY: true }, { NO_COLOR: "1" }, []], [{ isTTY: true }, {}, ["--no-color"]], [{ isTTY: true }, {}, ["-o", "json"]]] as const) {
        const clean = await withEnv(env, () => cli([...argv, ...flags], io));
        assert.not.match(clean.stdout + clean.stderr, /\u001b/, `${argv[0]} ${JSON.stringify(env)} ${flags.join(" ")}`);
      }
    }
  });
});

test("progress: shown only after 2 s, at most every 250 ms, only once started (a terminal), and cleared", async () => {
  const { startProgress, stopProgress, progress } = await import("../src/progress.js");
  const seen: string[] = [];
  let now = 0;
  progress("decoding listeners", 1, 10); // not started: nothing, nowhere
  startProgress((t) => seen.push(t), () => now);
  progress("decoding listeners", 1, 10);
  assert.equal(seen, [], "not before 2 s");
  now = 2100;
  progress("decoding listeners", 5, 10);
  now = 2200;
  progress("decoding listeners", 6, 10);
  now = 2400;
  progress("decoding listeners", 9, 10);
  assert.equal(seen, ["\r\u001b[Kdecoding listeners 5/10 (2 s)", "\r\u001b[Kdecoding listeners 9/10 (2 s)"]);
  stopProgress();
  assert.is(seen[seen.length - 1], "\r\u001b[K", "the line is cleared");
  let err = "";
  await runCli(["listeners", S("modern-permissive.json")], { stdout: () => {}, stderr: (t) => (err += t), stderrIsTTY: false });
  assert.not.match(err, /\r/, "piped: never");
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
