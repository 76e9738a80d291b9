// Every option a user mistypes is refused before any work, with one answer: the same words from the
// command line (--port) and the library (port); yargs' own phrases replaced by the tool's, with the
// command's usage line; a listing whose filters match nothing says so, with how many there are.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { check, clusters, diff, endpoints, explain, InputError, listeners, load, overview, replayLog, routes, tlsCheck } from "../src/index.js";
import { OptionError, tlsCheckOptionValues } from "../src/analyses/options.js";
import { cli } from "./support/cli.js";

const root = path.resolve(import.meta.dirname, "..");
const S = (f: string) => path.join(root, "samples", f);
/** What the library throws, formatted as the CLI would print it (InputError.format()). */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError, `an InputError, not ${String(e)}`);
    assert.ok(e instanceof OptionError);
    return (e as InputError).format();
  }
  throw new Error("nothing thrown");
}
/** The CLI's sentence for an option, with the flag spelled as the library spells the field. */
const asField = (line: string, flag: string, field: string) => line.replace(/^envoy-explain: /, "").replace(flag, field);

const F = S("modern-permissive.json");
const missing = path.join(os.tmpdir(), "envoy-explain-no-such-dump.json");

test("--port abc: every command that takes a port says abc (never NaN), exits 2, and reads nothing", async () => {
  for (const argv of [
    ["listeners", F, "--port", "abc"],
    ["clusters", F, "-p", "abc"],
    ["endpoints", F, "--port", "abc"],
    [F, "--port", "abc"],
    [F, "--log", "x", "--port", "abc"],
    // The dump does not exist: the option is refused first, so the file is never looked at.
    ["listeners", missing, "--port", "abc"],
    [missing, "-p", "abc", "-c", "plaintext"],
  ]) {
    const r = await cli(...argv);
    assert.is(r.code, 2, argv.join(" "));
    assert.is(r.stdout, "");
    assert.is(r.stderr.split("\n")[0], 'envoy-explain: --port must be 1-65535, not "abc"', argv.join(" "));
    assert.not.match(r.stderr, /NaN|no listeners|ENOENT|no such file/);
  }
  for (const [argv, line] of [
    [["listeners", F, "--port", "0"], 'envoy-explain: --port must be 1-65535, not "0"'],
    [["clusters", F, "--port", "70000"], 'envoy-explain: --port must be 1-65535, not "70000"'],
    [[F, "-p", "80", "--source-port", "x1"], 'envoy-explain: --source-port must be 0-65535, not "x1"'],
    [[F, "--admin-port", "http"], 'envoy-explain: --admin-port must be 1-65535, not "http"'],
    [["listeners", F, "--port"], 'envoy-explain: --port must be 1-65535, not ""'],
  ] as const) {
    const r = await cli(...argv);
    assert.is(r.code, 2, argv.join(" "));
    assert.is(r.stderr.split("\n")[0], line);
  }
});

