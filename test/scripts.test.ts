// The benchmark and fuzz scripts are not run by the tests (they take minutes); what they import is checked here,
// so a moved module breaks the tests, not the next person who runs `npm run bench`.
import fs from "node:fs";
import path from "node:path";
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

test.run();
