#!/usr/bin/env node
// Runs the CLI: the bundle (dist/cli.js, built by `npm run build` and before `npm pack`), or, in a
// clone where nothing was built yet, the TypeScript sources through tsx (a development dependency).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = new URL("../dist/cli.js", import.meta.url);
const source = new URL("../src/main.ts", import.meta.url);
if (existsSync(fileURLToPath(bundle))) {
  await import(bundle.href);
} else if (existsSync(fileURLToPath(source))) {
  let api;
  try {
    api = await import("tsx/esm/api");
  } catch {
    process.stderr.write("envoy-explain: dist/cli.js is missing; run `npm ci && npm run build` in the package folder.\n");
    process.exit(2);
  }
  api.register();
  await import(source.href);
} else {
  process.stderr.write("envoy-explain: dist/cli.js is missing; reinstall the package.\n");
  process.exit(2);
}
