// Findings: the analyzers written around the explain engine and what Envoy reports itself, on the
// bundled samples and real dumps (samples/real, with their sources), and the check command.
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadFile, loadText } from "../src/load/dump.js";
import { runFindings } from "../src/findings/index.js";
import { checkDocument, overviewDocument } from "../src/documents.js";
import { CATALOGUE, FINDING_CODES } from "../src/findings/catalogue.gen.js";
import { ANALYZERS } from "../src/findings/index.js";
import { runCli } from "../src/cli.js";
import fs from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";

const S = (f: string) => path.resolve(import.meta.dirname, "../samples", f);
const DEATHSTAR = S("real/istio/deathstarbench-geo-1.18.2.config_dump.json.gz");

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

test("catalogue: every analyzer's codes are in it, each once", () => {
  const codes = ANALYZERS.flatMap((a) => a.codes);
  assert.is(new Set(codes).size, codes.length);
  for (const c of codes) assert.ok((FINDING_CODES as readonly string[]).includes(c), c);
  assert.is(new Set(CATALOGUE.map((e) => e.code)).size, CATALOGUE.length);
  for (const e of CATALOGUE) assert.ok(codes.includes(e.code), `no analyzer reports ${e.code}`);
});

test("PERMISSIVE_TLS_TRAP: Istio 1.3 lands curl --cert on the plaintext chain, 1.20 on no chain; proven by the replay", () => {
  const old = runFindings(loadFile(S("istio-1.3-permissive.json"))).filter((f) => f.code === "PERMISSIVE_TLS_TRAP");
  assert.is(old.length, 1);
  assert.is(old[0]!.resource.name, "9080");
  assert.is(old[0]!.evidence?.outcome, "TLS_INTO_PLAINTEXT_HTTP");
  assert.is(old[0]!.evidence?.client, "curl-mtls");
  assert.match(old[0]!.message, /lands on the plaintext chain #5/);
  assert.match(old[0]!.message, /\(istio\)/);
  const modern = runFindings(loadFile(S("modern-permissive.json"))).filter((f) => f.code === "PERMISSIVE_TLS_TRAP");
  // 3306 is PERMISSIVE too, but a TLS client there is passed through to the app: no trap.
  assert.equal(modern.map((f) => f.resource.name), ["9080"]);
  assert.is(modern[0]!.evidence?.outcome, "NO_FILTER_CHAIN");
  assert.match(modern[0]!.message, /matches no chain/);
});

test("PERMISSIVE_TLS_TRAP: not reported where plaintext is refused too (STRICT) or only plaintext is taken (DISABLE)", () => {
  for (const f of ["modern-strict.json", "modern-disable.json", "istio-1.1-strict.json"]) {
    const codes = runFindings(loadFile(S(f))).map((x) => x.code);
    assert.not.ok(codes.includes("PERMISSIVE_TLS_TRAP"), f);
  }
});

test("REJECTED_CONFIG on a real Istio 1.18 dump whose virtualInbound Envoy rejected (an EnvoyFilter's Lua), with Envoy's message and where", () => {
  const input = loadFile(DEATHSTAR);
  const rejected = runFindings(input, { now: new Date("2025-01-01T00:00:00Z") }).filter((f) => f.code === "REJECTED_CONFIG");
  assert.is(rejected.length, 1);
  assert.is(rejected[0]!.resource.name, "virtualInbound");
  assert.is(rejected[0]!.severity, "error");
  assert.match(rejected[0]!.message, /LuaValidationError\.DefaultSourceCode/);
  assert.match(rejected[0]!.path!, /^\$\.configs\[3\]\.dynamic_listeners\[\d+\]\.error_state/);
});

test("a rejected update is said once: as REJECTED_CONFIG by the overview and check, as a warning by the other commands", async () => {
  for (const argv of [[DEATHSTAR], ["check", DEATHSTAR]]) {
    const r = await cli(argv);
    assert.match(r.out, /REJECTED_CONFIG/);
    assert.not.match(r.err, /Envoy rejected listener "virtualInbound"/, argv.join(" "));
  }
  const l = await cli(["listeners", DEATHSTAR]);
  assert.match(l.err, /Envoy rejected listener "virtualInbound"/);
});

test("CERT_EXPIRED / CERT_EXPIRING / CERT_NOT_YET_VALID follow --now on a real workload certificate (Istio 1.18, not after 2025-02-18T14:49:39Z)", () => {
  const input = loadFile(DEATHSTAR);
  const at = (now: string) => runFindings(input, { now: new Date(now) }).filter((f) => f.code.startsWith("CERT_"));
  const after = at("2025-03-01T00:00:00Z");
  assert.equal(after.map((f) => f.code), ["CERT_EXPIRED"]);
  assert.match(after[0]!.message, /expired on 2025-02-18T14:49:39\.000Z, 10 days before/);
  assert.match(after[0]!.resource.name, /^default: /);
  // Within its one day of validity (Istio's 24 h workload certificates): expiring, in hours.
  const soon = at("2025-02-18T00:00:00Z");
  assert.equal(soon.map((f) => [f.code, f.severity]), [["CERT_EXPIRING", "warning"]]);
  assert.match(soon[0]!.message, /expires on 2025-02-18T14:49:39\.000Z, in 14 hours/);
  // Before 2025-02-16 neither the workload certificate nor the root (in both secrets) is valid yet.
  const before = at("2025-02-10T00:00:00Z");
  assert.equal(before.map((f) => f.code), ["CERT_NOT_YET_VALID", "CERT_NOT_YET_VALID", "CERT_NOT_YET_VALID"]);
  assert.ok(before.some((f) => /valid only from 2025-02-17T14:47:39\.000Z/.test(f.message)));
  // Between the root's start and the workload certificate's: only the workload certificate.
  assert.equal(at("2025-02-17T00:00:00Z").length, 1);
});

test("TLS_MODE_CONFLICT with two dumps: the clusters tls-check finds in CONFLICT, naming both proxies", () => {
  const client = loadFile(S("client-productpage.json"));
  const server = loadFile(S("modern-strict.json"));
  const doc = checkDocument([client, server]);
  const conflicts = doc.findings.filter((f) => f.code === "TLS_MODE_CONFLICT");
  assert.equal(conflicts.map((f) => f.resource.name.split("|")[2]).sort(), ["plain", "simple"]);
  for (const f of conflicts) {
    assert.is(f.file, client.file);
    assert.ok(f.message.includes(server.file), f.message);
    assert.is(f.evidence?.port, 9080);
  }
  // One dump alone has nothing to pair.
  assert.not.ok(checkDocument([client]).findings.some((f) => f.code === "TLS_MODE_CONFLICT"));
});

test("overview: what the proxy is, what each port accepts (from the replays), what its clusters send, and the findings", () => {
  const doc = overviewDocument(loadFile(S("istio-1.3-permissive.json")));
  assert.is(doc.proxy.mesh, "Istio");
  assert.is(doc.proxy.meshVersion, "1.3.0-rc.2");
  assert.is(doc.proxy.role, "sidecar");
  assert.ok(doc.proxy.traffic.captures);
  assert.equal(doc.ports.map((p) => [p.port, p.mode]), [[9080, "PERMISSIVE"]]);
  const replays = doc.ports[0]!.replays;
  assert.equal(replays.map((r) => r.client), ["plaintext", "istio-sidecar", "curl-mtls", "curl-tls"]);
  assert.is(replays.find((r) => r.client === "curl-mtls")!.outcome, "TLS_INTO_PLAINTEXT_HTTP");
  assert.is(doc.outbound.clusters, doc.outbound.mtls + doc.outbound.tls + doc.outbound.plaintext + doc.outbound.auto + doc.outbound.other);
  assert.ok(doc.findings.some((f) => f.code === "PERMISSIVE_TLS_TRAP"));
});

test("CLI: envoy-explain DUMP without --port gives the overview; check exits 1 at --fail-on; options are checked first", async () => {
  const ov = await cli([S("modern-permissive.json")]);
  assert.is(ov.code, 0, ov.err);
  assert.match(ov.out, /Istio 1\.20\.3 sidecar/);
  assert.match(ov.out, /PERMISSIVE_TLS_TRAP/);
  const json = JSON.parse((await cli([S("modern-permissive.json"), "-o", "json"])).out);
  assert.is(json.version, 1);
  assert.ok(Array.isArray(json.findings) && Array.isArray(json.ports));
  const warnOnly = await cli(["check", S("modern-permissive.json")]);
  assert.is(warnOnly.code, 0, "a warning is below the default --fail-on error");
  assert.is((await cli(["check", S("modern-permissive.json"), "--fail-on", "warning"])).code, 1);
  assert.is((await cli(["check", S("modern-permissive.json"), "--fail-on", "none"])).code, 0);
  const bad = await cli(["check", S("modern-permissive.json"), "--now", "yesterday-ish"]);
  assert.is(bad.code, 2);
  assert.match(bad.err, /--now wants a time/);
  const needsPort = await cli([S("modern-permissive.json"), "--client", "curl-mtls"]);
  assert.is(needsPort.code, 2);
  assert.match(needsPort.err, /--client explains a connection: it needs --port/);
  const sarifElsewhere = await cli(["listeners", S("modern-permissive.json"), "-o", "sarif"]);
  assert.is(sarifElsewhere.code, 2);
  assert.match(sarifElsewhere.err, /-o sarif is for findings/);
});

const F = (f: string) => S(`real/findings/${f}`);

test("REJECTED_CONFIG for a cluster (hand-made ClustersConfigDump in Envoy's DynamicCluster shape): the active version keeps serving, one never accepted is missing", () => {
  const failed = (name: string) => ({
    failed_configuration: { "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", name, type: "EDS", lb_policy: "MAGLEV_BAD" },
    last_update_attempt: "2026-01-01T00:00:00Z",
    details: "Proto constraint validation failed (ClusterValidationError.LbPolicy: value must be one of the defined enum values)",
  });
  const dump = {
    configs: [
      {
        "@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
        dynamic_active_clusters: [
          { version_info: "1", cluster: { "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", name: "reviews", type: "EDS" }, error_state: failed("reviews") },
          { error_state: failed("ratings") },
        ],
      },
    ],
  };
  const input = loadText(JSON.stringify(dump, null, 2), "clusters.json");
  const found = runFindings(input).filter((f) => f.code === "REJECTED_CONFIG");
  assert.equal(found.map((f) => [f.resource.kind, f.resource.name]), [["cluster", "reviews"], ["cluster", "ratings"]]);
  assert.match(found[0]!.message, /rejected an update of cluster reviews and keeps serving its previous version: Proto constraint validation failed/);
  assert.match(found[1]!.message, /rejected cluster ratings, which it never accepted, so routes and TCP proxies that name it find no cluster \(503 NC\)/);
  assert.ok(input.byName("cluster", "reviews"), "the active version is still read");
  assert.is(input.byName("cluster", "ratings"), undefined);
  assert.ok(found.every((f) => f.line && f.line > 1), "located in the text");
});

test("real Istio secret dumps (istio/istio testdata): CERT_EXPIRED with its place in the file, and a WARMING secret", () => {
  const input = loadFile(F("istio-secret-istio.config_dump.json"));
  const found = runFindings(input, { now: new Date("2026-12-07T00:00:00Z") });
  assert.equal(found.map((f) => f.code), ["CERT_EXPIRED", "WARMING"]);
  const text = fs.readFileSync(F("istio-secret-istio.config_dump.json"), "utf8").split("\n");
  const [expired, warm] = found as [(typeof found)[0], (typeof found)[0]];
  assert.match(expired.resource.name, /spiffe:\/\/cluster\.local\/ns\/ambient\/sa\/namespace-istio-waypoint/);
  // The line it points at is the secret's, and the warming one's names the secret.
  assert.ok(expired.line && expired.column, "located");
  assert.match(text.slice(expired.line! - 1, expired.line! + 2).join("\n"), /"name": "default"/);
  assert.is(warm.resource.name, "configmap://some/thing");
  assert.match(text.slice(warm.line! - 1, warm.line! + 2).join("\n"), /configmap:\/\/some\/thing/);
  // SPIRE's chain: the leaf and its intermediate, each judged.
  const spire = runFindings(loadFile(F("istio-secret-spire.config_dump.json")), { now: new Date("2024-10-28T12:00:00Z") });
  assert.equal(spire.map((f) => f.code), ["CERT_EXPIRED", "CERT_EXPIRING"]);
});

test("PERMISSIVE_TLS_TRAP on a real 2023 Istio sidecar (istio/istio's authz testdata), port 80", () => {
  const found = runFindings(loadFile(F("istio-authz-configdump.yaml"))).filter((f) => f.code === "PERMISSIVE_TLS_TRAP");
  assert.equal(found.map((f) => f.resource.name), ["80"]);
  assert.is(found[0]!.evidence?.outcome, "NO_FILTER_CHAIN");
});

test("-o sarif validates against the SARIF 2.1.0 schema (microsoft/sarif-sdk), rules from the catalogue, results located", async () => {
  const schema = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "support/sarif/sarif-schema-2.1.0.json"), "utf8"));
  const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(schema);
  const r = await cli(["check", F("istio-secret-istio.config_dump.json"), S("istio-1.3-permissive.json"), DEATHSTAR, "-o", "sarif", "--now", "2026-12-07T00:00:00Z"]);
  assert.is(r.code, 1, "an error is at the default --fail-on");
  const log = JSON.parse(r.out) as { version: string; runs: any[] };
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.is(log.version, "2.1.0");
  const run = log.runs[0];
  assert.equal(run.tool.driver.rules.map((x: { id: string }) => x.id), CATALOGUE.map((e) => e.code));
  const codes = run.results.map((x: { ruleId: string }) => x.ruleId);
  for (const c of ["CERT_EXPIRED", "REJECTED_CONFIG", "PERMISSIVE_TLS_TRAP", "WARMING"]) assert.ok(codes.includes(c), c);
  for (const x of run.results) {
    assert.is(run.tool.driver.rules[x.ruleIndex].id, x.ruleId);
    assert.ok(["error", "warning", "note"].includes(x.level));
  }
  const cert = run.results.find((x: { ruleId: string }) => x.ruleId === "CERT_EXPIRED");
  assert.ok(cert.locations[0].physicalLocation.region.startLine > 0);
  // What breaks the contract fails: a level SARIF does not have.
  assert.not.ok(validate({ ...log, runs: [{ ...run, results: [{ ...run.results[0], level: "fatal" }] }] }));
  // -o sarif on the overview too.
  const ov = await cli([S("modern-permissive.json"), "-o", "sarif"]);
  assert.ok(validate(JSON.parse(ov.out)));
});

test.run();
