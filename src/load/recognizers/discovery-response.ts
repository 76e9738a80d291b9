// One xDS DiscoveryResponse or DeltaDiscoveryResponse: file-based lds.yaml/cds.yaml, control planes'
// golden files (Consul, Kuma), a list of Resource wrappers under `resources`. Its resources are read as
// a list (Extractor.listItem).
import { childPath } from "../../diag.js";
import { getKey, keyOf } from "../v2.js";
import { isObject } from "../keys.js";
import type { Recognizer } from "./index.js";

type Obj = Record<string, unknown>;

export const discoveryResponse: Recognizer = {
  shape: "an xDS DiscoveryResponse (resources: [...]), SotW or delta",
  detect: (v, forced) => forced === undefined && isObject(v) && Array.isArray(getKey(v, "resources")) && keyOf(v, "configs") === undefined,
  read(v, path, x) {
    x.input.format = "discovery_response";
    const o = v as Obj;
    const rk = keyOf(o, "resources")!;
    x.list(o[rk] as unknown[], childPath(path, rk));
  },
};
