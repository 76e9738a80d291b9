// Routes as Envoy's router picks them: a virtual host by the Host header (exact, then the
// longest `*suffix`, then the longest `prefix*`, then `*`), then the first route that matches.
import type { HeaderMatcher, Route, VirtualHost } from "../gen/types/envoy/config/route/v3/route_components.js";
import type { RouteConfiguration } from "../gen/types/envoy/config/route/v3/route.js";
import type { LoadedInput } from "../load/dump.js";
import { listenerModel } from "./listener.js";
import { matcherText } from "./tls.js";
import { fullMatch, regexError } from "./regex.js";
import { plain, Redacted } from "../redacted.js";

export interface RouteRequest {
  host: string;
  path: string;
  headers: Record<string, string>;
  /** The connection to Envoy is TLS (for require_tls). */
  tls: boolean;
  /** The request method (GET by default). */
  method?: string;
  /** How the connection manager prepares the request (use_remote_address, strip_*_host_port) and the listener's port. */
  hcm?: { useRemoteAddress?: boolean; stripAnyHostPort?: boolean; stripMatchingHostPort?: boolean; listenerPort?: number };
}

/**
 * The request as the connection manager hands it to the router: pseudo-headers (:method,
 * :authority, :path, :scheme) beside the client's headers, x-forwarded-proto set from the
 * connection (overwriting the client's with use_remote_address), and the Host used to pick a
 * virtual host, its port dropped as strip_any_host_port / strip_matching_host_port /
 * ignore_port_in_host_matching say.
 */
export function preparedRequest(rc: RouteConfiguration, req: RouteRequest): { host: string; headers: Record<string, string> } {
  const scheme = req.tls ? "https" : "http";
  const headers: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  if (req.hcm?.useRemoteAddress || headers["x-forwarded-proto"] === undefined) headers["x-forwarded-proto"] = scheme;
  headers[":method"] = req.method ?? headers[":method"] ?? "GET";
  headers[":authority"] = req.host;
  headers.host = req.host;
  headers[":path"] = req.path;
  headers[":scheme"] = scheme;
  let host = req.host;
  const m = /^(.*):(\d+)$/.exec(host);
  if (m && !host.endsWith("]")) {
    const strip = rc.ignorePortInHostMatching === true || req.hcm?.stripAnyHostPort === true || (req.hcm?.stripMatchingHostPort === true && Number(m[2]) === req.hcm.listenerPort);
    if (strip) host = m[1]!;
  }
  return { host, headers };
}

export type RouteDecision =
  | { kind: "no-route-config"; name: string }
  | { kind: "rejected"; routeConfig: string; error: string }
  | { kind: "no-virtual-host"; routeConfig: string }
  | { kind: "tls-redirect"; routeConfig: string; virtualHost: string }
  | { kind: "no-route"; routeConfig: string; virtualHost: string }
  | { kind: "route"; routeConfig: string; virtualHost: string; routeIndex: number; routeName?: string; match: string; action: RouteActionView };

export type RouteActionView =
  | { kind: "cluster"; cluster: string }
  | { kind: "weighted"; clusters: { name: string; weight: number }[] }
  | { kind: "cluster_header"; header: string }
  | { kind: "redirect"; to: string; code: number }
  | { kind: "direct_response"; status: number }
  | { kind: "other" };

export function findRouteConfig(input: LoadedInput, name: string): RouteConfiguration | undefined {
  const rec = input.routes.find((r) => r.name === name);
  return rec ? (rec.value as RouteConfiguration) : undefined;
}

/** Envoy's findVirtualHost (source/common/router/config_impl.cc). */
export function selectVirtualHost(rc: RouteConfiguration, hostHeader: string): VirtualHost | undefined {
  const host = hostHeader.toLowerCase();
  let dflt: VirtualHost | undefined;
  const exact = new Map<string, VirtualHost>();
  const suffixes: [string, VirtualHost][] = [];
  const prefixes: [string, VirtualHost][] = [];
  for (const vh of rc.virtualHosts ?? []) {
    for (const d of vh.domains ?? []) {
      const dl = d.toLowerCase();
      if (dl === "*") dflt ??= vh;
      else if (dl.startsWith("*")) suffixes.push([dl.slice(1), vh]);
      else if (dl.endsWith("*")) prefixes.push([dl.slice(0, -1), vh]);
      else if (!exact.has(dl)) exact.set(dl, vh);
    }
  }
  const hit = exact.get(host);
  if (hit) return hit;
  // The wildcard must match at least one character: host longer than the fixed part.
  for (const [s, vh] of suffixes.sort((a, b) => b[0].length - a[0].length)) if (host.length > s.length && host.endsWith(s)) return vh;
  for (const [p, vh] of prefixes.sort((a, b) => b[0].length - a[0].length)) if (host.length > p.length && host.startsWith(p)) return vh;
  return dflt;
}

