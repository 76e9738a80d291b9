// A CiliumEnvoyConfig or CiliumClusterwideEnvoyConfig: Envoy resources under spec.resources, and under
// spec.services the Services whose connections Cilium's eBPF sends to a listener (by frontend port; no
// listener named: the first one). The names are as the object gives them; the running Envoy prefixes
// them with the object's namespace and name.
import { childPath } from "../../diag.js";
import { str } from "../input.js";
import { getKey, keyOf } from "../v2.js";
import { isObject } from "../keys.js";
import type { Recognizer } from "./index.js";

type Obj = Record<string, unknown>;

/** A CiliumEnvoyConfig or CiliumClusterwideEnvoyConfig: Envoy resources under spec.resources, as a Kubernetes object. */
export function isCiliumEnvoyConfig(v: unknown): v is Obj {
  if (!isObject(v)) return false;
  const spec = getKey(v, "spec");
  if (!isObject(spec) || !Array.isArray(getKey(spec, "resources"))) return false;
  const kind = str(getKey(v, "kind"));
  return kind !== undefined ? /^Cilium(Clusterwide)?EnvoyConfig$/.test(kind) : isObject(getKey(v, "metadata"));
}

/** namespace/name of a CiliumEnvoyConfig (name alone for a clusterwide one). */
export function ciliumEnvoyConfigName(v: Obj): string {
  const md = getKey(v, "metadata");
  const name = isObject(md) ? (str(getKey(md, "name")) ?? "") : "";
  const ns = isObject(md) ? str(getKey(md, "namespace")) : undefined;
  return ns ? `${ns}/${name}` : name;
}

export const ciliumEnvoyConfig: Recognizer = {
  shape: "a CiliumEnvoyConfig (spec.resources, spec.services)",
  detect: (v, forced) => forced === undefined && isCiliumEnvoyConfig(v),
  read(value, path, x) {
    const v = value as Obj;
    x.input.format = "cilium_envoy_config";
    const sk = keyOf(v, "spec")!;
    const spec = v[sk] as Obj;
    const specPath = childPath(path, sk);
    const rk = keyOf(spec, "resources")!;
    x.list(spec[rk] as unknown[], childPath(specPath, rk));
    const svk = keyOf(spec, "services");
    const services = svk !== undefined ? spec[svk] : undefined;
    if (!Array.isArray(services)) return;
    const md = getKey(v, "metadata");
    // In a CiliumEnvoyConfig a Service's namespace is the object's; in a clusterwide one it defaults to "default".
    const ownNamespace = isObject(md) ? str(getKey(md, "namespace")) : undefined;
    services.forEach((sv, i) => {
      const sp = childPath(childPath(specPath, svk!), i);
      const name = isObject(sv) ? str(getKey(sv, "name")) : undefined;
      if (!isObject(sv) || !name) return x.input.diags.warn("unknown-resource", "a spec.services entry without a name (skipped)", { path: sp });
      const ports = getKey(sv, "ports");
      x.input.redirects.push({
        service: `${ownNamespace ?? str(getKey(sv, "namespace")) ?? "default"}/${name}`,
        ports: Array.isArray(ports) ? ports.map(Number).filter((p) => Number.isInteger(p) && p > 0 && p < 65536) : [],
        listener: str(getKey(sv, "listener")) ?? "",
        path: sp,
      });
    });
  },
};
