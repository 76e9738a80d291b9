#!/usr/bin/env -S npx tsx
// Time guards: inputs built to be the worst case of one reader or analysis (a log line of near misses, a
// long line of brackets, nesting past any parser's stack, thousands of port chains, long names, a long
// label selector, a 4 MiB listener name to diff, long near-addresses, /dev/zero), a Ctrl-C in the middle
// of synchronous work, and a 20 MB dump given to the page; each timed and held to a limit. Their answers
// are checked by the unit tests each guard names; the time is checked here, beside the benchmarks, and
// never in a unit test (a slow or busy machine is no bug). `npm run bench` runs them too. A guard whose
// tool is missing (util-linux `script`, Chromium, the built page) is skipped, and says so.
//   npm run guards [-- --json] [--list]
// --list: the guards and the tests they belong to, without running them. Exit 1 when one is over its limit
// or gives another answer than its test expects.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { InputError } from "../src/diag.js";
import { loadFile, loadText, type LoadedInput } from "../src/load/dump.js";
import { accessLogFormats, MAX_LOG_LINE, parseAccessLogLine } from "../src/load/accesslog.js";
import { chainAnalyzers } from "../src/findings/chains.js";
import { LongNames } from "../src/render/longnames.js";
import { labelSelectorProblem } from "../src/load/pod.js";
import { diffInputs } from "../src/analyses/diff.js";
import { isIP } from "../src/explain/ip.js";
import { handMadeListener, istioClustersDump, repeatedSampleFile } from "../test/support/worst-cases.js";

const root = path.resolve(import.meta.dirname, "..");

interface Guard {
  name: string;
  /** The unit test that checks the answer: file and test name (a prefix of it). */
  test: [string, string];
  limitMs: number;
  /** Why it cannot run here (a tool missing), or undefined. */
  missing?: () => string | undefined;
  /** Prepares what is not timed (a file to read); its result is given to run. */
  setup?: () => unknown;
  /**
   * Runs the case; throws when the answer is not the one its test expects. A case that times only part
   * of what it does (from a Ctrl-C typed, from a file chosen to the verdict) returns that time, in ms.
   */
  run(prepared?: unknown): void | number | Promise<void | number>;
}

const fail = (what: string): never => {
  throw new Error(what);
};
const throwsInputError = (f: () => unknown, like?: RegExp): void => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    if (like && !like.test(e.message)) fail(`another error: ${e.message.slice(0, 200)}`);
    return;
  }
  fail("no error");
};

