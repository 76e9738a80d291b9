// Access-log lines: the formats a dump configures for its access loggers (file, stdout, stderr), the
// built-in ones (Istio's text and JSON encodings in their eras, Envoy's default), and a matcher that
// splits a line into its command operators' values. Formats come from the dump: they are tokenised by
// hand and matched with indexOf from left to right (then from right to left), never turned into a
// regular expression; every loop is bounded by the length of the line or of the format.
import type { LoadedInput, ResourceRecord } from "./input.js";
import { InputError } from "../diag.js";
import { isCredentialHeader, REDACTED_TEXT } from "../redacted.js";

export interface LogFormat {
  /** "dump: <listener name> access log" | "Istio text" | "Istio JSON" | "Envoy default" (and Istio's older text formats). */
  name: string;
  kind: "text" | "json";
  /** The format string (text) or the JSON of the format's struct (json). */
  source: string;
}

export interface ParsedLogLine {
  /** The name of the format that fits the line. */
  format: string;
  /** Null-prototype object: keys are the command operators as written (without a :N length), e.g. "RESPONSE_FLAGS", "REQ(:AUTHORITY)". */
  fields: Record<string, string>;
}

/** The longest line read: a longer one is refused (an access log line is a few hundred bytes). */
export const MAX_LOG_LINE = 64 * 1024;

// ---- Built-in formats ------------------------------------------------------------------------

/** Envoy's default format (source/common/formatter/substitution_formatter.cc, SubstitutionFormatUtils::DEFAULT_FORMAT). */
export const ENVOY_DEFAULT_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" ' +
  "%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% " +
  "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% " +
  '"%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" ' +
  '"%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"\n';

/** Istio's EnvoyTextLogFormat (pilot/pkg/model/telemetry_logging.go), 1.24 onwards; 1.9–1.23 log %UPSTREAM_CLUSTER% in the same place. */
export const ISTIO_TEXT_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% ' +
  '%PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% ' +
  "%RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% " +
  '"%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% ' +
  '%DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" ' +
  '"%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" ' +
  "%UPSTREAM_CLUSTER_RAW% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% " +
  "%DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%\n";

/** Istio 1.7–1.8 (pilot/pkg/networking/core/v1alpha3/accesslog.go after Mixer's removal, before RESPONSE_CODE_DETAILS). */
const ISTIO_TEXT_1_7 =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% ' +
  '%PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% ' +
  '"%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% ' +
  '%DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" ' +
  '"%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" ' +
  "%UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% " +
  "%DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%\n";

/** Istio 1.3–1.6 (EnvoyTextLogFormat13: Mixer's status, the route name). */
const ISTIO_TEXT_1_3 =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% ' +
  '%PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% "%DYNAMIC_METADATA(istio.mixer:status)%" ' +
  '"%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% ' +
  '%DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" ' +
  '"%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" ' +
  "%UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% " +
  "%DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%\n";

/** Istio 1.1–1.2 (EnvoyTextLogFormat12: Mixer's status, no route name). */
const ISTIO_TEXT_1_1 =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% ' +
  '%PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% "%DYNAMIC_METADATA(istio.mixer:status)%" ' +
  '"%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% ' +
  '%DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" ' +
  '"%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" ' +
  "%UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% " +
  "%DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME%\n";

/** Istio 1.0 (before Mixer's status was logged). */
const ISTIO_TEXT_1_0 =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% ' +
  '%PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% ' +
  '%DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" ' +
  '"%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" ' +
  "%UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% " +
  "%DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME%\n";

