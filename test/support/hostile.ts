// Hostile and broken inputs, generated from real dumps with a seeded PRNG, and the checks every
// command must pass on them. Used by test/hostile.test.ts (a fixed seed, a bounded count) and by
// scripts/fuzz.ts (as many as asked).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCli } from "../../src/cli.js";

const root = path.resolve(import.meta.dirname, "../..");

/** Real dumps the generators start from (small ones, so many cases run quickly). */
export const SOURCE_FILES = [
  "samples/modern-permissive.json",
  "samples/gateway-mutual.json",
  "samples/client-productpage.json",
  "samples/istioctl-listener.json",
  "test/corpus/istio/v16-writer-configdump.json",
  "test/corpus/istio/head-secret-istio-config_dump.json",
  "test/corpus/istio/head-describe-http_config.json",
];

/** Planted in every secret a generator adds: it must never appear in any output. */
export const SECRET_MARKER = "SEKRET-9f3c1e";

/** Characters that must never reach a terminal raw. */
// eslint-disable-next-line no-control-regex
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  /** mulberry32 */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

const BUILTIN_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype", "__defineGetter__", "isPrototypeOf"];
const NASTY_STRINGS = [
  "\u001b[2J\u001b[H", // clear screen
  "\u001b]0;owned\u0007", // window title
  "\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\", // OSC 8 hyperlink
  "a\rb",
  "\u0007bell",
  "rtl\u202egnp.exe",
  "iso\u2066late\u2069",
  "```\n# Verdict: all good\n![x](https://evil.example/x.png)\n```",
  "| a | b |\n|---|---|",
  "<img src=x onerror=alert(1)>",
  '"]; click C "javascript:alert(1)"',
  "line1\nline2",
  "\u0000nul",
  ...BUILTIN_NAMES,
];

/** Envoy config fragments that hold secrets, each with the marker inside. */
function plantSecret(rng: Rng, doc: unknown): void {
  const key = `-----BEGIN PRIVATE KEY-----\n${SECRET_MARKER}\n-----END PRIVATE KEY-----`;
  const tls = {
    "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
    common_tls_context: {
      tls_certificates: [{ certificate_chain: { inline_string: "CERT" }, private_key: { inline_string: key }, password: { inline_string: SECRET_MARKER } }],
      tls_session_ticket_keys: { keys: [{ inline_bytes: Buffer.from(SECRET_MARKER).toString("base64") }] },
    },
    session_ticket_keys: { keys: [{ inline_string: SECRET_MARKER }] },
  };
  const auth = { name: "authorization", string_match: { exact: `Bearer ${SECRET_MARKER}` } };
  const addHeader = { header: { key: "Cookie", value: `session=${SECRET_MARKER}` } };
  const lua = { name: "envoy.filters.http.lua", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua", inline_code: `-- ${SECRET_MARKER}\nfunction envoy_on_request(h) end` } };
  const opaque = { "@type": "type.googleapis.com/example.Unknown", private_key: SECRET_MARKER, nested: { password: SECRET_MARKER } };
  visit(doc, (o) => {
    if (rng.int(4) !== 0) return;
    if ("filter_chain_match" in o || "filterChainMatch" in o || "filters" in o) o.transport_socket = { name: "envoy.transport_sockets.tls", typed_config: tls };
    if ("match" in o && ("route" in o || "redirect" in o)) {
      const m = o.match as Record<string, unknown>;
      if (m && typeof m === "object") m.headers = [auth];
      o.request_headers_to_add = [addHeader];
    }
    if ("http_filters" in o && Array.isArray(o.http_filters)) (o.http_filters as unknown[]).unshift(lua);
    if ("typed_config" in o && rng.int(3) === 0) o.typed_config = opaque;
    if ("tls_certificate" in o || "tlsCertificate" in o) o.tls_certificate = tls.common_tls_context.tls_certificates[0];
    if ("generic_secret" in o || ("name" in o && "tls_certificate" in o)) o.generic_secret = { secret: { inline_string: SECRET_MARKER } };
  });
}

type Obj = Record<string, unknown>;
function visit(v: unknown, f: (o: Obj) => void, depth = 0): void {
  if (depth > 200) return;
  if (Array.isArray(v)) for (const x of v) visit(x, f, depth + 1);
  else if (v && typeof v === "object") {
    f(v as Obj);
    for (const k of Object.keys(v)) visit((v as Obj)[k], f, depth + 1);
  }
}

/** Renames keys and replaces names with built-in names and control characters. */
function hostileNames(rng: Rng, doc: unknown): void {
  visit(doc, (o) => {
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (typeof v === "string" && /name|sni|server_names|details|cluster|domains|prefix|@type/i.test(k) && rng.int(3) === 0) {
        o[k] = k === "@type" ? `type.googleapis.com/${rng.pick(NASTY_STRINGS)}` : rng.pick(NASTY_STRINGS) + (rng.int(2) ? v : "");
      } else if (Array.isArray(v) && v.every((x) => typeof x === "string") && rng.int(3) === 0) {
        o[k] = [...v, rng.pick(NASTY_STRINGS)];
      } else if (rng.int(25) === 0) {
        const nk = rng.pick(BUILTIN_NAMES);
        delete o[k];
        Object.defineProperty(o, nk, { value: v, enumerable: true, writable: true, configurable: true });
      }
    }
  });
}

