// Untrusted dumps: secrets stay masked, nothing from a dump drives a terminal or rewrites a bug
// report, regexes match as RE2 does, and broken or hostile input is reported, never a crash.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import MarkdownIt from "markdown-it";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadText } from "../src/load/dump.js";
import { runExplain } from "../src/analyses/explain.js";
import { decideRoute } from "../src/explain/route.js";
import { fullMatch, regexError } from "../src/model/regex.js";
import { fuzz, RAW_CONTROL, SECRET_MARKER } from "./support/hostile.js";
import { cli } from "./support/cli.js";

const root = path.resolve(import.meta.dirname, "..");
const BIN = path.join(root, "bin/envoy-explain.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-hostile-"));
const write = (name: string, v: unknown) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, typeof v === "string" || Buffer.isBuffer(v) ? v : JSON.stringify(v));
  return f;
};

const PEM = `-----BEGIN PRIVATE KEY-----\nMIIEv${SECRET_MARKER}QIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n`;
const secretDump = (key: string, extra: Record<string, unknown> = {}) => ({
  configs: [
    {
      "@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
      dynamic_active_secrets: [
        {
          name: "server-cert",
          secret: {
            "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret",
            name: "server-cert",
            tls_certificate: { certificate_chain: { inline_string: "CERT" }, private_key: { inline_string: key }, password: { inline_string: `pw-${SECRET_MARKER}` } },
          },
        },
        ...Object.entries(extra).map(([name, secret]) => ({ name, secret })),
      ],
    },
  ],
});

test("diff: a changed private key is a change with fingerprints, never its value, in every format", async () => {
  const a = write("sec-a.json", secretDump(PEM));
  const b = write("sec-b.json", secretDump(PEM.replace("MIIEv", "MIIEw")));
  for (const o of ["table", "json", "markdown"]) {
    const r = await cli("diff", a, b, "-o", o);
    assert.is(r.code, 1, `${o}: a change`);
    assert.not.ok((r.stdout + r.stderr).includes(SECRET_MARKER), `${o} printed the key`);
    assert.match(r.stdout, /private key changed \(run:[0-9a-f]{12} → run:[0-9a-f]{12}; value not shown\)/);
  }
  // A secret's fingerprint is keyed for the run: the same key differs between two runs, so a printed
  // fingerprint cannot be checked against guesses offline (inline code keeps a SHA-256).
  const fps = () => [...spawnSync(process.execPath, [BIN, "diff", a, b, "-o", "json"], { encoding: "utf8" }).stdout.matchAll(/run:[0-9a-f]{12}/g)].map((m) => m[0]);
  const [one, two] = [fps(), fps()];
  assert.ok(one.length >= 2 && two.length === one.length, `${one.length} / ${two.length}`);
  assert.not.equal(one, two);
  const same = await cli("diff", a, write("sec-a2.json", secretDump(PEM)));
  assert.is(same.code, 0, "the same key is no change");
});

test("diff: a secret that was only added or removed is printed masked, as Envoy's admin masks it", async () => {
  const a = write("sec-one.json", secretDump(PEM));
  const generic = { "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", name: "hmac", generic_secret: { secret: { inline_bytes: Buffer.from(SECRET_MARKER).toString("base64") } } };
  const tickets = { "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", name: "tickets", session_ticket_keys: { keys: [{ inline_string: SECRET_MARKER }] } };
  const b = write("sec-two.json", secretDump(PEM, { hmac: generic, tickets }));
  for (const [x, y] of [[a, b], [b, a]] as const) {
    const r = await cli("diff", x!, y!, "-o", "json");
    assert.is(r.code, 1);
    assert.not.ok(r.stdout.includes(SECRET_MARKER) || r.stdout.includes(Buffer.from(SECRET_MARKER).toString("base64")), r.stdout);
    const changes = JSON.parse(r.stdout).changes as { name: string; before?: unknown; after?: unknown }[];
    const hmac = changes.find((c) => c.name === "hmac")!;
    assert.equal((hmac.after ?? hmac.before) as unknown, { name: "hmac", genericSecret: { secret: { inlineBytes: "[redacted]" } } });
  }
});

