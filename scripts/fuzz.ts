#!/usr/bin/env -S npx tsx
// Runs the hostile-input generators of test/support/hostile.ts for as long as asked and prints the
// counts: `npm run fuzz -- --count 100000 [--seed N] [--per-case K]`. Exit 1 when anything broke;
// the inputs that did are kept in a temporary folder, named in the output.
import { fuzz } from "../test/support/hostile.js";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 0) {
    process.stderr.write(`fuzz: --${name} wants a whole number\n`);
    process.exit(2);
  }
  return v;
};
const count = arg("count", 1000);
const seed = arg("seed", Date.now() % 2 ** 31);
const perCase = arg("per-case", 3);
const started = Date.now();
const tty = process.stderr.isTTY === true;
const r = await fuzz({
  seed,
  count,
  perCase,
  onProgress: (done) => {
    if (tty && (done % 50 === 0 || done === count)) process.stderr.write(`\r${done}/${count} cases, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  },
});
if (tty) process.stderr.write("\n");
const secs = ((Date.now() - started) / 1000).toFixed(1);
console.log(`seed ${seed}: ${count} inputs, ${r.runs} command runs in ${secs} s`);
console.log(`inputs by kind: ${Object.entries(r.byKind).map(([k, n]) => `${k} ${n}`).join(", ")}`);
console.log(`exit codes: ${Object.entries(r.byCode).map(([k, n]) => `${k}: ${n}`).join(", ")}`);
const seen = new Map<string, (typeof r.failures)[number]>();
for (const f of r.failures) if (!seen.has(f.problem)) seen.set(f.problem, f);
for (const [problem, f] of seen) console.log(`FAIL ${problem}\n  ${f.kind}: envoy-explain ${f.argv.join(" ")}`);
console.log(`${r.failures.length ? "failures" : "no failures"}: ${r.failures.length}`);
process.exit(r.failures.length ? 1 : 0);
