// A control plane's view of its proxies' sync status: istioctl proxy-status -o json and istiod's
// /debug/syncz (a DiscoveryResponse of CSDS ClientConfigs whose generic_xds_configs hold a type and a
// config_status, SYNCED or STALE, but no config).
import { getKey } from "../v2.js";
import { isObject } from "../keys.js";
import { isClientConfig } from "./client-status.js";
import type { NotEnvoy } from "./index.js";

export const xdsSyncStatus: NotEnvoy = {
  shape: "xDS sync status without config (istioctl proxy-status -o json, istiod's /debug/syncz)",
  describe(v) {
    const list = isObject(v) ? (getKey(v, "resources") ?? getKey(v, "config") ?? [v]) : v;
    if (!Array.isArray(list) || !list.length || !list.every(isClientConfig)) return undefined;
    return `holds the xDS sync status of ${list.length} prox${list.length === 1 ? "y" : "ies"} (istioctl proxy-status -o json, istiod's /debug/syncz): whether each has what the control plane sent, not the config itself; give a proxy's config instead (istioctl proxy-config all POD -o json, or the admin /config_dump)`;
  },
};
