// istioctl proxy-config ecds: the filters a proxy received by ECDS, not its listeners or clusters.
import { keyOf } from "../v2.js";
import { isObject } from "../keys.js";
import type { NotEnvoy } from "./index.js";

export const ecdsFilters: NotEnvoy = {
  shape: "ECDS filters (istioctl proxy-config ecds)",
  describe: (v) =>
    isObject(v) && keyOf(v, "ecds_filters") !== undefined ? "holds filters sent by ECDS (istioctl proxy-config ecds), not listeners, clusters or routes: give the proxy's config dump instead" : undefined,
};