/** A hand-made listener of TCP proxy chains (test/support/worst-cases.ts), as a whole dump. */
const handMade = (chains: { name: string; match?: Record<string, unknown> }[], extra: Record<string, unknown>, port: number): LoadedInput => loadText(handMadeListener(chains, extra, port), "hand.json");
const ORIGINAL_DST = { name: "envoy.filters.listener.original_dst", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst" } };
const now = new Date("2026-01-01T00:00:00Z");
const chainFindings = (input: LoadedInput) => chainAnalyzers.flatMap((a) => a.run({ input, now })).map((f) => `${f.code} ${f.resource.name}`);

const GUARDS: Guard[] = [
  {
    name: "a 64 KiB access-log line of near misses, against every format of a dump",
    test: ["test/accesslog.test.ts", "matching is linear"],
    limitMs: 2000,
    run() {
      const formats = accessLogFormats(loadFile(path.join(root, "samples/modern-strict.json")));
      throwsInputError(() => parseAccessLogLine(('[x] "' + '" "'.repeat(20000)).slice(0, MAX_LOG_LINE), formats, "log"));
    },
  },
  {
    name: "2,000 port chains and a catch-all on one listener, twice (reachable, then shadowed)",
    test: ["test/findings-chains.test.ts", "hand-made: 2,000 port chains"],
    limitMs: 5000,
    run() {
      const chains = Array.from({ length: 2000 }, (_, i) => ({ name: `p${i}`, match: { destination_port: 10000 + i, prefix_ranges: [{ address_prefix: "10.0.0.0", prefix_len: 8 }] } }));
      if (chainFindings(handMade([...chains, { name: "catchall" }], { listener_filters: [ORIGINAL_DST] }, 15006)).length) fail("a finding where there is none");
      const bound = chainFindings(handMade([...chains.slice(0, 1999), { name: "p-own", match: { destination_port: 15006 } }, { name: "catchall" }], {}, 15006));
      if (bound.join() !== "UNREACHABLE_CHAIN hand #2000 catchall") fail(`found ${bound.join(", ") || "nothing"}`);
    },
  },
  ...[100_000, 500_000].map(
    (n): Guard => ({
      name: `one YAML line of ${n / 1000} KB of "]", refused (500 KB in at most 8 times the time of 100 KB, and 1 s)`,
      test: ["test/inputs.test.ts", "one long YAML line of brackets is refused"],
      limitMs: n === 100_000 ? 2000 : 8000,
      run: () => throwsInputError(() => loadText("a: " + "]".repeat(n), "brackets.yaml"), /not valid YAML/),
    }),
  ),
  ...(
    [
      ["500,000 \"[\"", "a: " + "[".repeat(500_000)],
      ["500,000 \"{\"", "a: " + "{".repeat(500_000)],
      ["600 levels of block mappings", "name: x\naddress:\n" + Array.from({ length: 600 }, (_, i) => " ".repeat(i + 1) + "a:").join("\n") + " 1\n"],
    ] as const
  ).map(
    ([what, text]): Guard => ({
      name: `YAML nested past 500 levels (${what}), refused before it is parsed`,
      test: ["test/inputs.test.ts", "one long YAML line of brackets is refused"],
      limitMs: 2000,
      run: () => throwsInputError(() => loadText(text, "deep.yaml"), /nested deeper than 500 levels/),
    }),
  ),
  {
    name: "/dev/zero given to the command line: refused at its first bytes, not read to the limit",
    test: ["test/inputs.test.ts", "/dev/zero, a stream or a file of NUL bytes"],
    limitMs: 5000,
    run() {
      const r = spawnSync(process.execPath, [path.join(root, "bin/envoy-explain.js"), "listeners", "/dev/zero"], { encoding: "utf8", timeout: 60_000 });
      if (r.status !== 2 || !/is NUL bytes/.test(r.stderr)) fail(`exit ${r.status}: ${r.stderr.slice(0, 200)}`);
    },
  },
  {
    name: "long names found in 6 MB of text: short runs (\"ab ab …\") and one run of 6 million characters",
    test: ["test/output.test.ts", "long names"],
    limitMs: 6000,
    run() {
      new LongNames().text("ab ".repeat(2_000_000));
      const m = new LongNames();
      m.text("x".repeat(6_000_000));
      if (!m.section("table").includes("6000000 characters")) fail("the long name is not listed");
    },
  },
  {
    name: "a label selector of 2.4 MB (200,000 requirements), accepted, and refused with a trailing comma",
    test: ["test/pods-selector.test.ts", "Kubernetes' own selector grammar is accepted"],
    limitMs: 3000,
    run() {
      const long = `${"app=reviews,".repeat(200_000)}app=reviews`;
      if (labelSelectorProblem(long) !== undefined) fail("refused");
      if (labelSelectorProblem(`${long},`) === undefined) fail("a trailing comma accepted");
    },
  },
  {
    name: "diff of two listeners named with 4 MiB of one letter (the path of every change holds the name)",
    test: ["test/diff.test.ts", "a long name (a fuzzed dump's shape)"],
    limitMs: 10_000,
    setup() {
      const name = "l".repeat(4 * 2 ** 20);
      const listener = (alpn: string[], extra: object = {}) =>
        JSON.stringify({ name, address: { socket_address: { address: "0.0.0.0", port_value: 80 } }, filter_chains: [{ name, filter_chain_match: { application_protocols: alpn }, filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "s", cluster: name } }] }], ...extra });
      const inspector = { listener_filters: [{ name: "envoy.filters.listener.tls_inspector", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector" } }] };
      return [loadText(listener(["h2"]), "a.json"), loadText(listener(["h2", "http/1.1"], inspector), "b.json")];
    },
    run(prepared) {
      const [a, b] = prepared as [LoadedInput, LoadedInput];
      const r = diffInputs(a, b, { impact: true });
      if (r.changes.length !== 2) fail(`${r.changes.length} changes, not 2`);
    },
  },
  {
    name: "200 near-addresses of 120 characters (\"1:1:…::a\") told from IP addresses",
    test: ["test/web-core.test.ts", "isIP takes linear time on long near-addresses"],
    limitMs: 500,
    run() {
      for (let i = 0; i < 200; i++) if (isIP(`${"1:".repeat(60)}:${"a".repeat(i % 7)}`) !== 0) fail("an address");
    },
  },
  {
    name: "Ctrl-C on a terminal in the middle of decoding 30,000 clusters: the process ends (from the Ctrl-C)",
    test: ["test/options-interrupt.test.ts", "Ctrl-C in the middle of synchronous work"],
    limitMs: 5000,
    missing: () => (spawnSync("script", ["--version"]).error ? "util-linux script is not installed" : undefined),
    setup: () => interruptFile(),
    run: (file) => ctrlC(file as string),
  },
  {
    name: "a 20 MB dump given to the page through its file picker: the verdict shown (from the file's choice)",
    test: ["test/web.test.ts", "a 20 MB dump (a bundled sample with its clusters repeated)"],
    limitMs: 8000,
    missing: () => (!fs.existsSync(process.env.ENVOY_EXPLAIN_CHROMIUM ?? "/usr/bin/chromium") ? "Chromium is not installed" : !fs.existsSync(path.join(root, "dist/web/index.html")) ? "the page is not built (npm run build)" : undefined),
    setup: () => repeatedSampleFile(20),
    run: (file) => pageVerdict(file as string),
  },
];

/** The options-interrupt test's dump: 30,000 Istio-shaped clusters, in a new temporary folder. */
function interruptFile(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ee-guards-")), "clusters.json");
  fs.writeFileSync(file, istioClustersDump(30000));
  return file;
}

/** Types Ctrl-C into a pseudo-terminal once decoding shows; resolves, when the process has ended, with the ms since the Ctrl-C. */
function ctrlC(file: string): Promise<number> {
  const sh = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const command = `(sleep 2.2; cat ${sh(file)}) | ${sh(process.execPath)} ${sh(path.join(root, "bin/envoy-explain.js"))} -`;
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qefc", command, "/dev/null"], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, NO_COLOR: "1", COLUMNS: "200" } });
    let out = "";
    let sentAt: number | undefined;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      if (sentAt === undefined && /decoding clusters \d+\/30000/.test(out)) {
        sentAt = performance.now();
        child.stdin.write("\u0003");
      }
    });
    const limit = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (status) => {
      clearTimeout(limit);
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      if (sentAt === undefined) reject(new Error("decoding never showed"));
      else if (status !== 130) reject(new Error(`exit ${status}`));
      else resolve(performance.now() - sentAt);
    });
  });
}