test("--show-secrets prints them, and says so on stderr", async () => {
  const a = write("show-a.json", secretDump(PEM));
  const b = write("show-b.json", secretDump("other"));
  const r = await cli("diff", a, b, "-o", "json", "--show-secrets");
  assert.ok(r.stdout.includes(SECRET_MARKER));
  assert.match(r.stderr, /--show-secrets: private keys, passwords and credentials are printed/);
  const again = await cli("diff", a, b, "-o", "json");
  assert.not.ok(again.stdout.includes(SECRET_MARKER), "the switch does not outlive its run");
});

test("a warning about a mistyped secret names the place, not the value", async () => {
  const d = secretDump(PEM);
  (d.configs[0]!.dynamic_active_secrets[0]!.secret as Record<string, Record<string, unknown>>).tls_certificate!.private_key = { inline_string: { nested: SECRET_MARKER } };
  const r = await cli("secrets", write("mistyped.json", d), "-v");
  assert.match(r.stderr, /expected string, found an object \(value redacted\).*private_key\.inline_string/);
  assert.not.ok(r.stderr.includes(SECRET_MARKER));
});

const routeDump = (routes: unknown[], extra: Record<string, unknown> = {}) => ({
  "@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
  name: "r",
  virtual_hosts: [{ name: "vh", domains: ["*"], routes }],
  ...extra,
});

test("credentials in header values are masked, and still match a request that carries them", async () => {
  const f = write("auth-routes.json", routeDump([
    { match: { prefix: "/", headers: [{ name: "Authorization", string_match: { exact: `Bearer ${SECRET_MARKER}` } }] }, route: { cluster: "admin" }, request_headers_to_add: [{ header: { key: "cookie", value: `s=${SECRET_MARKER}` } }] },
    { match: { prefix: "/", headers: [{ name: "x-team", string_match: { exact: "blue" } }] }, route: { cluster: "blue" } },
  ]));
  for (const o of ["table", "json", "markdown"]) {
    const r = await cli("routes", f, "-o", o);
    assert.is(r.code, 0);
    assert.not.ok(r.stdout.includes(SECRET_MARKER), `${o}: ${r.stdout}`);
    assert.ok(r.stdout.includes("blue"), "other header values stay visible");
  }
  const shown = await cli("routes", f, "--show-secrets");
  assert.ok(shown.stdout.includes(SECRET_MARKER));
  // The masked value is still the value Envoy compares with.
  const input = loadText(JSON.stringify(routeDump([{ match: { prefix: "/", headers: [{ name: "authorization", exact_match: "Bearer t0k" }] }, route: { cluster: "admin" } }])), "r.json");
  const rc = input.routes[0]!.value as Parameters<typeof decideRoute>[0];
  const hit = decideRoute(rc, "r", { host: "x", path: "/", headers: { authorization: "Bearer t0k" }, tls: false });
  const miss = decideRoute(rc, "r", { host: "x", path: "/", headers: { authorization: "Bearer other" }, tls: false });
  assert.is(hit.kind, "route");
  assert.is(miss.kind, "no-route");
});

test("inline Lua code is shown as its size and a fingerprint", async () => {
  const listener = {
    "@type": "type.googleapis.com/envoy.config.listener.v3.Listener",
    name: "l",
    address: { socket_address: { address: "0.0.0.0", port_value: 8080 } },
    filter_chains: [{ filters: [{ name: "envoy.filters.network.http_connection_manager", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager", stat_prefix: "s", route_config: { name: "r" }, http_filters: [{ name: "envoy.filters.http.lua", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua", inline_code: `-- ${SECRET_MARKER}` } }] } }] }],
  };
  const a = write("lua-a.json", listener);
  const b = write("lua-b.json", { ...listener, filter_chains: [] });
  const r = await cli("diff", a, b, "-o", "json");
  assert.not.ok(r.stdout.includes(SECRET_MARKER));
  assert.match(r.stdout, /\[inline, \d+ bytes, sha256:[0-9a-f]{12}\]/);
});