/** Istio's EnvoyJSONLogFormatIstio (pilot/pkg/model/telemetry_logging.go), 1.25 onwards (upstream_cluster was %UPSTREAM_CLUSTER% before). */
export const ISTIO_JSON_FORMAT: Record<string, string> = {
  start_time: "%START_TIME%",
  route_name: "%ROUTE_NAME%",
  method: "%REQ(:METHOD)%",
  path: "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
  protocol: "%PROTOCOL%",
  response_code: "%RESPONSE_CODE%",
  response_flags: "%RESPONSE_FLAGS%",
  response_code_details: "%RESPONSE_CODE_DETAILS%",
  connection_termination_details: "%CONNECTION_TERMINATION_DETAILS%",
  bytes_received: "%BYTES_RECEIVED%",
  bytes_sent: "%BYTES_SENT%",
  duration: "%DURATION%",
  upstream_service_time: "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%",
  x_forwarded_for: "%REQ(X-FORWARDED-FOR)%",
  user_agent: "%REQ(USER-AGENT)%",
  request_id: "%REQ(X-REQUEST-ID)%",
  authority: "%REQ(:AUTHORITY)%",
  upstream_host: "%UPSTREAM_HOST%",
  upstream_cluster: "%UPSTREAM_CLUSTER_RAW%",
  upstream_local_address: "%UPSTREAM_LOCAL_ADDRESS%",
  downstream_local_address: "%DOWNSTREAM_LOCAL_ADDRESS%",
  downstream_remote_address: "%DOWNSTREAM_REMOTE_ADDRESS%",
  requested_server_name: "%REQUESTED_SERVER_NAME%",
  upstream_transport_failure_reason: "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
};

const BUILT_IN: LogFormat[] = [
  { name: "Istio text", kind: "text", source: ISTIO_TEXT_FORMAT },
  { name: "Istio text (1.7–1.8)", kind: "text", source: ISTIO_TEXT_1_7 },
  { name: "Istio text (1.3–1.6)", kind: "text", source: ISTIO_TEXT_1_3 },
  { name: "Istio text (1.1–1.2)", kind: "text", source: ISTIO_TEXT_1_1 },
  { name: "Istio text (1.0)", kind: "text", source: ISTIO_TEXT_1_0 },
  { name: "Istio JSON", kind: "json", source: JSON.stringify(ISTIO_JSON_FORMAT) },
  { name: "Envoy default", kind: "text", source: ENVOY_DEFAULT_FORMAT },
];

// ---- The dump's own formats ---------------------------------------------------------------------

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Access loggers that write lines: file, stdout, stderr (v3, and v2's FileAccessLog as the loader upgrades it). */
function writesLines(typeUrl: string, name: string): boolean {
  const t = typeUrl.split("/").pop() ?? "";
  if (t) return /\.(FileAccessLog|StdoutAccessLog|StderrAccessLog)$/.test(t);
  return name === "envoy.access_loggers.file" || name === "envoy.file_access_log" || name === "envoy.access_loggers.stdout" || name === "envoy.access_loggers.stderr";
}

/** The format of one access logger: its own, or Envoy's default when it sets none. */
function formatOfLogger(al: unknown): { kind: "text" | "json"; source: string; fallback?: true } | undefined {
  const a = obj(al);
  const tc = obj(a.typedConfig ?? a.config);
  if (!writesLines(String(tc["@type"] ?? ""), String(a.name ?? ""))) return undefined;
  const lf = obj(tc.logFormat);
  const inline = obj(lf.textFormatSource).inlineString;
  if (typeof inline === "string") return { kind: "text", source: inline };
  if (typeof lf.textFormat === "string") return { kind: "text", source: lf.textFormat };
  if (lf.jsonFormat && typeof lf.jsonFormat === "object") return { kind: "json", source: safeJson(lf.jsonFormat) };
  if (Object.keys(obj(lf.textFormatSource)).length) return undefined; // a file or environment variable: not in the dump
  if (typeof tc.format === "string" && tc.format) return { kind: "text", source: tc.format };
  if (tc.jsonFormat && typeof tc.jsonFormat === "object") return { kind: "json", source: safeJson(tc.jsonFormat) };
  if (tc.typedJsonFormat && typeof tc.typedJsonFormat === "object") return { kind: "json", source: safeJson(tc.typedJsonFormat) };
  return { kind: "text", source: ENVOY_DEFAULT_FORMAT, fallback: true };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? "{}";
  } catch {
    return "{}";
  }
}

/** Access loggers of a listener: its own, and those of its chains' connection managers and TCP proxies. */
function loggersOf(rec: ResourceRecord): unknown[] {
  const l = obj(rec.value);
  const out: unknown[] = [...arr(l.accessLog)];
  for (const fc of [...arr(l.filterChains), l.defaultFilterChain]) {
    for (const f of arr(obj(fc).filters)) {
      const tc = obj(obj(f).typedConfig);
      out.push(...arr(tc.accessLog));
    }
  }
  return out;
}

