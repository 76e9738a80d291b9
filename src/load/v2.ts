// The v2 -> v3 upgrade, in one place. v2 `@type` names are read through their v3 successors
// (schema.ts, from `previous_message_type`); this file maps the few v2-only *fields* the way
// Envoy's own v2 -> v3 handling did. Each hook runs on the raw JSON of one message type before
// it is walked, returns a new object (the input is never modified), and records what it did.
import type { LazyPath } from "./keys.js";
import type { WalkContext } from "./walk.js";
import { canonicalKey, HIDDEN, isObject, pathText } from "./keys.js";
import { setOwn } from "./tolerant-json.js";
import { T, TYPE_URL_PREFIX } from "./schema.js";
import { configTypeOf, currentName } from "./extensions.js";

type Obj = Record<string, unknown>;
type Hook = (v: Obj, ctx: WalkContext, path: LazyPath) => Obj;

/**
 * Finds a key by its snake_case or camelCase spelling, else by the `hidden_envoy_deprecated_` form
 * Envoy 1.15-1.17 print deprecated fields in (so raw reads, such as a listener's peek, see them too).
 */
export function keyOf(o: Obj, snake: string): string | undefined {
  const want = canonicalKey(snake);
  let hidden: string | undefined;
  for (const k of Object.keys(o)) {
    const c = canonicalKey(k);
    if (c === want) return k;
    if (isHiddenForm(c, want)) hidden = k;
  }
  return hidden;
}

/** Whether a key (canonicalKey form) is the `hidden_envoy_deprecated_` form of `want`. */
function isHiddenForm(c: string, want: string): boolean {
  return c.length === HIDDEN.length + want.length && c.startsWith(HIDDEN) && c.endsWith(want);
}
/** keyOf of several keys (snake_case, each in canonicalKey form as `wants`), in one pass over `o`'s keys: each as keyOf finds it. */
export function keysOf(o: Obj, wants: readonly string[]): (string | undefined)[] {
  const found: (string | undefined)[] = new Array<string | undefined>(wants.length).fill(undefined);
  let hidden: (string | undefined)[] | undefined;
  for (const k of Object.keys(o)) {
    const c = canonicalKey(k);
    for (let j = 0; j < wants.length; j++) {
      const want = wants[j]!;
      if (c === want) {
        if (found[j] === undefined) found[j] = k;
      } else if (isHiddenForm(c, want)) (hidden ??= [])[j] = k;
    }
  }
  if (hidden) for (let j = 0; j < wants.length; j++) found[j] ??= hidden[j];
  return found;
}

/** Whether `o` has any of these keys (each in canonicalKey form, as keysOf's), in any spelling keyOf finds: one pass over its keys. */
export function hasAnyKey(o: Obj, wants: readonly string[]): boolean {
  for (const k of Object.keys(o)) {
    const c = canonicalKey(k);
    for (const want of wants) if (c === want || isHiddenForm(c, want)) return true;
  }
  return false;
}
export function getKey(o: Obj, snake: string): unknown {
  const k = keyOf(o, snake);
  return k === undefined ? undefined : o[k];
}
function without(o: Obj, ...snakes: string[]): Obj {
  const drop = new Set(snakes.map(canonicalKey));
  const out: Obj = {};
  for (const k of Object.keys(o)) if (!drop.has(canonicalKey(k))) setOwn(out, k, o[k]);
  return out;
}

/** v2 `config: Struct` on a named extension -> v3 `typed_config`. Unknown names keep the Struct. */
function configToTyped(kind: string, tlsType?: string): Hook {
  return (v, ctx) => {
    const ck = keyOf(v, "config");
    if (ck === undefined) return v;
    const name = String(getKey(v, "name") ?? "");
    const config = v[ck];
    const out = without(v, "config");
    if (keyOf(v, "typed_config") !== undefined) return out; // v2 rule: typed_config wins
    const socket = tlsType !== undefined;
    let type = configTypeOf(name, socket);
    if (!type && socket && currentName(name, true) === "envoy.transport_sockets.tls") type = tlsType;
    if (type && isObject(config)) {
      setOwn(out, "typed_config", { "@type": TYPE_URL_PREFIX + type, ...config });
      ctx.upgrades.add(`${kind} "${name}": v2 config read as ${type}`);
    } else {
      setOwn(out, "typed_config", { "@type": `${TYPE_URL_PREFIX}google.protobuf.Struct`, value: config ?? {} });
      ctx.upgrades.add(`${kind} "${name}": v2 untyped config kept as a Struct`);
    }
    return out;
  };
}

function tlsContextToSocket(tlsType: string, what: string): Hook {
  return (v, ctx) => {
    const k = keyOf(v, "tls_context");
    if (k === undefined) return v;
    const tls = v[k];
    const out = without(v, "tls_context");
    // v2 rule: if both are set, transport_socket wins (listener_components.proto, cluster.proto).
    if (keyOf(v, "transport_socket") === undefined && isObject(tls)) {
      setOwn(out, "transport_socket", {
        name: "envoy.transport_sockets.tls",
        typed_config: { "@type": TYPE_URL_PREFIX + tlsType, ...tls },
      });
      ctx.upgrades.add(`${what} tls_context -> transport_socket (${tlsType.split(".").pop()})`);
    }
    return out;
  };
}

