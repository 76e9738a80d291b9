#!/usr/bin/env node
// Builds the package: src/main.ts (the command) into dist/cli.js and src/index.ts (the library)
// into dist/index.js, sharing chunks (schema included), and the library's type declarations into
// dist/types/. Runs on `npm ci` in a clone (the "prepare" script) and before `npm pack`.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
fs.rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: { cli: path.join(root, "src/main.ts"), index: path.join(root, "src/index.ts") },
  outdir: dist,
  bundle: true,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  platform: "node",
  target: "node20",
  format: "esm",
  legalComments: "none",
  // CommonJS dependencies (cli-table3, yargs helpers) may require Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: "warning",
});
if (!process.argv.includes("--no-types")) {
  const tsc = path.join(root, "node_modules/typescript/bin/tsc");
  if (fs.existsSync(tsc)) {
    const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
