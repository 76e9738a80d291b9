// istioctl's habits and CI gating: singular commands, did-you-mean, filters, --expect, --fail-on,
// completion from the dump on the command line.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../src/cli.js";
import { cli } from "./support/cli.js";

const root = path.resolve(import.meta.dirname, "..");
const S = (f: string) => path.join(root, "samples", f);

test("singular command names as istioctl has them, and did-you-mean for a typo", async () => {
  for (const [one, many] of [["listener", "listeners"], ["cluster", "clusters"], ["route", "routes"], ["endpoint", "endpoints"], ["secret", "secrets"]]) {
    const a = await cli(one!, S("client-productpage.json"), "-o", "json");
    const b = await cli(many!, S("client-productpage.json"), "-o", "json");
    assert.is(a.code, 0, a.stderr);
    assert.is(a.stdout, b.stdout);
  }
  const typo = await cli("listner", S("modern-permissive.json"));
  assert.is(typo.code, 2);
  assert.match(typo.stderr, /unknown command "listner": did you mean "listener"\?/);
  assert.not.match(typo.stderr, /Missing required argument/);
  // The command after the dump: the corrected command line, not "Missing required argument: port".
  const late = await cli(S("modern-permissive.json"), "listeners", "--port", "9080");
  assert.is(late.code, 2);
  assert.ok(late.stderr.includes(`"listeners" is a command: it comes before the dump (envoy-explain listeners ${S("modern-permissive.json")} --port 9080)`), late.stderr);
  assert.not.match(late.stderr, /Missing required argument/);
});

test("istioctl's filters: listeners --type/--address, clusters --fqdn/--direction/--subset, endpoints --status", async () => {
  const tcp = JSON.parse((await cli("listeners", S("modern-permissive.json"), "--type", "TCP", "-o", "json")).stdout);
  assert.ok(tcp.listeners.length > 0 && tcp.listeners.every((r: { type: string }) => r.type === "TCP"));
  const http = JSON.parse((await cli("listeners", S("modern-permissive.json"), "--type", "http", "-o", "json")).stdout);
  assert.ok(http.listeners.length > 0 && http.listeners.every((r: { type: string }) => r.type === "HTTP"));
  const at = JSON.parse((await cli("listeners", S("istio-1.3-permissive.json"), "--address", "172.30.150.216", "-o", "json")).stdout);
  assert.ok(at.listeners.length > 0 && at.listeners.every((r: { address: string }) => r.address.startsWith("172.30.150.216:")));
  const c = JSON.parse((await cli("clusters", S("client-productpage.json"), "--fqdn", "reviews", "--direction", "outbound", "--subset", "mesh", "-o", "json")).stdout);
  assert.equal(c.clusters.map((x: { name: string }) => x.name), ["outbound|9080|mesh|reviews.default.svc.cluster.local"]);
  const all = JSON.parse((await cli("endpoints", S("client-productpage.json"), "-o", "json")).stdout).endpoints.length;
  const healthy = JSON.parse((await cli("endpoints", S("client-productpage.json"), "--status", "healthy", "-o", "json")).stdout).endpoints;
  assert.ok(healthy.length > 0 && healthy.length <= all && healthy.every((e: { health: string }) => e.health === "HEALTHY"));
});

test("--expect: exit 0 when the outcome is one of the list, 1 with a line saying what came instead", async () => {
  const f = S("modern-permissive.json");
  const ok = await cli(f, "-p", "9080", "-c", "istio-sidecar", "--expect", "MTLS_TERMINATED,TLS_TERMINATED");
  assert.is(ok.code, 0, ok.stderr);
  const miss = await cli(f, "-p", "9080", "-c", "curl-mtls", "--expect", "mtls_terminated");
  assert.is(miss.code, 1);
  assert.match(miss.stderr, /expected MTLS_TERMINATED for curl-mtls on port 9080, got NO_FILTER_CHAIN/);
  const bad = await cli(f, "-p", "9080", "--expect", "GREEN");
  assert.is(bad.code, 2);
});

test("diff --fail-on: any change, a port's mTLS mode, or a connection's outcome", async () => {
  const a = S("modern-permissive.json");
  const b = S("modern-strict.json");
  assert.is((await cli("diff", a, b, "-q")).code, 1);
  assert.is((await cli("diff", a, b, "-q", "--fail-on", "mode")).code, 1, "PERMISSIVE → STRICT is a mode change");
  assert.is((await cli("diff", a, b, "-q", "--fail-on", "impact")).code, 1, "plaintext clients are refused now");
  const ignoredOnly = await cli("diff", a, a, "-q", "--fail-on", "mode");
  assert.is(ignoredOnly.code, 0);
  // A change that touches no port's mode: exit 0 with --fail-on mode, 1 with any.
  const portLevel = S("modern-portlevel.json");
  const strict = await cli("diff", b, portLevel, "-o", "json", "--fail-on", "mode");
  const doc = JSON.parse(strict.stdout);
  assert.is(strict.code, doc.summary.length ? 1 : 0);
});

