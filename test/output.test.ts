// Terminal tables: fitted to the width, nothing dropped.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fitColumns, textTable } from "../src/output/table.js";

test("fitColumns: narrow columns keep their width, wide ones share the rest, and the total fits", () => {
  const rows = [["#", "NAME", "REASON"], ["1", "a", "x".repeat(300)], ["2", "bb", "y".repeat(50)]];
  const w = fitColumns(rows, 80)!;
  assert.is(w[0], 3);
  assert.is(w[1], 6);
  assert.ok(w.reduce((a, b) => a + b, 0) + 4 <= 80);
  assert.is(fitColumns([["a", "b"]], 80), undefined, "no fitting when it already fits");
});

test("textTable with COLUMNS wraps long cells without losing characters", () => {
  const prev = process.env.COLUMNS;
  process.env.COLUMNS = "60";
  try {
    const long = "outbound|9080|v1|reviews.default.svc.cluster.local";
    const out = textTable(["CLUSTER", "MODE"], [[long, "ISTIO_MUTUAL"]]);
    assert.ok(out.split("\n").every((l) => l.length <= 60), out);
    // Reassemble the first column's wrapped lines (below the header) and compare with the input.
    const body = out.split("\n").filter((l) => l.startsWith("│")).slice(1);
    const first = body.map((l) => l.split("│")[1]!.trim()).join("");
    assert.is(first, long);
    assert.not.match(out, /…/);
  } finally {
    if (prev === undefined) delete process.env.COLUMNS;
    else process.env.COLUMNS = prev;
  }
});

test.run();
