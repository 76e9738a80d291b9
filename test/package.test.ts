// The package as its users get it: `npm pack`, installed into an empty folder, used as a library
// (typed, no side effects on import) and as `npx envoy-explain` and the kubectl plugin.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = path.resolve(import.meta.dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-pack-"));
const npm = (args: string[], cwd: string) => spawnSync("npm", args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });

let tarball = "";
const app = path.join(tmp, "app");

test.before(() => {
  const packed = npm(["pack", "--pack-destination", tmp, "--json"], root);
  assert.is(packed.status, 0, packed.stderr);
  tarball = path.join(tmp, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  fs.mkdirSync(app);
  // The project's own version differs from the package's: --version must not say the project's.
  fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", version: "7.7.7-app", type: "module", private: true }));
  const installed = npm(["install", "--offline", tarball], app);
  assert.is(installed.status, 0, installed.stderr);
  assert.not.match(installed.stderr, /install-scripts/, "consumers see no install-script warning");
});

test("the tarball ships what runs: bundle, types, schemas, samples, README, LICENSE; no sources, no protos", () => {
  const list = spawnSync("tar", ["-tzf", tarball], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
  for (const f of ["package/dist/cli.js", "package/dist/index.js", "package/dist/types/index.d.ts", "package/schema/explain.json", "package/README.md", "package/LICENSE", "package/bin/envoy-explain.js", "package/bin/kubectl-envoy_explain.js"]) {
    assert.ok(list.includes(f), `${f} is in the tarball`);
  }
  assert.ok(list.some((f) => f.startsWith("package/samples/")));
  assert.not.ok(list.some((f) => /^package\/(src|proto|test|scripts)\//.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts"))), "no sources");
  const pkg = JSON.parse(fs.readFileSync(path.join(app, "node_modules/envoy-explain/package.json"), "utf8")) as { dependencies?: object };
  assert.equal(Object.keys(pkg.dependencies ?? {}), [], "the bundle holds every runtime dependency");
});

test("import { load, explain, tlsCheck, diff } works, reads no argv, prints nothing, never exits; errors are typed", () => {
  const sample = path.join(root, "samples/istio-1.3-permissive.json");
  const script = `
    import { load, open, explain, tlsCheck, diff, listeners, InputError } from "envoy-explain";
    const dump = load(${JSON.stringify(sample)});
    const streamed = await open(${JSON.stringify(sample)}, { streamFrom: 1024 });
    const ds = explain(streamed, { port: 9080, client: "curl-mtls" });
    const d = explain(dump, { port: 9080, client: "curl-mtls" });
    const t = tlsCheck(dump);
    const x = diff(dump, ${JSON.stringify(sample)});
    const l = listeners(dump, { port: 9080 });
    let err;
    try { load("{ not json"); } catch (e) { err = e; }
    console.log(JSON.stringify({ v: d.version, code: d.results[0].outcome.code, streamedCode: ds.results[0].outcome.code, streamed: streamed.streamed, ports: t.serverPorts.length, changes: x.changes.length, rows: l.listeners.length, typed: err instanceof InputError, msg: err?.format?.() }));
  `;
  const env = { ...process.env };
  delete env.FORCE_COLOR; // with NO_COLOR also set, Node itself warns about the pair
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, "--", "--port", "not-a-flag-for-the-library"], { cwd: app, encoding: "utf8", env });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, "", "importing prints nothing");
  const out = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
  assert.equal(out.v, 1);
  assert.is(out.code, "TLS_INTO_PLAINTEXT_HTTP");
  assert.is(out.streamedCode, "TLS_INTO_PLAINTEXT_HTTP", "open() streams and gives the same answer");
  assert.is(out.streamed, true);
  assert.ok((out.ports as number) > 0);
  assert.is(out.changes, 0);
  assert.ok((out.rows as number) > 0);
  assert.is(out.typed, true);
  assert.match(String(out.msg), /^<input>/);
});

test("the types describe the results (a TypeScript consumer type-checks)", () => {
  fs.writeFileSync(
    path.join(app, "use.ts"),
    `import { explain, type ExplainDocument, type OutcomeCode } from "envoy-explain";
const d: ExplainDocument = explain("dump.json", { port: 80, client: "plaintext" });
const code: OutcomeCode = d.results[0]!.outcome.code;
// @ts-expect-error: no such option
explain("dump.json", { prot: 80 });
export { code };
`,
  );
  fs.writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ["use.ts"] }));
  const r = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", app], { encoding: "utf8" });
  assert.is(r.status, 0, r.stdout + r.stderr);
});