const formatsCache = new WeakMap<LoadedInput, LogFormat[]>();

/** The dump's own formats first (deduplicated, named after the first listener that uses each), then the built-in ones. */
export function accessLogFormats(input: LoadedInput): LogFormat[] {
  const cached = formatsCache.get(input);
  if (cached) return cached;
  const seen = new Set<string>();
  const out: LogFormat[] = [];
  const add = (f: LogFormat) => {
    const key = `${f.kind}\u0000${f.source}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(f);
  };
  const names = new Set<string>();
  for (const rec of input.listeners) {
    if (!rec.mayHaveKey("access_log")) continue;
    for (const al of loggersOf(rec)) {
      const f = formatOfLogger(al);
      if (!f || seen.has(`${f.kind}\u0000${f.source}`)) continue;
      let name = `dump: ${rec.name} access log${f.kind === "json" ? " (JSON)" : ""}${f.fallback ? " (Envoy's default format)" : ""}`;
      for (let n = 2; names.has(name) && n < 10000; n++) name = `dump: ${rec.name} access log #${n}${f.kind === "json" ? " (JSON)" : ""}`;
      names.add(name);
      add({ name, kind: f.kind, source: f.source });
    }
  }
  for (const f of BUILT_IN) add(f);
  formatsCache.set(input, out);
  return out;
}

// ---- Tokenising Envoy's format strings ------------------------------------------------------------

export type Token = { lit: string } | { field: string; command: string; sub?: string };

