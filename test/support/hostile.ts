// Hostile and broken inputs, generated from real dumps with a seeded PRNG, and the checks every
// command must pass on them. Used by test/hostile.test.ts (a fixed seed, a bounded count) and by
// scripts/fuzz.ts (as many as asked).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import YAML from "yaml";
import { runCli } from "../../src/cli.js";
import * as lib from "../../src/index.js";

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
  kind: Kind;
  text: string;
  /** The bytes to write, when they are not the text's UTF-8 (NUL streams, UTF-16). */
  bytes?: Uint8Array;
  /** The file's extension: a YAML case is a .yaml file. */
  ext?: string;
}

/** What the first fuzzer generated: mutations of real dumps. */
export const MUTATION_KINDS = ["damage", "names", "secrets", "values", "regex", "deep", "mixed", "cut"] as const;
/**
 * The classes issue #22 lists: YAML alias bombs and missing anchors, long names (said once in text,
 * never a crash in JSON), long YAML bracket lines, control characters and line breaks in names and
 * field names (no fake row, no fake warning), wrong types and out-of-range enums, NUL streams.
 */
export const HOSTILE_KINDS = ["yaml-alias", "long-name", "yaml-brackets", "line-breaks", "enums", "nul"] as const;
export const KINDS = [...MUTATION_KINDS, ...HOSTILE_KINDS] as const;
export type Kind = (typeof KINDS)[number];

/** Names, SNIs, clusters: where a long or hostile name goes. */
const NAME_KEY = /^(name|cluster|route_config_name|server_names|domains|sni|stat_prefix|prefix|cluster_name|service_name)$/;

function nameSlots(doc: unknown): { o: Obj; k: string }[] {
  const slots: { o: Obj; k: string }[] = [];
  visit(doc, (o) => {
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (!NAME_KEY.test(k)) continue;
      if (typeof v === "string") slots.push({ o, k });
      else if (Array.isArray(v) && v.length && typeof v[0] === "string") slots.push({ o: v as unknown as Obj, k: "0" });
    }
  });
  return slots;
}

/** A name of thousands to hundreds of thousands of characters (times `scale`), in one to three places, sometimes the same in all. */
function longNames(rng: Rng, doc: unknown, scale: number): void {
  const slots = nameSlots(doc);
  if (!slots.length) return;
  const size = Math.round(rng.pick([1_100, 5_000, 40_000, 250_000]) * scale);
  const unit = rng.pick(["n", "outbound|9080||", "a b ", "x,", "ab\n", "é", "\u0000"]);
  const make = () => unit.repeat(Math.ceil(size / unit.length)).slice(0, size) + rng.int(1000);
  const same = make();
  for (let k = 0; k < 1 + rng.int(3); k++) {
    const { o, k: key } = rng.pick(slots);
    o[key] = rng.int(2) ? same : make();
  }
}

const FAKE = ["\nFAKE-ROW   0.0.0.0:1   #0   {} (any)   plaintext   TCP → evil", "\nwarning: FAKE-WARNING all good", "\r\nFAKE-ROW", "\n\nFAKE-ROW\n", "\tFAKE-TAB\t\t", "\u2028FAKE-ROW", "\u0085FAKE-ROW"];

/** Names and field names with line breaks that would draw a row of a table or a warning line of their own. */
function lineBreaks(rng: Rng, doc: unknown): void {
  const slots = nameSlots(doc);
  for (let k = 0; k < 1 + rng.int(4) && slots.length; k++) {
    const { o, k: key } = rng.pick(slots);
    o[key] = `${String(o[key])}${rng.pick(FAKE)}`;
  }
  // A field name too: the loader warns about it by name.
  visit(doc, (o) => {
    if (rng.int(12) === 0) Object.defineProperty(o, `bogus${rng.pick(FAKE)}`, { value: rng.int(2) ? 1 : { x: 1 }, enumerable: true, writable: true, configurable: true });
  });
}

