// Every option of every analysis, checked before any work, with one set of words for the command line
// and the library: the CLI passes its flags' text here (spelled --source-port), the library its
// options' values (spelled sourcePort), and both get the same sentence for the same mistake.
// Plain functions over plain values: no Node built-ins, nothing printed.
import { InputError } from "../diag.js";
import { parseIp } from "../explain/ip.js";
import { OUTCOME_CODES, type OutcomeCode } from "../explain/outcomes.js";
import { PRESET_NAMES, type PresetName } from "../explain/presets.js";
import type { ExplainOptions } from "./explain.js";
import type { ClusterFilter, EndpointFilter, ListenerFilter } from "./listings.js";

/** How the caller names an option: the command line's flag (--source-port) or the library's field (sourcePort). */
export type Spelling = "flag" | "field";

/** An option the caller got wrong: exit 2 on the command line, an InputError in the library. `format()` is the sentence alone. */
export class OptionError extends InputError {
  /** The option as the caller spells it (--port, port). */
  readonly option: string;
  constructor(option: string, message: string) {
    super("options", message);
    this.name = "OptionError";
    this.option = option;
  }
  override format(): string {
    return this.message;
  }
}

/** sourcePort → --source-port (flag) or sourcePort (field). */
function optionName(key: string, how: Spelling): string {
  return how === "flag" ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : key;
}

/** A value as the caller gave it: text in quotes (long text cut, it is only the caller's own input echoed), other values as they print. */
export function shown(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 120 ? `${v.slice(0, 120)}…` : v);
  if (Array.isArray(v)) return `[${v.slice(0, 5).map(shown).join(", ")}${v.length > 5 ? ", …" : ""}]`;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "an invalid Date" : v.toISOString();
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  if (typeof v === "function") return "a function";
  return String(v);
}

function fail(key: string, how: Spelling, rest: string): never {
  const name = optionName(key, how);
  throw new OptionError(name, `${name} ${rest}`);
}

/** Edits between two words (insert, delete, replace, swap two neighbours: "prot" is one from "port"), for "did you mean"; short words only. */
export function editDistance(a: string, b: string): number {
  let before = Array.from({ length: b.length + 1 }, () => 0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The closest of `words` to `typed` (case aside), when it is close: at most 2 edits, and fewer than the
 * word is long (of two as close, the one as long as typed); else the only word it begins ("warn": warning).
 */
export function nearest(typed: string, words: readonly string[]): string | undefined {
  if (typed.length > 64) return undefined;
  const t = typed.toLowerCase();
  let best: { w: string; d: number; len: number } | undefined;
  for (const w of words) {
    const d = editDistance(t, w.toLowerCase());
    const len = Math.abs(w.length - t.length);
    if (d <= 2 && d < Math.max(2, w.length - 1) && (!best || d < best.d || (d === best.d && len < best.len))) best = { w, d, len };
  }
  if (best) return best.w;
  const begun = t.length >= 3 ? words.filter((w) => w.toLowerCase().startsWith(t)) : [];
  return begun.length === 1 ? begun[0] : undefined;
}

/** A port (or a count 0-65535 with min 0): a whole number, given as a number or as its digits. */
export function portOption(v: unknown, key: string, how: Spelling, min = 1): number {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d{1,5}\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > 65535) fail(key, how, `must be ${min}-65535, not ${shown(v)}`);
  return n;
}

/** An IP address, v4 or v6. */
function ipOption(v: unknown, key: string, how: Spelling): string {
  if (typeof v !== "string" || !parseIp(v)) fail(key, how, `wants an IP address, not ${shown(v)}`);
  return v;
}

function stringOption(v: unknown, key: string, how: Spelling): string {
  if (typeof v !== "string") fail(key, how, `must be text, not ${shown(v)}`);
  return v;
}

function booleanOption(v: unknown, key: string, how: Spelling): boolean {
  if (typeof v !== "boolean") fail(key, how, `must be true or false, not ${shown(v)}`);
  return v;
}

/** One of a fixed list; `fold`: case does not matter, and the value is given back as the list spells it. */
export function oneOf<T extends string>(v: unknown, key: string, how: Spelling, choices: readonly T[], fold = false): T {
  const hit = typeof v === "string" ? choices.find((c) => (fold ? c.toLowerCase() === v.toLowerCase() : c === v)) : undefined;
  if (hit !== undefined) return hit;
  const listed = fold ? choices.filter((c, i) => choices.findIndex((x) => x.toLowerCase() === c.toLowerCase()) === i) : choices;
  const near = typeof v === "string" ? nearest(v, listed) : undefined;
  return fail(key, how, `must be one of ${listed.join(", ")}, not ${shown(v)}${near ? ` (did you mean ${near}?)` : ""}`);
}

function presetOption(v: unknown, key: string, how: Spelling): PresetName {
  return oneOf(v, key, how, PRESET_NAMES);
}

/** A time certificates are judged at: a Date, or text Date reads (ISO 8601). */
function timeOption(v: unknown, key: string, how: Spelling): Date {
  const d = v instanceof Date ? v : typeof v === "string" && v.trim() ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) fail(key, how, `wants a time such as 2026-01-31T00:00:00Z, not ${shown(v)}`);
  return d;
}

