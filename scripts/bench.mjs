#!/usr/bin/env node
// Benchmark (issue #25): each command of the built package (dist/cli.js) on dumps shaped as Envoy's admin
// writes them (2-space JSON, Istio's proportions: clusters and EDS most of the bytes, listeners about a
// tenth), written by gen-dump.mjs at 10, 100, 400 MB and one past V8's 512 MiB string limit (streamed),
// against a process that reads and JSON.parses the same file(s). Every measurement is a whole process,
// timed from outside as a user waits for it (start-up, reading, analysis, output, exit), in rounds: the
// baselines and every command once per round, so that what the machine does meanwhile falls on all of
// them alike. Prints medians, ratios, peak RSS, each row's target from the issue and whether it is met,
// and where the time went (the command's own ENVOY_EXPLAIN_TIMINGS=1 line: read, scan, parse, decode,
// analyse… and the rest, start-up included). Then start-up, and the fleet row: `tls-check DIR` and
// `check DIR` over a directory of dumps of 3 MB, one per proxy, each with its own IP. Generated dumps are
// deleted after (--keep keeps them, and a later run reuses them). Builds the package first.
//
// Usage: npm run bench [-- --sizes 10,100,400,600 --runs 5 --fleet 1000 --keep --markdown --only REGEX]
//   --sizes   dump sizes in MB (those past 512 MiB are streamed; their baseline is estimated from the
//             largest smaller size's MB/s, so give one)
//   --runs    rounds per size (one for a dump past 512 MiB; at most 3 for the fleet)
//   --fleet   dumps in the fleet's directory (0: no fleet row)
//   --only    only the rows whose name matches this regular expression (the baselines they need run too)
//   --markdown  the tables for docs/performance.md and the README, at the end
// Then the time guards (scripts/guards.ts: worst-case inputs, each held to a limit), unless --only leaves them out.
// A quick run: node scripts/bench.mjs --sizes 10,100 --runs 3 --fleet 50
import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// ---- options, checked before any work ----------------------------------------------------------------
const USAGE = "usage: node scripts/bench.mjs [--sizes 10,100,400,600] [--runs 5] [--fleet 1000] [--keep] [--markdown] [--only REGEX]";
function usage(message) {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}
const VALUED = new Set(["sizes", "runs", "fleet", "only"]);
const FLAGS = new Set(["keep", "markdown"]);
const given = new Map();
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(a);
    if (!m || !(VALUED.has(m[1]) || FLAGS.has(m[1]))) usage(`unknown argument ${JSON.stringify(a)}`);
    if (given.has(m[1])) usage(`--${m[1]} given twice`);
    if (FLAGS.has(m[1])) {
      if (m[2] !== undefined) usage(`--${m[1]} takes no value`);
      given.set(m[1], true);
    } else {
      const v = m[2] ?? argv[++i];
      if (v === undefined || v.startsWith("--")) usage(`--${m[1]} needs a value`);
      given.set(m[1], v);
    }
  }
}
const sizes = String(given.get("sizes") ?? "10,100,400,600").split(",").map((s) => {
  const n = Number(s);
  if (!s.trim() || !Number.isFinite(n) || n <= 0 || n > 16000) usage(`--sizes: ${JSON.stringify(s)} is not a size in MB (a number above 0, up to 16000)`);
  return n;
}).sort((a, b) => a - b);
const whole = (name, dflt, min) => {
  const v = given.get(name) ?? String(dflt);
  if (!/^\d+$/.test(v) || Number(v) < min) usage(`--${name}: ${JSON.stringify(v)} is not a whole number from ${min}`);
  return Number(v);
};
const runs = whole("runs", 5, 1);
const fleetSize = whole("fleet", 1000, 0);
const keep = given.has("keep");
const markdown = given.has("markdown");
let only;
try {
  only = given.has("only") ? new RegExp(given.get("only")) : undefined;
} catch (e) {
  usage(`--only: not a regular expression (${e.message})`);
}
const wanted = (name) => !only || only.test(name);