/** Envoy's enum fields, and values no enum has: numbers out of range, unknown names, other types. */
const ENUM_KEY = /^(type|lb_policy|lbPolicy|dns_lookup_family|traffic_direction|trafficDirection|codec_type|codecType|source_type|health_status|healthStatus|require_tls|requireTls|protocol|drain_type|forward_client_cert_details|ip_version|state|mode|match_type|action)$/;
const BAD_ENUMS: unknown[] = [99, -1, 2147483648, 1e300, 3.5, "NOT_AN_ENUM_VALUE", "", "__proto__", true, null, {}, [], [1, 2], { value: 1 }];
function enums(rng: Rng, doc: unknown): void {
  visit(doc, (o) => {
    for (const k of Object.keys(o)) {
      if (ENUM_KEY.test(k) && rng.int(2)) o[k] = rng.pick(BAD_ENUMS);
      else if (typeof o[k] === "string" && rng.int(30) === 0) o[k] = rng.pick([7, true, { a: 1 }, ["s"], null]);
      else if (typeof o[k] === "number" && rng.int(20) === 0) o[k] = rng.pick(["80", "NaN", { value: 1 }, [], 1e309]);
    }
  });
  // An enum where none was: Envoy's defaults overridden with nonsense.
  visit(doc, (o) => {
    if (("connect_timeout" in o || "connectTimeout" in o) && rng.int(2)) o.lb_policy = rng.pick(BAD_ENUMS);
    const fcm = o.filter_chain_match;
    if (fcm && typeof fcm === "object" && !Array.isArray(fcm) && rng.int(2)) (fcm as Obj).source_type = rng.pick(BAD_ENUMS);
  });
}

const PLACE = "@@PLACE@@";
/** The document as YAML (istioctl -o yaml), with PLACE as the value of a metadata field of one resource. */
function asYaml(rng: Rng, doc: unknown): string {
  let placed = false;
  visit(doc, (o) => {
    if (placed || !("name" in o) || rng.int(3) === 0) return;
    o.metadata = { filter_metadata: { fuzz: { value: PLACE } } };
    placed = true;
  });
  const text = YAML.stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
  return placed ? text : `${text}x_fuzz: ${PLACE}\n`;
}

