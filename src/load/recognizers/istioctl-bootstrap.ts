// istioctl proxy-config bootstrap -o json|yaml: a BootstrapConfigDump without its @type
// ({bootstrap, lastUpdated}), read as that section.
import { getKey } from "../v2.js";
import { canonicalKey, isObject } from "../keys.js";
import type { Recognizer } from "./index.js";

export const istioctlBootstrap: Recognizer = {
  shape: "istioctl proxy-config bootstrap -o json ({bootstrap, lastUpdated})",
  detect: (v, forced) =>
    forced === undefined && isObject(v) && !(typeof v["@type"] === "string" && v["@type"]) && isObject(getKey(v, "bootstrap")) && Object.keys(v).every((k) => ["bootstrap", "lastupdated"].includes(canonicalKey(k))),
  read(v, path, x) {
    x.input.format = "config_dump_section";
    x.config(v, path, "BootstrapConfigDump");
  },
};
