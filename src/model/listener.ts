// The listener model: everything that decides where a connection lands, and what then handles it.
import type { Address } from "../gen/types/envoy/config/core/v3/address.js";
import type { FilterChain, FilterChainMatch, ListenerFilterChainMatchPredicate } from "../gen/types/envoy/config/listener/v3/listener_components.js";
import type { Listener } from "../gen/types/envoy/config/listener/v3/listener.js";
import type { RouteConfiguration } from "../gen/types/envoy/config/route/v3/route.js";
import type { HttpConnectionManager } from "../gen/types/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js";
import type { TcpProxy } from "../gen/types/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.js";
import type { Matcher } from "../gen/types/xds/type/matcher/v3/matcher.js";
import type { LoadedInput, ResourceRecord, ResourceState } from "../load/dump.js";
import { childPath } from "../diag.js";
import { T } from "../load/schema.js";
import { getKey } from "../load/v2.js";
import { extensionType } from "../load/extensions.js";
import { summariseTransport, type TransportSummary } from "./tls.js";

export interface SocketAddr {
  /** IP address as written (0.0.0.0 / :: for wildcards). */
  ip?: string;
  port?: number;
  ipv4Compat?: boolean;
  /** A custom resolver resolves the address (it need not be an IP literal). */
  resolverName?: string;
  pipe?: string;
  internal?: string;
  /** socket_address.protocol UDP: a UDP listener (QUIC, DNS, UDP proxy), which TCP connections never reach. */
  udp?: true;
}

export type ListenerFilterKind = "tls_inspector" | "http_inspector" | "original_dst" | "proxy_protocol" | "original_src" | "other";

export interface ListenerFilterModel {
  name: string;
  kind: ListenerFilterKind;
  disabled?: ListenerFilterChainMatchPredicate;
  /** Not in the config: added by Envoy (use_original_dst, or an old Envoy's automatic tls_inspector). */
  implicit?: string;
}

export type Terminal =
  | {
      kind: "hcm";
      routeConfigName?: string;
      inlineRoutes?: RouteConfiguration;
      scopedRoutes?: boolean;
      statPrefix?: string;
      httpFilters: string[];
      /** How the connection manager prepares a request before routing (use_remote_address, strip_*_host_port). */
      useRemoteAddress?: boolean;
      stripAnyHostPort?: boolean;
      stripMatchingHostPort?: boolean;
    }
  | { kind: "tcp_proxy"; cluster?: string; weightedClusters?: { name: string; weight: number }[]; statPrefix?: string }
  | { kind: "other"; name: string }
  | { kind: "none" };

export interface ChainModel {
  /** Position in the listener's filter_chains (-1 for the default chain). */
  index: number;
  name?: string;
  isDefault: boolean;
  match: FilterChainMatch;
  transport: TransportSummary;
  filters: { name: string; type?: string }[];
  terminal: Terminal;
  path: string;
}

export interface ListenerModel {
  record: ResourceRecord;
  name: string;
  state: ResourceState;
  address?: SocketAddr;
  additionalAddresses: SocketAddr[];
  bindToPort: boolean;
  useOriginalDst: boolean;
  transparent: boolean;
  listenerFilters: ListenerFilterModel[];
  listenerFiltersTimeout?: string;
  continueOnListenerFiltersTimeout: boolean;
  trafficDirection?: string;
  chains: ChainModel[];
  defaultChain?: ChainModel;
  matcher?: Matcher;
  fromV2: boolean;
  /** Envoy adds a tls_inspector itself (Envoy < 1.17 with TLS-dependent matches). */
  implicitTlsInspector: boolean;
}

/** A listener's chains, its default chain last. */
export function allChains(l: Pick<ListenerModel, "chains" | "defaultChain">): ChainModel[] {
  return l.defaultChain ? [...l.chains, l.defaultChain] : l.chains;
}

