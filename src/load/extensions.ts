// Envoy extension names, in one place: the deprecated names Envoy still accepts as aliases
// (envoy-matching.md §7), and the v3 config type of each current name. Used to read v2 `config`
// Structs, to recognise filters named without a typed config, and to keep renames out of diffs.
import { T } from "./schema.js";

/** Deprecated extension names and the names they became. */
const DEPRECATED: Record<string, string> = {
  "envoy.http_connection_manager": "envoy.filters.network.http_connection_manager",
  "envoy.tcp_proxy": "envoy.filters.network.tcp_proxy",
  "envoy.ratelimit": "envoy.filters.network.ratelimit",
  "envoy.ext_authz": "envoy.filters.network.ext_authz",
  "envoy.router": "envoy.filters.http.router",
  "envoy.cors": "envoy.filters.http.cors",
  "envoy.fault": "envoy.filters.http.fault",
  "envoy.grpc_web": "envoy.filters.http.grpc_web",
  "envoy.lua": "envoy.filters.http.lua",
  "envoy.health_check": "envoy.filters.http.health_check",
  "envoy.gzip": "envoy.filters.http.gzip",
  "envoy.listener.tls_inspector": "envoy.filters.listener.tls_inspector",
  "envoy.listener.http_inspector": "envoy.filters.listener.http_inspector",
  "envoy.listener.original_dst": "envoy.filters.listener.original_dst",
  "envoy.listener.proxy_protocol": "envoy.filters.listener.proxy_protocol",
  "envoy.listener.original_src": "envoy.filters.listener.original_src",
  "envoy.file_access_log": "envoy.access_loggers.file",
};
// Looked up with names from the dump: no prototype, so "constructor" or "__proto__" find nothing.
Object.setPrototypeOf(DEPRECATED, null);

/** v2 short transport socket names; only meaningful on a transport socket. */
const DEPRECATED_SOCKETS: Record<string, string> = {
  tls: "envoy.transport_sockets.tls",
  raw_buffer: "envoy.transport_sockets.raw_buffer",
};
// Looked up with names from the dump: no prototype, so "constructor" or "__proto__" find nothing.
Object.setPrototypeOf(DEPRECATED_SOCKETS, null);

/** Current extension names and the v3 type of their config. */
const CONFIG_TYPE: Record<string, string> = {
  "envoy.filters.network.http_connection_manager": T.HttpConnectionManager,
  "envoy.filters.network.tcp_proxy": T.TcpProxy,
  "envoy.filters.network.rbac": "envoy.extensions.filters.network.rbac.v3.RBAC",
  "envoy.filters.network.sni_cluster": "envoy.extensions.filters.network.sni_cluster.v3.SniCluster",
  "envoy.filters.network.ext_authz": "envoy.extensions.filters.network.ext_authz.v3.ExtAuthz",
  "envoy.filters.http.router": "envoy.extensions.filters.http.router.v3.Router",
  "envoy.filters.http.cors": "envoy.extensions.filters.http.cors.v3.Cors",
  "envoy.filters.http.fault": "envoy.extensions.filters.http.fault.v3.HTTPFault",
  "envoy.filters.http.rbac": "envoy.extensions.filters.http.rbac.v3.RBAC",
  "envoy.filters.http.jwt_authn": "envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
  "envoy.filters.http.grpc_web": "envoy.extensions.filters.http.grpc_web.v3.GrpcWeb",
  "envoy.filters.http.lua": "envoy.extensions.filters.http.lua.v3.Lua",
  "envoy.filters.http.health_check": "envoy.extensions.filters.http.health_check.v3.HealthCheck",
  "envoy.filters.http.gzip": "envoy.extensions.filters.http.gzip.v3.Gzip",
  "envoy.filters.listener.tls_inspector": "envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector",
  "envoy.filters.listener.http_inspector": "envoy.extensions.filters.listener.http_inspector.v3.HttpInspector",
  "envoy.filters.listener.original_dst": "envoy.extensions.filters.listener.original_dst.v3.OriginalDst",
  "envoy.filters.listener.proxy_protocol": "envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol",
  "envoy.filters.listener.original_src": "envoy.extensions.filters.listener.original_src.v3.OriginalSrc",
  "envoy.access_loggers.file": "envoy.extensions.access_loggers.file.v3.FileAccessLog",
  "envoy.transport_sockets.raw_buffer": T.RawBuffer,
};
// Looked up with names from the dump: no prototype, so "constructor" or "__proto__" find nothing.
Object.setPrototypeOf(CONFIG_TYPE, null);

/** The current name of an extension (deprecated aliases resolved). */
export function currentName(name: string, transportSocket = false): string {
  return DEPRECATED[name] ?? (transportSocket ? DEPRECATED_SOCKETS[name] : undefined) ?? name;
}

/** The v3 config type an extension named `name` takes, if known. */
export function configTypeOf(name: string, transportSocket = false): string | undefined {
  return CONFIG_TYPE[currentName(name, transportSocket)];
}

/**
 * What an extension is: the type of its typed config, or, when it has none (v2 name-only filters)
 * or only an untyped Struct, the type its name stands for.
 */
export function extensionType(name: string | undefined, typedConfig: { "@type"?: string } | undefined): string | undefined {
  const t = typedConfig?.["@type"]?.split("/").pop();
  if (t && t !== "google.protobuf.Struct") return t;
  return name ? configTypeOf(name) : undefined;
}
