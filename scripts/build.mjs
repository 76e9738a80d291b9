#!/usr/bin/env node
// Bundles src/main.ts (the command) into dist/cli.js (one ESM file, schema included). Runs on `npm install`/`npm ci`
// (the "prepare" script) so `npx envoy-explain` works from a fresh clone.
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
await build({
  entryPoints: [path.join(root, "src/main.ts")],
  outfile: path.join(root, "dist/cli.js"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  legalComments: "none",
  // CommonJS dependencies (cli-table3, yargs helpers) may require Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: "warning",
});