/** A number of bytes: a whole number from 1. */
function bytesOption(v: unknown, key: string, how: Spelling): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) fail(key, how, `must be a whole number of bytes from 1, not ${shown(v)}`);
  return v;
}

/** Which code block of a pasted page to read: 1 for the first. */
export function blockOption(v: unknown, key: string, how: Spelling): number {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d{1,9}\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1) fail(key, how, `must be a whole number from 1 (the first code block), not ${shown(v)}`);
  return n;
}

/** A list of text (a comma list given as one text is split). */
function stringListOption(v: unknown, key: string, how: Spelling): string[] {
  const list = typeof v === "string" ? v.split(",").map((x) => x.trim()).filter(Boolean) : v;
  if (!Array.isArray(list) || list.some((x) => typeof x !== "string")) fail(key, how, `must be a list of text, not ${shown(v)}`);
  return list as string[];
}

/** key → value text, in a table without a prototype (the keys are the caller's). */
function pairsOption(v: unknown, key: string, how: Spelling, lowerKeys = false): Record<string, string> {
  if (!v || typeof v !== "object" || Array.isArray(v)) fail(key, how, `must be an object of name → text, not ${shown(v)}`);
  const out: Record<string, string> = Object.create(null);
  for (const [k, x] of Object.entries(v as object)) {
    if (typeof x !== "string") fail(key, how, `must be an object of name → text, not ${shown(x)} for ${JSON.stringify(k)}`);
    out[lowerKeys ? k.toLowerCase() : k] = x;
  }
  return out;
}

/** A field path for diff's ignore: names (camelCase or snake_case) and * separated by dots. */
const IGNORE_PATH = /^(?:[A-Za-z_][A-Za-z0-9_]*|\*)(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|\*))*$/;

function ignoreOption(v: unknown, key: string, how: Spelling): string[] {
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list)) fail(key, how, `wants a list of field paths such as statPrefix or filterChains.*.metadata, not ${shown(v)}`);
  for (const p of list) {
    if (typeof p !== "string" || p.length > 1000 || !IGNORE_PATH.test(p)) fail(key, how, `wants a field path such as statPrefix or filterChains.*.metadata, not ${shown(p)}`);
  }
  return list as string[];
}