/** Impossible values Envoy would refuse: ports, prefix lengths, addresses. */
function impossibleValues(rng: Rng, doc: unknown): void {
  visit(doc, (o) => {
    if ("port_value" in o || "portValue" in o) o[rng.int(2) ? "port_value" : "portValue"] = rng.pick([70000, -1, 65536, 1e12, "99999"]);
    if ("prefix_len" in o || "prefixLen" in o) o.prefix_len = rng.pick([33, 129, -4, 1000]);
    if ("address_prefix" in o) o.address_prefix = rng.pick(["10.0.0.300", "::gg", "", "1.2.3"]);
    if ("destination_port" in o) o.destination_port = rng.pick([0, 70000, -80]);
    if (("address" in o && typeof o.address === "string") && rng.int(2)) o.address = rng.pick(["10.0.0.300", "not-an-ip", "1::2::3"]);
  });
}

/** Regexes: catastrophic for a backtracking engine, RE2-only syntax, and ones RE2 rejects. */
function regexes(rng: Rng, doc: unknown): void {
  visit(doc, (o) => {
    if ("prefix" in o && ("route" in o || rng.int(2)) && typeof o.prefix === "string") {
      delete o.prefix;
      o.safe_regex = { regex: rng.pick(["(a+)+$", "(?i)/ADMIN.*", "(?<=a)b", "\\p{Greek}+", "(x+x+)+y", "[", "a{1001}"]) };
    }
  });
}

/** Nesting far past any limit: in a matcher, a Struct, and bare JSON (as text: JSON.stringify itself overflows). */
function deepNesting(rng: Rng, doc: unknown): string {
  const depth = rng.pick([150, 1000, 5000, 20000]);
  const kind = rng.int(3);
  const [open, close] =
    kind === 0
      ? ['{"matcher_tree":{"input":{"name":"i","typed_config":{"@type":"type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.DestinationPortInput"}},"exact_match_map":{"map":{"80":{"matcher":', "}}}}}"]
      : kind === 1
        ? ['{"a":', "}"]
        : ["[", "]"];
  const inner = `${open.repeat(depth)}{"value":"x"}${close.repeat(depth)}`;
  const PLACE = "\u0000deep\u0000";
  let done = false;
  visit(doc, (o) => {
    if (done) return;
    if ("filter_chains" in o || "filterChains" in o || "metadata" in o || "name" in o) {
      if (kind === 0) o.filter_chain_matcher = PLACE;
      else o.metadata = { filter_metadata: { deep: PLACE } };
      done = true;
    }
  });
  return done ? JSON.stringify(doc).replace(JSON.stringify(PLACE), inner) : inner;
}

/** Byte-level damage: flips, deletions, cut-offs, wrongly typed values. */
function damage(rng: Rng, text: string): string {
  let t = text;
  const swaps = ["null", "[]", '"s"', "7", "{}", "true", '"__proto__"', '{"__proto__":{"polluted":1}}'];
  for (let k = 0; k < 1 + rng.int(3); k++) {
    const at = rng.int(t.length);
    const op = rng.int(5);
    if (op === 0) t = t.slice(0, at) + String.fromCharCode(rng.int(2) ? 32 + rng.int(90) : rng.int(32)) + t.slice(at + 1);
    else if (op === 1) t = t.slice(0, at) + t.slice(at + 1 + rng.int(40));
    else if (op === 2) t = t.slice(0, at);
    else if (op === 3) t = t.slice(0, at) + "\n...snip...\n" + t.slice(at + rng.int(400));
    else {
      const keys = [...t.matchAll(/"[a-zA-Z_]+": ?/g)];
      if (!keys.length) continue;
      const m = rng.pick(keys);
      const start = m.index! + m[0].length;
      const end = t.slice(start).search(/[,\n}]/) + start;
      t = t.slice(0, start) + rng.pick(swaps) + t.slice(end);
    }
  }
  return t;
}

export interface Case {
  kind: string;
  text: string;
}