const COMMAND_CHAR = (c: number) => (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95; // A-Z 0-9 _

/**
 * Splits a format into literals and command operators as Envoy's SubstitutionFormatParser does:
 * `%%` is a literal %, `%COMMAND%`, `%COMMAND(sub)%`, `%COMMAND(sub):N%`. A % that starts no command
 * is kept as text (Envoy would refuse the format). Adjacent literals are joined.
 */
export function tokenizeFormat(format: string): Token[] {
  const out: Token[] = [];
  let lit = "";
  const n = format.length;
  let i = 0;
  while (i < n) {
    const ch = format[i]!;
    if (ch !== "%") {
      lit += ch;
      i++;
      continue;
    }
    if (format[i + 1] === "%") {
      lit += "%";
      i += 2;
      continue;
    }
    let j = i + 1;
    while (j < n && COMMAND_CHAR(format.charCodeAt(j))) j++;
    const command = format.slice(i + 1, j);
    let sub: string | undefined;
    if (command && format[j] === "(") {
      const close = format.indexOf(")", j + 1);
      if (close < 0) {
        lit += ch;
        i++;
        continue;
      }
      sub = format.slice(j + 1, close);
      j = close + 1;
    }
    if (command && format[j] === ":") {
      let k = j + 1;
      while (k < n && format.charCodeAt(k) >= 48 && format.charCodeAt(k) <= 57) k++;
      if (k > j + 1) j = k;
    }
    if (!command || format[j] !== "%") {
      lit += ch;
      i++;
      continue;
    }
    if (lit) out.push({ lit });
    lit = "";
    out.push({ field: sub !== undefined ? `${command}(${sub})` : command, command, ...(sub !== undefined ? { sub } : {}) });
    i = j + 1;
  }
  if (lit) out.push({ lit });
  return out;
}

// ---- Matching a line --------------------------------------------------------------------------

interface Compiled {
  /** Literals around the fields: lits[0] field[0] lits[1] … field[n-1] lits[n]. */
  lits: string[];
  fields: { field: string; command: string; sub?: string }[];
}

function compileText(source: string): Compiled {
  // A line is read without its newline: the format's final one goes too.
  const text = source.endsWith("\r\n") ? source.slice(0, -2) : source.endsWith("\n") ? source.slice(0, -1) : source;
  const lits: string[] = [""];
  const fields: Compiled["fields"] = [];
  for (const t of tokenizeFormat(text)) {
    if ("lit" in t) lits[lits.length - 1] += t.lit;
    else {
      fields.push({ field: t.field, command: t.command, ...(t.sub !== undefined ? { sub: t.sub } : {}) });
      lits.push("");
    }
  }
  return { lits, fields };
}

const NUMBER_OR_DASH = /^(?:\d+|-)$/;
const NO_SPACE = /^\S*$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FLAGS = /^(?:-|[A-Za-z]+(?:,[A-Za-z]+)*)$/;

/** Whether a value can be what this command logs: keeps a format from fitting a line of another format. */
function plausible(command: string, sub: string | undefined, v: string): boolean {
  switch (command) {
    case "RESPONSE_CODE":
      return /^(?:\d{1,3}|-)$/.test(v);
    case "BYTES_RECEIVED":
    case "BYTES_SENT":
    case "DURATION":
    case "REQUEST_DURATION":
    case "RESPONSE_DURATION":
    case "RESPONSE_TX_DURATION":
    case "UPSTREAM_REQUEST_ATTEMPT_COUNT":
      return NUMBER_OR_DASH.test(v);
    case "RESPONSE_FLAGS":
    case "RESPONSE_FLAGS_LONG":
      return FLAGS.test(v);
    case "START_TIME":
      return v.length > 0;
    case "PROTOCOL":
    case "RESPONSE_CODE_DETAILS":
    case "CONNECTION_TERMINATION_DETAILS":
    case "UPSTREAM_CLUSTER":
    case "UPSTREAM_CLUSTER_RAW":
    case "UPSTREAM_HOST":
    case "UPSTREAM_LOCAL_ADDRESS":
    case "DOWNSTREAM_LOCAL_ADDRESS":
    case "DOWNSTREAM_REMOTE_ADDRESS":
    case "DOWNSTREAM_PEER_ADDRESS":
    case "DOWNSTREAM_DIRECT_REMOTE_ADDRESS":
    case "REQUESTED_SERVER_NAME":
    case "ROUTE_NAME":
      return NO_SPACE.test(v);
    case "REQ":
      if (sub === ":METHOD") return v === "-" || TOKEN.test(v);
      if (sub !== undefined && sub.toUpperCase().includes(":PATH")) return NO_SPACE.test(v);
      return true;
    default:
      return true;
  }
}

type Assign = (c: Compiled["fields"][number], v: string) => void;

/** Left to right: each field runs to the first occurrence of the literal after it; the last literal ends the line. */
function matchForward(c: Compiled, line: string, out: string[]): boolean {
  const { lits, fields } = c;
  if (!line.startsWith(lits[0]!)) return false;
  let pos = lits[0]!.length;
  const last = lits[lits.length - 1]!;
  for (let i = 0; i < fields.length; i++) {
    const next = lits[i + 1]!;
    if (i === fields.length - 1) {
      const end = line.length - last.length;
      if (end < pos || !line.endsWith(last)) return false;
      out[i] = line.slice(pos, end);
      pos = line.length;
      break;
    }
    if (!next) {
      out[i] = ""; // two fields with nothing between: the first is taken empty
      continue;
    }
    const at = line.indexOf(next, pos);
    if (at < 0) return false;
    out[i] = line.slice(pos, at);
    pos = at + next.length;
  }
  return fields.length > 0 ? pos === line.length : line === lits[0];
}

/** Right to left: each field runs back to the last occurrence of the literal before it (for a value holding the literal after it). */
function matchBackward(c: Compiled, line: string, out: string[]): boolean {
  const { lits, fields } = c;
  const last = lits[lits.length - 1]!;
  if (!line.endsWith(last) || fields.length === 0) return false;
  let end = line.length - last.length;
  const first = lits[0]!;
  for (let i = fields.length - 1; i >= 0; i--) {
    const prev = lits[i]!;
    if (i === 0) {
      if (end < first.length || !line.startsWith(first)) return false;
      out[0] = line.slice(first.length, end);
      return true;
    }
    if (!prev) {
      out[i] = "";
      continue;
    }
    const at = end - prev.length < 0 ? -1 : line.lastIndexOf(prev, end - prev.length);
    if (at < 0) return false;
    out[i] = line.slice(at + prev.length, end);
    end = at;
  }
  return false;
}

function matchCompiled(c: Compiled, line: string, assign: Assign): boolean {
  const values: string[] = new Array<string>(c.fields.length);
  const ok = (vals: string[]) => c.fields.every((f, i) => plausible(f.command, f.sub, vals[i] ?? ""));
  let found = matchForward(c, line, values) && ok(values);
  if (!found) found = matchBackward(c, line, values) && ok(values);
  if (!found) return false;
  c.fields.forEach((f, i) => assign(f, values[i] ?? ""));
  return true;
}

const compiledCache = new Map<string, Compiled>();
function compiled(source: string): Compiled {
  let c = compiledCache.get(source);
  if (!c) {
    c = compileText(source);
    if (compiledCache.size > 256) compiledCache.clear();
    compiledCache.set(source, c);
  }
  return c;
}

/** A header command whose header is a credential: its value is never kept. */
function isCredentialField(command: string, sub: string | undefined): boolean {
  if (sub === undefined || !["REQ", "RESP", "TRAILER", "REQ_WITHOUT_QUERY"].includes(command)) return false;
  return sub.split("?").some((h) => isCredentialHeader(h.trim()));
}

function fieldSetter(fields: Record<string, string>): Assign {
  return (f, v) => {
    if (Object.hasOwn(fields, f.field)) return; // the same command twice: the first is kept
    fields[f.field] = isCredentialField(f.command, f.sub) && v !== "-" && v !== "" ? REDACTED_TEXT : v;
  };
}

/** A JSON format: each key's format string against the value the line holds for it, nested structs up to a depth. */
function matchJson(format: unknown, line: string): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
  const fields: Record<string, string> = Object.create(null);
  const set = fieldSetter(fields);
  let present = 0;
  let expected = 0;
  const walk = (fmt: Obj, val: Obj, depth: number): boolean => {
    if (depth > 8) return false;
    for (const k of Object.keys(val)) if (!Object.hasOwn(fmt, k)) return false; // a key the format does not write
    for (const k of Object.keys(fmt)) {
      const f = fmt[k];
      if (typeof f === "string") expected++;
      if (!Object.hasOwn(val, k)) continue;
      const v = val[k];
      if (f && typeof f === "object" && !Array.isArray(f)) {
        if (!v || typeof v !== "object" || Array.isArray(v)) return false;
        if (!walk(f as Obj, v as Obj, depth + 1)) return false;
        continue;
      }
      if (typeof f !== "string") continue;
      present++;
      const text = v === null ? "-" : typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
      if (text === undefined) return false;
      if (!matchCompiled(compiled(f), text, set)) return false;
    }
    return true;
  };
  if (!walk(obj(format), parsed as Obj, 0)) return undefined;
  // Most of what the format writes is there (omit_empty_values drops empty ones).
  if (present === 0 || present * 2 < expected) return undefined;
  return fields;
}

/**
 * Splits a line with the first format that fits it; throws an InputError naming the formats tried when
 * none does. A credential header's value (Authorization, Cookie, …) is kept only as "[redacted]".
 */
export function parseAccessLogLine(line: string, formats: LogFormat[], file: string): ParsedLogLine {
  if (line.length > MAX_LOG_LINE) throw new InputError(file, `an access log line of ${line.length} characters is longer than ${MAX_LOG_LINE}: not read`);
  const text = line.endsWith("\r\n") ? line.slice(0, -2) : line.endsWith("\n") ? line.slice(0, -1) : line;
  const looksJson = text.trimStart().startsWith("{");
  for (const f of formats) {
    if (f.kind === "json") {
      if (!looksJson) continue;
      let fmt: unknown;
      try {
        fmt = JSON.parse(f.source);
      } catch {
        continue;
      }
      const fields = matchJson(fmt, text.trim());
      if (fields) return { format: f.name, fields };
      continue;
    }
    const fields: Record<string, string> = Object.create(null);
    if (matchCompiled(compiled(f.source), text, fieldSetter(fields))) return { format: f.name, fields };
  }
  throw new InputError(file, `the access log line fits none of the formats tried: ${formats.map((f) => f.name).join("; ")}`);
}
