// One text for equal JSON values whatever their key order: how filter-chain matches are compared
// (Envoy's duplicate-match check) and how diff tells a change from noise. A masked value is its fingerprint.
import { Redacted } from "../redacted.js";

export function canonicalJson(v: unknown): string {
  if (v instanceof Redacted) return JSON.stringify(`[redacted ${v.fingerprint}]`);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * The first thing `visit` finds in a JSON value or any value under it (arrays and objects; a masked
 * value is a leaf). Iterative, so an input's nesting cannot overflow the stack.
 */
export function findInJson<T>(root: unknown, visit: (v: unknown) => T | undefined): T | undefined {
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    const found = visit(v);
    if (found !== undefined) return found;
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    else if (v && typeof v === "object" && !(v instanceof Redacted)) {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) stack.push((v as Record<string, unknown>)[keys[i]!]);
    }
  }
  return undefined;
}