function headerMatches(h0: HeaderMatcher, headers: Record<string, string>): boolean {
  const h = revealed(h0);
  const v = Object.hasOwn(headers, (h.name ?? "").toLowerCase()) ? headers[(h.name ?? "").toLowerCase()] : undefined;
  let ok: boolean;
  if (h.presentMatch !== undefined) ok = (v !== undefined) === h.presentMatch;
  else if (v === undefined) ok = false;
  else if (h.exactMatch !== undefined) ok = v === h.exactMatch;
  else if (h.prefixMatch !== undefined) ok = v.startsWith(h.prefixMatch);
  else if (h.suffixMatch !== undefined) ok = v.endsWith(h.suffixMatch);
  else if (h.containsMatch !== undefined) ok = v.includes(h.containsMatch);
  else if (h.safeRegexMatch) ok = fullMatch(h.safeRegexMatch.regex ?? "", v);
  else if (h.stringMatch) {
    const m = h.stringMatch;
    const ic = m.ignoreCase === true;
    const val = ic ? v.toLowerCase() : v;
    const n = (s: string) => (ic ? s.toLowerCase() : s);
    if (m.exact !== undefined) ok = val === n(m.exact);
    else if (m.prefix !== undefined) ok = val.startsWith(n(m.prefix));
    else if (m.suffix !== undefined) ok = val.endsWith(n(m.suffix));
    else if (m.contains !== undefined) ok = val.includes(n(m.contains));
    else if (m.safeRegex) ok = fullMatch(m.safeRegex.regex ?? "", v);
    else ok = true;
  } else ok = true; // name only: present
  return h.invertMatch ? !ok : ok;
}

/** A header matcher whose credential values (masked by the loader) are usable for matching. */
function revealed(h: HeaderMatcher): HeaderMatcher {
  if (!Object.values(h).some((x) => x instanceof Redacted)) return h;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(h)) out[k] = plain(x);
  return out as HeaderMatcher;
}

/** RE2's error for the first regex of a route that RE2 rejects (Envoy refuses the route configuration). */
export function routeRegexError(r: Route): string | undefined {
  const m = r.match ?? {};
  const patterns = [m.safeRegex?.regex, ...(m.headers ?? []).map((h0) => {
    const h = revealed(h0);
    return h.safeRegexMatch?.regex ?? h.stringMatch?.safeRegex?.regex;
  })];
  for (const p of patterns) if (p !== undefined) {
    const e = regexError(p);
    if (e) return e;
  }
  return undefined;
}

export function routeMatches(r: Route, req: RouteRequest): boolean {
  const m = r.match ?? {};
  const cs = m.caseSensitive !== false;
  const full = cs ? req.path : req.path.toLowerCase();
  const noQuery = full.split("?")[0]!;
  const c = (s: string) => (cs ? s : s.toLowerCase());
  let ok: boolean;
  if (m.prefix !== undefined) ok = full.startsWith(c(m.prefix));
  else if (m.path !== undefined) ok = noQuery === c(m.path);
  else if (m.safeRegex) ok = fullMatch(m.safeRegex.regex ?? "", req.path.split("?")[0]!);
  else if (m.pathSeparatedPrefix !== undefined) {
    const p = c(m.pathSeparatedPrefix);
    ok = noQuery === p || noQuery.startsWith(`${p}/`);
  } else ok = false; // connect_matcher and path_match_policy: not modelled, never taken
  return ok && (m.headers ?? []).every((h) => headerMatches(h, req.headers));
}

export function routeMatchText(r: Route): string {
  const m = r.match ?? {};
  const parts: string[] = [];
  if (m.prefix !== undefined) parts.push(`prefix ${m.prefix}`);
  if (m.path !== undefined) parts.push(`path ${m.path}`);
  if (m.safeRegex) parts.push(`regex ${m.safeRegex.regex}`);
  if (m.pathSeparatedPrefix !== undefined) parts.push(`path-separated prefix ${m.pathSeparatedPrefix}`);
  for (const h of m.headers ?? []) {
    const how = h.stringMatch instanceof Redacted || h.safeRegexMatch instanceof Redacted ? ` ${String(h.stringMatch ?? h.safeRegexMatch)}` : h.exactMatch !== undefined ? `=${h.exactMatch}` : h.prefixMatch !== undefined ? ` prefix ${h.prefixMatch}` : h.presentMatch !== undefined ? " present" : h.stringMatch ? ` ${matcherText(h.stringMatch)}` : h.safeRegexMatch ? ` ~${h.safeRegexMatch.regex}` : "";
    parts.push(`header ${h.invertMatch ? "!" : ""}${h.name}${how}`);
  }
  if (m.caseSensitive === false) parts.push("case-insensitive");
  return parts.join("; ") || "(any)";
}