/** The YAML with `value` (YAML text) where PLACE is (YAML may have quoted it). */
const placeValue = (text: string, value: string) => text.replace(/(["']?)@@PLACE@@\1/, () => value);

/** Anchors and aliases: an exponential bomb, a missing anchor, a self-reference, merge keys. */
function yamlAliases(rng: Rng, doc: unknown): string {
  const text = asYaml(rng, doc);
  const variant = rng.int(4);
  let value: string;
  if (variant === 0) {
    const levels = rng.pick([4, 8, 12]);
    const width = rng.pick([4, 9]);
    const defs = [`a0: &a0 ["lol", "lol", "lol"]`];
    for (let i = 1; i <= levels; i++) defs.push(`a${i}: &a${i} [${Array.from({ length: width }, () => `*a${i - 1}`).join(", ")}]`);
    value = `{${defs.join(", ")}}`;
  } else if (variant === 1) value = rng.pick(["*nope", "[*nope, *a]", "{x: *missing}", "*"]);
  else if (variant === 2) value = rng.pick(["&a [*a]", "&a {x: *a}", "&a [1, [*a]]"]);
  else {
    const levels = rng.pick([5, 10]);
    const defs = ["m0: &m0 {k0: v}"];
    for (let i = 1; i <= levels; i++) defs.push(`m${i}: &m${i} {<<: [${Array.from({ length: 6 }, () => `*m${i - 1}`).join(", ")}], k${i}: v}`);
    value = `{${defs.join(", ")}}`;
  }
  return placeValue(text, value);
}

/** A line of brackets: deep flow nesting (closed or not), or a flow list of many items, on one line. */
function yamlBrackets(rng: Rng, doc: unknown, scale: number): string {
  const text = asYaml(rng, doc);
  const n = Math.round(rng.pick([300, 3_000, 30_000, 200_000]) * scale);
  const variant = rng.int(5);
  const value =
    variant === 0 ? `${"[".repeat(n)}${"]".repeat(n)}`
    : variant === 1 ? "[".repeat(n)
    : variant === 2 ? `${"{a: ".repeat(n)}1${"}".repeat(n)}`
    : variant === 3 ? `[${Array.from({ length: n }, (_, i) => i % 7).join(", ")}]`
    : `"${"[".repeat(n)}"`;
  return placeValue(text, value);
}

/** NUL bytes: scattered through the text, between two documents, the whole file, or UTF-16 without a byte-order mark. */
function nulStream(rng: Rng, text: string, scale: number): { text: string; bytes: Uint8Array } {
  const variant = rng.int(5);
  let t = text;
  if (variant === 0) for (let k = 0; k < 1 + rng.int(20); k++) { const at = rng.int(t.length); t = `${t.slice(0, at)}\u0000${t.slice(at)}`; }
  else if (variant === 1) t = `${text}\u0000${text}`;
  else if (variant === 2) t = "\u0000".repeat(Math.round(rng.pick([1, 1000, 100_000]) * scale));
  else if (variant === 3) t = `\u0000${text}`;
  else return { text, bytes: Buffer.from(text, "utf16le") };
  return { text: t, bytes: Buffer.from(t) };
}

/** One generated input of one of `kinds` (default: all), or of `only`. `scale` sizes the long names and lines. */
export function generate(rng: Rng, sources: string[], kinds: readonly Kind[] = KINDS, scale = 1, only?: Kind): Case {
  const src = rng.pick(sources);
  const kind = only ?? rng.pick(kinds);
  if (kind === "damage") return { kind, text: damage(rng, src) };
  if (kind === "cut") return { kind, text: src.slice(0, rng.int(src.length)) };
  if (kind === "nul") return { kind, ...nulStream(rng, src, scale) };
  const doc = JSON.parse(src) as unknown;
  if (kind === "yaml-alias") return { kind, text: yamlAliases(rng, doc), ext: ".yaml" };
  if (kind === "yaml-brackets") return { kind, text: yamlBrackets(rng, doc, scale), ext: ".yaml" };
  if (kind === "long-name") longNames(rng, doc, scale);
  if (kind === "line-breaks") lineBreaks(rng, doc);
  if (kind === "enums") enums(rng, doc);
  if (kind === "names" || kind === "mixed") hostileNames(rng, doc);
  if (kind === "secrets" || kind === "mixed" || ((kind === "long-name" || kind === "line-breaks" || kind === "enums") && rng.int(2))) plantSecret(rng, doc);
  if (kind === "values" || kind === "mixed") impossibleValues(rng, doc);
  if (kind === "regex" || kind === "mixed") regexes(rng, doc);
  if (kind === "deep") return { kind, text: deepNesting(rng, doc) };
  let text = JSON.stringify(doc, null, rng.int(2) ? 1 : undefined);
  if (kind === "mixed" && rng.int(2)) text = damage(rng, text);
  // Some of each as YAML too, as istioctl -o yaml prints it.
  if (kind !== "mixed" && HOSTILE_KINDS.includes(kind as (typeof HOSTILE_KINDS)[number]) && rng.int(3) === 0) return { kind, text: YAML.stringify(JSON.parse(text), { lineWidth: 0 }), ext: ".yaml" };
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

/** More command lines for the hostile kinds: every output format, explain without --client, verbose warnings, a narrow terminal. */
const MORE_COMMANDS: string[][] = [
  ["{f}", "--port", "9080", "-o", "json"],
  ["{f}", "--port", "9080", "-o", "yaml"],
  ["{f}", "--port", "9080", "-o", "markdown"],
  ["{f}", "--port", "9080", "-v", "{cols}"],
  ["{f}", "{cols}"],
  ["{f}", "-o", "json"],
  ["check", "{f}", "-o", "sarif"],
  ["check", "{f}", "-o", "yaml"],
  ["listeners", "{f}", "-v", "{cols}"],
  ["listeners", "{f}", "-o", "yaml"],
  ["routes", "{f}", "-o", "json"],
  ["all", "{f}", "{cols}"],
  ["tls-check", "{orig}", "{f}", "{cols}"],
  ["diff", "{orig}", "{f}", "-o", "yaml", "--impact"],
];

/** The library's calls, as a program would make them on the same bytes. */
const LIBRARY: [string, (input: () => lib.LoadedInput, orig: string) => unknown][] = [
  ["explain", (i) => lib.explain(i(), { port: 9080 })],
  ["explain curl-mtls", (i) => lib.explain(i(), { port: 8443, client: "curl-mtls", sni: "secure.example.com" })],
  ["overview", (i) => lib.overview(i())],
  ["check", (i, o) => lib.check([i(), o])],
  ["toSarif", (i) => lib.toSarif(lib.check(i()))],
  ["listeners", (i) => lib.listeners(i())],
  ["clusters", (i) => lib.clusters(i())],
  ["routes", (i) => lib.routes(i())],
  ["endpoints", (i) => lib.endpoints(i())],
  ["secrets", (i) => lib.secrets(i())],
  ["tlsCheck", (i, o) => lib.tlsCheck(o, i())],
  ["diff", (i, o) => lib.diff(o, i(), { impact: true })],
];

export interface Failure {
  kind: string;
  argv: string[];
  problem: string;
  file: string;
}

const protoNames = () => Object.getOwnPropertyNames(Object.prototype).sort().join(",");
const PROTO = protoNames();
const protoChanged = () => protoNames() !== PROTO || ({} as Record<string, unknown>).polluted !== undefined;

/** A line of a stack trace: a frame in a script or in Node (not the findings' "at FILE.json:9:16", however wrapped). */
const STACK_FRAME = /^\s+at (?:.+ \()?(?:node:[^\s()]+|[^\s()]*\.(?:[cm]?js|[cm]?ts)):\d+:\d+\)?$/m;

/** A line a name's line break drew: a fake row of a table or a fake warning. */
const FAKE_LINE = /^\s*(?:warning: )?FAKE-/m;

/** What the fuzzer asks its worker thread to run: a command line, or a library call on a file's bytes. */
type Job = { cli: string[]; columns?: string } | { library: string; file: string; orig: string };
interface Reply {
  ms: number;
  code?: number;
  stdout?: string;
  stderr?: string;
  /** The library's document as JSON. */
  json?: string;
  /** What the library threw, and whether it is an InputError. */
  thrown?: { name: string; message: string; input: boolean };
  protoChanged: boolean;
}

/** Runs a job (in the worker thread). */
async function runJob(job: Job): Promise<Reply> {
  const started = Date.now();
  if ("cli" in job) {
    let stdout = "";
    let stderr = "";
    if (job.columns) process.env.COLUMNS = job.columns;
    else delete process.env.COLUMNS;
    const code = await runCli(job.cli, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { ms: Date.now() - started, code, stdout, stderr, protoChanged: protoChanged() };
  }
  const call = LIBRARY.find(([what]) => what === job.library)![1];
  const bytes = fs.readFileSync(job.file);
  try {
    const doc = call(() => lib.load(bytes, { name: path.basename(job.file) }), job.orig);
    return { ms: Date.now() - started, json: JSON.stringify(doc), protoChanged: protoChanged() };
  } catch (e) {
    const x = e as Error;
    return { ms: Date.now() - started, thrown: { name: x?.name ?? typeof e, message: String(x?.message ?? e).slice(0, 300), input: e instanceof lib.InputError }, protoChanged: protoChanged() };
  }
}

if (!isMainThread && (workerData as { fuzz?: boolean } | undefined)?.fuzz) {
  parentPort!.on("message", (job: Job) => void runJob(job).then((r) => parentPort!.postMessage(r)));
  parentPort!.postMessage("ready");
}

/**
 * The fuzzer's worker thread: each command and call runs there, so that one that never ends (an
 * endless loop) or exhausts memory is a failure with its input kept, not a test run that never ends.
 * A worker that timed out or died is replaced.
 */
class Isolated {
  private worker?: Promise<Worker>;
  private start(): Promise<Worker> {
    // Without FORCE_COLOR (the test runner sets it and NO_COLOR, which Node warns about): the commands print no colour in-process anyway.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "FORCE_COLOR"));
    const w = new Worker(new URL("./fuzz-worker.mjs", import.meta.url), { workerData: { fuzz: true }, env, resourceLimits: { maxOldGenerationSizeMb: 3072 } });
    return new Promise((resolve, reject) => {
      w.once("message", () => resolve(w));
      w.once("error", reject);
    });
  }
  async run(job: Job, maxMs: number): Promise<Reply | { died: string }> {
    this.worker ??= this.start();
    const w = await this.worker;
    return new Promise((resolve) => {
      const done = (r: Reply | { died: string }, replace: boolean) => {
        clearTimeout(timer);
        w.off("message", onMessage);
        w.off("error", onError);
        w.off("exit", onExit);
        if (replace) {
          this.worker = undefined;
          void w.terminate();
        }
        resolve(r);
      };
      const onMessage = (r: Reply) => done(r, false);
      const onError = (e: Error) => done({ died: `the worker died: ${e.message.split("\n")[0]}` }, true);
      const onExit = (code: number) => done({ died: `the worker exited (${code})` }, true);
      const timer = setTimeout(() => done({ died: `did not end within ${maxMs} ms` }, true), maxMs);
      w.on("message", onMessage);
      w.once("error", onError);
      w.once("exit", onExit);
      w.postMessage(job);
    });
  }
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await (await w).terminate();
  }
}

export interface FuzzOptions {
  seed: number;
  count: number;
  /** Command lines per input. */
  perCase: number;
  /** Library calls per input (default 0). */
  library?: number;
  /** The kinds of input (default: the first fuzzer's mutations of real dumps). */
  kinds?: readonly Kind[];
  /** Sizes long names and lines: 1 is thousands to hundreds of thousands of characters. */
  scale?: number;
  /** The kinds in turn rather than at random: a short run has as many of each. */
  eachKind?: boolean;
  /** A command or call taking longer than this fails (default 20 s); one that does not end is stopped after it. */
  maxMs?: number;
  onProgress?: (done: number) => void;
}

export interface FuzzResult {
  failures: Failure[];
  runs: number;
  calls: number;
  byCode: Record<number, number>;
  byKind: Record<string, number>;
  /** The slowest command or call; its input is kept as `file` (in the temporary folder). */
  slowest: { ms: number; kind: string; argv: string[]; file: string };
}

/**
 * Runs `count` cases from `seed` through the command line (each through `perCase` command lines) and
 * the library (`library` calls each), on a worker thread; returns what broke: an exit 3 or an error
 * that is not an InputError, a stack trace, a planted secret, a raw control character, a fake row or
 * warning line, JSON or YAML that does not parse, Object.prototype changed, a run past `maxMs` or one
 * that never ends.
 */
export async function fuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const rng = new Rng(opts.seed);
  const sources = loadSources();
  const kinds = opts.kinds ?? MUTATION_KINDS;
  const hostile = kinds.some((k) => (HOSTILE_KINDS as readonly string[]).includes(k));
  const commands = hostile ? [...COMMANDS, ...MORE_COMMANDS] : COMMANDS;
  const maxMs = opts.maxMs ?? 20_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-fuzz-"));
  const isolated = new Isolated();
  const failures: Failure[] = [];
  const byCode: Record<number, number> = { 0: 0, 1: 0, 2: 0, 3: 0 };
  const byKind: Record<string, number> = {};
  let runs = 0;
  let calls = 0;
  let slowest = { ms: 0, kind: "", argv: [] as string[], file: "" };
  const slow = (ms: number, kind: string, argv: string[], input: string) => {
    if (ms <= slowest.ms) return;
    const file = path.join(os.tmpdir(), `envoy-explain-fuzz-slowest-${process.pid}${path.extname(input)}`);
    fs.copyFileSync(input, file);
    slowest = { ms, kind, argv, file };
  };
  try {
    for (let i = 0; i < opts.count; i++) {
      const c = generate(rng, sources, kinds, opts.scale ?? 1, opts.eachKind ? kinds[i % kinds.length] : undefined);
      byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
      const f = path.join(dir, `case-${i}${c.ext ?? ".json"}`);
      const orig = path.join(dir, `orig-${i}.json`);
      fs.writeFileSync(f, c.bytes ?? c.text);
      fs.writeFileSync(orig, rng.pick(sources));
      const fail = (argv: string[], problem: string) => failures.push({ kind: c.kind, argv, problem, file: f });
      for (let k = 0; k < opts.perCase; k++) {
        const cols = hostile ? rng.pick([undefined, "80", "200"]) : undefined;
        const argv = rng.pick(commands).flatMap((a) => (a === "{f}" ? [f] : a === "{orig}" ? [orig] : a === "{cols}" ? [] : [a]));
        const shown = cols ? [...argv, `(COLUMNS=${cols})`] : argv;
        const r = await isolated.run({ cli: argv, ...(cols ? { columns: cols } : {}) }, maxMs);
        runs++;
        if ("died" in r) {
          fail(shown, r.died);
          continue;
        }
        const { code = 3, stdout = "", stderr = "" } = r;
        slow(r.ms, c.kind, shown, f);
        byCode[code] = (byCode[code] ?? 0) + 1;
        if (code === 3) fail(shown, `exit 3: ${stderr.trim().split("\n").pop()}`);
        if (r.ms > maxMs) fail(shown, `took ${r.ms} ms`);
        if (STACK_FRAME.test(stdout + stderr)) fail(shown, "a stack trace was printed");
        const format = argv.includes("-o") ? argv[argv.indexOf("-o") + 1] : "table";
        if ((format === "json" || format === "sarif") && code !== 2 && code !== 3) {
          try {
            JSON.parse(stdout);
          } catch (e) {
            fail(shown, `-o ${format} printed invalid JSON: ${(e as Error).message}`);
          }
        }
        if (format === "yaml" && code !== 2 && code !== 3) {
          try {
            const v = YAML.parse(stdout) as unknown;
            if (!v || typeof v !== "object") fail(shown, "-o yaml printed no document");
          } catch (e) {
            fail(shown, `-o yaml printed invalid YAML: ${(e as Error).message.split("\n")[0]}`);
          }
        }
        if ((stdout + stderr).includes(SECRET_MARKER)) fail(shown, "a planted secret was printed");
        if (RAW_CONTROL.test(stdout + stderr)) fail(shown, "a raw control or bidi character was printed");
        // JSON and YAML are data (YAML may print a name's line breaks as a block scalar); text must not draw a line from one.
        if (FAKE_LINE.test(stderr)) fail(shown, "a name's line break drew a warning line");
        if (!["json", "yaml", "sarif"].includes(format!) && FAKE_LINE.test(stdout)) fail(shown, "a name's line break drew a line of the output");
        if (r.protoChanged) fail(shown, "Object.prototype was changed");
      }
      for (let k = 0; k < (opts.library ?? 0); k++) {
        const [what] = rng.pick(LIBRARY);
        const argv = [`library: ${what}`];
        const r = await isolated.run({ library: what, file: f, orig }, maxMs);
        calls++;
        if ("died" in r) {
          fail(argv, r.died);
          continue;
        }
        slow(r.ms, c.kind, argv, f);
        if (r.ms > maxMs) fail(argv, `took ${r.ms} ms`);
        if (r.thrown && !r.thrown.input) fail(argv, `threw ${r.thrown.name}: ${r.thrown.message}`);
        if (r.json?.includes(SECRET_MARKER)) fail(argv, "a planted secret is in the document");
        if (r.protoChanged) fail(argv, "Object.prototype was changed");
      }
      if (failures.length) {
        // Keep the inputs that broke something for a look; drop the rest.
        if (!failures.some((x) => x.file === f)) fs.rmSync(f);
      } else fs.rmSync(f);
      fs.rmSync(orig);
      opts.onProgress?.(i + 1);
    }
  } finally {
    await isolated.close();
    if (!failures.length) fs.rmSync(dir, { recursive: true, force: true });
  }
  return { failures, runs, calls, byCode, byKind, slowest };
}
