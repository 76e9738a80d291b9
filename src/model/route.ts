// Route configurations as views: a route's match and action in words, the route listing (inline
// route configurations included). How Envoy picks a route is src/explain/route.ts.
import { canonicalJson, findInJson } from "./canonical.js";
import { isObject } from "../load/keys.js";
import { keyOf } from "../load/v2.js";
import type { RedirectAction, Route } from "../gen/types/envoy/config/route/v3/route_components.js";
import type { RouteConfiguration } from "../gen/types/envoy/config/route/v3/route.js";
import type { LoadedInput, ResourceRecord } from "../load/dump.js";
import { allChains, listenerModel } from "./listener.js";
import { matcherText } from "./tls.js";
import { Redacted } from "../redacted.js";

export type RouteActionView =
  | { kind: "cluster"; cluster: string }
  | { kind: "weighted"; clusters: { name: string; weight: number }[] }
  | { kind: "cluster_header"; header: string }
  /** `to`: where it sends, with {host} and {path} for what the request keeps; `scheme` when it sets one (https_redirect is https). */
  | { kind: "redirect"; to: string; code: number; scheme?: string }
  | { kind: "direct_response"; status: number }
  | { kind: "other" };

export function findRouteConfig(input: LoadedInput, name: string): RouteConfiguration | undefined {
  const rec = input.byName("route", name);
  return rec ? (rec.value as RouteConfiguration) : undefined;
}






export function routeMatchText(r: Route): string {
  const m = r.match ?? {};
  const parts: string[] = [];
  if (m.prefix !== undefined) parts.push(`prefix ${m.prefix}`);
  if (m.path !== undefined) parts.push(`path ${m.path}`);
  if (m.safeRegex) parts.push(`regex ${m.safeRegex.regex}`);
  if (m.pathSeparatedPrefix !== undefined) parts.push(`path-separated prefix ${m.pathSeparatedPrefix}`);
  if (m.connectMatcher) parts.push("CONNECT");
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
  if (r.redirect) return redirectView(r.redirect);
  if (r.directResponse) return { kind: "direct_response", status: r.directResponse.status ?? 0 };
  return { kind: "other" };
}

/** The status Envoy answers when a route's cluster does not exist: its cluster_not_found_response_code, 503 when unset. */
export function clusterNotFoundStatus(code: unknown): number {
  return code === "NOT_FOUND" ? 404 : code === "INTERNAL_SERVER_ERROR" ? 500 : 503;
}

/** A RedirectAction's status: response_code, MOVED_PERMANENTLY (301) when unset (route_components.proto). */
const REDIRECT_CODES: ReadonlyMap<string, number> = new Map([
  ["MOVED_PERMANENTLY", 301],
  ["FOUND", 302],
  ["SEE_OTHER", 303],
  ["TEMPORARY_REDIRECT", 307],
  ["PERMANENT_REDIRECT", 308],
]);

export function redirectCode(d: RedirectAction): number {
  return REDIRECT_CODES.get(String(d.responseCode ?? "MOVED_PERMANENTLY")) ?? 301;
}

/** The scheme a redirect sets: scheme_redirect, else https for https_redirect, else none (the request's). */
export function redirectScheme(d: RedirectAction): string | undefined {
  return d.schemeRedirect ? d.schemeRedirect : d.httpsRedirect ? "https" : undefined;
}