const ESC_NAME = "evil\u001b]0;pwned\u0007\u001b[2J\rname\u202egnp";
const hostileListener = {
  "@type": "type.googleapis.com/envoy.config.listener.v3.Listener",
  name: ESC_NAME,
  address: { socket_address: { address: "0.0.0.0", port_value: 80 } },
  filter_chains: [{ name: "```\n# Verdict: all good\n![x](https://evil.example/x.png)\n<img src=x onerror=alert(1)>| a | b |", filter_chain_match: { server_names: ["a\u001b[31m.example.com"] }, filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "s", cluster: "c`x`" } }] }],
  "bogus_field_\u001b": 1,
};

test("names from a dump reach the terminal escaped (\\x1b, \\r, \\u202e), in tables, text and warnings", async () => {
  const f = write("esc.json", hostileListener);
  for (const argv of [["listeners", f], [f, "--port", "80", "-c", "curl-tls", "--sni", "a\u001b[31m.example.com"], ["clusters", f], [f, "--port", "80", "-o", "json"]]) {
    const r = await cli(...argv);
    assert.ok(r.code === 0 || r.code === 1, `${argv.join(" ")}: ${r.stderr}`);
    assert.not.ok(RAW_CONTROL.test(r.stdout + r.stderr), `raw control character in ${argv.join(" ")}`);
  }
  const r = await cli("listeners", f);
  assert.ok(r.stdout.includes("evil\\x1b]0;pwned\\x07\\x1b[2J\\rname\\u202egnp"), r.stdout);
  const j = await cli(f, "--port", "80", "-c", "plaintext", "-o", "json");
  assert.is(JSON.parse(j.stdout).results[0].listener.name, ESC_NAME, "JSON keeps the value (escaped as \\u sequences)");
});

test("-o markdown: a name cannot close a fence, add a heading, an image, HTML or a table column", async () => {
  const f = write("md.json", hostileListener);
  const md = new MarkdownIt({ html: true });
  for (const argv of [[f, "--port", "80", "-c", "curl-tls", "--sni", "a\u001b[31m.example.com", "-o", "markdown"], [f, "--port", "80", "-o", "markdown"], ["listeners", f, "-o", "markdown"]]) {
    const r = await cli(...argv);
    const tokens = md.parse(r.stdout, {});
    const flat = tokens.flatMap((t) => [t, ...(t.children ?? [])]);
    assert.not.ok(flat.some((t) => t.type === "image"), "no image");
    assert.not.ok(flat.some((t) => (t.type === "html_inline" && t.content !== "<br>") || t.type === "html_block"), "no HTML but line breaks in cells");
    assert.not.ok(flat.some((t) => t.type === "inline" && /Verdict: all good/.test(t.content) && tokens[tokens.indexOf(t) - 1]?.type === "heading_open"), "no injected heading");
    const headings = tokens.filter((t) => t.type === "heading_open").map((t) => tokens[tokens.indexOf(t) + 1]!.content);
    assert.not.ok(headings.some((h) => /Verdict/.test(h)), `headings: ${headings.join(" / ")}`);
    // Every table row has as many cells as its header.
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i]!.type !== "table_open") continue;
      let cols = 0;
      let row = 0;
      for (let k = i + 1; tokens[k]!.type !== "table_close"; k++) {
        if (tokens[k]!.type === "tr_open") row = 0;
        if (tokens[k]!.type === "th_open" || tokens[k]!.type === "td_open") row++;
        if (tokens[k]!.type === "tr_close") {
          cols ||= row;
          assert.is(row, cols, "a cell split by |");
        }
      }
    }
    // A mermaid block stays one fenced block whatever its labels hold.
    const fences = tokens.filter((t) => t.type === "fence");
    for (const fe of fences.filter((x) => x.info === "mermaid")) assert.match(fe.content, /^flowchart LR\n/);
  }
});

