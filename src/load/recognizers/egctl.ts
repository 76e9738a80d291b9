// Several proxies' config dumps in one file: egctl config envoy-proxy ({namespace: {name: dump}}) and
// egctl x translate ({xds: {"ns/name": dump}}). The one --proxy names (or the only one) is read.
import { childPath } from "../../diag.js";
import { getKey, keyOf } from "../v2.js";
import { isObject } from "../keys.js";
import type { Recognizer } from "./index.js";

type Obj = Record<string, unknown>;

const dumpLike = (x: unknown): x is Obj =>
  isObject(x) && (Array.isArray(getKey(x, "configs")) || (typeof x["@type"] === "string" && /\.admin\.v(3|2alpha)\.\w+ConfigDump$/.test(x["@type"] as string)));

/** The dumps by "namespace/name" (or egctl x translate's own names), or undefined when the value is not this shape. */
function proxyDumpsIn(v: Obj): Map<string, { value: Obj; path: string }> | undefined {
  const out = new Map<string, { value: Obj; path: string }>();
  const xk = keyOf(v, "xds");
  if (xk !== undefined && isObject(v[xk])) {
    const x = v[xk] as Obj;
    for (const k of Object.keys(x)) if (dumpLike(x[k])) out.set(k, { value: x[k] as Obj, path: childPath(childPath("$", xk), k) });
    return out.size ? out : undefined;
  }
  const keys = Object.keys(v);
  if (!keys.length || keys.some((k) => k.startsWith("@") || !isObject(v[k]))) return undefined;
  for (const ns of keys) {
    const inner = v[ns] as Obj;
    const names = Object.keys(inner);
    if (!names.length || !names.every((n) => dumpLike(inner[n]))) return undefined;
    for (const n of names) out.set(`${ns}/${n}`, { value: inner[n] as Obj, path: childPath(childPath("$", ns), n) });
  }
  return out.size ? out : undefined;
}

export const egctlProxies: Recognizer = {
  shape: "several proxies' dumps (egctl config envoy-proxy, egctl x translate): one by --proxy",
  detect: (v, forced) => forced === undefined && isObject(v) && proxyDumpsIn(v) !== undefined,
  read(v, _path, x) {
    x.choose({ one: "proxy", many: (n) => `the config of ${n} proxies`, entries: proxyDumpsIn(v as Obj)! });
  },
};
