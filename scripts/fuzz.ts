#!/usr/bin/env -S npx tsx
// Runs the hostile-input generators of test/support/hostile.ts (the same as test/hostile.test.ts and
// test/fuzz.test.ts run seeded) for as long as asked and prints the counts:
//   npm run fuzz -- --count 100000 [--seed N] [--per-case K] [--library K] [--scale S] [--max-ms MS] [--kinds a,b|--hostile|--mutations]
// Every kind by default: mutations of real dumps, and the classes of issue #22 (YAML alias bombs and
// missing anchors, long names, long YAML bracket lines, line breaks in names, wrong types and enums,
// NUL streams). Exit 1 when anything broke; the inputs that did are kept in a temporary folder, named
// in the output.
import { fuzz, HOSTILE_KINDS, KINDS, MUTATION_KINDS, type Kind } from "../test/support/hostile.js";

const value = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const usage = (message: string): never => {
  process.stderr.write(`fuzz: ${message}\n`);
  process.exit(2);
};
const whole = (name: string, dflt: number) => {
  const text = value(name);
  const v = text === undefined ? dflt : Number(text);
  if (!Number.isInteger(v) || v < 0) usage(`--${name} wants a whole number`);
  return v;
};
const count = whole("count", 1000);
const seed = whole("seed", Date.now() % 2 ** 31);
const perCase = whole("per-case", 3);
const library = whole("library", 2);
const maxMs = whole("max-ms", 20_000);
const scale = Number(value("scale") ?? 1);
if (!(scale > 0 && scale <= 100)) usage("--scale wants a number above 0, up to 100");
const named = value("kinds")?.split(",");
const unknown = named?.filter((k) => !(KINDS as readonly string[]).includes(k));
if (unknown?.length) usage(`unknown kind ${unknown.join(", ")}: the kinds are ${KINDS.join(", ")}`);
const kinds: readonly Kind[] = named ? (named as Kind[]) : process.argv.includes("--hostile") ? [...HOSTILE_KINDS, "deep"] : process.argv.includes("--mutations") ? MUTATION_KINDS : KINDS;

const started = Date.now();
const tty = process.stderr.isTTY === true;
const r = await fuzz({
  seed,
  count,
  perCase,
  library,
  kinds,
  scale,
  maxMs,
  onProgress: (done) => {
    if (tty && (done % 50 === 0 || done === count)) process.stderr.write(`\r${done}/${count} cases, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  },
});
if (tty) process.stderr.write("\n");
const secs = ((Date.now() - started) / 1000).toFixed(1);
console.log(`seed ${seed}: ${count} inputs, ${r.runs} command runs and ${r.calls} library calls in ${secs} s`);
console.log(`inputs by kind: ${Object.entries(r.byKind).map(([k, n]) => `${k} ${n}`).join(", ")}`);
console.log(`exit codes: ${Object.entries(r.byCode).map(([k, n]) => `${k}: ${n}`).join(", ")}`);
console.log(`slowest: ${r.slowest.ms} ms (${r.slowest.kind}: ${r.slowest.argv.join(" ")}; its input kept as ${r.slowest.file})`);
const seen = new Map<string, (typeof r.failures)[number]>();
for (const f of r.failures) if (!seen.has(f.problem)) seen.set(f.problem, f);
for (const [problem, f] of seen) console.log(`FAIL ${problem}\n  ${f.kind}: envoy-explain ${f.argv.join(" ")}\n  input: ${f.file}`);
console.log(`${r.failures.length ? "failures" : "no failures"}: ${r.failures.length}`);
process.exit(r.failures.length ? 1 : 0);
