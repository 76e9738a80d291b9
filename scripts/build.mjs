#!/usr/bin/env node
// Builds the package: src/main.ts (the command) into dist/cli.js, src/index.ts (the library) into
// dist/index.js and the scanner's thread into dist/scan-worker.js, sharing chunks (schema included), and the library's type declarations into
// dist/types/, and the offline page into dist/web/index.html (buildWeb, below). Runs on `npm ci` in a clone (the "prepare" script) and before `npm pack`.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
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
  entryPoints: { cli: path.join(root, "src/main.ts"), index: path.join(root, "src/index.ts"), "scan-worker": path.join(root, "src/load/scan-worker.ts"), "fleet-worker": path.join(root, "src/fleet-worker.ts") },
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

// The offline page: dist/web/index.html, one file. The worker (src/web/worker.ts: the loader's core,
// the analyses and the renderers, the same modules the command line runs) is bundled for the browser
// and carried in the page's script as text, started from a blob; the page's script and style are
// inlined, and the Content-Security-Policy allows exactly them (by their SHA-256) and nothing from
// the network.
async function buildWeb() {
  const common = {
    bundle: true,
    platform: "browser",
    target: ["es2022", "chrome110", "firefox115", "safari16"],
    format: "iife",
    legalComments: "none",
    minify: true,
    write: false,
    logLevel: "warning",
  };
  const w = await build({ ...common, entryPoints: [path.join(root, "src/web/worker.ts")], metafile: true });
  const nodeOnly = Object.keys(w.metafile.inputs).filter((f) => /^node:|lazy-node/.test(f));
  if (nodeOnly.length) throw new Error(`web build: the worker would bundle Node built-ins: ${nodeOnly.join(", ")}`);
  const presets = await presetList();
  const p = await build({
    ...common,
    entryPoints: [path.join(root, "src/web/page.ts")],
    define: { __WORKER_SOURCE__: JSON.stringify(w.outputFiles[0].text), __PRESETS__: JSON.stringify(presets) },
  });
  // Inside an inline <script>, "</script" and "<!--" would end or confuse it: both only ever occur in strings and regexes here, where "<\/" and "<\!--" mean the same.
  const script = p.outputFiles[0].text.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--").trimEnd();
  const style = fs.readFileSync(path.join(root, "src/web/style.css"), "utf8").trim();
  const hash = (s) => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`;
  const csp = [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(style)}`,
    "worker-src blob:",
    "connect-src 'none'",
    "img-src 'none'",
    "font-src 'none'",
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "child-src 'none'",
    "manifest-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join("; ");
  const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version;
  const template = fs.readFileSync(path.join(root, "src/web/index.html"), "utf8");
  // Replaced by function: the bundle holds "$" sequences a replacement string would read.
  const html = template
    .replace("__CSP__", () => csp)
    .replace("__VERSION__", () => version)
    .replace("<style>__STYLE__</style>", () => `<style>${style}</style>`)
    .replace("<script>__SCRIPT__</script>", () => `<script>${script}</script>`);
  fs.mkdirSync(path.join(dist, "web"), { recursive: true });
  fs.writeFileSync(path.join(dist, "web", "index.html"), html);

  async function presetList() {
    // The presets and their help, as the command line lists them (read from the source, bundled for Node).
    const r = await build({ entryPoints: [path.join(root, "src/explain/presets.ts")], bundle: true, platform: "node", format: "esm", write: false, logLevel: "warning" });
    const mod = await import(`data:text/javascript;base64,${Buffer.from(r.outputFiles[0].text).toString("base64")}`);
    return mod.PRESET_NAMES.map((n) => [n, mod.PRESET_HELP[n]]);
  }
}

await buildWeb();

if (!process.argv.includes("--no-types")) {
  const tsc = path.join(root, "node_modules/typescript/bin/tsc");
  if (fs.existsSync(tsc)) {
    const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
