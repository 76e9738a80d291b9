// The README a new user follows: every example on a bundled sample runs, every relative link of the
// user documentation leads to a file (and heading) that exists, nothing points outside the repository,
// and every table renders as a table.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import MarkdownIt from "markdown-it";
import { runCli } from "../src/cli.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const README = path.join(ROOT, "README.md");
const DOCS = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => path.join(ROOT, "docs", f));
const PAGES = [README, path.join(ROOT, "CONTRIBUTING.md"), ...DOCS];
const read = (f: string) => fs.readFileSync(f, "utf8");

/** The lines of every ```sh block. */
function shLines(md: string): string[] {
  const out: string[] = [];
  let inSh = false;
  let fence = "";
  for (const line of md.split("\n")) {
    const open = /^(`{3,})(\S*)/.exec(line);
    if (!fence && open) {
      fence = open[1];
      inSh = open[2] === "sh";
    } else if (fence && line.startsWith(fence) && line.trim() === fence) {
      fence = "";
      inSh = false;
    } else if (inSh) out.push(line);
  }
  return out;
}

/** Words of a shell command line, as sh splits them: quotes kept together, stopping at an unquoted
 *  comment, pipe or redirection (what follows is the shell's business, not the command's). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unclosed quote in: ${line}`);
      cur = (cur ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (cur !== null) words.push(cur);
      cur = null;
    } else if ((c === "#" && cur === null) || c === "|" || c === ">" || c === "<" || c === ";" || c === "&") {
      break;
    } else cur = (cur ?? "") + c;
  }
  if (cur !== null) words.push(cur);
  return words;
}

function examples(): { line: string; argv: string[] }[] {
  const out: { line: string; argv: string[] }[] = [];
  for (const line of shLines(read(README))) {
    const t = line.trim();
    if (!t.startsWith("envoy-explain ") && !t.startsWith("npx envoy-explain ")) continue;
    const words = shellWords(t);
    const argv = words.slice(words[0] === "npx" ? 2 : 1);
    if (!argv.some((w) => w.startsWith("samples/"))) continue;
    out.push({ line: t, argv });
  }
  return out;
}

test("shell words: quotes, comments and redirections are split as sh splits them", () => {
  assert.equal(shellWords(`npx envoy-explain samples/a.json --port 9080  # the main job`), ["npx", "envoy-explain", "samples/a.json", "--port", "9080"]);
  assert.equal(shellWords(`envoy-explain check samples/a.json -o sarif > envoy.sarif`), ["envoy-explain", "check", "samples/a.json", "-o", "sarif"]);
  assert.equal(shellWords(`envoy-explain samples/a.json --log '"GET / HTTP/1.1" 418 # x'`), ["envoy-explain", "samples/a.json", "--log", '"GET / HTTP/1.1" 418 # x']);
});

test("the Quick start keeps the commands CI runs", () => {
  const sh = shLines(read(README)).map((l) => shellWords(l).join(" "));
  for (const cmd of ["npm ci", "npx envoy-explain samples/istio-1.3-permissive.json --port 9080", "npm test"]) assert.ok(sh.includes(cmd), `README's sh blocks lack: ${cmd}`);
  const md = read(README);
  const order = ["## Install", "## Quick start", "## Get a dump", "## One real output, annotated", "## Diagnose", "## The page", "## Exit codes", "## The library"].map((h) => md.indexOf(`\n${h}`));
  order.forEach((at, i) => assert.ok(at > 0 && (i === 0 || at > order[i - 1]), `README section ${i} missing or out of order`));
});

test("every README example on a bundled sample runs and exits below 2", async () => {
  const all = examples();
  assert.ok(all.length >= 8, `only ${all.length} examples found`);
  for (const { line, argv } of all) {
    const args = argv.map((w) => (w.startsWith("samples/") ? path.join(ROOT, w) : w));
    for (const f of args.filter((w) => w.startsWith(path.join(ROOT, "samples/")))) assert.ok(fs.existsSync(f), `${line}: no file ${f}`);
    let stdout = "";
    let stderr = "";
    const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    assert.ok(code < 2, `${line}\n exited ${code}: ${stderr.slice(0, 400)}`);
    assert.ok(stdout.length > 0, `${line}: printed nothing`);
  }
});

