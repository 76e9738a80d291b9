// CiliumEnvoyConfigs in a Kubernetes List (kubectl get cec -o yaml), by namespace/name (the first of a
// name): the one --proxy names, or the only one, read as a CiliumEnvoyConfig (cilium.ts).
import { childPath } from "../../diag.js";
import { keyOf } from "../v2.js";
import { isObject } from "../keys.js";
import { ciliumEnvoyConfigName, isCiliumEnvoyConfig } from "./cilium.js";
import type { Recognizer } from "./index.js";

type Obj = Record<string, unknown>;

function configsIn(v: Obj, path: string): Map<string, { value: Obj; path: string }> | undefined {
  const ik = keyOf(v, "items");
  const items = ik !== undefined ? v[ik] : undefined;
  if (!Array.isArray(items) || items.length === 0 || !items.every(isCiliumEnvoyConfig)) return undefined;
  const entries = new Map<string, { value: Obj; path: string }>();
  items.forEach((x, i) => {
    const name = ciliumEnvoyConfigName(x as Obj);
    if (!entries.has(name)) entries.set(name, { value: x as Obj, path: childPath(childPath(path, ik!), i) });
  });
  return entries;
}

export const ciliumEnvoyConfigList: Recognizer = {
  shape: "a List of CiliumEnvoyConfigs (kubectl get cec -o yaml): one by --proxy",
  detect: (v, forced) => forced === undefined && isObject(v) && configsIn(v, "$") !== undefined,
  read(v, path, x) {
    x.choose({ one: "CiliumEnvoyConfig", many: (n) => `${n} CiliumEnvoyConfigs`, entries: configsIn(v as Obj, path)! });
  },
};
