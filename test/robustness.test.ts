// Mutated real dumps never crash a command: they load (with warnings) or fail with an InputError.
// Deterministic: a fixed seed and a bounded number of cases.
import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { InputError } from "../src/diag.js";
import { loadText, RESOURCE_KINDS } from "../src/load/dump.js";
import { runExplain } from "../src/analyses/explain.js";
import { listenerRows } from "../src/analyses/listings.js";
import { clustersDocument, endpointsDocument, routesDocument, secretsDocument } from "../src/documents.js";
import { runTlsCheck } from "../src/analyses/tlscheck.js";
import { diffInputs } from "../src/analyses/diff.js";
import type { RouteConfiguration } from "../src/gen/types/envoy/config/route/v3/route.js";

const root = path.resolve(import.meta.dirname, "..");
const sources = ["samples/modern-permissive.json", "samples/gateway-mutual.json", "samples/client-productpage.json", "test/corpus/istio/v16-writer-configdump.json"].map((f) =>
  fs.readFileSync(path.join(root, f), "utf8"),
);

function exercise(text: string): "ok" | "input-error" {
  try {
    const d = loadText(text, "mutated.json");
    for (const k of RESOURCE_KINDS) for (const r of d.resources[k]) void r.value;
    runExplain(d, { port: 9080 });
    runExplain(d, { port: 8443, client: "curl-mtls", sni: "secure.example.com" });
    listenerRows(d, {});
    JSON.stringify(clustersDocument(d));
    JSON.stringify(routesDocument(d));
    JSON.stringify(endpointsDocument(d));
    JSON.stringify(secretsDocument(d));
    runTlsCheck(d, d, {});
    diffInputs(d, d, { impact: true });
    return "ok";
  } catch (e) {
    if (e instanceof InputError) return "input-error";
    throw e;
  }
}

test("200 mutated dumps (byte flips, deletions, truncations, wrongly typed values): no internal error", () => {
  let seed = 20261123;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const swaps = ["null", "[]", '"s"', "7", "{}", "true"];
  for (let i = 0; i < 200; i++) {
    let t = sources[rnd(sources.length)]!;
    const op = rnd(4);
    for (let k = 0; k < 1 + rnd(3); k++) {
      const at = rnd(t.length);
      if (op === 0) t = t.slice(0, at) + String.fromCharCode(32 + rnd(90)) + t.slice(at + 1);
      else if (op === 1) t = t.slice(0, at) + t.slice(at + 1 + rnd(40));
      else if (op === 2) t = t.slice(0, at);
      else {
        // Replace the value of a random key with a value of another type.
        const keys = [...t.matchAll(/"[a-z_]+": /g)];
        const m = keys[rnd(keys.length)]!;
        const start = m.index! + m[0].length;
        const end = t.slice(start).search(/[,\n}]/) + start;
        t = t.slice(0, start) + swaps[rnd(swaps.length)] + t.slice(end);
      }
    }
    assert.ok(["ok", "input-error"].includes(exercise(t)));
  }
});

test("a value of the wrong type is reported and left out, so models never see it", () => {
  const rc = { name: "r", virtual_hosts: [{ name: "v", domains: ["a.example.com", 7, null, { x: 1 }], routes: [{ match: { prefix: 5 }, route: { cluster: "c" } }] }] };
  const d = loadText(JSON.stringify(rc), "r.json");
  const v = d.routes[0]!.value as RouteConfiguration;
  assert.equal(v.virtualHosts![0]!.domains, ["a.example.com"]);
  assert.equal(v.virtualHosts![0]!.routes![0]!.match, {});
  assert.ok(d.diags.list.some((x) => x.code === "bad-value" && /\(ignored\)/.test(x.message) && x.path === "$.virtual_hosts[0].domains[1]"));
});

test.run();
