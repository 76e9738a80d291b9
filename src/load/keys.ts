// JSON keys and paths as the loader reads them: snake_case and camelCase meet in one key form, and
// a path is built lazily (only diagnostics pay for its text). Shared by the walker and the v2 hooks.
import { childPath } from "../diag.js";

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

/** The `hidden_envoy_deprecated_` prefix Envoy 1.15-1.17 print deprecated fields with, in canonicalKey form. */
export const HIDDEN = "hiddenenvoydeprecated";

export function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