// ---- the dumps -------------------------------------------------------------------------------------------
// gen-dump.mjs writes Envoy's shape; the perf runs' copy beside the project when there is one, else ours.
const SHARED_GEN = path.resolve(root, "../shared/bench/gen-dump.mjs");
const GEN = fs.existsSync(SHARED_GEN) ? SHARED_GEN : path.join(root, "scripts/gen-dump.mjs");
/** gen-dump's summary line, or a thrown error with its stderr. */
function genDump(out, args) {
  const res = spawnSync(process.execPath, [GEN, "--out", out, "--root", root, "--indent", "2", ...args], { cwd: root, encoding: "utf8" });
  if (res.status !== 0) throw new Error(`gen-dump ${args.join(" ")}: exit ${res.status}: ${res.stderr.slice(-2000)}`);
  return JSON.parse(res.stdout.trim().split("\n").pop());
}
/** The IP gen-dump gives its n-th endpoint (10.0.0.1, 10.0.0.2, … 10.0.1.0, …): proxy K of a fleet owns endpoint K. */
const endpointIp = (n) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;


// ---- measuring one process --------------------------------------------------------------------------------
const BIN = path.join(root, "dist/cli.js");
const LIB = path.join(root, "dist/index.js");
// Each measured process is this runner (a file, not `node -e`: a worker thread inherits the process's
// options, and one started under --input-type fails). It reports its peak RSS on exit, on stderr; the
// command adds its own timings line (ENVOY_EXPLAIN_TIMINGS=1, main.ts). The time is taken from outside:
// spawn to exit, as a user waits.
const RUNNER_TEXT = `import fs from "node:fs";
process.on("exit", () => process.stderr.write("\\nBENCH " + JSON.stringify({ maxRss: process.resourceUsage().maxRSS * 1024 }) + "\\n"));
const [mode, ...args] = process.argv.slice(2);
if (mode === "parse") {
  // The baseline: read + JSON.parse of each file in turn, each let go before the next.
  for (const f of args) JSON.parse(fs.readFileSync(f, "utf8"));
} else if (mode === "parse-dir") {
  for (const f of fs.readdirSync(args[0]).sort()) JSON.parse(fs.readFileSync(args[0] + "/" + f, "utf8"));
} else if (mode === "open") {
  // The library's open(): what reading costs before any command runs.
  const { open } = await import(${JSON.stringify(pathToFileURL(LIB).href)});
  await open(args[0]);
} else {
  // The built command with these arguments, as bin/envoy-explain.js runs it.
  process.argv = [process.execPath, ${JSON.stringify(BIN)}, ...args];
  await import(${JSON.stringify(pathToFileURL(BIN).href)});
}
`;
const RUNNER = path.join(os.tmpdir(), `envoy-explain-bench-runner-${process.pid}.mjs`);

/**
 * One whole process: the runner with these arguments, its stdin the file `stdin` through `cat` when
 * given. Its wall time, peak RSS and the command's timings, or its failure.
 */
function measure(argv, stdin) {
  const env = { ...process.env, ENVOY_EXPLAIN_TIMINGS: "1" };
  const opts = { cwd: root, encoding: "utf8", env, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 26 };
  const t = performance.now();
  const res = stdin ? spawnSync("sh", ["-c", `cat "$0" | "$@"`, stdin, process.execPath, RUNNER, ...argv], opts) : spawnSync(process.execPath, [RUNNER, ...argv], opts);
  const ms = performance.now() - t;
  const lines = (res.stderr ?? "").split("\n");
  const bench = lines.filter((l) => l.startsWith("BENCH ")).pop();
  const timings = lines.filter((l) => l.startsWith('{"timings":')).pop();
  // 0 done, 1 a finding (tls-check's CONFLICT, check's findings, diff's changes): both are a run.
  if (res.status > 1 || !bench) return { failed: `exit ${res.status ?? res.signal}: ${lines.filter((l) => l && !l.startsWith("BENCH ") && !l.startsWith('{"timings":')).slice(-3).join(" / ").slice(0, 400)}` };
  return { ms, maxRss: JSON.parse(bench.slice(6)).maxRss, timings: timings ? JSON.parse(timings).timings : undefined };
}

