// Envoy's schema (protobufjs reflection), loaded on first use only and type by type: commands that
// need no decoding never pay for it, and one that decodes a listener builds the types its fields lead
// to (a listener: about 85 of the schema's 500 top-level types), not their whole packages.
import protobuf from "protobufjs";
import { schemaTypeJson, schemaTypeNames, schemaTypeRefs } from "../gen/schema.js";
import { V2_TO_V3 } from "../gen/v2-to-v3.js";
import { timed } from "../timings.js";

let root: protobuf.Root | undefined;

export function schemaRoot(): protobuf.Root {
  // Built without Root.fromJSON's resolveAll(): resolving every type up front is most of the cost of
  // loading the schema, and the walker resolves each type's fields when it first meets the type.
  root ??= new protobuf.Root();
  return root;
}

let typeIndex: Map<string, number> | undefined;
const loaded = new Set<number>();

/** Adds a top-level type and every top-level type its fields lead to (references generated from the whole schema resolved). */
function ensureType(start: number): void {
  const r = schemaRoot();
  const todo = [start];
  while (todo.length) {
    const i = todo.pop()!;
    if (loaded.has(i)) continue;
    loaded.add(i);
    const full = schemaTypeNames[i]!;
    const dot = full.lastIndexOf(".");
    const ns = dot < 0 ? r : r.define(full.slice(0, dot));
    ns.addJSON({ [full.slice(dot + 1)]: JSON.parse(schemaTypeJson[i]!) as protobuf.AnyNestedObject });
    for (const d of schemaTypeRefs[i]!) if (!loaded.has(d)) todo.push(d);
  }
}

/** The top-level type that is or holds a type: the longest prefix of its full name that is one (a nested type's is its outer type's). */
function topLevelOf(fullName: string): number | undefined {
  typeIndex ??= new Map(schemaTypeNames.map((n, i) => [n, i]));
  for (let name = fullName; name; name = name.slice(0, Math.max(0, name.lastIndexOf(".")))) {
    const i = typeIndex.get(name);
    if (i !== undefined) return i;
  }
  return undefined;
}

const typeCache = new Map<string, protobuf.Type | null>();

/** A message type by full name (no leading dot), or null. */
export function lookupMessage(fullName: string): protobuf.Type | null {
  let t = typeCache.get(fullName);
  if (t === undefined) {
    try {
      const top = topLevelOf(fullName);
      if (top !== undefined) timed("schema", () => ensureType(top));
      const found = schemaRoot().lookup(fullName);
      t = found instanceof protobuf.Type ? found : null;
    } catch {
      t = null;
    }
    typeCache.set(fullName, t);
  }
  return t;
}

export interface ResolvedTypeUrl {
  type: protobuf.Type;
  /** The v3 full name (no leading dot). */
  name: string;
  /** Set when the URL named a v2 type that was read as its v3 successor. */
  fromV2?: string;
}

/** Resolves a `@type` URL to a message type, reading v2 names through their v3 successors. */
export function resolveTypeUrl(url: string): ResolvedTypeUrl | null {
  const name = url.slice(url.lastIndexOf("/") + 1);
  const direct = lookupMessage(name);
  if (direct) return { type: direct, name };
  const v3 = Object.hasOwn(V2_TO_V3, name) ? V2_TO_V3[name] : undefined;
  if (v3) {
    const t = lookupMessage(v3);
    if (t) return { type: t, name: v3, fromV2: name };
  }
  return null;
}

export const TYPE_URL_PREFIX = "type.googleapis.com/";

export const T = {
  Listener: "envoy.config.listener.v3.Listener",
  Cluster: "envoy.config.cluster.v3.Cluster",
  RouteConfiguration: "envoy.config.route.v3.RouteConfiguration",
  ScopedRouteConfiguration: "envoy.config.route.v3.ScopedRouteConfiguration",
  ClusterLoadAssignment: "envoy.config.endpoint.v3.ClusterLoadAssignment",
  Secret: "envoy.extensions.transport_sockets.tls.v3.Secret",
  Bootstrap: "envoy.config.bootstrap.v3.Bootstrap",
  DownstreamTlsContext: "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
  UpstreamTlsContext: "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
  HttpConnectionManager: "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
  TcpProxy: "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
  RawBuffer: "envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer",
  ProxyProtocolUpstreamTransport: "envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport",
  InternalUpstreamTransport: "envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport",
  TcpStatsConfig: "envoy.extensions.transport_sockets.tcp_stats.v3.Config",
  QuicDownstreamTransport: "envoy.extensions.transport_sockets.quic.v3.QuicDownstreamTransport",
  QuicUpstreamTransport: "envoy.extensions.transport_sockets.quic.v3.QuicUpstreamTransport",
  Matcher: "xds.type.matcher.v3.Matcher",
} as const;
