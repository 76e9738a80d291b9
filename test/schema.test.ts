// Every command's JSON (and YAML) output validates against its published schema (schema/*.json,
// draft 2020-12), on every bundled sample and the real corpus dumps.
import fs from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import YAML from "yaml";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../src/cli.js";

const root = path.resolve(import.meta.dirname, "..");
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
for (const f of fs.readdirSync(path.join(root, "schema"))) validators.set(f.replace(/\.json$/, ""), ajv.compile(JSON.parse(fs.readFileSync(path.join(root, "schema", f), "utf8"))));

const inputs = [
  ...fs.readdirSync(path.join(root, "samples")).filter((f) => f.endsWith(".json")).map((f) => path.join(root, "samples", f)),
  ...fs.readdirSync(path.join(root, "samples/diff")).map((f) => path.join(root, "samples/diff", f)),
  ...["head-proxyconfig-config_dump.json", "head-authz-configdump.yaml", "v14-describe-istio-ingressgateway-5bf6c9887-vvvmj.json", "head-secret-istio-config_dump.json", "head-endpoint-configdump.json"].map((f) => path.join(root, "test/corpus/istio", f)),
];

async function json(argv: string[]): Promise<{ code: number; doc: unknown }> {
  let stdout = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: () => {} });
  return { code, doc: code < 2 ? JSON.parse(stdout) : undefined };
}

function check(schema: string, doc: unknown, what: string): void {
  const v = validators.get(schema)!;
  assert.ok(v, `schema/${schema}.json exists`);
  const ok = v(doc);
  assert.ok(ok, `${what}: ${ajv.errorsText(v.errors, { separator: "\n" })}`);
}

test("the schemas are what scripts/schemas.mjs writes, one per command", () => {
  assert.equal([...validators.keys()].sort(), ["all", "check", "clusters", "diff", "endpoints", "explain", "fleet-check", "fleet-diff", "fleet-tls-check", "listeners", "log", "overview", "routes", "secrets", "tls-check"]);
});

for (const f of inputs) {
  const name = path.relative(root, f);
  test(`every command's JSON validates on ${name}`, async () => {
    const runs: [string, string[]][] = [
      ["explain", [f, "--port", "9080"]],
      ["explain", [f, "--port", "8443", "-c", "curl-mtls", "--sni", "secure.example.com"]],
      ["listeners", ["listeners", f]],
      ["clusters", ["clusters", f]],
      ["routes", ["routes", f]],
      ["endpoints", ["endpoints", f]],
      ["secrets", ["secrets", f]],
      ["all", ["all", f]],
      ["tls-check", ["tls-check", f]],
      ["tls-check", ["tls-check", f, "--from", "plaintext"]],
      ["tls-check", ["tls-check", path.join(root, "samples/client-productpage.json"), f]],
      ["diff", ["diff", path.join(root, "samples/modern-permissive.json"), f, "--impact"]],
      ["overview", [f]],
      ["log", [f, "--log", fs.readFileSync(path.join(root, "samples/real/accesslog/istio-io-access-log.log"), "utf8").split("\n")[1]!]],
      ["check", ["check", f]],
      ["check", ["check", path.join(root, "samples/client-productpage.json"), f]],
    ];
    for (const [schema, argv] of runs) {
      const r = await json([...argv, "-o", "json"]);
      assert.ok(r.code < 2, `${argv.join(" ")} exited ${r.code}`);
      check(schema, r.doc, `${schema} ${name}`);
      assert.is((r.doc as { version: number }).version, 1);
    }
  });
}

test("the schemas reject what breaks the contract", async () => {
  const r = await json([path.join(root, "samples/modern-permissive.json"), "-p", "9080", "-c", "plaintext", "-o", "json"]);
  const v = validators.get("explain")!;
  const doc = r.doc as { version: number; results: { outcome: { code: string } }[] };
  assert.ok(v(doc));
  assert.not.ok(v({ ...doc, version: 2 }), "another version");
  assert.not.ok(v({ ...doc, results: [{ ...doc.results[0], outcome: { ...doc.results[0]!.outcome, code: "MAYBE" } }] }), "an unknown outcome code");
  const { warnings: _w, ...noWarnings } = doc as unknown as Record<string, unknown>;
  assert.not.ok(v(noWarnings), "no warnings list");
});

test("-o yaml is the same document as -o json", async () => {
  const f = path.join(root, "samples/gateway-mutual.json");
  for (const argv of [[f, "-p", "8443", "-c", "curl-mtls", "--sni", "secure.example.com"], ["clusters", f], ["tls-check", f]]) {
    let y = "";
    let j = "";
    await runCli([...argv, "-o", "yaml"], { stdout: (t) => (y += t), stderr: () => {} });
    await runCli([...argv, "-o", "json"], { stdout: (t) => (j += t), stderr: () => {} });
    assert.equal(YAML.parse(y), JSON.parse(j));
  }
});

test("warnings are in the document, with severity, path and message", async () => {
  const text = fs.readFileSync(path.join(root, "samples/modern-permissive.json"), "utf8").replace('"stat_prefix"', '"stat_prefx"');
  const f = path.join(fs.mkdtempSync(path.join(root, "node_modules/.cache-schema-")), "typo.json");
  fs.writeFileSync(f, text);
  const r = await json(["listeners", f, "-o", "json"]);
  const w = (r.doc as { warnings: { severity: string; path?: string; message: string }[] }).warnings;
  assert.ok(w.some((x) => x.severity === "warning" && /unknown field "stat_prefx"/.test(x.message) && x.path?.startsWith("$.configs")), JSON.stringify(w));
  fs.rmSync(path.dirname(f), { recursive: true, force: true });
});

test.run();