/** Listener filters by the v3 type of their config (names resolve to it through load/extensions.ts). */
const LISTENER_FILTER_KINDS: Record<string, ListenerFilterKind> = {
  "envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector": "tls_inspector",
  "envoy.extensions.filters.listener.http_inspector.v3.HttpInspector": "http_inspector",
  "envoy.extensions.filters.listener.original_dst.v3.OriginalDst": "original_dst",
  "envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol": "proxy_protocol",
  "envoy.extensions.filters.listener.original_src.v3.OriginalSrc": "original_src",
};
// Looked up with names from the dump: no prototype, so "constructor" or "__proto__" find nothing.
Object.setPrototypeOf(LISTENER_FILTER_KINDS, null);

export function addressOf(a: Address | undefined): SocketAddr | undefined {
  if (!a) return undefined;
  if (a.socketAddress) {
    const s = a.socketAddress;
    return { ip: s.address ?? "", port: s.portValue ?? 0, ...(s.ipv4Compat ? { ipv4Compat: true } : {}), ...(s.resolverName ? { resolverName: s.resolverName } : {}), ...(s.protocol === "UDP" ? { udp: true as const } : {}) };
  }
  if (a.pipe) return { pipe: a.pipe.path ?? "" };
  if (a.envoyInternalAddress) return { internal: a.envoyInternalAddress.serverListenerName ?? "" };
  return undefined;
}

