// The proto3-JSON normaliser: walks parsed JSON together with Envoy's schema and returns a
// canonical copy (camelCase keys, v3 `@type`s, canonical Durations, bare wrappers, proto3 defaults
// dropped), reporting every problem with its JSON path. Unknown `@type`s are kept as they are.
// Struct/Value payloads are kept by reference (they are free-form JSON).
import protobuf from "protobufjs";
import type { Diagnostics } from "../diag.js";
import { resolveTypeUrl, TYPE_URL_PREFIX } from "./schema.js";
import { setOwn } from "./tolerant-json.js";
import { unhideDeprecated, V2_HOOKS } from "./v2.js";
import { canonicalKey, isObject, pathText, type LazyPath } from "./keys.js";
import { isCredentialHeader, isSecretKey, Redacted, type RedactedKind } from "../redacted.js";

export interface WalkContext {
  diags: Diagnostics;
  /** v2 names and fields met while walking this resource (the resource was upgraded). */
  upgrades: Set<string>;
  /** Why Envoy would refuse this resource (a value out of its proto constraints, nesting too deep). */
  rejections?: string[];
  /** Depth of nested messages being walked now. */
  depth?: number;
  /** Set while walking below a sensitive field: warnings must not quote values. */
  sensitive?: number;
}

/** Protobuf's JSON parser refuses messages nested deeper than this ("Message too deep"). */
export const MAX_MESSAGE_DEPTH = 100;

/** Records that Envoy would refuse the resource, and warns with the JSON path. */
function reject(ctx: WalkContext, message: string, path: LazyPath): void {
  (ctx.rejections ??= []).push(message);
  ctx.diags.warn("rejected-by-envoy", `Envoy would reject this: ${message}`, { path: pathText(path) });
}

type Obj = Record<string, unknown>;

// Shared with the v2 hooks (which walk calls): kept in keys.ts so the two modules do not import each other.
export { canonicalKey, isObject, pathText, type LazyPath } from "./keys.js";

const at = (parent: LazyPath, key: string | number): LazyPath => ({ parent, key });

interface FieldInfo {
  f: protobuf.Field;
  sensitive: RedactedKind | null;
  limit: Limit | undefined;
}
/** Keys as the dump spells them (snake_case, camelCase…) that a type's fields were found by: most dumps spell each field one way. */
const SPELLINGS_KEPT = 256;
/** What the walker needs of a message type, computed once per type: protobufjs builds `fullName` on every read. */
interface FieldIndex {
  byKey: Map<string, FieldInfo>;
  /** The same fields by the keys met in dumps (at most SPELLINGS_KEPT), so that a key is put in canonicalKey form once. */
  bySpelling: Map<string, FieldInfo>;
  /** With the leading dot. */
  full: string;
  /** Without it. */
  name: string;
  /** False once walkWellKnown said the type is not one it reads (so it is not asked again). */
  wkt: boolean;
  hook: (typeof V2_HOOKS)[string] | undefined;
  post: ((o: Obj) => Obj) | undefined;
}
const indexCache = new WeakMap<protobuf.Type, FieldIndex>();

function fieldIndex(t: protobuf.Type): FieldIndex {
  let idx = indexCache.get(t);
  if (!idx) {
    const full = t.fullName;
    const name = full.slice(1);
    idx = {
      byKey: new Map(),
      bySpelling: new Map(),
      full,
      name,
      wkt: true,
      hook: V2_HOOKS[name],
      post: POST_HOOKS[name],
    };
    for (const f of t.fieldsArray) {
      f.resolve();
      idx.byKey.set(canonicalKey(f.name), { f, sensitive: sensitivity(name, f), limit: LIMITS[`${name}.${f.name}`] });
    }
    indexCache.set(t, idx);
  }
  return idx;
}

/** A value of the wrong type: reported and left out, so what comes out always matches the generated types. */
export const DROP: unique symbol = Symbol("drop");

const WRAPPERS: Record<string, string> = {
  ".google.protobuf.DoubleValue": "double",
  ".google.protobuf.FloatValue": "float",
  ".google.protobuf.Int64Value": "int64",
  ".google.protobuf.UInt64Value": "uint64",
  ".google.protobuf.Int32Value": "int32",
  ".google.protobuf.UInt32Value": "uint32",
  ".google.protobuf.BoolValue": "bool",
  ".google.protobuf.StringValue": "string",
  ".google.protobuf.BytesValue": "bytes",
};
// Looked up with names from the dump: no prototype, so "constructor" or "__proto__" find nothing.
Object.setPrototypeOf(WRAPPERS, null);
const FREE_JSON = new Set([".google.protobuf.Struct", ".google.protobuf.Value", ".google.protobuf.ListValue"]);

