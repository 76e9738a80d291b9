// The benchmark and fuzz scripts are not run by the tests (they take minutes); what they import is checked here,
// so a moved module breaks the tests, not the next person who runs `npm run bench`.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = path.resolve(import.meta.dirname, "..");

test("scripts/bench.mjs runs built files that exist, and the functions it calls from them", async () => {
  const text = fs.readFileSync(path.join(root, "scripts/bench.mjs"), "utf8");
  // The test runner builds dist/ first, as the bench does.
  const files = new Map([...text.matchAll(/const (\w+) = path\.join\(root, "(dist\/[^"]+)"\)/g)].map(([, name, rel]) => [name!, rel!]));
  assert.ok(files.has("BIN") && files.has("LIB"), `found ${[...files.keys()].join(", ")}`);
  for (const rel of files.values()) assert.ok(fs.existsSync(path.join(root, rel)), `${rel} does not exist`);
  const imports = [...text.matchAll(/const \{([^}]+)\} = await import\(\$\{JSON\.stringify\(pathToFileURL\((\w+)\)\.href\)\}\)/g)];
  assert.ok(imports.length >= 1, `found ${imports.length} imports`);
  for (const [, names, which] of imports) {
    const rel = files.get(which!);
    assert.ok(rel, `${which} is not one of the built files`);
    const mod = (await import(path.join(root, rel!))) as Record<string, unknown>;
    for (const name of names!.split(",").map((n) => n.trim())) assert.type(mod[name], "function", `${rel} exports no ${name}`);
  }
});

test("scripts/guards.ts lists its time guards, each with the unit test that checks its answer (a test of that name in that file), and the unit tests time nothing", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "scripts/guards.ts"), "--list", "--json"], { cwd: root, encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  const guards = JSON.parse(r.stdout) as { name: string; test: [string, string]; limitMs: number }[];
  assert.ok(guards.length >= 10, `${guards.length} guards`);
  for (const g of guards) {
    assert.ok(g.limitMs > 0, g.name);
    const file = path.join(root, g.test[0]);
    assert.ok(fs.existsSync(file), `${g.test[0]} does not exist`);
    const titles = [...fs.readFileSync(file, "utf8").matchAll(/\btest\("((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    assert.ok(titles.some((t) => t.startsWith(g.test[1])), `${g.test[0]} has no test "${g.test[1]}…"`);
  }
  // Times live in the guards and the benchmarks: no unit test reads a clock to judge how long something took.
  const clocks = fs.readdirSync(path.join(root, "test")).filter((f) => f.endsWith(".test.ts")).flatMap((f) => {
    const text = fs.readFileSync(path.join(root, "test", f), "utf8");
    return [...text.matchAll(/(?:performance\.now|Date\.now)\(\)\s*-/g)].map(() => f);
  });
  assert.equal(clocks, [], "a unit test times something");
  assert.is(spawnSync(process.execPath, ["--import", "tsx", path.join(root, "scripts/guards.ts"), "--what"], { cwd: root, encoding: "utf8" }).status, 2, "an unknown argument is a usage error");
});

test("scripts/narrow-text.mjs: every character it lets the build's string-width stand-in measure is one column in each bundled string-width", async () => {
  const { NARROW_TEXT } = (await import(pathToFileURL(path.join(root, "scripts/narrow-text.mjs")).href)) as { NARROW_TEXT: RegExp };
  // Each copy as its importer finds it (node_modules folders upwards): cli-table3's, yargs' own, cliui's
  // and wrap-ansi's.
  const find = (pkg: string, dir: string): string => {
    for (let d = dir; ; d = path.dirname(d)) {
      const candidate = path.join(d, "node_modules", pkg);
      if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
      if (path.dirname(d) === d) throw new Error(`${pkg} not found from ${dir}`);
    }
  };
  const from = (...chain: string[]) => {
    let dir = root;
    for (const pkg of chain) dir = find(pkg, dir);
    return createRequire(path.join(dir, "package.json")).resolve("string-width");
  };
  const files = [...new Set([from("cli-table3"), from("yargs"), from("yargs", "cliui"), from("yargs", "cliui", "wrap-ansi")])];
  const widths: ((s: string) => number)[] = [];
  for (const file of files) {
    const m = (await import(pathToFileURL(file).href)) as { default: (s: string) => number };
    widths.push(m.default);
  }
  assert.ok(widths.length >= 2, `found ${files.join(", ")}`);
  let checked = 0;
  for (let cp = 0; cp <= 0xffff; cp++) {
    const c = String.fromCharCode(cp);
    if (!NARROW_TEXT.test(c)) continue;
    checked++;
    for (const [i, width] of widths.entries()) {
      assert.is(width(c), 1, `U+${cp.toString(16)} in ${files[i]}`);
      assert.is(width(`a${c}${c}b`), 4, `U+${cp.toString(16)} between others in ${files[i]}`);
    }
  }
  assert.ok(checked > 1000, `${checked} characters`);
  // What the stand-in must not answer: emoji, wide, zero-width and control characters.
  for (const c of ["\u00a9", "\u00ae", "\u200b", "\u0301", "\u4e00", "\u2705", "\x1b", "\n"]) assert.not.ok(NARROW_TEXT.test(c), JSON.stringify(c));
  assert.ok(fs.readFileSync(path.join(root, "scripts/build.mjs"), "utf8").includes("NARROW_TEXT.toString()"), "the build uses it");
});

test("src/gen/skip-wasm.ts is what scripts/gen-wasm.mjs compiles src/load/skip.wat to", () => {
  const r = spawnSync(process.execPath, [path.join(root, "scripts/gen-wasm.mjs"), "--check"], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
});

test.run();