function dropV2Only(what: string, ...snakes: string[]): Hook {
  return (v, ctx) => {
    const present = snakes.filter((s) => keyOf(v, s) !== undefined);
    if (!present.length) return v;
    ctx.upgrades.add(`${what}: v2-only ${present.join(", ")} dropped (no v3 equivalent that matters here)`);
    return without(v, ...present);
  };
}

/** A v2 enum value that v3 renamed. */
function renameEnum(snake: string, from: string, to: string): Hook {
  return (v, ctx) => {
    const k = keyOf(v, snake);
    if (k === undefined || v[k] !== from) return v;
    const out = { ...v };
    setOwn(out, k, to);
    ctx.upgrades.add(`${snake} ${from} -> ${to}`);
    return out;
  };
}

/** A v2 field that v3 renamed (same meaning, same value). */
function renameField(what: string, renames: Record<string, string>): Hook {
  return (v, ctx) => {
    let out = v;
    for (const [from, to] of Object.entries(renames)) {
      const k = keyOf(out, from);
      if (k === undefined || keyOf(out, to) !== undefined) continue;
      const value = out[k];
      out = without(out, from);
      setOwn(out, to, value);
      ctx.upgrades.add(`${what} ${from} -> ${to}`);
    }
    return out;
  };
}

/** v2 deprecated `regex` string fields -> v3 `safe_regex` (RE2). */
function regexToSafe(from: string, to: string): Hook {
  return (v, ctx) => {
    const k = keyOf(v, from);
    if (k === undefined || typeof v[k] !== "string" || keyOf(v, to) !== undefined) return v;
    const out = without(v, from);
    setOwn(out, to, { google_re2: {}, regex: v[k] });
    ctx.upgrades.add(`${from} -> ${to}`);
    return out;
  };
}

/**
 * Envoy 1.15-1.17 (Istio 1.7-1.9) renamed deprecated v3 fields `hidden_envoy_deprecated_<name>` and its
 * config dumps print them so (`hiddenEnvoyDeprecatedUseOriginalDst`): read as `<name>`, which v3 still
 * has (use_original_dst) or the v2 hooks map (tls_context, config, hosts, regex, …). A name also given
 * plainly wins. Cheap when absent: only keys long enough and starting with "h" are looked at.
 */
export function unhideDeprecated(v: Obj, ctx: WalkContext): Obj {
  let out: Obj | undefined;
  // for…in allocates no key list: this runs on every message decoded. JSON objects inherit no enumerable keys.
  for (const key in v) {
    const c0 = key.charCodeAt(0);
    if ((c0 !== 104 && c0 !== 72) || key.length <= HIDDEN.length || !Object.hasOwn(v, key) || !canonicalKey(key).startsWith(HIDDEN)) continue;
    const bare = key.startsWith("hidden_envoy_deprecated_") ? key.slice(24) : key.slice(21, 22).toLowerCase() + key.slice(22);
    if (!bare) continue;
    out ??= { ...v };
    const value = out[key];
    delete out[key];
    if (keyOf(out, bare) === undefined) setOwn(out, bare, value);
    ctx.upgrades.add(`${key} read as ${bare}`);
  }
  return out ?? v;
}

const chain = (...hooks: Hook[]): Hook => (v, ctx, path) => hooks.reduce((acc, h) => h(acc, ctx, path), v);

