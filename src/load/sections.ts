// What Envoy's admin config dump and its resources look like, shared by the recognizers (one per input
// shape) and the extractor: the dump's sections and their lists, one entry of a section pasted alone,
// a bootstrap, and which kind of resource an object is. Plain JavaScript: no Node built-in.
import { KIND_TYPE, str, type ResourceKind, type ResourceState } from "./input.js";
import { resolveTypeUrl } from "./schema.js";
import { getKey, keyOf } from "./v2.js";
import { canonicalKey, isObject } from "./keys.js";

type Obj = Record<string, unknown>;

/**
 * The sections of an admin config dump: what each is called, and its lists of wrapped resources
 * (field, the wrapper's resource field, state), in v3 and v2alpha spelling. One table serves
 * both extraction and recognising a section that comes without its @type.
 */
export const SECTIONS: Record<string, { name: string; kind?: ResourceKind; lists: [string, string, ResourceState][] }> = {
  BootstrapConfigDump: { name: "bootstrap", lists: [] },
  ListenersConfigDump: {
    name: "listeners",
    kind: "listener",
    lists: [
      ["static_listeners", "listener", "static"],
      ["dynamic_active_listeners", "listener", "active"],
      ["dynamic_warming_listeners", "listener", "warming"],
      ["dynamic_draining_listeners", "listener", "draining"],
    ],
  },
  ClustersConfigDump: {
    name: "clusters",
    kind: "cluster",
    lists: [
      ["static_clusters", "cluster", "static"],
      ["dynamic_active_clusters", "cluster", "active"],
      ["dynamic_warming_clusters", "cluster", "warming"],
    ],
  },
  RoutesConfigDump: { name: "routes", kind: "route", lists: [["static_route_configs", "route_config", "static"], ["dynamic_route_configs", "route_config", "active"]] },
  EndpointsConfigDump: { name: "endpoints", kind: "endpoint", lists: [["static_endpoint_configs", "endpoint_config", "static"], ["dynamic_endpoint_configs", "endpoint_config", "active"]] },
  SecretsConfigDump: {
    name: "secrets",
    kind: "secret",
    lists: [
      ["static_secrets", "secret", "static"],
      ["dynamic_active_secrets", "secret", "active"],
      ["dynamic_warming_secrets", "secret", "warming"],
    ],
  },
  ScopedRoutesConfigDump: { name: "scoped_routes", lists: [] },
  EcdsConfigDump: { name: "ecds", lists: [] },
};
// Looked up with names from the dump: no prototype, so "constructor" or "__proto__" find nothing.
Object.setPrototypeOf(SECTIONS, null);

/** The states a v3 dynamic_listeners entry holds a listener in. */
export const LISTENER_STATES = [
  ["active_state", "active"],
  ["warming_state", "warming"],
  ["draining_state", "draining"],
] as const;

/** Lists of listeners: the scanner hints them deeper, with where each field is, so a listener's outline is read without the rest of it. */
export const LISTENER_LISTS: ReadonlySet<string> = new Set([...SECTIONS.ListenersConfigDump!.lists.map(([field]) => field), "dynamic_listeners"].map(canonicalKey));

/** Keys of the lists whose elements are resources, as keyOf matches them: what the streaming scanner leaves in the file. */
export const RESOURCE_LISTS: ReadonlySet<string> = new Set(
  [...Object.values(SECTIONS).flatMap((s) => s.lists.map(([field]) => field)), "dynamic_listeners", "resources"].map(canonicalKey),
);

/** Each section's active list and its wrapper's resource field (listener, cluster, route_config…): what an entry pasted alone is read as. */
const ACTIVE_ENTRIES: readonly [inner: string, section: string, list: string][] = Object.entries(SECTIONS).flatMap(([section, s]) =>
  s.lists.filter(([, , state]) => state === "active").map(([list, inner]): [string, string, string] => [inner, section, list]),
);

/** One entry of a dump section pasted alone: which list it came from, so it reads as the resource inside. */
export function sectionEntry(v: Obj): { section: string; list: string } | undefined {
  const has = (k: string) => keyOf(v, k) !== undefined;
  if (has("name") && (has("active_state") || has("warming_state") || has("draining_state") || has("error_state"))) return { section: "ListenersConfigDump", list: "dynamic_listeners" };
  for (const [inner, section, list] of ACTIVE_ENTRIES) {
    const k = keyOf(v, inner);
    if (k !== undefined && isObject(v[k]) && (has("last_updated") || has("version_info") || typeof (v[k] as Obj)["@type"] === "string")) return { section, list };
  }
  return undefined;
}