/** Normalises a message of type `t`. */
export function walkMessage(v: unknown, t: protobuf.Type, path: LazyPath, ctx: WalkContext): unknown {
  const idx = fieldIndex(t);
  const full = idx.full;
  if (idx.wkt) {
    const wkt = walkWellKnown(v, full, path, ctx);
    if (wkt !== NOT_WKT) return wkt;
    idx.wkt = false; // the answer depends only on the type
  }
  if (!isObject(v)) {
    ctx.diags.warn("bad-value", `expected an object for ${idx.name}, found ${shown(ctx, v)} (ignored)`, { path: pathText(path) });
    return DROP;
  }
  const depth = (ctx.depth ?? 0) + 1;
  if (depth > MAX_MESSAGE_DEPTH) {
    reject(ctx, `Message too deep. Max recursion depth reached (${MAX_MESSAGE_DEPTH} nested messages)`, path);
    return DROP;
  }
  const obj = unhideDeprecated(v, ctx);
  v = idx.hook ? idx.hook(obj, ctx, path) : obj;
  const out: Obj = {};
  ctx.depth = depth;
  try {
    walkFields(v as Obj, t, idx, out, path, ctx);
  } finally {
    ctx.depth = depth - 1;
  }
  return idx.post ? idx.post(out) : out;
}

/** A field of the type by a key as the dump spells it. */
function fieldByKey(idx: FieldIndex, key: string): FieldInfo | undefined {
  let info = idx.bySpelling.get(key);
  if (info === undefined) {
    info = idx.byKey.get(canonicalKey(key));
    if (info && idx.bySpelling.size < SPELLINGS_KEPT) idx.bySpelling.set(key, info);
  }
  return info;
}

function walkFields(v: Obj, t: protobuf.Type, idx: FieldIndex, out: Obj, path: LazyPath, ctx: WalkContext): void {
  for (const key of Object.keys(v)) {
    const raw = (v as Obj)[key];
    const info = fieldByKey(idx, key);
    const p = at(path, key);
    if (!info) {
      if (key === "@type") continue; // resources carry their own type; the caller checked it
      ctx.diags.warn("unknown-field", `unknown field "${key}" in ${idx.name} (ignored)`, { path: pathText(p) });
      continue;
    }
    if (raw === null || raw === undefined) continue;
    const { f, sensitive, limit } = info;
    if (sensitive) ctx.sensitive = (ctx.sensitive ?? 0) + 1;
    let nv: unknown;
    try {
      nv = walkField(raw, f, p, ctx);
    } finally {
      if (sensitive) ctx.sensitive! -= 1;
    }
    if (nv === DROP) continue;
    if (limit) checkLimit(nv, limit, t, f, p, ctx);
    setOwn(out, f.name, sensitive ? markSensitive(nv, sensitive) : nv);
  }
}

/** A field's value normalised, or DROP when it is absent, wrongly typed or a proto3 default. */
function walkField(raw: unknown, f: protobuf.Field, p: LazyPath, ctx: WalkContext): unknown {
  {
    let nv: unknown;
    if (f.map) nv = walkMap(raw, f, p, ctx);
    else if (f.repeated) {
      let list = raw;
      if (!Array.isArray(raw)) {
        // protobuf's C++ JSON reader (and so Envoy) takes a single value for a repeated field.
        ctx.diags.note("single-as-list", `a single value where ${f.name} expects a list: read as a list of one`, { path: pathText(p) });
        list = [raw];
      }
      const items = list as unknown[];
      const kept: unknown[] = [];
      for (let i = 0; i < items.length; i++) {
        const e = walkValue(items[i], f, items === raw ? at(p, i) : p, ctx);
        if (e !== DROP) kept.push(e);
      }
      if (kept.length === 0) return DROP;
      nv = kept;
    } else {
      nv = walkValue(raw, f, p, ctx);
      if (nv === DROP || (!f.partOf && isDefaultScalar(f, nv))) return DROP;
    }
    return nv;
  }
}

/**
 * Fields whose values are never printed as they are. "secret": annotated
 * `(udpa.annotations.sensitive) = true`, the set Envoy's admin redacts; "blob": inline code and
 * keys, shown as size and fingerprint.
 */