test("completion: ports and listener names from the dump on the command line, presets after --client", async () => {
  const f = S("modern-permissive.json");
  const ports = await cli("--get-yargs-completions", "envoy-explain", f, "--port", "");
  assert.equal(ports.stdout.trim().split("\n"), ["3306", "9080", "15001", "15006"]);
  const names = await cli("--get-yargs-completions", "envoy-explain", f, "--listener", "virtualI");
  assert.equal(names.stdout.trim().split("\n"), ["virtualInbound"]);
  const presets = await cli("--get-yargs-completions", "envoy-explain", f, "-c", "curl");
  assert.equal(presets.stdout.trim().split("\n"), ["curl-tls", "curl-mtls"]);
  const script = await cli("completion");
  assert.match(script.stdout, /envoy-explain --get-yargs-completions/);
});

test("explain says the answer first: one line per client, and the fix for a failure", async () => {
  const r = await cli(S("istio-1.3-permissive.json"), "-p", "9080");
  const lines = r.stdout.split("\n");
  assert.ok(/^✓ plaintext → virtualInbound #5 \(plaintext\) → PLAINTEXT_HTTP: /.test(lines[1]!), JSON.stringify(lines.slice(0, 3)));
  const mtls = lines.findIndex((l) => l.startsWith("✗ curl-mtls → virtualInbound #5 (plaintext) → TLS_INTO_PLAINTEXT_HTTP: curl exit 35"));
  assert.ok(mtls > 0 && mtls < 8, r.stdout.slice(0, 600));
  assert.match(lines[mtls + 1]!, /^ {4}fix: .*ALPN istio/);
});

test("warnings: one line per kind with a count; -v shows each", async () => {
  const dir = path.join(root, "node_modules/.cache-cli-test");
  const fs = await import("node:fs");
  fs.mkdirSync(dir, { recursive: true });
  const f = path.join(dir, "typos.json");
  fs.writeFileSync(f, JSON.stringify({ name: "l", address: { socket_address: { address: "0.0.0.0", port_value: 80 } }, filter_chains: [{ filters: [], a: 1, b: 2, c: 3 }] }));
  const grouped = await cli("listeners", f);
  assert.equal(grouped.stderr.trim().split("\n").length, 1);
  assert.match(grouped.stderr, /unknown field "a" .* \[3 like it; -v shows each\]/);
  const each = await cli("listeners", f, "-v");
  assert.is(each.stderr.trim().split("\n").filter((l) => /unknown field/.test(l)).length, 3);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("colour: only our verdict marks, on a terminal unless NO_COLOR, --color/--no-color decide; never in JSON", async () => {
  const run = async (isTTY: boolean, ...argv: string[]) => {
    let stdout = "";
    await runCli([S("modern-permissive.json"), "-p", "9080", ...argv], { stdout: (t) => (stdout += t), stderr: () => {}, isTTY });
    return stdout;
  };
  const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
  try {
    delete process.env.NO_COLOR;
    delete process.env.FORCE_COLOR;
    assert.match(await run(true), /\u001b\[32m✓\u001b\[39m plaintext/);
    assert.not.match(await run(false), /\u001b\[/, "piped: no colour");
    assert.not.match(await run(true, "--no-color"), /\u001b\[/);
    process.env.NO_COLOR = "1";
    assert.not.match(await run(true), /\u001b\[/, "NO_COLOR");
    assert.match(await run(false, "--color"), /\u001b\[31m✗/);
    process.env.FORCE_COLOR = "1";
    delete process.env.NO_COLOR;
    assert.match(await run(false), /\u001b\[32m✓/, "FORCE_COLOR");
    assert.not.match(await run(true, "-o", "json"), /\u001b\[/);
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

test("--version alone (answered before the parser loads) says what yargs says for --version, and --version with more is yargs' as before", async () => {
  const bin = path.join(root, "bin/envoy-explain.js");
  const fast = spawnSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
  const parsed = await cli("--version");
  assert.is(fast.status, 0, fast.stderr);
  assert.is(parsed.code, 0);
  assert.match(fast.stdout, /^\d+\.\d+\.\d+\S*\n$/);
  assert.is(fast.stdout, parsed.stdout.endsWith("\n") ? parsed.stdout : `${parsed.stdout}\n`);
  // With another argument it goes through the parser (which says what is wrong, or the version).
  const more = spawnSync(process.execPath, [bin, "--version", "--nonsense"], { encoding: "utf8" });
  assert.is(more.status, (await cli("--version", "--nonsense")).code);
});

test.run();