/**
 * The list an element of a config dump section came from, by its message type (what
 * /config_dump?resource=<list> packs each element as): a Static… one is from the section's static
 * list, a Dynamic… one from its active list (v3 listeners: dynamic_listeners). A DynamicCluster or
 * DynamicSecret does not say whether it was active or warming: it is read as active.
 */
export function elementList(section: string, message: string, e: Obj): string | undefined {
  const lists = Object.hasOwn(SECTIONS, section) ? SECTIONS[section]!.lists : [];
  const m = /^(Static|Dynamic)(?:Listener|Cluster|RouteConfig|EndpointConfig|Secret)$/.exec(message);
  if (!m) return undefined;
  if (m[1] === "Static") return lists.find(([, , state]) => state === "static")?.[0];
  if (section === "ListenersConfigDump" && keyOf(e, "listener") === undefined) return "dynamic_listeners"; // v2alpha's wraps one listener
  return lists.find(([, , state]) => state === "active")?.[0];
}

/** A section recognised by its lists, for sections pasted without their @type. */
export function sectionKind(v: Obj): string | undefined {
  if (keyOf(v, "dynamic_listeners") !== undefined) return "ListenersConfigDump";
  return Object.keys(SECTIONS).find((name) => SECTIONS[name]!.lists.some(([field]) => keyOf(v, field) !== undefined));
}

export function looksBootstrap(v: Obj): boolean {
  const type = typeof v["@type"] === "string" ? (v["@type"] as string) : "";
  if (/\.(bootstrap\.v\d+\.)?Bootstrap$/.test(type)) return true;
  return ["static_resources", "dynamic_resources", "admin", "layered_runtime", "stats_config"].some((k) => keyOf(v, k) !== undefined) && keyOf(v, "filter_chains") === undefined;
}

/** Cluster discovery types: a `name` and one of these `type`s is a cluster (a package.json's `"type": "module"` is not). */
const CLUSTER_TYPES: ReadonlySet<string> = new Set(["STATIC", "STRICT_DNS", "LOGICAL_DNS", "EDS", "ORIGINAL_DST"]);

/** ClusterLoadAssignment's fields (canonical form): an object of only these, with cluster_name, is one. */
const CLA_KEYS: ReadonlySet<string> = new Set(["cluster_name", "endpoints", "named_endpoints", "policy", "@type"].map(canonicalKey));

/** The kind of resource a type URL names (a v2 one by its v3 successor). */
export function kindOfType(url: string): ResourceKind | undefined {
  const name = resolveTypeUrl(url)?.name;
  for (const [k, t] of Object.entries(KIND_TYPE)) if (t === name) return k as ResourceKind;
  return undefined;
}

/** Which kind of Envoy resource an object is, from its @type or its shape. */
export function resourceKind(v: Obj): ResourceKind | undefined {
  const type = typeof v["@type"] === "string" ? (v["@type"] as string) : "";
  const byType = type ? kindOfType(type) : undefined;
  if (byType) return byType;
  const has = (k: string) => keyOf(v, k) !== undefined;
  if (has("filter_chains") || has("default_filter_chain") || has("listener_filters") || has("filter_chain_matcher") || (has("address") && has("name") && has("traffic_direction"))) return "listener";
  if (has("virtual_hosts") || (has("name") && (has("validate_clusters") || has("ignore_port_in_host_matching") || has("vhds")))) return "route";
  // An assignment with no endpoints is its cluster_name alone (Envoy Gateway's goldens for a route with no backends).
  if (has("cluster_name") && (has("endpoints") || Object.keys(v).every((k) => CLA_KEYS.has(canonicalKey(k))))) return "endpoint";
  if (has("tls_certificate") || has("validation_context") || has("session_ticket_keys") || has("generic_secret")) return "secret";
  if (has("connect_timeout") || has("lb_policy") || has("load_assignment") || has("eds_cluster_config") || has("transport_socket_matches") || has("cluster_type") || (has("name") && CLUSTER_TYPES.has(String(getKey(v, "type")).toUpperCase()) && !has("address"))) return "cluster";
  if (has("address") && has("name")) return "listener";
  return undefined;
}

export function resourceName(kind: ResourceKind, v: Obj): string {
  if (kind === "endpoint") return str(getKey(v, "cluster_name")) ?? "";
  if (kind === "bootstrap") {
    const node = getKey(v, "node");
    return (isObject(node) && str(getKey(node, "id"))) || "bootstrap";
  }
  const name = str(getKey(v, "name"));
  if (name) return name;
  if (kind === "listener") {
    const a = getKey(v, "address");
    const sa = isObject(a) ? getKey(a, "socket_address") : undefined;
    if (isObject(sa)) return `${str(getKey(sa, "address")) ?? "?"}:${str(getKey(sa, "port_value")) ?? "?"}`;
  }
  return "";
}
