// A seeded run of the hostile-input generators of issue #22 (test/support/hostile.ts) through the
// command line and the library; `npm run fuzz -- --hostile` runs the same generators for as long as asked.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fuzz, HOSTILE_KINDS, type Kind } from "./support/hostile.js";

const KINDS: Kind[] = [...HOSTILE_KINDS, "deep"];

test("seeded fuzz (YAML alias bombs and missing anchors, deep nesting, long names, long YAML bracket lines, line breaks and control characters in names and field names, wrong types and out-of-range enums, NUL streams), through the CLI and the library: no exit 3, nothing but InputError thrown, no stack trace, no secret, no fake row or warning line, valid JSON and YAML, every run within 10 s", async () => {
  const r = await fuzz({ seed: 2022, count: 28, perCase: 2, library: 2, kinds: KINDS, eachKind: true, scale: 0.25, maxMs: 10_000 });
  assert.equal(
    r.failures.map((f) => `${f.kind}: ${f.problem} (${f.argv.join(" ")})`),
    [],
  );
  assert.is(r.runs, 56);
  assert.is(r.calls, 56);
  for (const k of KINDS) assert.is(r.byKind[k], 4, k);
  assert.ok(r.byCode[0]! > 0 && r.byCode[2]! > 0, "both inputs read and inputs refused");
});

test.run();
