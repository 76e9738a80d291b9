// A bootstrap file (envoy.yaml, Envoy's examples, pilot-agent's envoy-rev.json, Emissary's econf):
// its static resources are what Envoy runs at start. What its dynamic_resources say arrives over xDS
// (lds_config, cds_config, or ADS) is not in the file: the input records which kinds (overXds), so that
// an answer that depends on them is not given with confidence (a connection to a port no static
// listener holds is not "connection refused": the listeners come over LDS).
import { looksBootstrap } from "../sections.js";
import { getKey, keyOf } from "../v2.js";
import { isObject } from "../keys.js";
import type { Recognizer } from "./index.js";

type Obj = Record<string, unknown>;

/** The kinds a bootstrap's dynamic_resources say arrive over xDS. */
function overXds(b: Obj): ("listener" | "cluster")[] {
  const dr = getKey(b, "dynamic_resources");
  if (!isObject(dr)) return [];
  const out: ("listener" | "cluster")[] = [];
  // A config source (ADS, a gRPC or REST API, a path) or an xDS-TP locator (lds_resources_locator) for each.
  if (isObject(getKey(dr, "lds_config")) || typeof getKey(dr, "lds_resources_locator") === "string") out.push("listener");
  if (isObject(getKey(dr, "cds_config")) || typeof getKey(dr, "cds_resources_locator") === "string") out.push("cluster");
  return out;
}

export const bootstrap: Recognizer = {
  shape: "a bootstrap file (static resources; what arrives over xDS noted)",
  detect: (v, forced) => isObject(v) && (forced === "bootstrap" || (forced === undefined && looksBootstrap(v))),
  read(v, path, x) {
    const b = v as Obj;
    const type = typeof b["@type"] === "string" ? (b["@type"] as string) : "";
    x.input.format = "bootstrap";
    x.bootstrap(b, path, undefined, type.includes(".v2."));
    for (const kind of overXds(b)) x.input.overXds.add(kind);
    if (x.input.overXds.size) {
      const dk = keyOf(b, "dynamic_resources");
      const what = [...x.input.overXds].map((k) => (k === "listener" ? "listeners (LDS)" : "clusters (CDS)")).join(" and ");
      x.input.diags.note("over-xds", `a bootstrap: its ${what} arrive over xDS and are not in this file; the running proxy's /config_dump holds them`, dk !== undefined ? { path: `${path}.${dk}` } : {});
    }
  },
};
