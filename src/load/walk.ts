// The proto3-JSON normaliser: walks parsed JSON together with Envoy's schema and returns a
// canonical copy (camelCase keys, v3 `@type`s, canonical Durations, bare wrappers, proto3 defaults
// dropped), reporting every problem with its JSON path. Unknown `@type`s are kept as they are.
// Struct/Value payloads are kept by reference (they are free-form JSON).
import protobuf from "protobufjs";
import { childPath, type Diagnostics } from "../diag.js";
import { resolveTypeUrl, TYPE_URL_PREFIX } from "./schema.js";
import { setOwn } from "./tolerant-json.js";
import { V2_HOOKS } from "./v2.js";

export interface WalkContext {
  diags: Diagnostics;
  /** v2 names and fields met while walking this resource (the resource was upgraded). */
  upgrades: Set<string>;
}

type Obj = Record<string, unknown>;

/** A JSON path built lazily: formatting it costs a regex per segment, so only diagnostics pay. */
export type LazyPath = string | { parent: LazyPath; key: string | number };
export function pathText(p: LazyPath): string {
  if (typeof p === "string") return p;
  const keys: (string | number)[] = [];
  let cur: LazyPath = p;
  while (typeof cur !== "string") {
    keys.push(cur.key);
    cur = cur.parent;
  }
  let out = cur;
  for (let i = keys.length - 1; i >= 0; i--) out = childPath(out, keys[i]!);
  return out;
}
const at = (parent: LazyPath, key: string | number): LazyPath => ({ parent, key });

interface FieldIndex {
  byKey: Map<string, protobuf.Field>;
}
const indexCache = new WeakMap<protobuf.Type, FieldIndex>();

/** The key form used to match JSON names: snake_case and camelCase meet here. */
const canonicalCache = new Map<string, string>();
export function canonicalKey(k: string): string {
  let c = canonicalCache.get(k);
  if (c === undefined) {
    c = k.replace(/_/g, "").toLowerCase();
    if (canonicalCache.size < 50_000) canonicalCache.set(k, c);
  }
  return c;
}

function fieldIndex(t: protobuf.Type): FieldIndex {
  let idx = indexCache.get(t);
  if (!idx) {
    idx = { byKey: new Map() };
    for (const f of t.fieldsArray) {
      f.resolve();
      idx.byKey.set(canonicalKey(f.name), f);
    }
    indexCache.set(t, idx);
  }
  return idx;
}

export function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
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
const FREE_JSON = new Set([".google.protobuf.Struct", ".google.protobuf.Value", ".google.protobuf.ListValue"]);

/** Normalises a message of type `t`. */
export function walkMessage(v: unknown, t: protobuf.Type, path: LazyPath, ctx: WalkContext): unknown {
  const full = t.fullName;
  const wkt = walkWellKnown(v, full, path, ctx);
  if (wkt !== NOT_WKT) return wkt;
  if (!isObject(v)) {
    ctx.diags.warn("bad-value", `expected an object for ${full.slice(1)}, found ${describe(v)} (ignored)`, { path: pathText(path) });
    return DROP;
  }
  const hook = V2_HOOKS[full.slice(1)];
  if (hook) v = hook(v, ctx, path);
  const idx = fieldIndex(t);
  const out: Obj = {};
  for (const key of Object.keys(v as Obj)) {
    const raw = (v as Obj)[key];
    const f = idx.byKey.get(canonicalKey(key));
    const p = at(path, key);
    if (!f) {
      if (key === "@type") continue; // resources carry their own type; the caller checked it
      ctx.diags.warn("unknown-field", `unknown field "${key}" in ${full.slice(1)} (ignored)`, { path: pathText(p) });
      continue;
    }
    if (raw === null || raw === undefined) continue;
    let nv: unknown;
    if (f.map) nv = walkMap(raw, f, p, ctx);
    else if (f.repeated) {
      let list = raw;
      if (!Array.isArray(raw)) {
        // protobuf's C++ JSON reader (and so Envoy) takes a single value for a repeated field.
        ctx.diags.note("single-as-list", `a single value where ${f.name} expects a list: read as a list of one`, { path: pathText(p) });
        list = [raw];
      }
      nv = (list as unknown[]).map((e, i) => walkValue(e, f, Array.isArray(raw) ? at(p, i) : p, ctx)).filter((e) => e !== DROP);
      if ((nv as unknown[]).length === 0) continue;
    } else {
      nv = walkValue(raw, f, p, ctx);
      if (nv === DROP || (!f.partOf && isDefaultScalar(f, nv))) continue;
    }
    setOwn(out, f.name, nv);
  }
  return out;
}