test("npx envoy-explain and the kubectl plugin run the CLI", () => {
  const sample = path.join(root, "samples/istio-1.3-permissive.json");
  const r = spawnSync("npx", ["--offline", "envoy-explain", sample, "-p", "9080", "-c", "curl-mtls", "-o", "json"], { cwd: app, encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).results[0].outcome.code, "TLS_INTO_PLAINTEXT_HTTP");
  const k = spawnSync(process.execPath, [path.join(app, "node_modules/.bin/kubectl-envoy_explain"), "listener", sample, "--port", "9080", "-o", "json"], { cwd: app, encoding: "utf8" });
  assert.is(k.status, 0, k.stderr);
  assert.ok(JSON.parse(k.stdout).listeners.length > 0);
});

test("the installed command loads YAML and RE2 on first use (they ship as separate chunks): YAML in and out, a regex route", () => {
  const bin = path.join(app, "node_modules/.bin/envoy-explain");
  const yamlIn = path.join(root, "samples/real/envoy-gateway/egctl-config-out.listener.yaml");
  const y = spawnSync(process.execPath, [bin, "listeners", yamlIn, "-o", "yaml"], { cwd: app, encoding: "utf8" });
  assert.is(y.status, 0, y.stderr);
  assert.match(y.stdout, /^version: 1\n/m);
  const rx = path.join(tmp, "regex-route.json");
  const hcm = { "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager", stat_prefix: "x", http_filters: [{ name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } }], route_config: { virtual_hosts: [{ name: "v", domains: ["*"], routes: [{ match: { safe_regex: { regex: "/api/v[0-9]+/.*" } }, route: { cluster: "api" } }, { match: { prefix: "/" }, route: { cluster: "web" } }] }] } };
  fs.writeFileSync(rx, JSON.stringify({ name: "l", address: { socket_address: { address: "0.0.0.0", port_value: 8080 } }, filter_chains: [{ filters: [{ name: "envoy.filters.network.http_connection_manager", typed_config: hcm }] }] }));
  for (const [p, cluster] of [["/api/v2/x", "api"], ["/api/vx/x", "web"]]) {
    const r = spawnSync(process.execPath, [bin, rx, "-p", "8080", "-c", "plaintext", "--path", p, "-o", "json"], { cwd: app, encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    assert.is(JSON.parse(r.stdout).results[0].route.action.cluster, cluster, p);
  }
});

test("--version says this package's version wherever it is installed: in a project that depends on it, and installed globally", () => {
  const own = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
  assert.ok(/^\d+\.\d+\.\d+/.test(own) && own !== "7.7.7-app");
  const local = spawnSync(process.execPath, [path.join(app, "node_modules/.bin/envoy-explain"), "--version"], { cwd: app, encoding: "utf8" });
  assert.is(local.status, 0, local.stderr);
  assert.is(local.stdout, `${own}\n`, "from a project: the package's version, not the project's");
  const plugin = spawnSync(process.execPath, [path.join(app, "node_modules/.bin/kubectl-envoy_explain"), "--version"], { cwd: app, encoding: "utf8" });
  assert.is(plugin.stdout, `${own}\n`);
  // SARIF names the tool's version too.
  const sarif = spawnSync(process.execPath, [path.join(app, "node_modules/.bin/envoy-explain"), "check", path.join(root, "samples/modern-permissive.json"), "-o", "sarif"], { cwd: app, encoding: "utf8" });
  assert.is((JSON.parse(sarif.stdout) as { runs: { tool: { driver: { version: string } } }[] }).runs[0]!.tool.driver.version, own);
  // npm install -g into a prefix of its own, run from a folder with no package.json above it.
  const prefix = path.join(tmp, "global");
  const g = npm(["install", "-g", "--offline", "--prefix", prefix, tarball], tmp);
  assert.is(g.status, 0, g.stderr);
  const global = spawnSync(process.execPath, [path.join(prefix, "bin/envoy-explain"), "--version"], { cwd: os.tmpdir(), encoding: "utf8" });
  assert.is(global.status, 0, global.stderr);
  assert.is(global.stdout, `${own}\n`, "installed globally: not unknown");
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