// ---- what is measured, with the issue's targets ---------------------------------------------------------------
const TARGET_FROM_MB = 100;
const explainArgs = ["--port", "9080", "-c", "curl-mtls"];
/**
 * Each row: its arguments (F the dump, F2 the same size written with --mutate 5), the baseline it is
 * compared with ("one": read + parse F; "two": F and F2), whether it runs on
 * the dump past 512 MiB, and its target: `check(r, size)` says whether it is met and what was compared
 * ({ met, got }), or undefined where the target does not apply (below 100 MB for some).
 */
const ratioAndRss = (limit) => (r, s) => {
  if (s.mb < TARGET_FROM_MB) return undefined;
  // Past 512 MiB nothing can parse the dump: the time is compared with the estimate, the memory not at all.
  const rssOk = s.large || r.maxRss <= s.baseRss.one;
  return { met: r.ratio <= limit && rssOk, got: `${r.ratio.toFixed(2)}×${rssOk ? "" : `, peak ${MiB(r.maxRss)} > parsing's ${MiB(s.baseRss.one)}`}` };
};
const ratioAtMost = (limit) => (r) => ({ met: r.ratio <= limit, got: `${r.ratio.toFixed(2)}×` });
const ROWS = [
  { name: "explain --port 9080 -c curl-mtls", args: ["F", ...explainArgs], base: "one", large: true, target: "≤ 0.5× from 100 MB, peak RSS ≤ parsing's", check: ratioAndRss(0.5) },
  {
    name: "the same, the dump on stdin (cat F | …)",
    args: ["-", ...explainArgs],
    stdin: "F",
    base: "one",
    large: true,
    target: "≤ 1.1× the same from the file",
    check: (r, s) => {
      const file = s.results.get("explain --port 9080 -c curl-mtls");
      return file ? { met: r.ms <= 1.1 * file.ms, got: `${(r.ms / file.ms).toFixed(2)}× the file's` } : undefined;
    },
  },
  ...["clusters", "endpoints", "routes", "listeners"].map((what) => ({ name: `${what} -o json`, args: [what, "F", "-o", "json"], base: "one", large: false, target: "≤ 1.0× from 100 MB, peak RSS ≤ parsing's", check: ratioAndRss(1) })),
  { name: "tls-check F F2 (vs reading both)", args: ["tls-check", "F", "F2"], base: "two", large: true, target: "≤ 1.2× reading both", check: ratioAtMost(1.2) },
  { name: "diff F F2 (vs reading both)", args: ["diff", "F", "F2"], base: "two", large: false, target: "≤ 1.5× reading both", check: ratioAtMost(1.5) },
  { name: "tls-check F (one dump)", args: ["tls-check", "F"], base: "one", large: false, target: "≤ 2×", check: ratioAtMost(2) },
  { name: "check F", args: ["check", "F"], base: "one", large: false, target: "≤ 2×", check: ratioAtMost(2) },
  { name: "load (library open(), lazy)", lib: true, base: "one", large: true, target: "(for reference)", check: () => undefined },
].filter((row) => wanted(row.name));
const BASELINES = {
  one: { name: "read + JSON.parse", files: ["F"] },
  two: { name: "read + JSON.parse of F and F2", files: ["F", "F2"] },
};
// The figures the issue says not to regress: docs/performance.md before #25, in the bench's rounds, as a
// multiple of `node -e 0` in the same rounds (82 ms then), so that a busier or slower machine is no regression.
const START_UP = [
  { name: "node -e 0 (for reference)", argv: ["-e", "0"] },
  { name: "--version", argv: [BIN, "--version"], before: 104 },
  { name: "--help", argv: [BIN, "--help"], before: 132 },
  { name: "explain, a small sample (modern-permissive.json --port 9080)", argv: [BIN, path.join(root, "samples/modern-permissive.json"), "--port", "9080"], before: 186 },
].filter((row, i) => i === 0 || wanted(row.name));
const NODE_BEFORE = 82;
/** The fleet: 1,000 dumps of 3 MB in under a minute, in under 2 GiB; for another count, a minute per thousand. */
const FLEET = [
  { name: "tls-check DIR (fleet)", args: ["tls-check", "D"] },
  { name: "check DIR (fleet)", args: ["check", "D"] },
].filter((row) => wanted(row.name));
const FLEET_MS_PER_DUMP = 60;
const FLEET_RSS = 2 * 2 ** 30;

// ---- running it ---------------------------------------------------------------------------------------------
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
/** The run whose time is the median (its timings are the row's split). */
const medianRun = (rs) => [...rs].sort((a, b) => a.ms - b.ms)[Math.floor((rs.length - 1) / 2)];
const MiB = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const ms0 = (ms) => `${ms.toFixed(0)} ms`;
const secs = (ms) => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : ms0(ms));
const MAX_TEXT = 512 * 2 ** 20;
const SPLIT = ["read", "scan", "parse", "extract", "decode", "schema", "analyse", "render"];
/** Where the time went: the command's phases, and the rest of its wall time (start-up, waits, exit). */
function split(run) {
  const t = run?.timings;
  if (!t) return undefined;
  const phases = SPLIT.map((p) => [p, t.phases[p] ?? 0]);
  const marked = phases.reduce((s, [, v]) => s + v, 0);
  return { phases, rest: Math.max(0, run.ms - marked), startup: t.startup };
}
const splitText = (s) => (s ? `${s.phases.filter(([, v]) => v >= 0.5).map(([p, v]) => `${p} ${v.toFixed(0)}`).join(" · ")}${s.phases.some(([, v]) => v >= 0.5) ? " · " : ""}rest ${s.rest.toFixed(0)} (start-up ${s.startup.toFixed(0)})` : "");
const verdict = (met) => (met === undefined ? "" : met ? "met" : "NOT MET");

