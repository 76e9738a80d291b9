// The listings' row builders: one row per filter chain, cluster, endpoint, losing nothing that
// decides where a connection lands; with istioctl proxy-config's filters. src/render/listings.ts prints them.
import type { LoadedInput } from "../load/dump.js";
import { clusterModel } from "../model/cluster.js";
import { allChains, chainLabel, formatAddr, listenerModel, matchText, peekListener, terminalText, type ChainModel, type ListenerModel } from "../model/listener.js";
import { chainTransportLabel, type TransportSummary } from "../model/tls.js";
import { matcherPaths } from "../explain/matcher.js";
import { allEndpoints, type EndpointModel } from "../model/endpoint.js";
import { isInlineCopy, routeRows, type RouteRow } from "../model/route.js";

export interface ChainRow {
  listener: string;
  address: string;
  state: string;
  bindToPort: boolean;
  listenerFilters: string[];
  chain: string;
  index: number;
  name?: string;
  isDefault: boolean;
  match: ChainModel["match"] | null;
  matchText: string;
  tls: string;
  /** What the chain's last network filter makes of the traffic: HTTP (connection manager) or TCP. */
  type: "HTTP" | "TCP" | "NONE";
  transport: TransportSummary;
  terminal: string;
  /** Envoy's error, for a listener it rejected and never accepted (state "error"): nothing listens where it would. */
  error?: string;
  /** Envoy's error, for a listener whose latest update it rejected: the row is the version it still serves. */
  updateRejected?: string;
}

/** istioctl proxy-config listener's filters. */
export interface ListenerFilter {
  /** Chains that can take this port. */
  port?: number;
  /** Listeners bound to this IP. */
  address?: string;
  /** HTTP or TCP chains. */
  type?: "HTTP" | "TCP";
  /** This listener only. */
  name?: string;
}

export function listenerRows(input: LoadedInput, filter: ListenerFilter = {}): ChainRow[] {
  const rows: ChainRow[] = [];
  for (const rec of input.listeners) {
    const peek = peekListener(rec);
    if (filter.name && peek.name !== filter.name) continue;
    if (filter.port !== undefined && !peek.addresses.some((a) => a.port === filter.port) && !peek.chainPorts.includes(filter.port)) continue;
    if (filter.address !== undefined && !peek.addresses.some((a) => a.ip === filter.address)) continue;
    const l = listenerModel(rec);
    if (filter.name && l.name !== filter.name) continue;
    const onPort = (c: ChainModel) => filter.port === undefined || l.address?.port === filter.port || c.match.destinationPort === filter.port || (c.isDefault && l.address?.port === filter.port);
    const ofType = (c: ChainModel) => filter.type === undefined || chainType(c) === filter.type;
    const chains = allChains(l).filter((c) => onPort(c) && ofType(c));
    if ((filter.port !== undefined || filter.type !== undefined) && !chains.length) continue;
    const viaMatcher = l.matcher ? matcherPaths(l.matcher) : undefined;
    const failed = rec.state === "active" ? input.failedUpdates.find((f) => f.kind === "listener" && f.active && f.name === l.name) : undefined;
    const mark = (row: ChainRow): ChainRow => (failed ? { ...row, updateRejected: failed.details } : row);
    for (const c of chains) rows.push(mark(rowOf(l, c, viaMatcher)));
    if (!l.chains.length && !l.defaultChain && (filter.port === undefined || l.address?.port === filter.port) && filter.type === undefined) {
      rows.push(mark(rowOf(l, undefined)));
    }
  }
  // Listeners Envoy rejected and never accepted: one row each, so a listing shows why nothing listens there.
  for (const r of input.rejectedListeners) {
    const peek = peekListener(r.record);
    if (filter.name && r.name !== filter.name) continue;
    if (filter.type !== undefined) continue;
    if (filter.port !== undefined && !peek.addresses.some((a) => a.port === filter.port) && !peek.chainPorts.includes(filter.port)) continue;
    if (filter.address !== undefined && !peek.addresses.some((a) => a.ip === filter.address)) continue;
    rows.push({
      listener: r.name,
      address: peek.addresses[0] ? formatAddr(peek.addresses[0]) : "-",
      state: "error",
      bindToPort: peek.bindToPort,
      listenerFilters: [],
      chain: "(none)",
      index: -2,
      isDefault: false,
      match: null,
      matchText: "-",
      tls: "-",
      type: "NONE",
      transport: { kind: "plaintext" },
      terminal: `rejected by Envoy (never accepted): ${r.details}`,
      error: r.details,
    });
  }
  return rows;
}

function chainType(c: ChainModel): ChainRow["type"] {
  return c.terminal.kind === "hcm" ? "HTTP" : c.terminal.kind === "none" ? "NONE" : "TCP";
}

