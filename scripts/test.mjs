#!/usr/bin/env node
// Runs the uvu suites in test/ (through tsx) and ends with a plain "N passed, N failed" line.
// uvu's own summary is not one CI reads, and uvu exits 0 when it finds no tests: fail then.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Tests that run the command run the bundle when there is one: build it from the current sources first.
const built = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs"), "--no-types"], { cwd: root, stdio: "inherit" });
if (built.status !== 0) {
  console.log("0 passed, 1 failed");
  console.error("test runner: the build failed");
  process.exit(1);
}
// ESM throughout (tsx as an import hook, not a require hook): a module the CLI imports lazily is then the same instance the tests see.
const args = ["--import", "tsx", path.join(root, "node_modules/uvu/bin.js"), "test", "\\.test\\.ts$", ...process.argv.slice(2)];
const run = spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
process.stdout.write(run.stdout ?? "");
process.stderr.write(run.stderr ?? "");
const num = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(run.stdout ?? "")?.[1] ?? NaN);
const total = num("Total");
const passed = num("Passed");
const skipped = num("Skipped");
if (Number.isNaN(total)) {
  console.log(`0 passed, 1 failed`);
  console.error("test runner: uvu printed no summary (a suite crashed while loading?)");
  process.exit(1);
}
const failed = total - passed;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
if (total === 0) {
  console.error("test runner: no tests ran");
  process.exit(1);
}
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