const BLOB_FIELDS: Record<string, true> = {
  "envoy.extensions.filters.http.lua.v3.Lua.inlineCode": true,
  "envoy.extensions.filters.http.lua.v3.Lua.defaultSourceCode": true,
  "envoy.extensions.filters.http.lua.v3.Lua.sourceCodes": true,
  "envoy.extensions.filters.http.lua.v3.LuaPerRoute.sourceCode": true,
  "envoy.extensions.wasm.v3.VmConfig.code": true,
  "envoy.extensions.filters.http.jwt_authn.v3.JwtProvider.localJwks": true,
  "istio.authentication.v1alpha1.Jwt.jwks": true,
};
// Looked up with names from the dump: no prototype, so "constructor" or "__proto__" find nothing.
Object.setPrototypeOf(BLOB_FIELDS, null);
function sensitivity(typeName: string, f: protobuf.Field): RedactedKind | null {
  return f.options?.["(udpa.annotations.sensitive)"] === true ? "secret" : BLOB_FIELDS[`${typeName}.${f.name}`] ? "blob" : null;
}

/** A secret is wrapped whole; in a code or key source only the inline text is (file names stay visible). */
function markSensitive(v: unknown, kind: RedactedKind): unknown {
  if (kind !== "blob" || typeof v === "string") return new Redacted(kind, v);
  if (Array.isArray(v)) return v.map((x) => markSensitive(x, kind));
  if (!isObject(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v)) {
    const x = v[k];
    setOwn(out, k, /^inline(String|Bytes)$/.test(k) ? new Redacted("blob", x) : isObject(x) || Array.isArray(x) ? markSensitive(x, kind) : x);
  }
  return out;
}

/** Credentials in plain fields: the value of a header named Authorization, Cookie, X-Api-Key, … */
const POST_HOOKS: Record<string, (o: Obj) => Obj> = {
  "envoy.config.core.v3.HeaderValue": (o) => {
    if (!isCredentialHeader(o.key)) return o;
    for (const k of ["value", "rawValue"]) if (o[k] !== undefined) o[k] = new Redacted("credential", o[k]);
    return o;
  },
  "envoy.config.route.v3.HeaderMatcher": (o) => {
    if (!isCredentialHeader(o.name)) return o;
    for (const k of ["exactMatch", "prefixMatch", "suffixMatch", "containsMatch", "safeRegexMatch", "stringMatch"]) {
      if (o[k] !== undefined) o[k] = new Redacted("credential", o[k]);
    }
    return o;
  },
};
// Looked up with names from the dump: no prototype, so "constructor" or "__proto__" find nothing.
Object.setPrototypeOf(POST_HOOKS, null);

/** Numeric constraints of Envoy's protos (protoc-gen-validate rules) that decide whether a listener loads. */
interface Limit {
  gte?: number;
  lte?: number;
}
const LIMITS: Record<string, Limit> = {
  "envoy.config.core.v3.SocketAddress.portValue": { lte: 65535 },
  "envoy.config.listener.v3.FilterChainMatch.destinationPort": { gte: 1, lte: 65535 },
  "envoy.config.listener.v3.FilterChainMatch.sourcePorts": { lte: 65535 },
  "envoy.config.core.v3.CidrRange.prefixLen": { lte: 128 },
  "xds.core.v3.CidrRange.prefixLen": { lte: 128 },
};
// Looked up with names from the dump: no prototype, so "constructor" or "__proto__" find nothing.
Object.setPrototypeOf(LIMITS, null);
function checkLimit(v: unknown, limit: Limit, t: protobuf.Type, f: protobuf.Field, p: LazyPath, ctx: WalkContext): void {
  const list = Array.isArray(v);
  for (let i = 0, n = list ? v.length : 1; i < n; i++) {
    const x = Number(list ? v[i] : v);
    const bad = limit.lte !== undefined && x > limit.lte ? `less than or equal to ${limit.lte}` : limit.gte !== undefined && x < limit.gte ? `greater than or equal to ${limit.gte}` : undefined;
    if (bad) {
      const fieldName = f.name.replace(/^./, (c) => c.toUpperCase());
      reject(ctx, `Proto constraint validation failed (${t.name}ValidationError.${fieldName}: value must be ${bad}, found ${x})`, p);
      return;
    }
  }
}

