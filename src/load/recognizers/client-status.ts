// CSDS, the Client Status Discovery Service: what an xDS client holds, as a control plane or the client
// itself reports it. A ClientStatusResponse ({config: [ClientConfig]}) or one ClientConfig: the
// client's node, and its config either per xDS (xds_config[]: listener_config, route_config,
// cluster_config, endpoint_config, each the admin dump's section) or per resource
// (generic_xds_configs[]: type_url, name, version_info, xds_config as an Any, client_status,
// error_state). grpcdebug's `xds config`, proxyless gRPC's admin service and Traffic Director print it.
// A response about several clients is read for one of them (--proxy: its node id).
import { childPath } from "../../diag.js";
import { str } from "../input.js";
import { kindOfType } from "../sections.js";
import { getKey, keyOf } from "../v2.js";
import { canonicalKey, isObject } from "../keys.js";
import type { Extractor } from "../extract.js";
import type { Recognizer } from "./index.js";

type Obj = Record<string, unknown>;

/** PerXdsConfig's dumps and the sections they are. */
const PER_XDS: [string, string][] = [
  ["listener_config", "ListenersConfigDump"],
  ["cluster_config", "ClustersConfigDump"],
  ["route_config", "RoutesConfigDump"],
  ["scoped_route_config", "ScopedRoutesConfigDump"],
  ["endpoint_config", "EndpointsConfigDump"],
];

const CLIENT_CONFIG = new Set(["node", "xds_config", "generic_xds_configs", "client_scope", "@type"].map(canonicalKey));

/** One ClientConfig: a node and per-xDS or per-resource config (status-only ones included: they say so). */
export function isClientConfig(v: unknown): v is Obj {
  if (!isObject(v) || !Object.keys(v).every((k) => CLIENT_CONFIG.has(canonicalKey(k)))) return false;
  const type = typeof v["@type"] === "string" ? (v["@type"] as string) : "";
  return Array.isArray(getKey(v, "xds_config")) || Array.isArray(getKey(v, "generic_xds_configs")) || /\.service\.status\.v\d\w*\.ClientConfig$/.test(type);
}

function isClientStatusResponse(v: unknown): v is Obj {
  if (!isObject(v)) return false;
  const config = getKey(v, "config");
  return Array.isArray(config) && config.length > 0 && Object.keys(v).every((k) => ["config", "@type"].includes(canonicalKey(k))) && config.every(isClientConfig);
}

/** What a client_status other than ACKED says of a resource without config. */
const NOT_HELD: Record<string, string> = {
  REQUESTED: "requested by the client and not received yet",
  DOES_NOT_EXIST: "requested, and the control plane says it does not exist",
  NACKED: "sent, and rejected by the client",
  TIMEOUT: "requested, and not received before the client's timeout",
};
Object.setPrototypeOf(NOT_HELD, null);

/** The node's name for messages and --proxy: its id, with the client's scope when it has one. */
function clientName(c: Obj): string {
  const node = getKey(c, "node");
  const id = (isObject(node) && str(getKey(node, "id"))) || "(no node id)";
  return id;
}

/** Reads one ClientConfig's resources. Status only (no config at all, as istiod's sync status): nothing read. */
export function readClientConfig(c: Obj, path: string, x: Extractor): void {
  x.seen.v3Admin = true;
  const node = getKey(c, "node");
  const agent = isObject(node) ? [str(getKey(node, "user_agent_name")), str(getKey(node, "user_agent_version"))].filter(Boolean).join(" ") : "";
  let held = false;
  const xk = keyOf(c, "xds_config");
  const perXds = xk !== undefined ? c[xk] : undefined;
  if (Array.isArray(perXds)) {
    perXds.forEach((e, i) => {
      if (!isObject(e)) return;
      for (const [field, section] of PER_XDS) {
        const k = keyOf(e, field);
        if (k === undefined || !isObject(e[k])) continue;
        held = true;
        x.config(e[k], childPath(childPath(childPath(path, xk!), i), k), section);
      }
    });
  }
  const gk = keyOf(c, "generic_xds_configs");
  const generic = gk !== undefined ? c[gk] : undefined;
  if (Array.isArray(generic)) {
    generic.forEach((e, i) => {
      if (!isObject(e)) return;
      const p = childPath(childPath(path, gk!), i);
      const url = str(getKey(e, "type_url")) ?? "";
      const xc = keyOf(e, "xds_config");
      const config = xc !== undefined && isObject(e[xc]) ? (e[xc] as Obj) : undefined;
      const kind = kindOfType(url) ?? (config && typeof config["@type"] === "string" ? kindOfType(config["@type"]) : undefined);
      const name = str(getKey(e, "name")) ?? "";
      const status = str(getKey(e, "client_status")) ?? "";
      const err = getKey(e, "error_state");
      if (!config && !isObject(err) && !Object.hasOwn(NOT_HELD, status)) return; // status only (a control plane's sync status)
      held = true;
      if (!kind) {
        x.input.diags.note("unknown-resource", `${url || "a resource with no type_url"} "${name}": not a listener, cluster, route configuration, endpoint assignment or secret (skipped)`, { path: p });
        return;
      }
      const what = kind === "route" ? "route configuration" : kind === "endpoint" ? "endpoint assignment" : kind;
      if (isObject(err)) x.failedUpdate(kind, { name }, err, p, config !== undefined, false);
      if (config) {
        const state = getKey(e, "is_static_resource") === true ? "static" : "active";
        x.add(kind, config, childPath(p, xc!), state, { versionInfo: str(getKey(e, "version_info")), lastUpdated: str(getKey(e, "last_updated")) });
      } else if (Object.hasOwn(NOT_HELD, status) && !isObject(err)) {
        x.input.diags.warn("not-held", `${what} "${name}": ${NOT_HELD[status]} (client_status ${status}): the client has no config for it`, { path: p });
      }
    });
  }
  if (!held) return;
  x.readSomething = true;
  x.input.diags.note("client-status", `CSDS: the xDS config of client ${clientName(c)}${agent ? ` (${agent})` : ""}`, { path });
}

export const clientStatus: Recognizer = {
  shape: "a CSDS ClientStatusResponse or ClientConfig (grpcdebug xds config, proxyless gRPC, Traffic Director): one client by --proxy",
  detect: (v, forced) => forced === undefined && (isClientStatusResponse(v) || isClientConfig(v)),
  read(v, path, x) {
    x.input.format = "client_status";
    if (isClientConfig(v)) return readClientConfig(v, path, x);
    const o = v as Obj;
    const ck = keyOf(o, "config")!;
    const configs = o[ck] as Obj[];
    if (configs.length === 1) return readClientConfig(configs[0]!, childPath(childPath(path, ck), 0), x);
    // Several clients (a control plane's view of many, gRPC's xDS clients by scope): one, by its node id.
    const entries = new Map<string, { value: unknown; path: string }>();
    configs.forEach((c, i) => {
      let name = clientName(c);
      const scope = str(getKey(c, "client_scope"));
      if (entries.has(name) && scope) name = `${name}#${scope}`;
      if (!entries.has(name)) entries.set(name, { value: c, path: childPath(childPath(path, ck), i) });
    });
    x.choose({ one: "client", many: (n) => `the xDS config of ${n} clients`, entries });
  },
};