const needLarge = sizes.some((mb) => mb * 1e6 > MAX_TEXT);
if (needLarge && !sizes.some((mb) => mb * 1e6 <= MAX_TEXT) && ROWS.length) usage("a dump past 512 MiB has no JSON.parse baseline of its own: give a smaller size too (--sizes 100,600)");

execFileSync(process.execPath, [path.join(root, "scripts/build.mjs"), "--no-types"], { stdio: "inherit" });
fs.writeFileSync(RUNNER, RUNNER_TEXT);
process.on("exit", () => fs.rmSync(RUNNER, { force: true }));
console.log(`${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${MiB(os.totalmem())} memory, Node ${process.versions.node}, ${os.platform()} ${os.release()}; ${new Date().toISOString().slice(0, 10)}`);
console.log(`dumps by ${path.relative(root, GEN)}; each figure a whole process timed from outside; median; peak RSS the largest of the runs`);

const tmp = os.tmpdir();
const table = []; // { mb, large, name, ms, ratio, maxRss, target, met, split, failed }
let parseMBps; // read + JSON.parse of F, MB/s, at the largest size it can run: the estimate past 512 MiB
for (const targetMb of ROWS.length ? sizes : []) {
  const F = path.join(tmp, `envoy-explain-bench-${targetMb}mb.json`);
  const F2 = path.join(tmp, `envoy-explain-bench-${targetMb}mb-mutated.json`);
  const large = targetMb * 1e6 > MAX_TEXT;
  const rows = ROWS.filter((r) => !large || r.large);
  const bases = Object.keys(BASELINES).filter((b) => !large && rows.some((r) => r.base === b));
  const made = [];
  const need = (file, how) => {
    if (fs.existsSync(file)) return;
    process.stdout.write(`generating ${file} … `);
    const t = performance.now();
    how();
    made.push(file);
    console.log(`${(fs.statSync(file).size / 1e6).toFixed(1)} MB in ${secs(performance.now() - t)}`);
  };
  need(F, () => genDump(F, ["--mb", String(targetMb)]));
  // The second dump: the same size, five chains and clusters changed, and its own IP (10.0.0.1), which is
  // one of the first's endpoints: tls-check pairs the first's cluster for it with the second's inbound ports.
  if (rows.some((r) => r.args?.includes("F2"))) need(F2, () => genDump(F2, ["--mb", String(targetMb), "--mutate", "5", "--proxy-ip", endpointIp(1)]));
  const files = { F, F2 };
  const mb = fs.statSync(F).size / 1e6;
  const n = large ? 1 : runs;
  console.log(`\n${mb.toFixed(1)} MB${large ? " (past 512 MiB: streamed; no baseline of its own)" : ""}, ${n} round(s)`);
  // A file just written may still be going to disk: read each once, so every run reads from the page cache.
  for (const f of [F, F2]) if (fs.existsSync(f)) fs.readFileSync(f);
  const baseRuns = new Map(bases.map((b) => [b, []]));
  const rowRuns = new Map(rows.map((r) => [r.name, []]));
  const failures = new Map();
  for (let round = 0; round < n; round++) {
    for (const b of bases) {
      const r = measure(["parse", ...BASELINES[b].files.map((f) => files[f])]);
      if (r.failed) throw new Error(`${BASELINES[b].name}: ${r.failed}`);
      baseRuns.get(b).push(r);
    }
    for (const row of rows) {
      if (failures.has(row.name)) continue;
      const r = measure(row.lib ? ["open", F] : ["cli", ...row.args.map((a) => files[a] ?? a)], row.stdin ? files[row.stdin] : undefined);
      if (r.failed) failures.set(row.name, r.failed);
      else rowRuns.get(row.name).push(r);
    }
  }
  const size = { mb, large, baseRss: {}, results: new Map() };
  const baseMs = {};
  for (const b of bases) {
    const rs = baseRuns.get(b);
    baseMs[b] = median(rs.map((r) => r.ms));
    size.baseRss[b] = Math.max(...rs.map((r) => r.maxRss));
    table.push({ mb, large, name: BASELINES[b].name, base: b, ms: baseMs[b], ratio: 1, maxRss: size.baseRss[b] });
    console.log(`${BASELINES[b].name.padEnd(50)} ${ms0(baseMs[b]).padStart(9)}          peak ${MiB(size.baseRss[b]).padStart(8)}   (runs: ${rs.map((r) => r.ms.toFixed(0)).join(", ")})`);
  }
  if (!large) {
    parseMBps = mb / (baseMs.one / 1000);
  } else {
    // Past the longest string nothing can JSON.parse it: the baseline is the largest smaller dump's MB/s.
    baseMs.one = (mb / parseMBps) * 1000;
    baseMs.two = 2 * baseMs.one;
    table.push({ mb, large, name: `${BASELINES.one.name} (cannot: estimated from ${parseMBps.toFixed(0)} MB/s)`, base: "one", ms: baseMs.one, ratio: 1, estimated: true });
    console.log(`${"read + JSON.parse (cannot; estimated from the MB/s above)".padEnd(50)} ${ms0(baseMs.one).padStart(9)}`);
  }
  for (const row of rows) {
    const rs = rowRuns.get(row.name);
    if (!rs.length) {
      table.push({ mb, large, name: row.name, failed: failures.get(row.name), target: row.target });
      console.log(`${row.name.padEnd(50)} failed: ${failures.get(row.name)}`);
      continue;
    }
    const run = medianRun(rs);
    const r = { ms: run.ms, maxRss: Math.max(...rs.map((x) => x.maxRss)), ratio: run.ms / baseMs[row.base] };
    size.results.set(row.name, r);
    const verdictOf = row.check(r, size);
    const met = verdictOf?.met;
    table.push({ mb, large, name: row.name, ...r, target: row.target, met, got: verdictOf?.got, split: split(run) });
    console.log(`${row.name.padEnd(50)} ${ms0(r.ms).padStart(9)}  ×${r.ratio.toFixed(2).padEnd(5)}  peak ${MiB(r.maxRss).padStart(8)}   target ${row.target}${verdictOf ? `: ${verdict(met)} (${verdictOf.got})` : ""}`);
    if (!row.lib) console.log(`${"".padEnd(52)}${splitText(split(run))}`);
  }
  if (!keep) for (const f of made) fs.rmSync(f);
}