test("the library refuses the same options with the same words, before it reads the input", async () => {
  const cliPort = (await cli("listeners", F, "--port", "abc")).stderr.split("\n")[0]!;
  assert.is(thrown(() => listeners(F, { port: "abc" as unknown as number })), asField(cliPort, "--port", "port"));
  const cliPreset = (await cli(F, "-p", "80", "-c", "curl-mlts")).stderr.split("\n")[0]!;
  assert.is(cliPreset, 'envoy-explain: --client must be one of plaintext, curl-tls, curl-mtls, openssl, istio-sidecar, not "curl-mlts" (did you mean curl-mtls?)');
  assert.is(thrown(() => explain(F, { port: 80, client: "curl-mlts" as never })), asField(cliPreset, "--client", "client"));
  const cliNow = (await cli("check", F, "--now", "yesterday-ish")).stderr.split("\n")[0]!;
  assert.is(thrown(() => check(F, { now: "yesterday-ish" as unknown as Date })), asField(cliNow, "--now", "now"));
  const cliIgnore = (await cli("diff", F, F, "--ignore", "[")).stderr.split("\n")[0]!;
  assert.is(thrown(() => diff(F, F, { ignore: ["["] })), asField(cliIgnore, "--ignore", "ignore"));
  const cliService = (await cli("tls-check", F, "--service", "reviews:70000")).stderr.split("\n")[0]!;
  assert.is(thrown(() => tlsCheck(F, undefined, { service: "reviews:70000" as never })), asField(cliService, "--service", "service"));
  const cliFrom = (await cli("tls-check", F, "--from", "curl")).stderr.split("\n")[0]!;
  assert.is(thrown(() => tlsCheck(F, undefined, { from: "curl" as never })), asField(cliFrom, "--from", "from"));
  const cliAddress = (await cli(F, "--log", "x", "--address", "10.0.0.300")).stderr.split("\n")[0]!;
  assert.is(thrown(() => replayLog(F, "x", { address: "10.0.0.300" })), asField(cliAddress, "--address", "address"));
  assert.is(thrown(() => endpoints(F, { port: 0 })), "port must be 1-65535, not 0");
  assert.is(thrown(() => clusters(F, { direction: "in" })), "direction must be one of inbound, outbound, not \"in\"");
  // What the issue names: a port out of range, a port not given, a preset that does not exist, a clock that is no time.
  assert.is(thrown(() => explain(F, { port: 70000 })), "port must be 1-65535, not 70000");
  assert.is(thrown(() => explain(F, {} as never)), "port is missing: explain needs the destination port (1-65535)");
  assert.is(thrown(() => overview(F, { now: new Date("x") })), "now wants a time such as 2026-01-31T00:00:00Z, not an invalid Date");
  assert.match(thrown(() => explain(F, { prot: 80 } as never)), /^explain has no option prot \(did you mean port\?\); it takes port, client, /);
  assert.is(thrown(() => routes(F, { nmae: "x" } as never)), "routes has no option nmae (did you mean name?); it takes name");
  // Checked before reading: a file that does not exist is not what is reported.
  assert.is(thrown(() => explain(missing, { port: 70000 })), "port must be 1-65535, not 70000");
  assert.is(thrown(() => load(missing, { block: 0 })), "block must be a whole number from 1 (the first code block), not 0");
  // Good options still work, and text for a number is read as the CLI reads it.
  assert.is(listeners(F, { port: "9080" as unknown as number }).listeners.length, listeners(F, { port: 9080 }).listeners.length);
  assert.ok(listeners(F, { port: 9080 }).listeners.length > 0);
});