/** Outcome codes (--expect): a comma list or a list, any case. */
export function outcomesOption(v: unknown, key: string, how: Spelling): OutcomeCode[] {
  const list = typeof v === "string" ? v.split(",") : v;
  const codes = Array.isArray(list) ? list.map((c) => (typeof c === "string" ? c.trim().toUpperCase() : c)).filter((c) => c !== "") : [];
  const bad = codes.filter((c) => typeof c !== "string" || !(OUTCOME_CODES as readonly string[]).includes(c));
  if (!codes.length || bad.length) {
    const near = typeof bad[0] === "string" ? nearest(bad[0], OUTCOME_CODES) : undefined;
    fail(key, how, `wants outcome codes (${OUTCOME_CODES.join(", ")}), not ${shown(bad.length ? bad.join(",") : v)}${near ? ` (did you mean ${near}?)` : ""}`);
  }
  return codes as OutcomeCode[];
}

/**
 * tls-check's service: host:port (reviews.default.svc.cluster.local:9080), or a name: a cluster's
 * (outbound|9080||reviews.default.svc.cluster.local, OSM's namespace/name, Consul's) or the SNI a
 * client cluster sends. An object is taken as it is ({ host, port } or { name }).
 */
export type ServiceSelector = { host: string; port: number } | { name: string };

function serviceOption(v: unknown, key: string, how: Spelling): ServiceSelector {
  const wants = `wants host:port (reviews.default.svc.cluster.local:9080), a cluster name or an SNI, not ${shown(v)}`;
  if (typeof v === "string") {
    const s = v.trim();
    if (!s || /\s/.test(s)) fail(key, how, wants);
    const m = /^(.+):(\d+)$/.exec(s);
    // Digits after the last colon make it host:port; a port past 65535 is a mistake, not a name.
    if (m) {
      const port = Number(m[2]);
      if (!Number.isInteger(port) || port < 1 || port > 65535) fail(key, how, wants);
      return { host: m[1]!, port };
    }
    return { name: s };
  }
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.name === "string" && o.name.trim() && o.host === undefined && o.port === undefined) return { name: o.name.trim() };
    if (typeof o.host === "string" && o.host && o.name === undefined) return { host: o.host, port: portOption(o.port, `${key}.port`, how) };
  }
  return fail(key, how, wants);
}

/** The options object itself: a plain object, or nothing (no options). */
function record(o: unknown, what: string): Record<string, unknown> {
  if (o === undefined || o === null) return {};
  if (typeof o !== "object" || Array.isArray(o)) throw new OptionError("options", `${what}'s options must be an object, not ${shown(o)}`);
  return o as Record<string, unknown>;
}

/** Fields the analysis does not know: a mistyped one ("prot") is named, with what was meant. */
function noUnknown(o: Record<string, unknown>, known: readonly string[], what: string, how: Spelling): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k) || o[k] === undefined) continue;
    const near = nearest(k, known);
    const name = optionName(k, how);
    throw new OptionError(name, `${what} has no option ${name}${near ? ` (did you mean ${optionName(near, how)}?)` : ""}; it takes ${known.map((x) => optionName(x, how)).join(", ")}`);
  }
}

const defined = (o: Record<string, unknown>, k: string) => o[k] !== undefined;

/** How one option is checked: its value, its name and the caller's spelling in, the value out (or an OptionError). */
type Check<T> = (v: unknown, key: string, how: Spelling) => T;

/** The options `checks` names that `o` has, each checked, in the order of `checks`. */
function checked<C extends Record<string, Check<unknown>>>(o: Record<string, unknown>, checks: C, how: Spelling): { [K in keyof C]?: ReturnType<C[K]> } {
  const out: { [K in keyof C]?: ReturnType<C[K]> } = {};
  for (const k of Object.keys(checks) as (keyof C & string)[]) if (defined(o, k)) out[k] = checks[k]!(o[k], k, how) as ReturnType<C[typeof k]>;
  return out;
}

/** Options of a listing: unknown fields refused, then each known one checked. */
function filterOptions<C extends Record<string, Check<unknown>>>(input: unknown, what: string, checks: C, how: Spelling): { [K in keyof C]?: ReturnType<C[K]> } {
  const o = record(input, what);
  noUnknown(o, Object.keys(checks), what, how);
  return checked(o, checks, how);
}