function rowOf(l: ListenerModel, c: ChainModel | undefined, viaMatcher?: Map<string, string[]>): ChainRow {
  const matcherText = (name: string | undefined) => {
    const paths = name !== undefined ? viaMatcher?.get(name) : undefined;
    return paths?.length ? `matcher: ${paths.join(" | ")}` : "matcher: never selected";
  };
  const lf = l.listenerFilters.map((f) => `${f.kind === "other" ? f.name : f.kind}${f.implicit ? " (implicit)" : ""}${f.disabled ? " (disabled on some ports)" : ""}`);
  return {
    listener: l.name,
    address: formatAddr(l.address),
    state: l.state,
    bindToPort: l.bindToPort,
    listenerFilters: lf,
    chain: c ? chainLabel(c) : "(none)",
    index: c?.index ?? -2,
    ...(c?.name ? { name: c.name } : {}),
    isDefault: c?.isDefault ?? false,
    match: c && !c.isDefault ? c.match : null,
    matchText: c ? (c.isDefault ? "default (when nothing matches)" : l.matcher ? matcherText(c.name) : matchText(c.match)) : "-",
    tls: c ? chainTransportLabel(c) : "-",
    type: c ? chainType(c) : "NONE",
    transport: c?.transport ?? { kind: "plaintext" },
    terminal: c ? terminalText(c.terminal) : "no filter chains",
  };
}

export interface ClusterRow {
  name: string;
  istio: { direction: string; port: number; subset: string; host: string } | null;
  type: string;
  state: string;
  transport: TransportSummary;
  transportSocketMatches: { name: string; match: Record<string, unknown>; transport: TransportSummary }[];
}

/** istioctl proxy-config cluster's filters. */
export interface ClusterFilter {
  /** Clusters whose name contains this. */
  name?: string;
  /** Istio clusters for this port. */
  port?: number;
  /** Istio clusters for this host (or hosts starting with it: "reviews" finds reviews.default.svc.cluster.local). */
  fqdn?: string;
  /** inbound or outbound. */
  direction?: string;
  /** Istio clusters of this subset. */
  subset?: string;
}

export function clusterRows(input: LoadedInput, filter: ClusterFilter = {}): ClusterRow[] {
  return input.clusters
    .map((rec) => {
      const m = clusterModel(rec);
      // The row holds what it needs: a streamed cluster's decoded value can go while young.
      rec.release();
      return m;
    })
    .filter(
      (c) =>
        (!filter.name || c.name.includes(filter.name)) &&
        (filter.port === undefined || c.istio?.port === filter.port) &&
        (filter.fqdn === undefined || c.istio?.host === filter.fqdn || !!c.istio?.host.startsWith(`${filter.fqdn}.`)) &&
        (filter.direction === undefined || c.istio?.direction === filter.direction) &&
        (filter.subset === undefined || c.istio?.subset === filter.subset),
    )
    .map((c) => ({ name: c.name, istio: c.istio ?? null, type: c.type, state: c.record.state, transport: c.transport, transportSocketMatches: c.socketMatches }));
}

/** istioctl proxy-config endpoint's filters. */
export interface EndpointFilter {
  /** Endpoints of clusters whose name contains this. */
  cluster?: string;
  /** Endpoints on this port. */
  port?: number;
  /** Endpoints at this IP. */
  address?: string;
  /** Endpoints whose health status is this (HEALTHY, UNHEALTHY, …; case-insensitive). */
  status?: string;
}

export function endpointRows(input: LoadedInput, filter: EndpointFilter = {}): EndpointModel[] {
  const ip = (a: string) => a.replace(/^\[|\]?:\d+$/g, "");
  return allEndpoints(input, { release: true }).filter(
    (e) =>
      (!filter.cluster || e.cluster.includes(filter.cluster)) &&
      (filter.port === undefined || e.address.endsWith(`:${filter.port}`)) &&
      (filter.address === undefined || ip(e.address) === filter.address) &&
      (filter.status === undefined || e.health.toUpperCase() === filter.status.toUpperCase()),
  );
}

/** Route configurations (of the routes section) that the route rows do not name: no virtual host, or none with a route. */
export function routeConfigsWithoutRoutes(input: LoadedInput, rows: RouteRow[], filter: { name?: string } = {}): string[] {
  const named = new Set(rows.map((r) => r.routeConfig));
  return input.routes.filter((r) => (!filter.name || r.name === filter.name) && !named.has(r.name) && !isInlineCopy(input, r)).map((r) => r.name);
}

/** Endpoint assignments that the endpoint rows do not name (they list none); not looked for when rows are narrowed by port, address or status. */
export function assignmentsWithoutEndpoints(input: LoadedInput, rows: EndpointModel[], filter: EndpointFilter = {}): string[] {
  if (filter.port !== undefined || filter.address !== undefined || filter.status !== undefined) return [];
  const listed = new Set(rows.map((e) => e.cluster));
  return input.endpoints.filter((r) => (!filter.cluster || r.name.includes(filter.cluster)) && !listed.has(r.name)).map((r) => r.name);
}

/**
 * How many of a kind the dump holds before any filter, for a listing whose filters matched nothing
 * ("no clusters on port 1234 (of 25)"): listeners and clusters by name, endpoints one by one, route
 * configurations (the routes section's and those inline in listeners). Endpoints and route
 * configurations are decoded for it: asked only when nothing matched.
 */
export function countInDump(input: LoadedInput, kind: "listeners" | "clusters" | "endpoints" | "routes"): number {
  switch (kind) {
    case "listeners":
      return new Set([...input.listeners.map((r) => r.name), ...input.rejectedListeners.map((r) => r.name)]).size;
    case "clusters":
      return new Set(input.clusters.map((r) => r.name)).size;
    case "endpoints":
      return allEndpoints(input, { release: true }).length;
    case "routes": {
      const rows = routeRows(input, {});
      return new Set(rows.map((r) => r.routeConfig)).size + routeConfigsWithoutRoutes(input, rows).length;
    }
  }
}