export function routeAction(r: Route): RouteActionView {
  if (r.route) {
    if (r.route.cluster !== undefined) return { kind: "cluster", cluster: r.route.cluster };
    if (r.route.weightedClusters) return { kind: "weighted", clusters: (r.route.weightedClusters.clusters ?? []).map((c) => ({ name: c.name ?? "", weight: c.weight ?? 0 })) };
    if (r.route.clusterHeader !== undefined) return { kind: "cluster_header", header: r.route.clusterHeader };
  }
  if (r.redirect) {
    const d = r.redirect;
    const codes: Record<string, number> = { MOVED_PERMANENTLY: 301, FOUND: 302, SEE_OTHER: 303, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308 };
    const to = `${d.httpsRedirect ? "https://" : d.schemeRedirect ? `${d.schemeRedirect}://` : ""}${d.hostRedirect ?? ""}${d.pathRedirect ?? ""}`;
    const rc = d.responseCode ?? "MOVED_PERMANENTLY";
    return { kind: "redirect", to: to || "(same URL)", code: Object.hasOwn(codes, rc) ? codes[rc]! : 301 };
  }
  if (r.directResponse) return { kind: "direct_response", status: r.directResponse.status ?? 0 };
  return { kind: "other" };
}

export function actionText(a: RouteActionView): string {
  switch (a.kind) {
    case "cluster":
      return a.cluster;
    case "weighted":
      return a.clusters.map((c) => `${c.name} (${c.weight})`).join(", ");
    case "cluster_header":
      return `cluster from header ${a.header}`;
    case "redirect":
      return `${a.code} redirect to ${a.to}`;
    case "direct_response":
      return `direct response ${a.status}`;
    case "other":
      return "(other action)";
  }
}

export function decideRoute(rc: RouteConfiguration | undefined, name: string, req: RouteRequest): RouteDecision {
  if (!rc) return { kind: "no-route-config", name };
  const rcName = rc.name ?? name;
  // Envoy compiles every regex when it loads a route configuration and refuses the whole of it for one RE2 rejects.
  for (const v of rc.virtualHosts ?? []) {
    for (const r of v.routes ?? []) {
      const error = routeRegexError(r);
      if (error) return { kind: "rejected", routeConfig: rcName, error };
    }
  }
  const prepared = preparedRequest(rc, req);
  const vh = selectVirtualHost(rc, prepared.host);
  req = { ...req, headers: prepared.headers };
  if (!vh) return { kind: "no-virtual-host", routeConfig: rcName };
  const vhName = vh.name ?? "";
  if (!req.tls && (vh.requireTls === "ALL" || vh.requireTls === "EXTERNAL_ONLY")) return { kind: "tls-redirect", routeConfig: rcName, virtualHost: vhName };
  const routes = vh.routes ?? [];
  const i = routes.findIndex((r) => routeMatches(r, req));
  if (i < 0) return { kind: "no-route", routeConfig: rcName, virtualHost: vhName };
  const r = routes[i]!;
  return { kind: "route", routeConfig: rcName, virtualHost: vhName, routeIndex: i, ...(r.name ? { routeName: r.name } : {}), match: routeMatchText(r), action: routeAction(r) };
}

export interface RouteRow {
  routeConfig: string;
  virtualHost: string;
  domains: string[];
  index: number;
  match: string;
  action: string;
  requireTls?: string;
}

/** Route configurations inlined in HTTP connection managers (named or not), as explain follows them. */
function inlineRouteConfigs(input: LoadedInput): { name: string; rc: RouteConfiguration }[] {
  const out: { name: string; rc: RouteConfiguration }[] = [];
  for (const rec of input.listeners) {
    const l = listenerModel(rec);
    for (const c of [...l.chains, ...(l.defaultChain ? [l.defaultChain] : [])]) {
      if (c.terminal.kind === "hcm" && c.terminal.inlineRoutes) {
        const rc = c.terminal.inlineRoutes;
        out.push({ name: rc.name ? `${rc.name} (inline in ${l.name} ${c.isDefault ? "default chain" : `#${c.index}`})` : `(inline in ${l.name} ${c.isDefault ? "default chain" : `#${c.index}`})`, rc });
      }
    }
  }
  return out;
}

export function routeRows(input: LoadedInput, filter: { name?: string }): RouteRow[] {
  const rows: RouteRow[] = [];
  const all = [...input.routes.map((rec) => ({ rec, name: rec.name, rc: undefined as RouteConfiguration | undefined })), ...inlineRouteConfigs(input).map((x) => ({ rec: undefined, name: x.name, rc: x.rc }))];
  for (const { rec, name, rc: inline } of all) {
    if (filter.name && name !== filter.name && inline?.name !== filter.name) continue;
    const rc = inline ?? (rec!.value as RouteConfiguration);
    for (const vh of rc.virtualHosts ?? []) {
      (vh.routes ?? []).forEach((r, index) =>
        rows.push({
          routeConfig: inline ? name : (rc.name ?? name),
          virtualHost: vh.name ?? "",
          domains: vh.domains ?? [],
          index,
          match: routeMatchText(r),
          action: actionText(routeAction(r)),
          ...(vh.requireTls && vh.requireTls !== "NONE" ? { requireTls: vh.requireTls } : {}),
        }),
      );
    }
  }
  return rows;
}