test("regexes match as RE2 does: RE2 syntax, full match, linear time; a regex RE2 rejects is Envoy refusing the routes", async () => {
  assert.ok(fullMatch("(?i)/admin.*", "/ADMIN/x"), "RE2 flag syntax");
  assert.not.ok(fullMatch("/admin", "/admin/x"), "full match, not a search");
  assert.not.ok(fullMatch("(a+)+$", `${"a".repeat(5000)}!`), "no catastrophic backtracking");
  assert.match(regexError("(?<=a)b")!, /invalid regex '\(\?<=a\)b'/);
  const f = write("re2.json", routeDump([
    { match: { safe_regex: { regex: "(?i)/admin.*" } }, route: { cluster: "admin" } },
    { match: { prefix: "/" }, route: { cluster: "web" } },
  ]));
  const input = loadText(fs.readFileSync(f, "utf8"), f);
  const rc = input.routes[0]!.value as Parameters<typeof decideRoute>[0];
  const d = decideRoute(rc, "r", { host: "x", path: "/ADMIN/users", headers: {}, tls: false });
  assert.is(d.kind === "route" && d.action.kind === "cluster" && d.action.cluster, "admin");
  const bad = loadText(JSON.stringify(routeDump([{ match: { safe_regex: { regex: "(?<=a)b" } }, route: { cluster: "x" } }])), "bad.json");
  const rej = decideRoute(bad.routes[0]!.value as Parameters<typeof decideRoute>[0], "r", { host: "x", path: "/", headers: {}, tls: false });
  assert.is(rej.kind, "rejected");
});

