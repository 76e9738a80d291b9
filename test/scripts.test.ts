// The benchmark and fuzz scripts are not run by the tests (they take minutes); what they import is checked here,
// so a moved module breaks the tests, not the next person who runs `npm run bench`.
import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = path.resolve(import.meta.dirname, "..");

test("scripts/bench.mjs imports modules that exist and the functions it calls from them", async () => {
  const text = fs.readFileSync(path.join(root, "scripts/bench.mjs"), "utf8");
  const imports = [...text.matchAll(/const \{([^}]+)\}=await import\(R\+"([^"]+)"\)/g)];
  assert.ok(imports.length >= 2, `found ${imports.length} imports`);
  for (const [, rel] of text.matchAll(/await import\(R\+"([^"]+)"\)/g)) assert.ok(fs.existsSync(path.join(root, rel!)), `${rel} does not exist`);
  for (const [, names, rel] of imports) {
    const file = path.join(root, rel!);
    assert.ok(fs.existsSync(file), `${rel} does not exist`);
    const mod = (await import(file)) as Record<string, unknown>;
    for (const name of names!.split(",").map((n) => n.trim())) assert.type(mod[name], "function", `${rel} exports no ${name}`);
  }
});

test.run();