test("the annotated output is the command's real output (each line shown is a line it prints)", async () => {
  const md = read(README);
  const block = /```text\n\$ envoy-explain (samples\/istio-1\.3-permissive\.json --port 9080)\n([\s\S]*?)```/.exec(md);
  assert.ok(block, "README has no annotated output block");
  let stdout = "";
  const prev = process.env.COLUMNS;
  process.env.COLUMNS = "100";
  try {
    const code = await runCli([path.join(ROOT, "samples/istio-1.3-permissive.json"), "--port", "9080"], { stdout: (t) => (stdout += t), stderr: () => {} });
    assert.is(code, 0);
  } finally {
    if (prev === undefined) delete process.env.COLUMNS;
    else process.env.COLUMNS = prev;
  }
  const printed = new Set(stdout.replaceAll(path.join(ROOT, "samples/"), "samples/").split("\n").map((l) => l.trimEnd()));
  const shown = block[2].split("\n").filter((l) => l !== "" && l !== "…");
  assert.ok(shown.length >= 15);
  for (const l of shown) assert.ok(printed.has(l.trimEnd()), `not printed by the command: ${l}`);
});

test("the fleet example is the command's real output, whole", async () => {
  const md = read(README);
  const block = /```console\n\$ envoy-explain (tls-check samples\/real\/fleet\/[^\n]*)\n([\s\S]*?)```/.exec(md);
  assert.ok(block, "README has no fleet example");
  const argv = block[1].split(" ").map((w) => (w.startsWith("samples/") ? path.join(ROOT, w) : w));
  let stdout = "";
  const prev = process.env.COLUMNS;
  process.env.COLUMNS = "100";
  try {
    assert.is(await runCli(argv, { stdout: (t) => (stdout += t), stderr: () => {} }), 0);
  } finally {
    if (prev === undefined) delete process.env.COLUMNS;
    else process.env.COLUMNS = prev;
  }
  assert.is(stdout.replaceAll(path.join(ROOT, "samples/"), "samples/").trimEnd(), block[2].trimEnd());
});

/** GitHub's heading anchors: the heading's text, lower case, punctuation dropped, spaces to hyphens. */
function anchors(md: string): Set<string> {
  const out = new Set<string>();
  let fence = false;
  for (const line of md.split("\n")) {
    if (line.startsWith("```")) fence = !fence;
    const h = !fence && /^#{1,6} (.*)$/.exec(line);
    if (h) out.add(h[1].replace(/`/g, "").toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-"));
  }
  return out;
}

test("every relative link in README.md, CONTRIBUTING.md and docs/ leads to a file (and heading) that exists", () => {
  let checked = 0;
  for (const page of PAGES) {
    const md = read(page);
    const tokens = new MarkdownIt().parse(md, {});
    const links: string[] = [];
    const walk = (ts: ReturnType<InstanceType<typeof MarkdownIt>["parse"]>) => {
      for (const t of ts) {
        if (t.type === "link_open") links.push(String(t.attrGet("href") ?? ""));
        if (t.type === "image") links.push(String(t.attrGet("src") ?? ""));
        if (t.children) walk(t.children);
      }
    };
    walk(tokens);
    for (const href of links) {
      if (/^[a-z]+:/i.test(href)) continue;
      const [file, anchor] = href.split("#");
      const target = file === "" ? page : path.resolve(path.dirname(page), decodeURIComponent(file));
      assert.ok(target.startsWith(ROOT + path.sep), `${path.relative(ROOT, page)}: ${href} leaves the repository`);
      assert.ok(fs.existsSync(target), `${path.relative(ROOT, page)}: ${href} → no such file`);
      if (anchor && target.endsWith(".md")) assert.ok(anchors(read(target)).has(anchor), `${path.relative(ROOT, page)}: ${href} → no such heading`);
      checked++;
    }
  }
  assert.ok(checked >= 20, `only ${checked} links checked`);
});

test("no text refers outside the repository (../shared)", () => {
  for (const page of PAGES) assert.not.ok(read(page).includes("../shared"), `${path.relative(ROOT, page)} mentions ../shared`);
});

test("every table renders as a table with as many cells in each row as its header", () => {
  const md = new MarkdownIt();
  for (const page of PAGES) {
    const src = read(page);
    const lines = src.split("\n");
    let fence = false;
    let sourceTables = 0;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].startsWith("```")) fence = !fence;
      if (fence || !/^\|( *:?-{3,}:? *\|)+ *$/.test(lines[i])) continue;
      sourceTables++;
      const cells = (row: string) => row.trim().replace(/^\||\|$/g, "").split(/(?<!\\)\|/).length;
      const width = cells(lines[i - 1]);
      assert.is(cells(lines[i]), width, `${path.relative(ROOT, page)}:${i + 1}: delimiter row`);
      for (let j = i + 1; j < lines.length && lines[j].startsWith("|"); j++) assert.is(cells(lines[j]), width, `${path.relative(ROOT, page)}:${j + 1}: ${cells(lines[j])} cells, header has ${width}`);
    }
    const rendered = md.parse(src, {}).filter((t) => t.type === "table_open").length;
    assert.is(rendered, sourceTables, `${path.relative(ROOT, page)}: ${sourceTables} tables written, ${rendered} rendered`);
  }
});

test.run();
