#!/usr/bin/env node
// Runs the bundled CLI (dist/cli.js, built by `npm install` through the "prepare" script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write("envoy-explain: dist/cli.js is missing; run `npm run build` in the package folder.\n");
  process.exit(2);
}
await import(bundle.href);