test("keys and names like constructor, toString, __proto__ are data: no crash, no native code printed", async () => {
  const d = JSON.parse(JSON.stringify(hostileListener)) as Record<string, unknown>;
  d.name = "constructor";
  const chain = (d.filter_chains as Record<string, unknown>[])[0]!;
  chain.name = "toString";
  chain.filter_chain_match = JSON.parse('{"server_names":["__proto__"],"__proto__":{"polluted":true},"constructor":{"x":1}}');
  const doc = { configs: [{ "@type": "type.googleapis.com/constructor" }, { "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump", dynamic_listeners: [{ name: "constructor", active_state: { listener: d } }] }] };
  const f = write("proto.json", JSON.stringify(doc).replace('"@type":"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"', '"@type":"type.googleapis.com/toString"'));
  for (const argv of [[f, "--port", "80"], ["listeners", f], ["clusters", f], ["routes", f], ["tls-check", f], ["diff", f, f, "--impact"]]) {
    const r = await cli(...argv);
    assert.ok(r.code === 0 || r.code === 1, `${argv.join(" ")} → ${r.code}: ${r.stderr}`);
    assert.not.match(r.stdout + r.stderr, /native code|\[object Object\]/);
  }
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test("nesting deeper than Envoy's parser takes: the listener is refused with a clear reason, and nothing overflows", async () => {
  const depth = 10_000;
  const open = '{"matcher_tree":{"input":{"name":"i","typed_config":{"@type":"type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.DestinationPortInput"}},"exact_match_map":{"map":{"80":{"matcher":';
  const deep = `${open.repeat(depth)}{}${"}}}}}".repeat(depth)}`;
  const text = JSON.stringify({ ...hostileListener, name: "deep", filter_chain_matcher: "@@" }).replace('"@@"', deep);
  const f = write("deep.json", text);
  const r = await cli(f, "--port", "80", "-c", "plaintext", "--listener", "deep");
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /LISTENER_REJECTED: .*Message too deep/);
  const d = await cli("diff", f, write("deep2.json", text.replace('"deep"', '"deep2"')));
  assert.ok(d.code === 1, d.stderr);
  // Pasted (not valid JSON) and deeper than the tolerant reader goes: what was read is kept, with a warning.
  const pasted = write("deep-pasted.json", `// pasted\n{"a": ${"[".repeat(20_000)}`);
  const p = await cli("listeners", pasted);
  assert.is(p.code, 2);
  assert.match(p.stderr, /nested deeper than 512 levels/);
});

test("reads are bounded: stdin, devices and gzip streams stop at --max-size with a message that names the size", async () => {
  const dev = spawnSync(process.execPath, [BIN, "listeners", "/dev/zero", "--max-size", "2M"], { encoding: "utf8", timeout: 30_000 });
  assert.is(dev.status, 2);
  // Zeros are known for what they are before the limit; either way the read ends.
  assert.match(dev.stderr, /\/dev\/zero: (goes on past the limit of 2 MiB without ending|is NUL bytes \(zeros, as \/dev\/zero gives\), not text)/);
  const stdin = spawnSync(process.execPath, [BIN, "listeners", "-", "--max-size", "1k"], { input: "x".repeat(5000), encoding: "utf8" });
  assert.is(stdin.status, 2);
  assert.match(stdin.stderr, /<stdin>: goes on past the limit of 1 KiB/);
  const bomb = write("bomb.json.gz", zlib.gzipSync(Buffer.alloc(20 * 2 ** 20, 32)));
  const g = await cli("listeners", bomb, "--max-size", "4M");
  assert.is(g.code, 2);
  assert.match(g.stderr, /gzip data inflates to 20 MiB: over the limit of 4 MiB/);
  const bad = await cli("listeners", bomb, "--max-size", "lots");
  assert.is(bad.code, 2);
});

test("impossible values: Envoy's refusal where Envoy would refuse, with the JSON path", async () => {
  const l = { ...hostileListener, name: "l", address: { socket_address: { address: "0.0.0.0", port_value: 70000 } } };
  const r = await cli(write("port.json", l), "--port", "80", "-c", "plaintext", "--listener", "l");
  assert.match(r.stdout, /LISTENER_REJECTED: .*PortValue: value must be less than or equal to 65535/);
  assert.match(r.stderr, /at \$\.address\.socket_address\.port_value/);
  const ip = { ...l, address: { socket_address: { address: "10.0.0.300", port_value: 80 } } };
  const r2 = await cli(write("ip.json", ip), "--port", "80", "-c", "plaintext", "--listener", "l");
  assert.match(r2.stdout, /LISTENER_REJECTED: .*malformed IP address: 10\.0\.0\.300/);
  const neg = { ...l, address: { socket_address: { address: "0.0.0.0", port_value: -80 } } };
  const r4 = await cli(write("neg.json", neg), "--port", "80", "-c", "plaintext", "--listener", "l");
  assert.match(r4.stdout, /LISTENER_REJECTED: .*invalid value -80 for a uint32 field/);
  const sni = { name: "sni", typed_config: { "@type": "type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.ServerNameInput" } };
  const matcher = { matcher_list: { matchers: [{ predicate: { single_predicate: { input: sni, value_match: { safe_regex: { regex: "(?<=a)b" } } } }, on_match: { action: { name: "c", typed_config: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: "c0" } } } }] } };
  const m = { ...l, address: { socket_address: { address: "0.0.0.0", port_value: 80 } }, filter_chain_matcher: matcher, filter_chains: [{ ...(hostileListener.filter_chains[0] as object), name: "c0" }] };
  const r5 = await cli(write("matcher-re.json", m), "--port", "80", "-c", "plaintext", "--listener", "l");
  assert.match(r5.stdout, /LISTENER_REJECTED: .*invalid regex '\(\?<=a\)b'/);
  const pfx = { ...l, address: { socket_address: { address: "0.0.0.0", port_value: 80 } }, filter_chains: [{ ...(hostileListener.filter_chains[0] as object), filter_chain_match: { prefix_ranges: [{ address_prefix: "10.0.0.0", prefix_len: 200 }] } }] };
  const r3 = await cli(write("pfx.json", pfx), "--port", "80", "-c", "plaintext", "--listener", "l");
  assert.match(r3.stdout, /LISTENER_REJECTED: .*PrefixLen: value must be less than or equal to 128/);
});

test("bad flags are one line and exit 2", async () => {
  const f = path.join(root, "samples/modern-permissive.json");
  for (const [argv, msg] of [
    [[f, "-p", "80", "--address", "10.0.0.300"], /--address wants an IP address/],
    [[f, "-p", "80", "--source-ip", "nope"], /--source-ip wants an IP address/],
    [[f, "-p", "80", "--source-port", "70000"], /--source-port must be 0-65535/],
    [["diff", f, f, "--ignore", "["], /--ignore wants a field path/],
  ] as const) {
    const r = await cli(...argv);
    assert.is(r.code, 2, argv.join(" "));
    assert.match(r.stderr, msg);
    assert.not.match(r.stderr, /^\s+at /m);
  }
});