// ---- start-up: the built command, whole process, in rounds with `node -e 0` ----------------------------------
const startUp = [];
if (START_UP.length > 1) {
  const rounds = 9;
  console.log(`\nstart-up (dist/cli.js run directly, whole process, median of ${rounds} rounds)`);
  const times = START_UP.map(() => []);
  const timings = START_UP.map(() => []);
  for (let round = 0; round < rounds; round++) {
    START_UP.forEach(({ argv }, j) => {
      const t = performance.now();
      const res = spawnSync(process.execPath, argv, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", env: { ...process.env, ENVOY_EXPLAIN_TIMINGS: "1" } });
      const ms = performance.now() - t;
      if (res.status !== 0) throw new Error(`${argv.join(" ")}: exit ${res.status}: ${res.stderr.slice(-1000)}`);
      times[j].push(ms);
      const line = res.stderr.split("\n").filter((l) => l.startsWith('{"timings":')).pop();
      timings[j].push({ ms, timings: line ? JSON.parse(line).timings : undefined });
    });
  }
  const node = median(times[0]);
  START_UP.forEach((row, j) => {
    const ms = median(times[j]);
    const limit = row.before === undefined ? undefined : row.before / NODE_BEFORE;
    // At or under the figure before, in milliseconds; on a slower machine (node -e 0 slower too), in multiples of node -e 0.
    const met = limit === undefined ? undefined : ms <= row.before || ms / node <= limit;
    const target = limit === undefined ? "" : `≤ ${row.before} ms, or ≤ ${limit.toFixed(2)}× node -e 0 (node -e 0 took ${NODE_BEFORE} ms then)`;
    startUp.push({ name: row.name, ms, ratio: ms / node, target, met });
    console.log(`${row.name.padEnd(64)} ${ms0(ms).padStart(7)}  ×${(ms / node).toFixed(2)}${target ? `   target ${target}: ${verdict(met)}` : ""}`);
    const s = split(medianRun(timings[j]));
    if (s) console.log(`${"".padEnd(66)}${splitText(s)}`);
  });
}

// ---- the fleet: tls-check DIR and check DIR over N dumps of 3 MB, one per proxy ---------------------------------
const fleet = { rows: [] };
if (fleetSize > 0 && FLEET.length) {
  const D = path.join(tmp, `envoy-explain-bench-fleet-${fleetSize}`);
  const file = (k) => path.join(D, `proxy-${String(k).padStart(4, "0")}.json`);
  // Proxy K's IP is gen-dump's endpoint K (10.0.0.K up to 255, then 10.0.1.0, …): every dump's EDS
  // endpoints are the fleet's proxies, so each client's clusters pair with the proxies that own them.
  const write = (k) => genDump(file(k), ["--mb", "3", "--proxy-ip", endpointIp(k)]);
  const made = !fs.existsSync(D);
  fs.mkdirSync(D, { recursive: true });
  if (!fs.existsSync(file(1))) write(1);
  console.log(`\nfleet: ${fleetSize} dumps of 3 MB in ${D}`);
  const rows = FLEET;
  if (rows.length) {
    const todo = [];
    for (let k = 2; k <= fleetSize; k++) if (!fs.existsSync(file(k))) todo.push(k);
    if (todo.length) {
      process.stdout.write(`generating ${todo.length} dumps (two at a time) … `);
      const t = performance.now();
      await pool(todo, 2, (k) => run(process.execPath, [GEN, "--out", file(k), "--root", root, "--indent", "2", "--mb", "3", "--proxy-ip", endpointIp(k)]));
      console.log(`done in ${secs(performance.now() - t)}`);
    }
    const n = Math.min(runs, 3);
    const baseRuns = [];
    const rowRuns = rows.map(() => []);
    const failed = new Map();
    for (let round = 0; round < n; round++) {
      const b = measure(["parse-dir", D]);
      if (b.failed) throw new Error(`read + JSON.parse of each dump: ${b.failed}`);
      baseRuns.push(b);
      rows.forEach((row, j) => {
        if (failed.has(j)) return;
        const r = measure(["cli", ...row.args.map((a) => (a === "D" ? D : a))]);
        if (r.failed) failed.set(j, r.failed);
        else rowRuns[j].push(r);
      });
    }
    const base = median(baseRuns.map((r) => r.ms));
    fleet.base = { ms: base, maxRss: Math.max(...baseRuns.map((r) => r.maxRss)) };
    console.log(`${"read + JSON.parse of each dump in turn".padEnd(50)} ${secs(base).padStart(9)}          peak ${MiB(fleet.base.maxRss).padStart(8)}`);
    const limit = FLEET_MS_PER_DUMP * fleetSize;
    const target = `< ${secs(limit)}${fleetSize === 1000 ? "" : " (a minute per 1,000 dumps)"}, peak RSS < 2 GiB`;
    rows.forEach((row, j) => {
      if (!rowRuns[j].length) {
        fleet.rows.push({ name: row.name, failed: failed.get(j), target });
        console.log(`${row.name.padEnd(50)} failed: ${failed.get(j)}`);
        return;
      }
      const r = medianRun(rowRuns[j]);
      const maxRss = Math.max(...rowRuns[j].map((x) => x.maxRss));
      const met = r.ms < limit && maxRss < FLEET_RSS;
      fleet.rows.push({ name: row.name, ms: r.ms, ratio: r.ms / base, maxRss, target, met, split: split(r) });
      console.log(`${row.name.padEnd(50)} ${secs(r.ms).padStart(9)}  ×${(r.ms / base).toFixed(2).padEnd(5)}  peak ${MiB(maxRss).padStart(8)}   target ${target}: ${verdict(met)}`);
      console.log(`${"".padEnd(52)}${splitText(split(r))}`);
    });
  }
  if (!keep && made) fs.rmSync(D, { recursive: true, force: true });
}

/** Runs `work` over `items`, `width` at a time. */
async function pool(items, width, work) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}
/** A child process, resolved when it ends well. */
function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")}: exit ${code}: ${err.slice(-1000)}`))));
  });
}

