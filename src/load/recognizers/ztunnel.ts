// Istio ambient's ztunnel /config_dump (istioctl ztunnel-config all -o json): workloads, services,
// authorization policies and certificates in ztunnel's own format. ztunnel is not Envoy; in ambient
// mode Envoy runs as a waypoint (or a gateway, or a sidecar), whose dump is what this tool reads.
import { getKey } from "../v2.js";
import { isObject } from "../keys.js";
import type { NotEnvoy } from "./index.js";

const size = (v: unknown) => (Array.isArray(v) ? v.length : isObject(v) ? Object.keys(v).length : 0);

export const ztunnel: NotEnvoy = {
  shape: "Istio ambient's ztunnel /config_dump",
  describe(v) {
    if (!isObject(v)) return undefined;
    const workloads = getKey(v, "workloads");
    if (workloads === undefined || !["services", "policies", "certificates"].some((k) => getKey(v, k) !== undefined)) return undefined;
    const parts = [
      [size(workloads), "workload"],
      [size(getKey(v, "services")), "service"],
      [size(getKey(v, "policies")), "authorization polic"],
      [size(getKey(v, "certificates")), "certificate"],
    ] as const;
    const holds = parts.map(([n, what]) => `${n} ${what}${what.endsWith("polic") ? (n === 1 ? "y" : "ies") : n === 1 ? "" : "s"}`).join(", ");
    return `this is ztunnel's config dump (Istio ambient's node proxy), not Envoy's: it holds ${holds} in ztunnel's own format (istioctl ztunnel-config reads it). Envoy runs in ambient mode as a waypoint: give a waypoint's or a sidecar's dump (istioctl proxy-config all POD -o json, or the admin /config_dump)`;
  },
};
