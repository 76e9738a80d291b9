// Interrupted while a progress line shows on a terminal's stderr: the line is cleared and the process
// ends by the signal (exit status 130 for Ctrl-C), also in the middle of synchronous work. Run
// on a pseudo-terminal (util-linux `script`), Ctrl-C typed into it as a person would. Needs the bundle
// (node scripts/build.mjs --no-types; npm test builds it). How soon it ends is timed by scripts/guards.ts.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { progress, progressShown, startProgress, stopProgress } from "../src/progress.js";
import { istioClustersDump } from "./support/worst-cases.js";

const root = path.resolve(import.meta.dirname, "..");
const BIN = path.join(root, "bin/envoy-explain.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ee-interrupt-"));
const sh = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * Runs `command` on a pseudo-terminal; types Ctrl-C once its output matches `when`, and optionally feeds
 * its terminal `typed` lines (at their times, ms). Resolves with script's exit status (the command's,
 * 128 + the signal when a signal ended it) and all it printed.
 */
function onTerminal(command: string, when: RegExp, typed: [number, string][] = []): Promise<{ status: number | null; out: string; ctrlC: boolean }> {
  return new Promise((resolve) => {
    const child = spawn("script", ["-qefc", command, "/dev/null"], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, NO_COLOR: "1", COLUMNS: "200" } });
    let out = "";
    let sent = false;
    const timers = typed.map(([ms, text]) => setTimeout(() => child.stdin.write(text), ms));
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      if (!sent && when.test(out)) {
        sent = true;
        child.stdin.write("\u0003");
      }
    });
    const limit = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (status) => {
      for (const t of timers) clearTimeout(t);
      clearTimeout(limit);
      resolve({ status, out, ctrlC: sent });
    });
  });
}

test("the progress module says when a line comes up and when it is gone (what the bin's signal handling keys on)", () => {
  const seen: boolean[] = [];
  const written: string[] = [];
  let now = 0;
  startProgress((t) => written.push(t), () => now, (shown) => seen.push(shown));
  progress("reading x");
  assert.is(progressShown(), false, "nothing in the first 2 s");
  now = 2100;
  progress("reading x", 1);
  now = 2400;
  progress("reading x", 2);
  assert.is(progressShown(), true);
  assert.equal(seen, [true], "told once, when the first line came up");
  stopProgress();
  assert.equal(seen, [true, false]);
  assert.is(written[written.length - 1], "\r\u001b[K");
  assert.is(progressShown(), false);
  stopProgress();
  assert.equal(seen, [true, false], "nothing more when nothing is shown");
});

test("Ctrl-C while reading a slow stdin: the progress line is cleared, and the process ends by SIGINT", async () => {
  const r = await onTerminal(`${sh(process.execPath)} ${sh(BIN)} listeners -`, /reading <stdin> \(MiB\) \d+ \(\d+ s\)/, [
    [100, "{\n"],
    [2300, "\n"],
  ]);
  assert.is(r.status, 130, r.out);
  assert.match(r.out, /reading <stdin> \(MiB\) \d+ \(\d+ s\)(\^C)?\r\u001b\[K$/, JSON.stringify(r.out.slice(-200)));
});

test("Ctrl-C in the middle of synchronous work (decoding 30000 clusters): the line is cleared at once, no answer printed", async () => {
  // Istio-shaped clusters, as the bench generates them; from stdin after 2.2 s, so that the progress line
  // is up as soon as decoding starts.
  const file = path.join(tmp, "clusters.json");
  fs.writeFileSync(file, istioClustersDump(30000));
  const r = await onTerminal(`(sleep 2.2; cat ${sh(file)}) | ${sh(process.execPath)} ${sh(BIN)} -`, /decoding clusters \d+\/30000/);
  assert.is(r.status, 130, r.out.slice(-300));
  assert.match(r.out, /decoding clusters \d+\/30000 \(\d+ s\)(\^C)?\r\u001b\[K$/, JSON.stringify(r.out.slice(-200)));
  assert.not.match(r.out, /Outbound|Findings/, "stopped before it printed the overview");
  // How soon after the Ctrl-C it ends: scripts/guards.ts times it.
  assert.ok(r.ctrlC, "Ctrl-C was typed");
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