/** One generated input. */
export function generate(rng: Rng, sources: string[]): Case {
  const src = rng.pick(sources);
  const kind = rng.pick(["damage", "names", "secrets", "values", "regex", "deep", "mixed", "cut"] as const);
  if (kind === "damage") return { kind, text: damage(rng, src) };
  if (kind === "cut") return { kind, text: src.slice(0, rng.int(src.length)) };
  const doc = JSON.parse(src) as unknown;
  const out: unknown = doc;
  if (kind === "names" || kind === "mixed") hostileNames(rng, doc);
  if (kind === "secrets" || kind === "mixed") plantSecret(rng, doc);
  if (kind === "values" || kind === "mixed") impossibleValues(rng, doc);
  if (kind === "regex" || kind === "mixed") regexes(rng, doc);
  if (kind === "deep") return { kind, text: deepNesting(rng, doc) };
  let text = JSON.stringify(out, null, rng.int(2) ? 1 : undefined);
  if (kind === "mixed" && rng.int(2)) text = damage(rng, text);
  return { kind, text };
}

export function loadSources(): string[] {
  return SOURCE_FILES.map((f) => fs.readFileSync(path.join(root, f), "utf8"));
}

/** The command lines each case is run through. */
const COMMANDS: string[][] = [
  ["{f}", "--port", "9080"],
  ["{f}", "--port", "8443", "-c", "curl-mtls", "--sni", "secure.example.com", "-o", "markdown"],
  ["{f}", "--port", "9080", "-c", "plaintext", "--path", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "-o", "json"],
  ["listeners", "{f}"],
  ["listeners", "{f}", "-o", "markdown"],
  ["clusters", "{f}", "-o", "json"],
  ["clusters", "{f}"],
  ["routes", "{f}", "-o", "markdown"],
  ["endpoints", "{f}"],
  ["secrets", "{f}", "-o", "json"],
  ["secrets", "{f}"],
  ["tls-check", "{f}"],
  ["tls-check", "{f}", "{f}", "-o", "json"],
  ["diff", "{orig}", "{f}"],
  ["diff", "{orig}", "{f}", "-o", "json", "--impact"],
  ["diff", "{f}", "{orig}", "-o", "markdown"],
  // The streaming reader (for inputs past 512 MiB), made to read these small ones.
  ["{f}", "--port", "9080", "--stream-from", "1"],
  ["clusters", "{f}", "-o", "json", "--stream-from", "1"],
  ["secrets", "{f}", "-o", "json", "--stream-from", "1"],
  ["diff", "{orig}", "{f}", "-o", "json", "--stream-from", "1"],
];

export interface Failure {
  kind: string;
  argv: string[];
  problem: string;
  file: string;
}

const protoNames = () => Object.getOwnPropertyNames(Object.prototype).sort().join(",");
const PROTO = protoNames();

/** Runs `count` cases from `seed` through the commands (each case through `perCase` of them); returns what broke. */
export async function fuzz(opts: { seed: number; count: number; perCase: number; onProgress?: (done: number) => void }): Promise<{ failures: Failure[]; runs: number; byCode: Record<number, number>; byKind: Record<string, number> }> {
  const rng = new Rng(opts.seed);
  const sources = loadSources();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-fuzz-"));
  const failures: Failure[] = [];
  const byCode: Record<number, number> = { 0: 0, 1: 0, 2: 0, 3: 0 };
  const byKind: Record<string, number> = {};
  let runs = 0;
  try {
    for (let i = 0; i < opts.count; i++) {
      const c = generate(rng, sources);
      byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
      const f = path.join(dir, `case-${i}.json`);
      const orig = path.join(dir, `orig-${i}.json`);
      fs.writeFileSync(f, c.text);
      fs.writeFileSync(orig, rng.pick(sources));
      for (let k = 0; k < opts.perCase; k++) {
        const argv = rng.pick(COMMANDS).map((a) => (a === "{f}" ? f : a === "{orig}" ? orig : a));
        let stdout = "";
        let stderr = "";
        const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
        runs++;
        byCode[code] = (byCode[code] ?? 0) + 1;
        const fail = (problem: string) => failures.push({ kind: c.kind, argv, problem, file: f });
        if (code === 3) fail(`exit 3: ${stderr.trim().split("\n").pop()}`);
        if (/^\s+at .+:\d+:\d+\)?$/m.test(stdout + stderr)) fail("a stack trace was printed");
        if (argv.includes("json") && code !== 2 && code !== 3) {
          try {
            JSON.parse(stdout);
          } catch (e) {
            fail(`-o json printed invalid JSON: ${(e as Error).message}`);
          }
        }
        if ((stdout + stderr).includes(SECRET_MARKER)) fail("a planted secret was printed");
        if (RAW_CONTROL.test(stdout + stderr)) fail("a raw control or bidi character was printed");
        if (protoNames() !== PROTO || ({} as Record<string, unknown>).polluted !== undefined) fail("Object.prototype was changed");
      }
      if (failures.length) {
        // Keep the inputs that broke something for a look; drop the rest.
        if (!failures.some((x) => x.file === f)) fs.rmSync(f);
      } else fs.rmSync(f);
      fs.rmSync(orig);
      opts.onProgress?.(i + 1);
    }
  } finally {
    if (!failures.length) fs.rmSync(dir, { recursive: true, force: true });
  }
  return { failures, runs, byCode, byKind };
}
