// A value of an enum no name has (fuzzing found a numeric san_type) is a decode warning and is left
// out, never a crash in the commands that read it: clusters, tls-check, all. The fix is where enum
// numbers are turned to names (src/load/walk.ts), so every enum field is covered, not only this one.
import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadText } from "../src/load/dump.js";
import { clusterRows } from "../src/analyses/listings.js";
import { runTlsCheck } from "../src/analyses/tlscheck.js";
import { clusterModel } from "../src/model/cluster.js";

const R = (f: string) => path.resolve(import.meta.dirname, "../samples/real", f);

test("a numeric san_type out of range in an UpstreamTlsContext (exact shape fuzzing found, in envoyproxy/examples' double-proxy frontend, real): clusters and tls-check answer; the value is a decode warning with its place, and left out", () => {
  const text = fs.readFileSync(R("envoy-examples/double-proxy-envoy-frontend.yaml"), "utf8");
  assert.match(text, /- san_type: DNS\n/);
  for (const bad of ["9", "-1", "2147483647"]) {
    const input = loadText(text.replace("- san_type: DNS\n", `- san_type: ${bad}\n`), `frontend-san-${bad}.yaml`);
    const rows = clusterRows(input);
    assert.ok(rows.some((r) => r.name === "postgres_cluster"), JSON.stringify(rows.map((r) => r.name)));
    const report = runTlsCheck(input, undefined, {});
    assert.ok(report.clientClusters.some((c) => c.cluster === "postgres_cluster"));
    const tls = clusterModel(input.byName("cluster", "postgres_cluster")!).transport;
    assert.ok(tls.kind === "tls" && tls.subjectAltNames.length === 1, JSON.stringify(tls));
    const warned = input.diags.list.filter((d) => d.code === "unknown-enum");
    assert.is(warned.length, 1, JSON.stringify(input.diags.list));
    assert.match(warned[0]!.message, new RegExp(`^unknown number ${bad} for enum envoy\\.extensions\\.transport_sockets\\.tls\\.v3\\.SubjectAltNameMatcher\\.SanType \\(ignored\\)$`));
    assert.match(warned[0]!.path ?? "", /match_typed_subject_alt_names\[0\]\.san_type$/);
  }
});

test.run();