test("yargs' phrases become the tool's words, with the usage line of the command, whatever the locale", async () => {
  const saved = { LC_ALL: process.env.LC_ALL, LANG: process.env.LANG };
  // A German locale made yargs answer in German from the sources ("Nicht genügend Argumente ohne Optionen").
  process.env.LC_ALL = "de_DE.UTF-8";
  process.env.LANG = "de_DE.UTF-8";
  try {
    for (const [argv, first, hint] of [
      [["listeners"], "envoy-explain: listeners needs a dump: envoy-explain listeners <dump> [--port N] [--address IP] [--type HTTP|TCP] [--name L]", "listeners"],
      [["listener"], "envoy-explain: listener needs a dump: envoy-explain listener <dump> [--port N] [--address IP] [--type HTTP|TCP] [--name L]", "listener"],
      [["check"], "envoy-explain: check needs a dump: envoy-explain check <dump|dir> [<dump|dir>…] [--fail-on L] [--now TIME] [--jobs N]", "check"],
      [["diff", F], "envoy-explain: diff needs a second dump (after): envoy-explain diff <before> <after> [--impact] [--ignore PATH] [--fail-on any|mode|impact]", "diff"],
      [["tls-check"], "envoy-explain: tls-check needs the client proxy's dump (and, optionally, the server proxy's): envoy-explain tls-check <client> [<server>] [--service HOST:PORT|NAME] [--from PRESET] | tls-check <dir|dumps…> [--jobs N]", "tls-check"],
      [[], "envoy-explain: no dump given: envoy-explain <dump> [--port N [--client NAME]] [--log LINE]", ""],
      [["listeners", F, "--prot", "80"], "envoy-explain: unknown option --prot (did you mean --port?): envoy-explain listeners <dump> [--port N] [--address IP] [--type HTTP|TCP] [--name L]", "listeners"],
      [[F, "-p", "80", "--source-prot", "3"], "envoy-explain: unknown option --source-prot (did you mean --source-port?): envoy-explain <dump> [--port N [--client NAME]] [--log LINE]", ""],
      [["endpoints", F, "--clutser=reviews", "--stauts", "x"], "envoy-explain: unknown options --clutser (did you mean --cluster?), --stauts (did you mean --status?): envoy-explain endpoints <dump> [--cluster S] [--port N] [--address IP] [--status S]", "endpoints"],
      [["listeners", F, S("modern-strict.json")], `envoy-explain: listeners reads one dump, not also ${JSON.stringify(S("modern-strict.json"))}: envoy-explain listeners <dump> [--port N] [--address IP] [--type HTTP|TCP] [--name L]`, "listeners"],
      [["diff", F, F, F], `envoy-explain: diff reads two dumps (before, after), not also ${JSON.stringify(F)}: envoy-explain diff <before> <after> [--impact] [--ignore PATH] [--fail-on any|mode|impact]`, "diff"],
      [[F, "-p", "80", "-o", "jsn"], 'envoy-explain: --output must be one of table, wide, json, yaml, markdown, sarif, not "jsn" (did you mean json?)', ""],
      [["check", F, "--fail-on", "warn"], 'envoy-explain: --fail-on must be one of error, warning, info, none, not "warn" (did you mean warning?)', "check"],
      [["listeners", F, "--type", "htp"], 'envoy-explain: --type must be one of HTTP, TCP, not "htp" (did you mean HTTP?)', "listeners"],
      [["listeners", F, "--port", "80", "--port", "81"], 'envoy-explain: --port is given 2 times ("80", "81"): give it once', "listeners"],
    ] as const) {
      const r = await cli(...argv);
      assert.is(r.code, 2, argv.join(" "));
      assert.is(r.stdout, "");
      assert.equal(r.stderr.split("\n"), [first, `Run envoy-explain ${hint ? `${hint} ` : ""}--help for usage.`, ""], argv.join(" "));
    }
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  // Still: --type in any case, an option given once, a flag yargs knows.
  assert.is((await cli("listeners", F, "--type", "Http", "-o", "json")).code, 0);
});

test("a listing whose filters match nothing says which, and of how many; with no filter, that the dump has none", async () => {
  const json = async (...argv: string[]) => JSON.parse((await cli(...argv, "-o", "json")).stdout);
  const client = S("client-productpage.json");
  const allClusters = (await json("clusters", client)).clusters.length;
  const allListeners = new Set((await json("listeners", F)).listeners.map((r: { listener: string }) => r.listener)).size;
  const allEndpoints = (await json("endpoints", client)).endpoints.length;
  const r = await json("routes", F);
  const allRouteConfigs = new Set(r.routes.map((x: { routeConfig: string }) => x.routeConfig)).size + r.withoutRoutes.length;
  assert.ok(allClusters > 0 && allListeners > 0 && allEndpoints > 0 && allRouteConfigs > 0);
  for (const [argv, line] of [
    [["clusters", client, "--port", "1234"], `no clusters on port 1234 (of ${allClusters})`],
    [["cluster", client, "--direction", "inbound", "--fqdn", "ratings", "--subset", "v9"], `no inbound clusters for ratings of subset v9 (of ${allClusters})`],
    [["clusters", client, "--name", "nothing-like-it"], `no clusters whose name contains nothing-like-it (of ${allClusters})`],
    [["listeners", F, "--name", "foo"], `no listeners named foo (of ${allListeners})`],
    [["listeners", F, "--port", "1234", "--type", "tcp"], `no listeners on port 1234 with TCP chains (of ${allListeners})`],
    [["listeners", F, "--address", "192.0.2.1"], `no listeners at 192.0.2.1 (of ${allListeners})`],
    [["endpoints", client, "--port", "1"], `no endpoints on port 1 (of ${allEndpoints})`],
    [["endpoints", client, "--status", "draining", "--cluster", "ratings"], `no DRAINING endpoints of clusters whose name contains ratings (of ${allEndpoints})`],
    [["routes", F, "--name", "foo"], `no route configuration named foo (of ${allRouteConfigs})`],
  ] as const) {
    const out = await cli(...argv);
    assert.is(out.code, 0, out.stderr);
    assert.is(out.stdout, `${line}\n`, argv.join(" "));
  }
  // Names are shown whole, escaped for Markdown; JSON is the document, with no count added.
  assert.is((await cli("listeners", F, "--name", "a*b_", "-o", "markdown")).stdout, `no listeners named a\\*b\\_ (of ${allListeners})\n`);
  assert.equal((await json("listeners", F, "--name", "foo")).listeners, []);
  // A dump with none at all: that it has none, as before.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ee-none-"));
  const only = path.join(dir, "listener.json");
  fs.writeFileSync(only, JSON.stringify({ name: "l", address: { socket_address: { address: "0.0.0.0", port_value: 80 } }, filter_chains: [{ filters: [] }] }));
  assert.is((await cli("clusters", only, "--port", "80")).stdout, `no clusters in ${only}\n`);
  assert.is((await cli("clusters", only)).stdout, `no clusters in ${only}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("with COLUMNS set, an error stays one line: it is grepped and copied, never wrapped", async () => {
  const saved = process.env.COLUMNS;
  process.env.COLUMNS = "30";
  try {
    const r = await cli("tls-check", F, "--service", "reviews.default.svc.cluster.local:99999");
    assert.is(r.code, 2);
    const lines = r.stderr.split("\n");
    assert.is(lines.length, 3, r.stderr);
    assert.is(lines[0], 'envoy-explain: --service wants host:port (reviews.default.svc.cluster.local:9080), a cluster name or an SNI, not "reviews.default.svc.cluster.local:99999"');
    const bad = await cli(path.join(os.tmpdir(), "envoy-explain-a-rather-long-name-for-a-dump-that-is-not-there.json"), "-p", "80");
    assert.is(bad.code, 2);
    assert.is(bad.stderr.split("\n").length, 2, bad.stderr);
    assert.match(bad.stderr, /^envoy-explain: error: \S+envoy-explain-a-rather-long-name-for-a-dump-that-is-not-there\.json: /);
  } finally {
    if (saved === undefined) delete process.env.COLUMNS;
    else process.env.COLUMNS = saved;
  }
});

test("--block: a whole number from 1, checked before reading, in every command that reads a dump", async () => {
  for (const [argv, v] of [
    [[F, "--block", "0"], "0"],
    [["listeners", F, "--block", "x"], "x"],
    [["check", F, "--block", "1.5"], "1.5"],
    [["diff", F, missing, "--block", "-1"], "-1"],
  ] as const) {
    const r = await cli(...argv);
    assert.is(r.code, 2, argv.join(" "));
    assert.is(r.stderr.split("\n")[0], `envoy-explain: --block must be a whole number from 1 (the first code block), not ${JSON.stringify(v)}`);
  }
  const one = await cli("listeners", F, "--block", "1", "-o", "json");
  assert.is(one.code, 0, one.stderr);
  assert.equal(JSON.parse(one.stdout).listeners, JSON.parse((await cli("listeners", F, "-o", "json")).stdout).listeners);
});

test("tls-check --service: host:port, or a cluster name (Istio's, OSM's namespace/name) or an SNI, passed as { name }", async () => {
  assert.equal(tlsCheckOptionValues({ service: "reviews.default.svc.cluster.local:9080" }, "flag"), { service: { host: "reviews.default.svc.cluster.local", port: 9080 } });
  assert.equal(tlsCheckOptionValues({ service: "outbound|9080||reviews.default.svc.cluster.local" }, "flag"), { service: { name: "outbound|9080||reviews.default.svc.cluster.local" } });
  assert.equal(tlsCheckOptionValues({ service: "bookstore/bookstore" }, "flag"), { service: { name: "bookstore/bookstore" } });
  assert.equal(tlsCheckOptionValues({ service: "outbound_.9080_._.reviews.default.svc.cluster.local" }, "field"), { service: { name: "outbound_.9080_._.reviews.default.svc.cluster.local" } });
  assert.equal(tlsCheckOptionValues({ service: { name: "x" } }, "field"), { service: { name: "x" } });
  assert.throws(() => tlsCheckOptionValues({ service: { host: "x", port: 0 } }, "field"), /service\.port must be 1-65535, not 0/);
  // The command line, on Istio's bookinfo dumps: only the named cluster is paired.
  const client = S("client-productpage.json");
  const server = S("modern-permissive.json");
  const rows = async (...extra: string[]) => {
    const r = await cli("tls-check", client, server, ...extra, "-o", "json");
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    return JSON.parse(r.stdout).rows as { cluster: string }[];
  };
  const every = await rows();
  const name = "outbound|9080||reviews.default.svc.cluster.local";
  const named = await rows("--service", name);
  assert.ok(named.length > 0 && named.every((r) => r.cluster === name), JSON.stringify(named));
  assert.ok(every.some((r) => r.cluster !== name), "without --service, other clusters are paired too");
});

test.run();