export const V2_HOOKS: Record<string, Hook> = {
  "envoy.config.listener.v3.Listener": (v, ctx) => {
    const k = keyOf(v, "deprecated_v1");
    if (k === undefined) return v;
    const dv1 = v[k];
    const out = without(v, "deprecated_v1");
    const b = isObject(dv1) ? getKey(dv1, "bind_to_port") : undefined;
    if (b !== undefined) {
      const cur = getKey(v, "bind_to_port");
      const curBool = isObject(cur) ? cur.value : cur;
      // Envoy binds only if both Listener.bind_to_port and deprecated_v1.bind_to_port are true.
      const bind = (curBool ?? true) !== false && (isObject(b) ? b.value : b) !== false;
      for (const key of Object.keys(out)) if (canonicalKey(key) === "bindtoport") delete out[key];
      setOwn(out, "bind_to_port", bind);
      ctx.upgrades.add(`listener deprecated_v1.bind_to_port -> bind_to_port`);
    }
    return out;
  },
  "envoy.config.listener.v3.FilterChain": tlsContextToSocket(T.DownstreamTlsContext, "filter chain"),
  "envoy.config.listener.v3.FilterChainMatch": (v, ctx) => {
    let out = v;
    const sni = keyOf(v, "sni_domains");
    if (sni !== undefined) {
      out = without(out, "sni_domains");
      if (keyOf(v, "server_names") === undefined) setOwn(out, "server_names", v[sni]);
      ctx.upgrades.add("filter_chain_match.sni_domains -> server_names");
    }
    const st = keyOf(out, "source_type");
    if (st !== undefined && out[st] === "LOCAL") {
      out = { ...out };
      setOwn(out, st, "SAME_IP_OR_LOOPBACK");
      ctx.upgrades.add("filter_chain_match.source_type LOCAL -> SAME_IP_OR_LOOPBACK");
    }
    return out;
  },
  "envoy.config.listener.v3.Filter": configToTyped("network filter"),
  "envoy.config.listener.v3.ListenerFilter": configToTyped("listener filter"),
  "envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter": configToTyped("http filter"),
  "envoy.config.accesslog.v3.AccessLog": configToTyped("access log"),
  "envoy.config.cluster.v3.Cluster": chain(tlsContextToSocket(T.UpstreamTlsContext, "cluster"), renameEnum("lb_policy", "ORIGINAL_DST_LB", "CLUSTER_PROVIDED"), (v, ctx) => {
    const k = keyOf(v, "hosts");
    if (k === undefined) return v;
    const hosts = v[k];
    const out = without(v, "hosts");
    if (keyOf(v, "load_assignment") === undefined && Array.isArray(hosts)) {
      setOwn(out, "load_assignment", {
        cluster_name: getKey(v, "name"),
        endpoints: [{ lb_endpoints: hosts.map((address) => ({ endpoint: { address } })) }],
      });
      ctx.upgrades.add("cluster hosts -> load_assignment");
    }
    return out;
  }),
  "envoy.config.core.v3.TransportSocket": (v, ctx, path) =>
    keyOf(v, "config") === undefined
      ? v
      : configToTyped("transport socket", /filterChains|filter_chains|defaultFilterChain|default_filter_chain/.test(pathText(path)) ? T.DownstreamTlsContext : T.UpstreamTlsContext)(v, ctx, path),
  "envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext": (v, ctx) => {
    const k = keyOf(v, "verify_subject_alt_name");
    if (k === undefined) return v;
    const sans = v[k];
    const out = without(v, "verify_subject_alt_name");
    if (Array.isArray(sans)) {
      const mk = keyOf(v, "match_subject_alt_names");
      const existing = mk ? (v[mk] as unknown[]) : [];
      setOwn(out, mk ?? "match_subject_alt_names", [...(Array.isArray(existing) ? existing : []), ...sans.map((s) => ({ exact: s }))]);
      ctx.upgrades.add("verify_subject_alt_name -> match_subject_alt_names (exact)");
    }
    return out;
  },
  "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.Tracing": dropV2Only("HCM tracing", "operation_name"),
  "envoy.config.route.v3.Route": dropV2Only("route", "per_filter_config"),
  "envoy.config.route.v3.VirtualHost": dropV2Only("virtual host", "per_filter_config"),
  "envoy.config.route.v3.WeightedCluster.ClusterWeight": dropV2Only("weighted cluster", "per_filter_config"),
  "envoy.config.route.v3.RouteAction": chain(dropV2Only("route action", "use_websocket"), renameField("route action", { host_rewrite: "host_rewrite_literal", auto_host_rewrite_header: "host_rewrite_header" })),
  "envoy.type.matcher.v3.StringMatcher": regexToSafe("regex", "safe_regex"),
  "envoy.config.route.v3.RouteMatch": regexToSafe("regex", "safe_regex"),
  "envoy.config.route.v3.HeaderMatcher": regexToSafe("regex_match", "safe_regex_match"),
  "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy": (v, ctx) => {
    // Envoy's v1 JSON form inside v2 config: {deprecated_v1: true, value: {stat_prefix, route_config: {routes}}}.
    if (getKey(v, "deprecated_v1") !== true || !isObject(getKey(v, "value"))) return v;
    const value = getKey(v, "value") as Obj;
    const rc = getKey(value, "route_config");
    const routes = isObject(rc) && Array.isArray(getKey(rc, "routes")) ? (getKey(rc, "routes") as unknown[]).filter(isObject) : [];
    const out: Obj = {};
    const sp = getKey(value, "stat_prefix");
    if (sp !== undefined) setOwn(out, "stat_prefix", sp);
    const first = routes[0] ? getKey(routes[0], "cluster") : undefined;
    if (first !== undefined) setOwn(out, "cluster", first);
    ctx.upgrades.add(`tcp_proxy v1 route table (${routes.length} route${routes.length === 1 ? "" : "s"}) read as cluster ${String(first)}`);
    return out;
  },
  "envoy.config.core.v3.Node": dropV2Only("node", "build_version"),
  "envoy.config.trace.v3.Tracing.Http": configToTyped("tracer"),
  "envoy.config.metrics.v3.StatsSink": configToTyped("stats sink"),
};
// Looked up with names from the dump: no prototype, so "constructor" or "__proto__" find nothing.
Object.setPrototypeOf(V2_HOOKS, null);