export function formatAddr(a: SocketAddr | undefined): string {
  if (!a) return "-";
  if (a.pipe !== undefined) return `unix:${a.pipe}`;
  if (a.internal !== undefined) return `internal:${a.internal}`;
  return `${a.ip?.includes(":") ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`}${a.udp ? "/udp" : ""}`;
}

function typeOf(tc: { "@type"?: string } | undefined): string | undefined {
  return tc?.["@type"]?.split("/").pop();
}

export function terminalOf(filters: FilterChain["filters"]): Terminal {
  const last = filters?.[filters.length - 1];
  if (!last) return { kind: "none" };
  for (const f of filters ?? []) {
    const type = extensionType(f.name, f.typedConfig);
    if (type === T.HttpConnectionManager) {
      const hcm = (f.typedConfig ?? {}) as HttpConnectionManager;
      return {
        kind: "hcm",
        ...(hcm.rds?.routeConfigName !== undefined ? { routeConfigName: hcm.rds.routeConfigName } : {}),
        ...(hcm.routeConfig ? { inlineRoutes: hcm.routeConfig } : {}),
        ...(hcm.scopedRoutes ? { scopedRoutes: true } : {}),
        ...(hcm.statPrefix ? { statPrefix: hcm.statPrefix } : {}),
        httpFilters: (hcm.httpFilters ?? []).map((h) => h.name ?? ""),
        ...(hcm.useRemoteAddress === true ? { useRemoteAddress: true } : {}),
        ...(hcm.stripAnyHostPort === true ? { stripAnyHostPort: true } : {}),
        ...(hcm.stripMatchingHostPort === true ? { stripMatchingHostPort: true } : {}),
      };
    }
    if (type === T.TcpProxy) {
      const tp = (f.typedConfig ?? {}) as TcpProxy;
      return {
        kind: "tcp_proxy",
        ...(tp.cluster !== undefined ? { cluster: tp.cluster } : {}),
        ...(tp.weightedClusters ? { weightedClusters: (tp.weightedClusters.clusters ?? []).map((c) => ({ name: c.name ?? "", weight: c.weight ?? 0 })) } : {}),
        ...(tp.statPrefix ? { statPrefix: tp.statPrefix } : {}),
      };
    }
  }
  return { kind: "other", name: last.name ?? typeOf(last.typedConfig) ?? "" };
}

function chainOf(fc: FilterChain, index: number, isDefault: boolean, path: string): ChainModel {
  return {
    index,
    ...(fc.name ? { name: fc.name } : {}),
    isDefault,
    match: fc.filterChainMatch ?? {},
    transport: summariseTransport(fc.transportSocket, "downstream"),
    filters: (fc.filters ?? []).map((f) => ({ name: f.name ?? "", ...(typeOf(f.typedConfig) ? { type: typeOf(f.typedConfig) } : {}) })),
    terminal: terminalOf(fc.filters),
    path,
  };
}

/** Whether a chain's match asks for what only tls_inspector reveals: transport tls, or (with no transport asked for) SNI or ALPN. */
export function asksForTls(c: ChainModel): boolean {
  const tp = c.match.transportProtocol ?? "";
  return tp === "tls" || (tp === "" && ((c.match.serverNames?.length ?? 0) > 0 || (c.match.applicationProtocols?.length ?? 0) > 0));
}

/** Whether an old Envoy would add a tls_inspector by itself (envoy-matching.md §3.8). */
function needsTlsInspector(chains: ChainModel[]): boolean {
  return chains.some(asksForTls);
}

/** Envoy below 1.17 injects tls_inspector; the version comes from the bootstrap, else from the dump's API era. */
export function oldEnvoy(input: LoadedInput, fromV2: boolean): boolean {
  const id = input.identity;
  const ver = id?.envoyVersion ?? "";
  const m = /^1\.(\d+)\./.exec(ver);
  if (m) return Number(m[1]) < 17;
  const iv = /^1\.(\d+)/.exec(id?.istioVersion ?? "");
  if (iv) return Number(iv[1]) < 9; // Istio 1.8 shipped Envoy 1.16
  return fromV2;
}

const modelCache = new WeakMap<ResourceRecord, ListenerModel>();

export function listenerModel(rec: ResourceRecord): ListenerModel {
  let m = modelCache.get(rec);
  if (m) return m;
  const l = rec.value as Listener;
  const chainsPath = childPath(rec.path, "filterChains");
  const chains = (l.filterChains ?? []).map((fc, i) => chainOf(fc, i, false, childPath(chainsPath, i)));
  const defaultChain = l.defaultFilterChain ? chainOf(l.defaultFilterChain, -1, true, childPath(rec.path, "defaultFilterChain")) : undefined;
  const listenerFilters: ListenerFilterModel[] = (l.listenerFilters ?? []).map((f) => {
    const kind = LISTENER_FILTER_KINDS[extensionType(f.name, f.typedConfig) ?? ""] ?? "other";
    return { name: f.name ?? "", kind, ...(f.filterDisabled ? { disabled: f.filterDisabled } : {}) };
  });
  const useOriginalDst = l.useOriginalDst === true;
  if (useOriginalDst) listenerFilters.push({ name: "envoy.filters.listener.original_dst", kind: "original_dst", implicit: "use_original_dst: true" });
  const fromV2 = rec.fromV2;
  const implicitTlsInspector =
    !listenerFilters.some((f) => f.kind === "tls_inspector") && !l.filterChainMatcher && needsTlsInspector(chains) && oldEnvoy(rec.input, fromV2);
  if (implicitTlsInspector) {
    listenerFilters.push({ name: "envoy.filters.listener.tls_inspector", kind: "tls_inspector", implicit: "added by Envoy < 1.17: a chain matches on TLS, SNI or ALPN" });
  }
  m = {
    record: rec,
    name: l.name ?? rec.name,
    state: rec.state,
    address: addressOf(l.address),
    additionalAddresses: (l.additionalAddresses ?? []).map((a) => addressOf(a.address)).filter((a): a is SocketAddr => !!a),
    bindToPort: l.bindToPort !== false,
    useOriginalDst,
    transparent: l.transparent === true,
    listenerFilters,
    ...(l.listenerFiltersTimeout ? { listenerFiltersTimeout: l.listenerFiltersTimeout } : {}),
    continueOnListenerFiltersTimeout: l.continueOnListenerFiltersTimeout === true,
    ...(l.trafficDirection ? { trafficDirection: l.trafficDirection } : {}),
    chains,
    ...(defaultChain ? { defaultChain } : {}),
    ...(l.filterChainMatcher ? { matcher: l.filterChainMatcher } : {}),
    fromV2,
    implicitTlsInspector,
  };
  modelCache.set(rec, m);
  return m;
}

/** A one-line description of a filter_chain_match, in the order Envoy evaluates it. */
export function matchText(m: FilterChainMatch): string {
  const parts: string[] = [];
  if (m.destinationPort) parts.push(`port ${m.destinationPort}`);
  if (m.prefixRanges?.length) parts.push(`dst ${m.prefixRanges.map(cidrText).join(",")}`);
  if (m.serverNames?.length) parts.push(`SNI ${m.serverNames.join(",")}`);
  if (m.transportProtocol) parts.push(`transport ${m.transportProtocol}`);
  if (m.applicationProtocols?.length) parts.push(`ALPN ${m.applicationProtocols.join(",")}`);
  if (m.directSourcePrefixRanges?.length) parts.push(`direct src ${m.directSourcePrefixRanges.map(cidrText).join(",")}`);
  if (m.sourceType && m.sourceType !== "ANY") parts.push(`source ${m.sourceType === "SAME_IP_OR_LOOPBACK" ? "local" : "external"}`);
  if (m.sourcePrefixRanges?.length) parts.push(`src ${m.sourcePrefixRanges.map(cidrText).join(",")}`);
  if (m.sourcePorts?.length) parts.push(`src port ${m.sourcePorts.join(",")}`);
  if (m.addressSuffix || m.suffixLen !== undefined) parts.push(`address suffix ${m.addressSuffix ?? ""}/${m.suffixLen ?? ""}`);
  return parts.length ? parts.join("; ") : "{} (any)";
}

export function cidrText(c: { addressPrefix?: string; prefixLen?: number }): string {
  return `${c.addressPrefix ?? ""}/${c.prefixLen ?? 0}`;
}

export function terminalText(t: Terminal): string {
  switch (t.kind) {
    case "hcm":
      return t.routeConfigName !== undefined ? `HTTP → routes ${t.routeConfigName}` : t.inlineRoutes ? `HTTP → inline routes${t.inlineRoutes.name ? ` ${t.inlineRoutes.name}` : ""}` : t.scopedRoutes ? "HTTP → scoped routes" : "HTTP";
    case "tcp_proxy":
      return t.cluster !== undefined ? `TCP → ${t.cluster}` : t.weightedClusters ? `TCP → ${t.weightedClusters.map((w) => `${w.name} (${w.weight})`).join(", ")}` : "TCP";
    case "other":
      return t.name;
    case "none":
      return "(no filters: closes the connection)";
  }
}

export function chainLabel(c: ChainModel): string {
  if (c.isDefault) return `default${c.name ? ` "${c.name}"` : ""}`;
  return `#${c.index}${c.name ? ` "${c.name}"` : ""}`;
}