// ---- the time guards: worst-case inputs, each held to a limit (scripts/guards.ts) -------------------------------
let guards = [];
if (wanted("guards")) {
  console.log("\ntime guards (scripts/guards.ts):");
  const res = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "scripts/guards.ts"), "--json"], { cwd: root, encoding: "utf8", maxBuffer: 1 << 24 });
  try {
    guards = JSON.parse(res.stdout);
  } catch {
    console.log(`  could not run them: exit ${res.status}: ${(res.stderr || "").slice(-1000)}`);
  }
  for (const g of guards) console.log(g.skipped ? `  skipped: ${g.name}: ${g.skipped}` : `  ${g.ok ? "ok  " : "FAIL"} ${ms0(g.ms).padStart(8)} (limit ${g.limitMs} ms)  ${g.name}${g.error ? `: ${g.error}` : ""}`);
}

// ---- summary and the tables --------------------------------------------------------------------------------------
const rowNames = [...new Set(table.map((r) => r.name.replace(/ \(cannot: .*$/, "")))];
const sizesRun = [...new Set(table.map((r) => r.mb))];
const sizeLabel = (mb) => `${mb.toFixed(0)} MB`;
const cellOf = (name, mb) => table.find((r) => r.mb === mb && r.name.replace(/ \(cannot: .*$/, "") === name);
/** Whether a row meets its target at every size it applies to, and where not. */
function overall(name) {
  const cells = table.filter((r) => r.name === name && (r.met !== undefined || r.failed));
  if (!cells.length) return "";
  const misses = cells.filter((r) => !r.met);
  return misses.length ? `no (${misses.map((r) => `${sizeLabel(r.mb)}: ${r.failed ? "failed" : r.got}`).join("; ")})` : "yes";
}
if (table.length) {
  console.log("\ntargets (issue #25):");
  for (const name of rowNames) {
    const row = ROWS.find((r) => r.name === name);
    if (row && !row.target.startsWith("(")) console.log(`  ${name}: ${row.target}: ${overall(name)}`);
  }
}

if (markdown) {
  const out = [];
  if (table.length) {
    const sizeCols = sizesRun.map((mb) => sizeLabel(mb) + (mb * 1e6 > MAX_TEXT ? " (streamed)" : ""));
    out.push(`| what | ${sizeCols.join(" | ")} | peak RSS at ${sizesRun.map(sizeLabel).join(" / ")} | target (issue #25) | met |`);
    out.push(`| --- | ${sizesRun.map(() => "---").join(" | ")} | --- | --- | --- |`);
    for (const name of rowNames) {
      const row = ROWS.find((r) => r.name === name);
      const cells = sizesRun.map((mb) => {
        const c = cellOf(name, mb);
        if (!c) return "";
        if (c.failed) return "failed";
        if (c.ratio === 1 && !row) return c.estimated ? `(${ms0(c.ms)}, estimated)` : ms0(c.ms);
        return `${c.ratio.toFixed(2)}×`;
      });
      const rss = sizesRun.map((mb) => cellOf(name, mb)?.maxRss).map((b) => (b ? (b / 2 ** 20).toFixed(0) : "–")).join(" / ") + " MiB";
      out.push(`| ${mdEscape(name)} | ${cells.join(" | ")} | ${rss} | ${row ? mdEscape(row.target) : ""} | ${row ? overall(name) : ""} |`);
    }
    for (const mb of sizesRun) {
      const rows = table.filter((r) => r.mb === mb && r.split);
      if (!rows.length) continue;
      out.push("", `Where the time goes at ${sizeLabel(mb)} (ms of the median run; rest: start-up, waits for a thread or a pipe, exit):`, "");
      const used = SPLIT.filter((p) => rows.some((r) => r.split.phases.find(([q]) => q === p)[1] >= 0.5));
      out.push(`| what | total | ${used.join(" | ")} | rest (start-up) |`, `| --- | --- | ${used.map(() => "---").join(" | ")} | --- |`);
      for (const r of rows) out.push(`| ${mdEscape(r.name)} | ${r.ms.toFixed(0)} | ${used.map((p) => r.split.phases.find(([q]) => q === p)[1].toFixed(0)).join(" | ")} | ${r.split.rest.toFixed(0)} (${r.split.startup.toFixed(0)}) |`);
    }
  }
  if (startUp.length) {
    out.push("", "| start-up | median | vs node -e 0 | target | met |", "| --- | --- | --- | --- | --- |");
    for (const r of startUp) out.push(`| ${mdEscape(r.name)} | ${ms0(r.ms)} | ${r.ratio.toFixed(2)}× | ${r.target} | ${r.met === undefined ? "" : r.met ? "yes" : "no"} |`);
  }
  if (fleet.rows.length) {
    out.push("", `| fleet: ${fleetSize} dumps of 3 MB | time | vs read + JSON.parse of each | peak RSS | target | met |`, "| --- | --- | --- | --- | --- | --- |");
    if (fleet.base) out.push(`| read + JSON.parse of each dump in turn | ${secs(fleet.base.ms)} | 1.00× | ${MiB(fleet.base.maxRss)} | | |`);
    for (const r of fleet.rows) out.push(r.failed ? `| ${r.name} | failed | | | ${r.target} | no |` : `| ${r.name} | ${secs(r.ms)} | ${r.ratio.toFixed(2)}× | ${MiB(r.maxRss)} | ${r.target} | ${r.met ? "yes" : "no"} |`);
  }
  if (guards.length) {
    out.push("", "| time guard (scripts/guards.ts) | time | limit | met |", "| --- | --- | --- | --- |");
    for (const g of guards) out.push(`| ${mdEscape(g.name)} | ${g.skipped ? `skipped (${mdEscape(g.skipped)})` : ms0(g.ms)} | ${g.limitMs} ms | ${g.skipped ? "" : g.ok ? "yes" : "no"} |`);
  }
  console.log(`\n${out.join("\n")}`);
}
function mdEscape(s) {
  return s.replace(/\|/g, "\\|");
}
