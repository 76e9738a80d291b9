// Routes as Envoy's router picks them (source/common/router/config_impl.cc): the request as the
// connection manager prepares it, a virtual host by the Host (exact, then the longest `*suffix`, then
// the longest `prefix*`, then `*`), then the first route that matches, with RE2 regexes.
import type { HeaderMatcher, RedirectAction, Route, VirtualHost } from "../gen/types/envoy/config/route/v3/route_components.js";
import type { RouteConfiguration } from "../gen/types/envoy/config/route/v3/route.js";
import { fullMatch, regexError, replaceAll } from "../model/regex.js";
import { redirectCode, redirectScheme, routeAction, routeMatchText, type RouteActionView } from "../model/route.js";
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
export function preparedRequest(rc: RouteConfiguration, req: RouteRequest): { host: string; authority: string; headers: Record<string, string> } {
  const scheme = req.tls ? "https" : "http";
  const headers: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  if (req.hcm?.useRemoteAddress || headers["x-forwarded-proto"] === undefined) headers["x-forwarded-proto"] = scheme;
  // strip_any_host_port / strip_matching_host_port change the Host header itself; ignore_port_in_host_matching only the lookup.
  let authority = req.host;
  let host = req.host;
  const m = /^(.*):(\d+)$/.exec(req.host);
  if (m && !req.host.endsWith("]")) {
    if (req.hcm?.stripAnyHostPort === true || (req.hcm?.stripMatchingHostPort === true && Number(m[2]) === req.hcm.listenerPort)) authority = m[1]!;
    host = rc.ignorePortInHostMatching === true ? m[1]! : authority;
  }
  headers[":method"] = req.method ?? headers[":method"] ?? "GET";
  headers[":authority"] = authority;
  headers.host = authority;
  headers[":path"] = req.path;
  headers[":scheme"] = scheme;
  return { host, authority, headers };
}

/** How many of a route configuration's domains (or a virtual host's route matches) a decision that found none names. */
const DOMAINS_SHOWN = 6;

export type RouteDecision =
  | { kind: "no-route-config"; name: string }
  /** The virtual host routes by a match tree (virtual_host.matcher), which is not modelled: the route is unknown. */
  | { kind: "match-tree"; routeConfig: string; virtualHost: string }
  | { kind: "rejected"; routeConfig: string; error: string }
  /** `domains`: what the configuration's virtual hosts take (the first few, each once), `domainCount` how many in all. */
  | { kind: "no-virtual-host"; routeConfig: string; domains: string[]; domainCount: number }
  /** require_tls: Envoy answers 301 to https://{Host}{path} (Http::Utility::createSslRedirectPath), `location`. */
  | { kind: "tls-redirect"; routeConfig: string; virtualHost: string; requireTls: string; location: string }
  /** `matches`: what the virtual host's routes match (the first few, each once), `routeCount` how many routes, `matchHeaders` the headers they match on. */
  | { kind: "no-route"; routeConfig: string; virtualHost: string; matches: string[]; routeCount: number; matchHeaders: string[] }
  /** `redirect`: for a redirect route, the Location Envoy answers this request with, and whether it moves a plaintext request to https. */
  | { kind: "route"; routeConfig: string; virtualHost: string; routeIndex: number; routeName?: string; match: string; action: RouteActionView; clusterNotFoundResponseCode?: string; redirect?: RedirectAnswer };