function walkMap(raw: unknown, f: protobuf.Field, path: LazyPath, ctx: WalkContext): unknown {
  if (!isObject(raw)) {
    ctx.diags.warn("bad-value", `expected an object (map) for ${f.name}, found ${shown(ctx, raw)} (ignored)`, { path: pathText(path) });
    return DROP;
  }
  const out: Obj = {};
  for (const k of Object.keys(raw)) {
    const v = walkValue(raw[k], f, at(path, k), ctx);
    if (v !== DROP) setOwn(out, k, v);
  }
  return out;
}

function walkValue(v: unknown, f: protobuf.Field, path: LazyPath, ctx: WalkContext): unknown {
  const rt = f.resolvedType;
  if (rt instanceof protobuf.Type) return walkMessage(v, rt, path, ctx);
  if (rt instanceof protobuf.Enum) return walkEnum(v, rt, path, ctx);
  return walkScalar(v, f.type, path, ctx);
}

function walkEnum(v: unknown, e: protobuf.Enum, path: LazyPath, ctx: WalkContext): unknown {
  if (typeof v === "string") {
    if (Object.hasOwn(e.values, v)) return v;
    // Envoy parses JSON and YAML with case_insensitive_enum_parsing: "auto" that is not a value is tried as "AUTO".
    const upper = v.toUpperCase();
    if (upper !== v && Object.hasOwn(e.values, upper)) return upper;
    ctx.diags.warn("unknown-enum", `unknown value "${v}" for enum ${e.fullName.slice(1)}`, { path: pathText(path) });
    return v;
  }
  if (typeof v === "number") {
    const name = Object.hasOwn(e.valuesById, v) ? e.valuesById[v] : undefined;
    if (name !== undefined) return name;
    // A number no value has is left out, as a value of the wrong type is: every reader of an enum finds a name or nothing.
    ctx.diags.warn("unknown-enum", `unknown number ${v} for enum ${e.fullName.slice(1)} (ignored)`, { path: pathText(path) });
    return DROP;
  }
  ctx.diags.warn("bad-value", `expected an enum name for ${e.fullName.slice(1)}, found ${shown(ctx, v)} (ignored)`, { path: pathText(path) });
  return DROP;
}

const INT32 = new Set(["int32", "uint32", "sint32", "fixed32", "sfixed32"]);
const INT64 = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);

function walkScalar(v: unknown, type: string, path: LazyPath, ctx: WalkContext): unknown {
  // The common cases first: a string or a bool where one is wanted.
  if (type === "string") {
    if (typeof v === "string") return v;
  } else if (type === "bool" && typeof v === "boolean") return v;
  else if (INT32.has(type)) {
    const n = typeof v === "number" && Number.isInteger(v) ? v : typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : undefined;
    if (n !== undefined) {
      const unsigned = type === "uint32" || type === "fixed32";
      const lo = unsigned ? 0 : -(2 ** 31);
      const hi = unsigned ? 2 ** 32 - 1 : 2 ** 31 - 1;
      if (n >= lo && n <= hi) return n;
      // protobuf's JSON parser refuses the whole message, so Envoy refuses the resource.
      reject(ctx, `invalid value ${n} for a ${type} field (${lo} to ${hi})`, path);
      return DROP;
    }
  } else if (INT64.has(type)) {
    if (typeof v === "number" && Number.isInteger(v)) return String(v);
    if (typeof v === "string" && /^-?\d+$/.test(v)) return v;
  } else if (type === "double" || type === "float") {
    if (typeof v === "number") return v;
    if (typeof v === "string" && (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v) || ["NaN", "Infinity", "-Infinity"].includes(v))) {
      return /^[-\d]/.test(v) ? Number(v) : v;
    }
  } else if (type === "bool") {
    if (typeof v === "boolean") return v;
  } else if (type === "string" || type === "bytes") {
    if (typeof v === "string") return v;
  } else {
    return v;
  }
  ctx.diags.warn("bad-value", `expected ${type}, found ${shown(ctx, v)} (ignored)`, { path: pathText(path) });
  return DROP;
}

function isDefaultScalar(f: protobuf.Field, v: unknown): boolean {
  const rt = f.resolvedType;
  if (rt instanceof protobuf.Type) return false; // message presence is meaningful
  if (rt instanceof protobuf.Enum) return v === rt.valuesById[0];
  return v === 0 || v === "0" || v === "" || v === false;
}

const NOT_WKT = Symbol("not-wkt");
const DURATION = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/;