test("a closed pipe ends the program quietly with exit 0", async () => {
  const big = path.join(root, "samples/istio-1.3-permissive.json");
  const child = spawn(process.execPath, [BIN, "listeners", big], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.once("data", () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.is(code, 0, stderr);
  assert.not.match(stderr, /EPIPE|^\s+at /m);
});

test("UTF-16 with a byte-order mark is read as text", async () => {
  const text = fs.readFileSync(path.join(root, "samples/modern-permissive.json"), "utf8");
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
  const be = Buffer.from(le).swap16();
  for (const [name, bytes] of [["le.json", le], ["be.json", be]] as const) {
    const r = await cli("listeners", write(name, bytes));
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /virtualInbound/);
  }
  const noBom = await cli("listeners", write("nobom.json", Buffer.from(text, "utf16le")));
  assert.is(noBom.code, 2);
  assert.match(noBom.stderr, /UTF-16 text without a byte-order mark/);
});

test("a credential that damage turns into a key (a header value before a cut) is never named in a warning's path, read as text or streamed", async () => {
  // "value": lost, so the cookie's value reads as a property name with no colon after it, and the input stops being JSON there.
  const damaged = `{"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.RoutesConfigDump","dynamic_route_configs":[{"route_config":{"name":"ok","virtual_hosts":[]}},{"route_config":{"name":"r","virtual_hosts":[{"name":"v","domains":["*"],"routes":[{"match":{"prefix":"/"},"route":{"cluster":"c"},"request_headers_to_add":[{"header":{"key":"cookie","session=${SECRET_MARKER}"}}]}]}]}}]}]}`;
  const truncated = damaged.slice(0, damaged.indexOf(SECRET_MARKER) + SECRET_MARKER.length + 1);
  for (const [name, text] of [["damaged.json", damaged], ["truncated.json", truncated]] as const) {
    const f = write(name, text);
    for (const argv of [["routes", f], ["routes", f, "-o", "json"], [f, "--port", "80"], ["routes", f, "--stream-from", "1"], ["routes", f, "--stream-from", "1", "--verbose"]]) {
      const r = await cli(...argv);
      assert.ok(r.code === 0 || r.code === 1, `${argv.join(" ")}: exit ${r.code}: ${r.stderr}`);
      // As text the input stops there; streamed, the route that holds it is not JSON.
      assert.match(r.stderr, /warning: .*((cannot be read past|ends at) line 1|not valid JSON|cut off)/, `${argv.join(" ")} says what it could not read`);
      assert.not.ok((r.stdout + r.stderr).includes(SECRET_MARKER), `${argv.join(" ")} printed the credential: ${r.stderr}`);
    }
  }
});

test("seeded fuzz: 250 hostile and broken inputs through every command: no exit 3, no stack trace, valid JSON, no secret, no raw control character, Object.prototype untouched", async () => {
  const r = await fuzz({ seed: 20261123, count: 250, perCase: 3 });
  assert.equal(r.failures.map((f) => `${f.kind}: ${f.problem} (envoy-explain ${f.argv.join(" ")})`), []);
  assert.is(r.runs, 750);
  assert.ok(r.byCode[2]! > 0 && r.byCode[0]! > 0, "both good and refused inputs were generated");
});

test("explain on a dump whose listener names hold control characters still explains", () => {
  const input = loadText(JSON.stringify(hostileListener), "esc.json");
  const [res] = runExplain(input, { port: 80, client: "plaintext" });
  assert.is(res!.listener?.name, ESC_NAME);
});

test("a listener address of the wrong types (an object for the IP, a string for the port) is no address, not [object Object]:NaN", () => {
  const dump = { static_resources: { listeners: [{ name: "odd", address: { socket_address: { address: { x: 1 }, port_value: "abc" } }, filter_chains: [] }] } };
  const r = runExplain(loadText(JSON.stringify(dump), "odd.json"), { port: 80, client: "plaintext" })[0]!;
  assert.is(r.outcome.code, "NO_LISTENER");
  const text = JSON.stringify(r);
  assert.not.match(text, /object Object|NaN/);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