const direction: Check<"inbound" | "outbound"> = (v, k, how) => oneOf(v, k, how, ["inbound", "outbound"] as const);

const EXPLAIN_KEYS = ["port", "client", "address", "sni", "transport", "alpn", "clientCert", "sourceIp", "sourcePort", "directSourceIp", "listener", "direction", "filterState", "detected", "host", "path", "headers"] as const;

/** explain's options: the port (required), the client and the connection, each checked. */
export function explainOptions(input: unknown, how: Spelling): ExplainOptions {
  const o = record(input, "explain");
  noUnknown(o, EXPLAIN_KEYS, "explain", how);
  if (!defined(o, "port")) fail("port", how, "is missing: explain needs the destination port (1-65535)");
  return {
    port: portOption(o.port, "port", how),
    ...checked(
      o,
      {
        client: presetOption,
        address: ipOption,
        sourceIp: ipOption,
        directSourceIp: ipOption,
        sourcePort: (v, k, h) => portOption(v, k, h, 0),
        sni: stringOption,
        listener: stringOption,
        host: stringOption,
        path: stringOption,
        transport: (v, k, h) => oneOf(v, k, h, ["tls", "raw_buffer"] as const),
        alpn: stringListOption,
        clientCert: booleanOption,
        detected: booleanOption,
        direction,
        filterState: pairsOption,
        headers: (v, k, h) => pairsOption(v, k, h, true),
      },
      how,
    ),
  };
}

/** The listeners listing's filters. */
export function listenerFilterOptions(input: unknown, how: Spelling): ListenerFilter {
  return filterOptions(input, "listeners", { port: portOption, address: ipOption, type: (v, k, h) => oneOf(v, k, h, ["HTTP", "TCP"] as const, true), name: stringOption }, how);
}

/** The clusters listing's filters. */
export function clusterFilterOptions(input: unknown, how: Spelling): ClusterFilter {
  return filterOptions(input, "clusters", { name: stringOption, port: portOption, fqdn: stringOption, direction, subset: stringOption }, how);
}

/** The endpoints listing's filters. */
export function endpointFilterOptions(input: unknown, how: Spelling): EndpointFilter {
  return filterOptions(input, "endpoints", { cluster: stringOption, port: portOption, address: ipOption, status: stringOption }, how);
}

/** The routes listing's filter. */
export function routeFilterOptions(input: unknown, how: Spelling): { name?: string } {
  return filterOptions(input, "routes", { name: stringOption }, how);
}

/**
 * tls-check's options: `service` (host:port, or a cluster name or SNI: see ServiceSelector) and `from`
 * (a preset). Other fields are left as they are: the analysis owns its options' type.
 */
export function tlsCheckOptionValues(input: unknown, how: Spelling): { service?: ServiceSelector; from?: PresetName } {
  return checked(record(input, "tlsCheck"), { service: serviceOption, from: presetOption }, how);
}

/** diff's options: field paths to ignore, and whether to replay connections. */
export function diffOptionValues(input: unknown, how: Spelling): { ignore?: string[]; impact?: boolean } {
  return checked(record(input, "diff"), { ignore: ignoreOption, impact: booleanOption }, how);
}

/** check's and the overview's options: the clock for certificates. */
export function findingsOptionValues(input: unknown, how: Spelling): { now?: Date } {
  return checked(record(input, "check"), { now: timeOption }, how);
}

/** The access-log replay's options: the destination, for formats that do not log it. */
export function logReplayOptionValues(input: unknown, how: Spelling): { port?: number; address?: string } {
  return checked(record(input, "log"), { port: portOption, address: ipOption }, how);
}

/** Reading options the library checks before it reads: the most bytes, and which code block of a pasted page. */
export function loadOptionValues(input: unknown, how: Spelling): { maxBytes?: number; block?: number } {
  return checked(record(input, "load"), { maxBytes: bytesOption, block: blockOption }, how);
}