/** A redirect as the client gets it: status, Location, and whether it sends an http request to https. */
export interface RedirectAnswer {
  code: number;
  location: string;
  toHttps: boolean;
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
  } else if (m.connectMatcher) ok = req.headers[":method"] === "CONNECT"; // Envoy's ConnectRouteEntryImpl: CONNECT requests only
  else ok = false; // path_match_policy (URI templates): not modelled, never taken
  return ok && (m.headers ?? []).every((h) => headerMatches(h, req.headers));
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
  if (!vh) {
    const domains = new Set((rc.virtualHosts ?? []).flatMap((v) => v.domains ?? []));
    return { kind: "no-virtual-host", routeConfig: rcName, domains: [...domains].slice(0, DOMAINS_SHOWN), domainCount: domains.size };
  }
  const vhName = vh.name ?? "";
  // Envoy decides require_tls by x-forwarded-proto (the connection's, or the client's when the connection manager trusts it); EXTERNAL_ONLY spares internal requests.
  const xfp = (req.headers["x-forwarded-proto"] ?? "").toLowerCase();
  const internal = req.headers["x-envoy-internal"] === "true";
  if (xfp !== "https" && (vh.requireTls === "ALL" || (vh.requireTls === "EXTERNAL_ONLY" && !internal))) {
    return { kind: "tls-redirect", routeConfig: rcName, virtualHost: vhName, requireTls: vh.requireTls, location: `https://${prepared.authority}${req.path}` };
  }
  const routes = vh.routes ?? [];
  if (vh.matcher && !routes.length) return { kind: "match-tree", routeConfig: rcName, virtualHost: vhName };
  const i = routes.findIndex((r) => routeMatches(r, req));
  if (i < 0) {
    const matchHeaders = [...new Set(routes.flatMap((r) => (r.match?.headers ?? []).map((h) => (h.name ?? "").toLowerCase())))];
    return { kind: "no-route", routeConfig: rcName, virtualHost: vhName, matches: [...new Set(routes.map(routeMatchText))].slice(0, DOMAINS_SHOWN), routeCount: routes.length, matchHeaders };
  }
  const r = routes[i]!;
  const notFound = r.route?.clusterNotFoundResponseCode;
  const redirect = r.redirect ? redirectAnswer(r, r.redirect, req.path, prepared.authority, req.headers) : undefined;
  return {
    kind: "route",
    routeConfig: rcName,
    virtualHost: vhName,
    routeIndex: i,
    ...(r.name ? { routeName: r.name } : {}),
    match: routeMatchText(r),
    action: routeAction(r),
    ...(notFound ? { clusterNotFoundResponseCode: String(notFound) } : {}),
    ...(redirect ? { redirect } : {}),
  };
}

/**
 * The Location a redirect route answers with (Envoy's Http::Utility::newUri, after the route's
 * prefix_rewrite or regex_rewrite of the path): the scheme scheme_redirect or https_redirect sets, else
 * the request's :scheme; host_redirect, else the Host without its port when port_redirect is set or when
 * the scheme changes from the one x-forwarded-proto says and the port is that scheme's default (80,
 * 443); port_redirect; path_redirect (its query wins; else the request's query is kept), else the
 * path; strip_query. The status is response_code, 301 when unset.
 */
export function redirectAnswer(r: Route, d: RedirectAction, path: string, authority: string, headers: Record<string, string>): RedirectAnswer {
  const reqScheme = headers[":scheme"] ?? "http";
  const scheme = redirectScheme(d) ?? reqScheme;
  const port = d.portRedirect ? `:${d.portRedirect}` : "";
  let host = d.hostRedirect || authority;
  if (!d.hostRedirect) {
    const at = authority.startsWith("[") ? authority.lastIndexOf("]:") + 1 : authority.lastIndexOf(":");
    if (at > 0) {
      const reqPort = authority.slice(at);
      const xfp = (headers["x-forwarded-proto"] ?? "").toLowerCase();
      const changes = scheme.toLowerCase() !== xfp;
      if (port || (changes && ((xfp === "https" && reqPort === ":443") || (xfp === "http" && reqPort === ":80")))) host = authority.slice(0, at);
    }
  }
  const q = path.indexOf("?");
  const query = q >= 0 ? path.slice(q) : "";
  let newPath = rewrittenPath(r, d, path);
  if (d.pathRedirect) newPath = d.pathRedirect.includes("?") ? d.pathRedirect : d.pathRedirect + query;
  if (!newPath.startsWith("/")) newPath = `/${newPath}`;
  if (d.stripQuery && !d.pathRedirect?.includes("?")) newPath = newPath.split("?")[0]!;
  return { code: redirectCode(d), location: `${scheme}://${host}${port}${newPath}`, toHttps: scheme.toLowerCase() === "https" && reqScheme !== "https" };
}

/** The path after a redirect's prefix_rewrite (the matched prefix, or path, replaced) or regex_rewrite (of the path without its query). */
function rewrittenPath(r: Route, d: RedirectAction, path: string): string {
  const q = path.indexOf("?");
  const justPath = q >= 0 ? path.slice(0, q) : path;
  if (d.prefixRewrite) {
    const m = r.match ?? {};
    const matched = m.prefix ?? m.path ?? m.pathSeparatedPrefix;
    if (matched !== undefined && (m.caseSensitive === false ? path.toLowerCase().startsWith(matched.toLowerCase()) : path.startsWith(matched))) return d.prefixRewrite + path.slice(matched.length);
    return path;
  }
  if (d.regexRewrite?.pattern?.regex !== undefined) {
    const out = replaceAll(d.regexRewrite.pattern.regex, justPath, d.regexRewrite.substitution ?? "");
    return out === undefined ? path : out + path.slice(justPath.length);
  }
  return path;
}