/** What listener selection needs, read from the raw JSON without decoding the listener. */
export interface ListenerPeek {
  rec: ResourceRecord;
  name: string;
  addresses: SocketAddr[];
  bindToPort: boolean;
  /** use_original_dst, or an original_dst listener filter. */
  capture: boolean;
  /** destination_port values of its chains (read on first use: a streamed listener's chains are read from the file then). */
  readonly chainPorts: number[];
  /** traffic_direction, where the listener says it. */
  direction?: "INBOUND" | "OUTBOUND";
  /** A Cilium proxy listener (its cilium.bpf_metadata listener filter): Cilium's eBPF sends it connections. */
  cilium?: boolean;
  /** Its address is UDP (QUIC for HTTP/3, a UDP proxy): no TCP connection reaches it. */
  udp?: boolean;
}

const peekCache = new WeakMap<ResourceRecord, ListenerPeek>();

export function peekListener(rec: ResourceRecord): ListenerPeek {
  let p = peekCache.get(rec);
  if (p) return p;
  // Its outline will do: a streamed listener's filter chains are not read to place it.
  const raw = (rec.outline && typeof rec.outline === "object" ? rec.outline : {}) as Record<string, unknown>;
  const obj = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const addr = (a: unknown): SocketAddr | undefined => {
    const sa = obj(getKey(obj(a), "socket_address"));
    if (!Object.keys(sa).length) return undefined;
    // Read from the raw JSON: anything but a string address or an integer port (a hostile or templated dump) is none.
    const rawPort = Number(getKey(sa, "port_value") ?? 0);
    const port = Number.isInteger(rawPort) && rawPort >= 0 && rawPort <= 65535 ? rawPort : 0;
    const rawIp = getKey(sa, "address");
    const proto = getKey(sa, "protocol");
    const udp = (typeof proto === "string" && proto.toUpperCase() === "UDP") || proto === 1;
    return { ip: typeof rawIp === "string" ? rawIp : "", port, ...(getKey(sa, "ipv4_compat") === true ? { ipv4Compat: true } : {}), ...(udp ? { udp: true as const } : {}) };
  };
  const addresses = [addr(getKey(raw, "address")), ...((getKey(raw, "additional_addresses") as unknown[] | undefined) ?? []).map((x) => addr(getKey(obj(x), "address")))].filter(
    (a): a is SocketAddr => !!a,
  );
  const bool = (v: unknown) => (v && typeof v === "object" ? obj(v).value : v);
  const bind = bool(getKey(raw, "bind_to_port")) !== false && bool(getKey(obj(getKey(raw, "deprecated_v1")), "bind_to_port")) !== false;
  const lfs = (getKey(raw, "listener_filters") as unknown[] | undefined) ?? [];
  // getKey also finds Envoy 1.15-1.17's hidden_envoy_deprecated_use_original_dst (Istio 1.7-1.9's virtualOutbound).
  const capture = bool(getKey(raw, "use_original_dst")) === true || (Array.isArray(lfs) && lfs.some((f) => /original_dst/.test(String(getKey(obj(f), "name") ?? "")) || /OriginalDst/.test(String(obj(getKey(obj(f), "typed_config"))["@type"] ?? ""))));
  const cilium = Array.isArray(lfs) && lfs.some((f) => getKey(obj(f), "name") === "cilium.bpf_metadata" || obj(getKey(obj(f), "typed_config"))["@type"] === "type.googleapis.com/cilium.BpfMetadata");
  let chainPorts: number[] | undefined;
  const ports = () => {
    // A streamed listener whose bytes hold no destination_port key has none: its chains are not read for that.
    if (!rec.mayHaveKey("destination_port")) return [];
    const chains = getKey(obj(rec.raw), "filter_chains");
    return (Array.isArray(chains) ? chains : []).map((c) => Number(bool(getKey(obj(getKey(obj(c), "filter_chain_match")), "destination_port")) ?? 0)).filter((n) => n > 0);
  };
  const td = String(getKey(raw, "traffic_direction") ?? "").toUpperCase();
  p = {
    rec,
    name: String(getKey(raw, "name") ?? rec.name),
    addresses,
    bindToPort: bind,
    capture,
    get chainPorts() {
      return (chainPorts ??= ports());
    },
    ...(td === "INBOUND" || td === "OUTBOUND" ? { direction: td } : {}),
    ...(cilium ? { cilium } : {}),
    ...(addresses[0]?.udp ? { udp: true } : {}),
  };
  peekCache.set(rec, p);
  return p;
}

/** Is the destination port an HTTP port in this dump (its chains end in an HTTP connection manager)? */
export function portIsHttp(input: LoadedInput, port: number): boolean {
  let http = 0;
  let tcp = 0;
  for (const { chain: c } of chainsForPort(input, port)) {
    if (c.terminal.kind === "hcm") http++;
    else if (c.terminal.kind === "tcp_proxy") tcp++;
  }
  return http > 0 && http >= tcp;
}

/** The chains that serve `port`: a capture listener's for that destination port, a bound listener's on it. Only listeners that can serve the port are decoded. */
export function* chainsForPort(input: LoadedInput, port: number): Generator<{ peek: ListenerPeek; chain: ChainModel }> {
  for (const rec of input.listeners) {
    const peek = peekListener(rec);
    if (!peek.capture && !peek.addresses.some((a) => a.port === port)) continue;
    const l = listenerModel(rec);
    for (const chain of l.chains) if (chain.match.destinationPort === port || (l.address?.port === port && !chain.match.destinationPort)) yield { peek, chain };
  }
}
