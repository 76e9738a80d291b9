#!/usr/bin/env node
// Builds the package: src/main.ts (the command) into dist/cli.js, src/index.ts (the library) into
// dist/index.js and the scanner's thread into dist/scan-worker.js, sharing chunks (schema included), and the library's type declarations into
// dist/types/. Runs on `npm ci` in a clone (the "prepare" script) and before `npm pack`.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NARROW_TEXT } from "./narrow-text.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// yargs lays out --help with cliui and wrap-ansi, and cli-table3 lays out tables, measuring every word
// with string-width: on first use that compiles an emoji regex and an Intl.Segmenter, most of --help's
// time. Text of one-column characters (NARROW_TEXT: ASCII, Latin, punctuation, arrows, box drawing) is
// as wide as it is long, so only other text goes to the real string-width (the same copy each importer
// would have loaded): the output is identical.
const asciiStringWidth = {
  name: "ascii-string-width",
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (args) =>
      args.namespace === "ascii-string-width" ? undefined : { path: `string-width@${args.resolveDir}`, namespace: "ascii-string-width", pluginData: args.resolveDir },
    );
    b.onLoad({ filter: /.*/, namespace: "ascii-string-width" }, (args) => ({
      resolveDir: args.pluginData,
      loader: "js",
      // CommonJS, so both require() (cli-table3) and import (cliui, wrap-ansi) get the function.
      // The real module is loaded on the first text that needs it: loading it builds a segmenter.
      contents: `let real;
function stringWidth(s, options) {
  // Options (ambiguousIsNarrow: false) may widen anything past ASCII.
  if (typeof s === "string" && (options === undefined ? ${NARROW_TEXT.toString()} : /^[\x20-\x7e]*$/).test(s)) return s.length;
  if (!real) {
    const m = require("string-width");
    real = typeof m === "function" ? m : m.default;
  }
  return real(s, options);
}
module.exports = stringWidth;
module.exports.default = stringWidth;`,
    }));
  },
};
// yaml and re2js are a third of what every command would parse at start, and only YAML input or
// output and regex matchers use them. Each is bundled alone as CommonJS into dist/chunks/ and loaded
// synchronously (require) the first time it is used, through a stand-in module.
const LAZY = { yaml: "vendor-yaml.cjs", re2js: "vendor-re2js.cjs" };
const lazyVendor = {
  name: "lazy-vendor",
  setup(b) {
    b.onResolve({ filter: /^(yaml|re2js)$/ }, (args) => (args.namespace === "lazy-vendor" ? undefined : { path: args.path, namespace: "lazy-vendor" }));
    b.onLoad({ filter: /.*/, namespace: "lazy-vendor" }, (args) => ({
      resolveDir: root,
      loader: "js",
      contents: `import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
const here = import.meta.url;
const req = createRequire(here);
let m;
const load = () => (m ??= req(fileURLToPath(new URL(here.includes("/chunks/") ? "./${LAZY[args.path]}" : "./chunks/${LAZY[args.path]}", here))));
${
  args.path === "yaml"
    ? "export default new Proxy({}, { get: (_, k) => load()[k], has: (_, k) => k in load() });"
    : `export const RE2JS = new Proxy(function () {}, {
  get: (_, k) => load().RE2JS[k],
  construct: (_, a) => new (load().RE2JS)(...a),
  apply: (_, t, a) => load().RE2JS.apply(t, a),
});`
}`,
    }));
  },
};
const dist = path.join(root, "dist");
fs.rmSync(dist, { recursive: true, force: true });
for (const [pkg, file] of Object.entries(LAZY)) {
  await build({
    stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: root, loader: "js" },
    outfile: path.join(dist, "chunks", file),
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    legalComments: "none",
    logLevel: "warning",
  });
}
await build({
  entryPoints: { cli: path.join(root, "src/main.ts"), index: path.join(root, "src/index.ts"), "scan-worker": path.join(root, "src/load/scan-worker.ts") },
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
  plugins: [asciiStringWidth, lazyVendor],
});
if (!process.argv.includes("--no-types")) {
  const tsc = path.join(root, "node_modules/typescript/bin/tsc");
  if (fs.existsSync(tsc)) {
    const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