function walkWellKnown(v: unknown, full: string, path: LazyPath, ctx: WalkContext): unknown {
  const wrapped = WRAPPERS[full];
  if (wrapped) {
    const bare = isObject(v) && "value" in v ? v.value : v; // {value: x} is protobufjs's form; JSON's is x
    return walkScalar(bare, wrapped, path, ctx);
  }
  switch (full) {
    case ".google.protobuf.Any":
      return walkAny(v, path, ctx);
    case ".google.protobuf.Duration":
      return canonicalDuration(v, path, ctx);
    case ".google.protobuf.Timestamp":
      if (typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v)) return v;
      ctx.diags.warn("bad-value", `expected an RFC 3339 timestamp, found ${shown(ctx, v)} (ignored)`, { path: pathText(path) });
      return DROP;
    case ".google.protobuf.FieldMask":
      if (typeof v === "string") return v;
      ctx.diags.warn("bad-value", `expected a field mask string, found ${shown(ctx, v)} (ignored)`, { path: pathText(path) });
      return DROP;
    case ".google.protobuf.Empty":
      return isObject(v) ? {} : DROP;
  }
  if (FREE_JSON.has(full)) {
    if (full === ".google.protobuf.Struct" && !isObject(v)) {
      ctx.diags.warn("bad-value", `expected an object (Struct), found ${shown(ctx, v)} (ignored)`, { path: pathText(path) });
      return DROP;
    }
    if (full === ".google.protobuf.ListValue" && !Array.isArray(v)) {
      ctx.diags.warn("bad-value", `expected a list, found ${shown(ctx, v)} (ignored)`, { path: pathText(path) });
      return DROP;
    }
    return freeJson(v, path, ctx);
  }
  return NOT_WKT;
}

/** Durations as proto3 JSON writes them: "10s", "0.250s", "1.000000001s"; also accepts {seconds, nanos}. */
export function canonicalDuration(v: unknown, path: LazyPath, ctx: WalkContext): unknown {
  let neg = false;
  let secs: bigint;
  let nanos = 0;
  if (typeof v === "string") {
    const m = DURATION.exec(v);
    if (!m) {
      ctx.diags.warn("bad-value", `expected a duration such as "10s", found ${shown(ctx, v)} (ignored)`, { path: pathText(path) });
      return DROP;
    }
    neg = m[1] === "-";
    secs = BigInt(m[2]!);
    nanos = m[3] ? Number(m[3].padEnd(9, "0")) : 0;
  } else if (isObject(v) && ("seconds" in v || "nanos" in v)) {
    const s = v.seconds ?? 0;
    const n = v.nanos ?? 0;
    if ((typeof s !== "number" && typeof s !== "string") || typeof n !== "number" || !/^-?\d+$/.test(String(s))) {
      ctx.diags.warn("bad-value", `expected a duration, found ${shown(ctx, v)} (ignored)`, { path: pathText(path) });
      return DROP;
    }
    const sb = BigInt(s);
    neg = sb < 0n || n < 0;
    secs = sb < 0n ? -sb : sb;
    nanos = Math.abs(n);
  } else {
    ctx.diags.warn("bad-value", `expected a duration such as "10s", found ${shown(ctx, v)} (ignored)`, { path: pathText(path) });
    return DROP;
  }
  let frac = "";
  if (nanos) {
    frac = String(nanos).padStart(9, "0");
    frac = frac.endsWith("000000") ? frac.slice(0, 3) : frac.endsWith("000") ? frac.slice(0, 6) : frac;
    frac = `.${frac}`;
  }
  return `${neg && (secs || nanos) ? "-" : ""}${secs}${frac}s`;
}

function walkAny(v: unknown, path: LazyPath, ctx: WalkContext): unknown {
  if (!isObject(v)) {
    ctx.diags.warn("bad-value", `expected an object with "@type", found ${shown(ctx, v)} (ignored)`, { path: pathText(path) });
    return DROP;
  }
  const url = v["@type"];
  if (typeof url !== "string") {
    ctx.diags.warn("bad-value", `"@type" missing from a typed config (ignored)`, { path: pathText(path) });
    return DROP;
  }
  const r = resolveTypeUrl(url);
  if (!r) {
    ctx.diags.warn("unknown-type", `unknown @type ${url.slice(url.lastIndexOf("/") + 1)}: kept as it is (opaque)`, { path: pathText(path) });
    return freeJson(v, path, ctx);
  }
  if (r.fromV2) ctx.upgrades.add(`@type ${r.fromV2} read as ${r.name}`);
  const typeUrl = TYPE_URL_PREFIX + r.name;
  const wkt = r.name.startsWith("google.protobuf.") && r.name !== "google.protobuf.Any";
  if (wkt) {
    const inner = walkMessage(v.value, r.type, at(path, "value"), ctx);
    return inner === DROP ? DROP : { "@type": typeUrl, value: inner };
  }
  const body = walkMessage(v, r.type, path, ctx) as Obj;
  return { "@type": typeUrl, ...body };
}

