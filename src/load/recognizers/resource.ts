// One resource alone: a listener, a cluster, a route configuration, an endpoint assignment or a secret,
// known by its @type or by its fields (filter_chains, virtual_hosts, cluster_name…).
import { resourceKind } from "../sections.js";
import { isObject } from "../keys.js";
import type { Recognizer } from "./index.js";

type Obj = Record<string, unknown>;

export const singleResource: Recognizer = {
  shape: "one resource (a listener, cluster, route configuration, endpoint assignment or secret)",
  detect: (v, forced) => isObject(v) && (forced === undefined || forced === "resource") && resourceKind(v as Obj) !== undefined,
  read(v, path, x) {
    x.input.format = "resource";
    x.add(resourceKind(v as Obj)!, v, path, "static", {});
  },
};
