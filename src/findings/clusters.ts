// Cluster findings: clusters whose endpoints list none (NO_ENDPOINTS), and clusters nothing refers to
// (UNUSED_CLUSTER). What refers to a cluster is found as every string of the listeners, routes, other
// clusters and bootstrap that equals its name (and quoted names in inline code, such as Lua's), not a
// list of fields: a filter this tool does not know still counts.
import type { LoadedInput, ResourceRecord } from "../load/dump.js";
import { childPath } from "../diag.js";
import { clusterModel } from "../model/cluster.js";
import { clusterEndpoints, endpointModels, endpointRecordFor, endpointsOf } from "../model/endpoint.js";
import { isInlineCopy } from "../model/route.js";
import { getKey } from "../load/v2.js";
import { canonicalKey, isObject } from "../load/keys.js";
import { allChains, listenerModel } from "../model/listener.js";
import { Redacted } from "../redacted.js";
import { clustersExcerpt, holdsAll, picksClusterAtRunTime } from "./routes.js";
import { dumpAnalyzer, finding, type Finding } from "./types.js";

/** One record per cluster name: the first that serves (active or static), else the first. */
function clustersByName(input: LoadedInput): ResourceRecord[] {
  const seen = new Map<string, ResourceRecord>();
  for (const rec of input.clusters) {
    const had = seen.get(rec.name);
    const serving = rec.state === "active" || rec.state === "static";
    if (!had || (serving && !(had.state === "active" || had.state === "static"))) seen.set(rec.name, rec);
  }
  return [...seen.values()];
}

// ---------------------------------------------------------------------------------------------------
// Who refers to a cluster

export interface ClusterReferences {
  /** Per cluster name, who names it (up to REFERRERS_KEPT, as "listener X", "route Y", "cluster Z", "bootstrap"). */
  by: Map<string, string[]>;
  /** A route picks its cluster at run time (cluster_header, a cluster specifier plugin): any cluster may be used. */
  runTimePick: boolean;
  /** The walk stopped at its budget: what was not read may refer to any cluster. */
  incomplete: boolean;
}

const REFERRERS_KEPT = 3;
/** Nodes (objects, arrays, values) read in all: far beyond any real dump's, so a hostile one stays bounded. */
const WALK_BUDGET = 50_000_000;
/** Quoted names in long strings (inline Lua, Wasm configuration as JSON text). */
const QUOTED = /"([^"\\\n]{1,500})"|'([^'\\\n]{1,500})'/g;

const cache = new WeakMap<LoadedInput, ClusterReferences>();

/**
 * The distinct strings under a resource, in the order a walk meets them; for each long one with quotes
 * in it (inline Lua, Wasm configuration as JSON text), the names quoted in it; whether something in it
 * picks its cluster at run time; and how many nodes were read (one more than the budget when it stopped
 * there).
 */
interface Strings {
  strings: string[];
  quoted: Map<string, string[]>;
  runTimePick: boolean;
  nodes: number;
}

