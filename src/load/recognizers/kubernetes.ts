// Kubernetes objects (an EnvoyFilter, a Gateway, a VirtualService…) given in place of a dump: the mesh's
// configuration, from which the control plane makes the proxy's.
import { isObject } from "../keys.js";
import type { NotEnvoy } from "./index.js";

export const kubernetesObjects: NotEnvoy = {
  shape: "Kubernetes objects (apiVersion and kind)",
  describe(v) {
    const objects = (Array.isArray(v) ? v : [v]).filter(isObject);
    const kinds = [...new Set(objects.filter((o) => typeof o.apiVersion === "string" && typeof o.kind === "string").map((o) => String(o.kind)))];
    if (!kinds.length) return undefined;
    return `holds Kubernetes objects (${kinds.slice(0, 4).join(", ")}${kinds.length > 4 ? ", …" : ""}): the mesh's configuration, not what Envoy runs; give the proxy's config instead (istioctl proxy-config all POD -o json, or the admin /config_dump)`;
  },
};