/** Where a redirect sends, as a template: what it sets, and {host} / {path} for what the request keeps (Envoy's Http::Utility::newUri). */
function redirectView(d: RedirectAction): RouteActionView {
  const scheme = redirectScheme(d);
  const path =
    d.pathRedirect !== undefined && d.pathRedirect !== ""
      ? d.pathRedirect
      : d.prefixRewrite !== undefined && d.prefixRewrite !== ""
        ? `{path, matched prefix → ${d.prefixRewrite}}`
        : d.regexRewrite
          ? `{path, ${d.regexRewrite.pattern?.regex ?? ""} → ${d.regexRewrite.substitution ?? ""}}`
          : "{path}";
  const to = `${scheme ?? "{scheme}"}://${d.hostRedirect || "{host}"}${d.portRedirect ? `:${d.portRedirect}` : ""}${path}${d.stripQuery ? " (query stripped)" : ""}`;
  return { kind: "redirect", to, code: redirectCode(d), ...(scheme ? { scheme } : {}) };
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
    // Decoding a listener costs far more than looking for an inline route config's key in it as read,
    // and reading one left in the file more than looking for the key in its bytes.
    if (!rec.mayHaveKey("route_config") || !findInJson(rec.raw, (v) => (isObject(v) && keyOf(v, "route_config") !== undefined) || undefined)) continue;
    const l = listenerModel(rec);
    for (const c of allChains(l)) {
      if (c.terminal.kind === "hcm" && c.terminal.inlineRoutes) {
        const rc = c.terminal.inlineRoutes;
        out.push({ name: rc.name ? `${rc.name} (inline in ${l.name} ${c.isDefault ? "default chain" : `#${c.index}`})` : `(inline in ${l.name} ${c.isDefault ? "default chain" : `#${c.index}`})`, rc });
      }
    }
  }
  return out;
}

/**
 * The static route configurations that copy an inline one: Envoy's RoutesConfigDump lists every route
 * configuration inlined in an HTTP connection manager again under static_route_configs. An equal static
 * entry is taken as the copy, one per inline configuration. Computed once per input.
 */
const copiesOf = new WeakMap<LoadedInput, Set<ResourceRecord>>();
function inlineCopies(input: LoadedInput, inline?: { rc: RouteConfiguration }[]): Set<ResourceRecord> {
  let copies = copiesOf.get(input);
  if (copies) return copies;
  copies = new Set();
  copiesOf.set(input, copies);
  const statics = input.routes.filter((r) => r.state === "static");
  if (statics.length === 0) return copies;
  inline ??= inlineRouteConfigs(input);
  const left = new Map<string, number>();
  for (const { rc } of inline) {
    const key = canonicalJson(rc);
    left.set(key, (left.get(key) ?? 0) + 1);
  }
  if (left.size === 0) return copies;
  for (const rec of statics) {
    const key = canonicalJson(rec.value);
    const n = left.get(key) ?? 0;
    if (n === 0) continue;
    left.set(key, n - 1);
    copies.add(rec);
  }
  return copies;
}

/** Whether a route configuration of the routes section is Envoy's copy of one inlined in a listener (shown, and compared, there). */
export function isInlineCopy(input: LoadedInput, rec: ResourceRecord): boolean {
  return rec.state === "static" && inlineCopies(input).has(rec);
}

export function routeRows(input: LoadedInput, filter: { name?: string }): RouteRow[] {
  const rows: RouteRow[] = [];
  const inline = inlineRouteConfigs(input);
  const copies = inlineCopies(input, inline);
  const all = [...input.routes.filter((rec) => !copies.has(rec)).map((rec) => ({ rec, name: rec.name, rc: undefined as RouteConfiguration | undefined })), ...inline.map((x) => ({ rec: undefined, name: x.name, rc: x.rc }))];
  for (const { rec, name, rc: inline } of all) {
    if (filter.name && name !== filter.name && inline?.name !== filter.name) continue;
    const rc = inline ?? (rec!.value as RouteConfiguration);
    // Its rows hold what they need: a streamed route configuration can go while young.
    rec?.release();
    for (const vh of rc.virtualHosts ?? []) {
      // A virtual host that routes by a match tree has no route list: one row says so.
      if (vh.matcher && !vh.routes?.length) {
        rows.push({ routeConfig: inline ? name : (rc.name ?? name), virtualHost: vh.name ?? "", domains: vh.domains ?? [], index: 0, match: "match tree (virtual_host.matcher)", action: "the match tree's route (not followed)" });
      }
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
