// One section of a config dump: /config_dump?resource=… and istioctl proxy-config … -o json of one
// section (a ListenersConfigDump, a ClustersConfigDump…), with its @type or known by its lists
// (dynamic_listeners, static_clusters…).
import { sectionKind } from "../sections.js";
import { isObject } from "../keys.js";
import type { Recognizer } from "./index.js";

type Obj = Record<string, unknown>;

export const configDumpSection: Recognizer = {
  shape: "one config dump section (a ListenersConfigDump…), with or without its @type",
  detect(v) {
    if (!isObject(v)) return false;
    const type = typeof v["@type"] === "string" ? (v["@type"] as string) : "";
    return /\.admin\.v(3|2alpha)\.\w+ConfigDump$/.test(type) || sectionKind(v as Obj) !== undefined;
  },
  read(v, path, x) {
    x.input.format = "config_dump_section";
    x.config(v, path);
  },
};