function walkMap(raw: unknown, f: protobuf.Field, path: LazyPath, ctx: WalkContext): unknown {
  if (!isObject(raw)) {
    ctx.diags.warn("bad-value", `expected an object (map) for ${f.name}, found ${describe(raw)} (ignored)`, { path: pathText(path) });
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
    if (!(v in e.values)) ctx.diags.warn("unknown-enum", `unknown value "${v}" for enum ${e.fullName.slice(1)}`, { path: pathText(path) });
    return v;
  }
  if (typeof v === "number") {
    const name = e.valuesById[v];
    if (name === undefined) ctx.diags.warn("unknown-enum", `unknown number ${v} for enum ${e.fullName.slice(1)}`, { path: pathText(path) });
    return name ?? v;
  }
  ctx.diags.warn("bad-value", `expected an enum name for ${e.fullName.slice(1)}, found ${describe(v)} (ignored)`, { path: pathText(path) });
  return DROP;
}

const INT32 = new Set(["int32", "uint32", "sint32", "fixed32", "sfixed32"]);
const INT64 = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);

function walkScalar(v: unknown, type: string, path: LazyPath, ctx: WalkContext): unknown {
  if (INT32.has(type)) {
    if (typeof v === "number" && Number.isInteger(v)) return v;
    if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
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
  ctx.diags.warn("bad-value", `expected ${type}, found ${describe(v)} (ignored)`, { path: pathText(path) });
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
      ctx.diags.warn("bad-value", `expected an RFC 3339 timestamp, found ${describe(v)} (ignored)`, { path: pathText(path) });
      return DROP;
    case ".google.protobuf.FieldMask":
      if (typeof v === "string") return v;
      ctx.diags.warn("bad-value", `expected a field mask string, found ${describe(v)} (ignored)`, { path: pathText(path) });
      return DROP;
    case ".google.protobuf.Empty":
      return isObject(v) ? {} : DROP;
  }
  if (FREE_JSON.has(full)) {
    if (full === ".google.protobuf.Struct" && !isObject(v)) {
      ctx.diags.warn("bad-value", `expected an object (Struct), found ${describe(v)} (ignored)`, { path: pathText(path) });
      return DROP;
    }
    if (full === ".google.protobuf.ListValue" && !Array.isArray(v)) {
      ctx.diags.warn("bad-value", `expected a list, found ${describe(v)} (ignored)`, { path: pathText(path) });
      return DROP;
    }
    return v;
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
      ctx.diags.warn("bad-value", `expected a duration such as "10s", found ${describe(v)} (ignored)`, { path: pathText(path) });
      return DROP;
    }
    neg = m[1] === "-";
    secs = BigInt(m[2]!);
    nanos = m[3] ? Number(m[3].padEnd(9, "0")) : 0;
  } else if (isObject(v) && ("seconds" in v || "nanos" in v)) {
    const s = v.seconds ?? 0;
    const n = v.nanos ?? 0;
    if ((typeof s !== "number" && typeof s !== "string") || typeof n !== "number" || !/^-?\d+$/.test(String(s))) {
      ctx.diags.warn("bad-value", `expected a duration, found ${describe(v)} (ignored)`, { path: pathText(path) });
      return DROP;
    }
    const sb = BigInt(s);
    neg = sb < 0n || n < 0;
    secs = sb < 0n ? -sb : sb;
    nanos = Math.abs(n);
  } else {
    ctx.diags.warn("bad-value", `expected a duration such as "10s", found ${describe(v)} (ignored)`, { path: pathText(path) });
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
    ctx.diags.warn("bad-value", `expected an object with "@type", found ${describe(v)} (ignored)`, { path: pathText(path) });
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
    return v;
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

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return `${typeof v} ${String(v)}`;
}