/** Opens the page in Chromium (as test/web.test.ts does), gives it the file, and waits for the verdict: the ms from the file's choice to the verdict. */
async function pageVerdict(file: string): Promise<number> {
  const { launch, openPage, verdict } = await import("../test/support/browser.js");
  const browser = await launch();
  try {
    const o = await openPage(browser, { hash: "#port=9080&client=curl-mtls" });
    const chosen = performance.now();
    await o.page.getByLabel("Open a file").setInputFiles(file);
    const said = await verdict(o.page, 60_000);
    const ms = performance.now() - chosen;
    if (!/TLS_INTO_PLAINTEXT_HTTP/.test(said)) fail(`the page said: ${said.slice(0, 200)}`);
    await o.context.close();
    return ms;
  } finally {
    await browser.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

export interface GuardResult {
  name: string;
  test: string;
  /** Undefined when it was skipped. */
  ms?: number;
  limitMs: number;
  ok: boolean;
  error?: string;
  skipped?: string;
}

export async function runGuards(): Promise<GuardResult[]> {
  const out: GuardResult[] = [];
  for (const g of GUARDS) {
    const base = { name: g.name, test: `${g.test[0]}: ${g.test[1]}`, limitMs: g.limitMs };
    const missing = g.missing?.();
    if (missing) {
      out.push({ ...base, ok: true, skipped: missing });
      continue;
    }
    let error: string | undefined;
    let ms = 0;
    try {
      const prepared = g.setup?.();
      const began = performance.now();
      const own = await g.run(prepared);
      ms = own ?? performance.now() - began;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    out.push({ ...base, ms, ok: !error && ms <= g.limitMs, ...(error ? { error } : {}) });
  }
  // Linear: 500 KB of brackets in at most 8 times the time of 100 KB (and 1 s more for a machine's noise).
  const [small, large] = out.filter((r) => r.name.startsWith("one YAML line of"));
  if (small?.ms !== undefined && large?.ms !== undefined && large.ms > 8 * small.ms + 1000) {
    large.ok = false;
    large.error = `not linear: ${large.ms.toFixed(0)} ms against ${small.ms.toFixed(0)} ms for a fifth of it`;
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const args = process.argv.slice(2);
  const unknown = args.find((a) => a !== "--json" && a !== "--list");
  if (unknown) {
    process.stderr.write(`guards: unknown argument ${unknown}; usage: npm run guards [-- --json] [--list]\n`);
    process.exit(2);
  }
  if (args.includes("--list")) {
    const list = GUARDS.map((g) => ({ name: g.name, test: g.test, limitMs: g.limitMs }));
    process.stdout.write(args.includes("--json") ? `${JSON.stringify(list)}\n` : list.map((g) => `${g.name}\n  ${g.test.join(": ")}; at most ${g.limitMs} ms\n`).join(""));
    process.exit(0);
  }
  const results = await runGuards();
  if (args.includes("--json")) process.stdout.write(`${JSON.stringify(results)}\n`);
  else for (const r of results) process.stdout.write(r.skipped ? `skip          ${r.name}: ${r.skipped}\n` : `${r.ok ? "ok  " : "FAIL"} ${r.ms!.toFixed(0).padStart(6)} ms (limit ${r.limitMs}) ${r.name}${r.error ? `: ${r.error}` : ""}\n`);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}