/** The Strings under `root`, iteratively, reading at most `budget` nodes; `skip` says which object keys not to enter. */
function stringsUnder(root: unknown, budget: number, skip?: (parent: object, key: string) => boolean): Strings {
  const strings = new Set<string>();
  const quoted = new Map<string, string[]>();
  let runTimePick = false;
  let nodes = 0;
  const stack: unknown[] = [root];
  while (stack.length) {
    // Past the budget: one more than it, so that what is left knows the walk stopped.
    if (nodes++ >= budget) break;
    const v = stack.pop();
    if (typeof v === "string") {
      if (!strings.has(v)) {
        strings.add(v);
        if (v.length > 64 && (v.includes('"') || v.includes("'"))) quoted.set(v, [...v.matchAll(QUOTED)].map((m) => (m[1] ?? m[2])!));
      }
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (v && typeof v === "object" && !(v instanceof Redacted)) {
      const o = v as Record<string, unknown>;
      if (!runTimePick && picksClusterAtRunTime(o)) runTimePick = true;
      for (const k of Object.keys(o)) if (!skip?.(o, k)) stack.push(o[k]);
    }
  }
  return { strings: [...strings], quoted, runTimePick, nodes };
}

/** Who refers to each cluster of the dump, reading at most `budget` nodes in all (computed once per input at the default budget). */
export function clusterReferences(input: LoadedInput, walkBudget = WALK_BUDGET): ClusterReferences {
  const got = walkBudget === WALK_BUDGET ? cache.get(input) : undefined;
  if (got) return got;
  const names = new Set(input.clusters.map((r) => r.name));
  const by = new Map<string, string[]>();
  let runTimePick = false;
  let budget = walkBudget;
  const note = (name: string, who: string, self?: string) => {
    if (name === self || !names.has(name)) return;
    let l = by.get(name);
    if (!l) by.set(name, (l = []));
    if (l.length < REFERRERS_KEPT && !l.includes(who)) l.push(who);
  };
  /**
   * Notes the cluster names a resource holds: a string that is one, else the names quoted in it. The
   * walks over one dump share one budget: past it nothing more is read, and what was not read may refer
   * to any cluster (incomplete).
   */
  const noteAll = (read: (budget: number) => Strings, who: string, self?: string) => {
    if (budget <= 0) {
      budget = -1;
      return;
    }
    const r = read(budget);
    budget -= r.nodes;
    if (r.runTimePick) runTimePick = true;
    for (const v of r.strings) {
      if (names.has(v)) note(v, who, self);
      else for (const q of r.quoted.get(v) ?? []) note(q, who, self);
    }
  };
  // A fleet's proxies hold the same resources: what strings each holds is read once (ResourceRecord.derived),
  // and used when the budget left covers it.
  const stringsOf = (rec: ResourceRecord) => (left: number) => {
    const r = stringsIn(rec);
    return r.nodes <= left ? r : stringsUnder(rec.raw, left);
  };
  for (const rec of input.listeners) {
    noteAll(stringsOf(rec), `listener ${rec.name}`);
    // Envoy's Go network filter opens its upstream connections through a cluster of a fixed name.
    if (rec.mayContain("envoy.extensions.filters.network.golang") && JSON.stringify(rec.raw).includes("envoy.extensions.filters.network.golang")) note("plainText", `listener ${rec.name}`);
  }
  // A listener Envoy never accepted (error_state) does not run: what it names is told apart.
  for (const f of input.rejectedListeners) noteAll(stringsOf(f.record), `listener ${f.name} (rejected by Envoy)`);
  for (const rec of input.routes) noteAll(stringsOf(rec), isInlineCopy(input, rec) ? `route ${rec.name} (inline)` : `route ${rec.name}`);
  for (const rec of input.clusters) noteAll(stringsOf(rec), `cluster ${rec.name}`, rec.name);
  for (const rec of input.resources.bootstrap) {
    // Its static_resources' clusters and listeners are the clusters and listeners above.
    const sr = isObject(rec.raw) ? getKey(rec.raw, "static_resources") : undefined;
    noteAll((left) => stringsUnder(rec.raw, left, (parent, k) => parent === sr && (canonicalKey(k) === "clusters" || canonicalKey(k) === "listeners")), "bootstrap");
  }
  const refs: ClusterReferences = { by, runTimePick, incomplete: budget < 0 };
  if (walkBudget === WALK_BUDGET) cache.set(input, refs);
  return refs;
}

/** The strings a resource holds, read once per record (up to one walk's budget). */
const stringsIn = (rec: ResourceRecord): Strings => rec.derived("strings", () => stringsUnder(rec.raw, WALK_BUDGET));

// ---------------------------------------------------------------------------------------------------
// NO_ENDPOINTS

/**
 * Istio's clusters that have no endpoints by design, known by name where a dump holds their endpoints
 * without the clusters: BlackHoleCluster (STATIC, where traffic is dropped) and the passthrough clusters
 * (ORIGINAL_DST); also Istio's inbound clusters `inbound|PORT||`, ORIGINAL_DST since 1.10 (STATIC with
 * 127.0.0.1 before, never empty then).
 */
const NO_HOSTS_BY_DESIGN: ReadonlySet<string> = new Set(["BlackHoleCluster", "PassthroughCluster", "InboundPassthroughCluster", "InboundPassthroughClusterIpv4", "InboundPassthroughClusterIpv6"]);

/** Cluster types whose hosts come from EDS or their load_assignment (ORIGINAL_DST, aggregate, dynamic forward proxy have none by design). */
const LISTED_HOSTS = new Set(["EDS", "STATIC", "STRICT_DNS", "LOGICAL_DNS"]);

function noEndpoints(input: LoadedInput): Finding[] {
  const out: Finding[] = [];
  const eds = holdsAll(input, "endpoints");
  // Endpoints without their clusters (an EDS golden file, istioctl proxy-config endpoint -o json): each
  // assignment that lists none, but those of Istio's clusters that have none by design (their types
  // would say so, as they do below, were the clusters in the dump).
  if (input.clusters.length === 0) {
    for (const rec of input.endpoints) {
      const cla = rec.value as { clusterName?: string };
      const name = cla.clusterName ?? rec.name;
      if (NO_HOSTS_BY_DESIGN.has(name) || /^inbound\|\d+\|\|$/.test(name)) continue;
      if (endpointsOf(rec.value as never, rec.name).length > 0) continue;
      out.push(
        finding(input, "NO_ENDPOINTS", {
          message: `the endpoints of cluster ${name} list none: Envoy answers requests to that cluster with HTTP 503 "no healthy upstream" (UH), and closes TCP connections to it`,
          resource: { kind: "endpoint", name },
          path: rec.path,
        }),
      );
    }
    return out;
  }
  let refs: ClusterReferences | undefined;
  for (const rec of clustersByName(input)) {
    const c = clusterModel(rec);
    // Istio's BlackHoleCluster has no endpoints by design: it is where traffic is dropped.
    if (!LISTED_HOSTS.has(c.type) || c.name === "BlackHoleCluster") continue;
    let where: string;
    let path = rec.path;
    if (c.type === "EDS") {
      // Only a dump with its endpoints (config_dump?include_eds) says what EDS sent; a cluster it has no assignment for is not judged.
      if (!eds) continue;
      const er = endpointRecordFor(input, c.name, c.edsServiceName);
      if (!er) continue;
      where = `its EDS assignment${er.name !== c.name ? ` ${er.name}` : ""} lists no endpoint`;
      path = er.path;
    } else {
      const la = c.ownEndpoints;
      if (!la && !(eds && endpointRecordFor(input, c.name))) continue;
      where = "its load_assignment lists no endpoint";
      if (la) path = childPath(rec.path, "loadAssignment");
    }
    const eps = clusterEndpoints(input, c);
    if (!eps || eps.length > 0) continue;
    refs ??= clusterReferences(input);
    const users = refs.by.get(c.name)?.filter((w) => !w.endsWith("(rejected by Envoy)"));
    const used = users?.length ? ` It is used by ${users.join(", ")}${users.length >= REFERRERS_KEPT ? " and maybe more" : ""}.` : "";
    out.push(
      finding(input, "NO_ENDPOINTS", {
        message: `cluster ${c.name} (${c.type}) has no endpoints (${where}): Envoy answers requests to it with HTTP 503 "no healthy upstream" (UH), and closes TCP connections to it.${used}`,
        resource: { kind: "cluster", name: c.name },
        path,
      }),
    );
  }
  return out;
}

export const noEndpointsAnalyzer = dumpAnalyzer("no-endpoints", "NO_ENDPOINTS", noEndpoints, {
  cluster: (rec) => void clusterModel(rec),
  endpoint: (rec) => void endpointModels(rec),
});

// ---------------------------------------------------------------------------------------------------
// UNUSED_CLUSTER

/** The proxy's own clusters (Istio, Envoy Gateway, Consul, Kuma, OSM, Contour…): used by the agent, the admin, metrics, not by traffic. */
const OWN_CLUSTERS: ReadonlySet<string> = new Set([
  "xds-grpc",
  "sds-grpc",
  "prometheus_stats",
  "agent",
  "BlackHoleCluster",
  "PassthroughCluster",
  "InboundPassthroughCluster",
  "InboundPassthroughClusterIpv4",
  "InboundPassthroughClusterIpv6",
  "zipkin",
  "envoy_accesslog_service",
  "envoy_metrics_service",
  "lightstep",
  "datadog_agent",
  "opencensus",
  "xds_cluster",
  "ads_cluster",
  "local_agent",
  "self_admin",
  "kuma:envoy:admin",
  "kuma:readiness",
  "access_log_sink",
  "osm-controller",
  "envoy-metrics-cluster",
  "contour",
  "envoy-admin",
  "wasm_downloader",
]);

function unusedClusters(input: LoadedInput): Finding[] {
  // Only a dump that lists its listeners, routes and clusters can say nothing refers to a cluster.
  if (!holdsAll(input, "clusters") || !holdsAll(input, "listeners")) return [];
  if (!holdsAll(input, "routes")) {
    // A bootstrap file whose connection managers all hold their routes inline needs no routes section.
    const rds = input.listeners.some((rec) => {
      const l = listenerModel(rec);
      return allChains(l).some((c) => c.terminal.kind === "hcm" && (c.terminal.routeConfigName !== undefined || c.terminal.scopedRoutes === true));
    });
    if (input.format !== "bootstrap" || rds) return [];
  }
  const refs = clusterReferences(input);
  if (refs.runTimePick || refs.incomplete || clustersExcerpt(input)) return [];
  const out: Finding[] = [];
  for (const rec of clustersByName(input)) {
    if (OWN_CLUSTERS.has(rec.name)) continue;
    const by = refs.by.get(rec.name) ?? [];
    if (by.some((w) => !w.endsWith("(rejected by Envoy)"))) continue;
    out.push(
      finding(input, "UNUSED_CLUSTER", {
        message: `cluster ${rec.name} is not used: no listener, route, other cluster or bootstrap setting names it${by.length ? ` (only ${by.join(", ").replace(/ \(rejected by Envoy\)/g, "")}, which Envoy rejected: it does not run)` : ""}`,
        resource: { kind: "cluster", name: rec.name },
        path: rec.path,
      }),
    );
  }
  return out;
}

export const unusedClusterAnalyzer = dumpAnalyzer("unused-cluster", "UNUSED_CLUSTER", unusedClusters, { cluster: (rec) => void stringsIn(rec) });
