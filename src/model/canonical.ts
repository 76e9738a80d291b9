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
