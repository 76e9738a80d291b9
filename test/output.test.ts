// Terminal tables: fitted to the width, nothing dropped.
import { test } from "uvu";
import * as assert from "uvu/assert";
import path from "node:path";
import { fitColumns, textTable, wrapProse } from "../src/render/table.js";

const root = path.resolve(import.meta.dirname, "..");

test("fitColumns: narrow columns keep their width, wide ones share the rest, and the total fits", () => {
  const rows = [["#", "NAME", "REASON"], ["1", "a", "x".repeat(300)], ["2", "bb", "y".repeat(50)]];
  const w = fitColumns(rows, 80)!;
  assert.is(w[0], 3);
  assert.is(w[1], 6);
  assert.ok(w.reduce((a, b) => a + b, 0) + 4 <= 80);
  assert.is(fitColumns([["a", "b"]], 80), undefined, "no fitting when it already fits");
});

test("textTable with COLUMNS wraps long cells without losing characters", () => {
  const prev = process.env.COLUMNS;
  process.env.COLUMNS = "60";
  try {
    const long = "outbound|9080|v1|reviews.default.svc.cluster.local";
    const out = textTable(["CLUSTER", "MODE"], [[long, "ISTIO_MUTUAL"]]);
    assert.ok(out.split("\n").every((l) => l.length <= 60), out);
    // Reassemble the first column's wrapped lines (below the header) and compare with the input.
    const body = out.split("\n").filter((l) => l.startsWith("│")).slice(1);
    const first = body.map((l) => l.split("│")[1]!.trim()).join("");
    assert.is(first, long);
    assert.not.match(out, /…/);
  } finally {
    if (prev === undefined) delete process.env.COLUMNS;
    else process.env.COLUMNS = prev;
  }
});

test("at 80 columns every line of explain fits, and no word that fits a column is split", async () => {
  const { runCli } = await import("../src/cli.js");
  const prev = process.env.COLUMNS;
  process.env.COLUMNS = "80";
  try {
    let out = "";
    await runCli([path.join(root, "samples/istio-1.3-permissive.json"), "-p", "9080", "-c", "curl-mtls"], { stdout: (t) => (out += t), stderr: () => {} });
    const lines = out.split("\n");
    assert.ok(lines.every((l) => [...l].length <= 80), lines.filter((l) => [...l].length > 80).join("\n"));
    // Short words are never broken across lines of a cell ("plaint|ext").
    assert.not.match(out, /│ plaint\s*│/);
    assert.match(out, /│ plaintext +│/);
  } finally {
    if (prev === undefined) delete process.env.COLUMNS;
    else process.env.COLUMNS = prev;
  }
});

test("wrapProse wraps long lines under their own indentation and leaves boxes alone", () => {
  const text = ["Client       a b c d e f g h i j k l m n o p q r s t u v w x y z", "│ box line that is long but already fitted by the table │"].join("\n");
  const out = wrapProse(text, 30).split("\n");
  assert.ok(out.slice(0, -1).every((l) => l.length <= 30));
  assert.ok(out.slice(1, -1).every((l) => l.startsWith("             ")), out.join("\n"));
  assert.is(out[out.length - 1], "│ box line that is long but already fitted by the table │");
});

test("a 400-line name neither stalls the boxed tables nor breaks their rows", async () => {
  const { runCli } = await import("../src/cli.js");
  const name = Array.from({ length: 400 }, (_, i) => `line-${i}-of-a-long-name`).join("\n");
  const listener = { "@type": "type.googleapis.com/envoy.config.listener.v3.Listener", name, address: { socket_address: { address: "0.0.0.0", port_value: 80 } }, filter_chains: [{ name, filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "s", cluster: "c" } }] }] };
  const fs = await import("node:fs");
  const os = await import("node:os");
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-long-")), "long.json");
  fs.writeFileSync(f, JSON.stringify(listener));
  let out = "";
  const code = await runCli([f, "-p", "80", "-c", "plaintext"], { stdout: (t) => (out += t), stderr: () => {} });
  assert.is(code, 0);
  const row = out.split("\n").find((l) => l.startsWith("│ 0 "))!;
  assert.ok(row, "the chain's row");
  assert.match(row, /line-0-of-a-long-name\\nline-1/, "line breaks in a name are shown as \\n inside its cell");
  fs.rmSync(path.dirname(f), { recursive: true, force: true });
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
  const { runCli } = await import("../src/cli.js");
  let err = "";
  await runCli(["listeners", path.join(root, "samples/modern-permissive.json")], { stdout: () => {}, stderr: (t) => (err += t), stderrIsTTY: false });
  assert.not.match(err, /\r/, "piped: never");
});

test.run();