/** A value as warnings quote it; below a sensitive field, only its kind. */
function shown(ctx: WalkContext, v: unknown): string {
  if (ctx.sensitive) return `${v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an object" : `a ${typeof v}`} (value redacted)`;
  return describe(v);
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return `${typeof v} ${String(v)}`;
}

/** The fields of a HeaderMatcher or HeaderValue that hold the header's value (canonical key form). */
const CREDENTIAL_VALUE_KEYS = new Set(["value", "rawvalue", "exactmatch", "prefixmatch", "suffixmatch", "containsmatch", "safeRegexmatch".toLowerCase(), "stringmatch"]);

/**
 * Free-form JSON (a Struct, an opaque payload) as it is, unless it nests too deep for Envoy's
 * parser or holds keys that name secrets (privateKey, password, token…), whose values are masked.
 * Copies only what changes; iterative, so any depth is safe.
 */
function freeJson(v: unknown, path: LazyPath, ctx: WalkContext): unknown {
  if (typeof v !== "object" || v === null) return v;
  const base = ctx.depth ?? 0;
  // Depth-first over containers; each frame knows its parent so a masked key copies the path to it.
  interface Frame {
    value: Obj | unknown[];
    depth: number;
    parent?: Frame;
    key?: string | number;
    copy?: Obj | unknown[];
  }
  const root: Frame = { value: v as Obj, depth: base + 1 };
  const stack: Frame[] = [root];
  const own = (f: Frame): Obj | unknown[] => {
    if (!f.copy) {
      f.copy = Array.isArray(f.value) ? [...f.value] : Object.assign(Object.create(null) as Obj, f.value);
      if (f.parent) (own(f.parent) as Record<string | number, unknown>)[f.key!] = f.copy;
    }
    return f.copy;
  };
  while (stack.length) {
    const f = stack.pop()!;
    if (f.depth > MAX_MESSAGE_DEPTH) {
      reject(ctx, `Message too deep. Max recursion depth reached (${MAX_MESSAGE_DEPTH} nested levels)`, path);
      return DROP;
    }
    const list = Array.isArray(f.value) ? f.value : undefined;
    const keys = list ? undefined : Object.keys(f.value);
    // A header matcher or header value for a credential, spelled either way, as in the typed fields.
    const credentialValues = !list && (isCredentialHeader((f.value as Obj).name) || isCredentialHeader((f.value as Obj).key));
    for (let i = 0, n = list ? list.length : keys!.length; i < n; i++) {
      const k: string | number = list ? i : keys![i]!;
      const x = list ? list[i] : (f.value as Obj)[k];
      if (x === null || x === undefined || x instanceof Redacted) continue;
      if (credentialValues && typeof k === "string" && CREDENTIAL_VALUE_KEYS.has(canonicalKey(k))) {
        (own(f) as Obj)[k] = new Redacted("credential", x);
      } else if (typeof k === "string" && isSecretKey(k)) {
        (own(f) as Obj)[k] = new Redacted("secret", x);
      } else if (typeof k === "string" && canonicalKey(k) === "inlinecode") {
        (own(f) as Obj)[k] = new Redacted("blob", x);
      } else if (isObject(x) && typeof x["@type"] === "string" && resolveTypeUrl(x["@type"])) {
        // A typed config Envoy knows, inside a payload it does not: read (and masked) as that type.
        const saved = ctx.depth;
        ctx.depth = f.depth;
        try {
          const nx = walkAny(x, path, ctx);
          if (nx === DROP) delete (own(f) as Record<string | number, unknown>)[k];
          else (own(f) as Record<string | number, unknown>)[k] = nx;
        } finally {
          ctx.depth = saved;
        }
      } else if (typeof x === "object") {
        stack.push({ value: x as Obj, depth: f.depth + 1, parent: f, key: k });
      }
    }
  }
  return root.copy ?? v;
}
