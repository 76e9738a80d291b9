// Route findings: routes an earlier route always takes first (SHADOWED_ROUTE), routes and TCP proxies
// that name a cluster the proxy does not have (MISSING_CLUSTER), connection managers whose RDS route
// configuration the proxy does not have (MISSING_ROUTE_CONFIG). Each HTTP finding is replayed through
// the engine's route stage (decideRoute) with a request built from the route itself.
import type { HeaderMatcher, QueryParameterMatcher, Route, RouteMatch, VirtualHost } from "../gen/types/envoy/config/route/v3/route_components.js";
import type { RouteConfiguration } from "../gen/types/envoy/config/route/v3/route.js";
import type { FilterChain } from "../gen/types/envoy/config/listener/v3/listener_components.js";
import type { Listener } from "../gen/types/envoy/config/listener/v3/listener.js";
import type { LoadedInput, ResourceRecord } from "../load/dump.js";
import { childPath } from "../diag.js";
import { T } from "../load/schema.js";
import { extensionType } from "../load/extensions.js";
import { getKey, hasAnyKey } from "../load/v2.js";
import { canonicalKey, isObject } from "../load/keys.js";
import { canonicalJson } from "../model/canonical.js";
import { fullMatch } from "../model/regex.js";
import { clusterNotFoundStatus, isInlineCopy, routeMatchText } from "../model/route.js";
import { allChains, listenerModel, type ChainModel } from "../model/listener.js";
import { parseIstioClusterName } from "../model/cluster.js";
import { decideRoute, preparedRequest, routeMatches, selectVirtualHost, type RouteDecision, type RouteRequest } from "../explain/route.js";
import { plain } from "../redacted.js";
import { dumpAnalyzer, finding, type Finding, type FindingEvidence } from "./types.js";

// ---------------------------------------------------------------------------------------------------
// What the input holds

/**
 * Whether the input lists every resource of a kind the proxy has: a config dump's section (present,
 * even empty), or a bootstrap file that fetches none of that kind over xDS (the loader's overXds).
 */
export function holdsAll(input: LoadedInput, kind: "clusters" | "listeners" | "routes" | "endpoints"): boolean {
  if (input.sections.has(kind)) return true;
  if (input.format !== "bootstrap") return false;
  if (kind === "clusters") return !input.overXds.has("cluster");
  if (kind === "listeners") return !input.overXds.has("listener");
  // A bootstrap file has no route configurations of its own (RDS ones come from a server) and no
  // endpoints beyond its clusters' load_assignment.
  return false;
}

/** Clusters Istio's control plane always sends (and ambient waypoints' internal ones): a real Istio dump lacks none it names. */
const ISTIO_BUILT_IN: ReadonlySet<string> = new Set(["BlackHoleCluster", "PassthroughCluster", "InboundPassthroughCluster", "InboundPassthroughClusterIpv4", "InboundPassthroughClusterIpv6", "main_internal", "encap", "connect_originate"]);

const excerptCache = new WeakMap<LoadedInput, string | null>();
/**
 * Why the dump's clusters section is an excerpt (test data cut down by hand, a pasted part), not what
 * the proxy has: a static cluster of its bootstrap is missing from it, or (Istio) BlackHoleCluster, or
 * a built-in cluster a route or TCP proxy names. Undefined for a whole one.
 */
export function clustersExcerpt(input: LoadedInput): string | undefined {
  let why = excerptCache.get(input);
  if (why !== undefined) return why ?? undefined;
  why = null;
  if (input.format !== "bootstrap") {
    for (const b of input.resources.bootstrap) {
      const sr = isObject(b.raw) ? getKey(b.raw, "static_resources") : undefined;
      const list = isObject(sr) ? getKey(sr, "clusters") : undefined;
      for (const c of Array.isArray(list) ? list : []) {
        const name = isObject(c) ? getKey(c, "name") : undefined;
        if (typeof name === "string" && !input.byName("cluster", name)) why ??= `the bootstrap's static cluster ${name} is not among its clusters`;
      }
    }
  }
  const istio = input.clusters.some((r) => parseIstioClusterName(r.name) !== undefined);
  const waypoint = input.identity?.nodeType === "waypoint" || input.clusters.some((r) => r.name.startsWith("inbound-vip|") || r.name === "main_internal");
  if (!why && istio && !waypoint && !input.byName("cluster", "BlackHoleCluster")) why = "an Istio proxy's clusters without BlackHoleCluster";
  if (!why) {
    const named = (n: string | undefined) => n !== undefined && ISTIO_BUILT_IN.has(n) && !input.byName("cluster", n);
    for (const { chain } of chainsOf(input)) {
      const t = chain.terminal;
      if (t.kind === "tcp_proxy" && (named(t.cluster) || (t.weightedClusters ?? []).some((w) => named(w.name)))) why = `Istio's built-in cluster ${t.cluster ?? ""} is named but missing`;
    }
    for (const site of why ? [] : routeConfigSites(input)) {
      for (const vh of site.rc.virtualHosts ?? []) {
        for (const r of vh.routes ?? []) {
          const a = r.route;
          if (a && (named(a.cluster) || (a.weightedClusters?.clusters ?? []).some((w) => named(w.name)))) why ??= `Istio's built-in cluster ${a.cluster ?? ""} is named but missing`;
        }
      }
    }
  }
  excerptCache.set(input, why);
  return why ?? undefined;
}

// ---------------------------------------------------------------------------------------------------
// Route configurations: the routes section's (Envoy's copies of inline ones left out) and those inline
// in HTTP connection managers.

export interface RouteConfigSite {
  rc: RouteConfiguration;
  /** As a message names it: "8080", "local_route (inline in listener_0 #0)". */
  label: string;
  /** The name decideRoute is given. */
  name: string;
  /** JSON path of the route configuration. */
  path: string;
}

/** The index of a chain's HTTP connection manager among its filters. */
function filterIndex(fc: FilterChain | undefined, type: string): number {
  return (fc?.filters ?? []).findIndex((f) => extensionType(f.name, f.typedConfig) === type);
}

function chainValue(rec: ResourceRecord, c: ChainModel): FilterChain | undefined {
  const l = rec.value as Listener;
  return c.isDefault ? l.defaultFilterChain : l.filterChains?.[c.index];
}

function chainText(listener: string, c: ChainModel): string {
  return `listener ${listener} ${c.isDefault ? "default chain" : `chain #${c.index}${c.name ? ` "${c.name}"` : ""}`}`;
}

/** Every chain of the input's listeners (rejected ones left out: they are not in use). */
function* chainsOf(input: LoadedInput): Generator<{ rec: ResourceRecord; listener: string; chain: ChainModel }> {
  for (const rec of input.listeners) {
    const l = listenerModel(rec);
    for (const chain of allChains(l)) yield { rec, listener: l.name, chain };
  }
}

function routeConfigSites(input: LoadedInput): RouteConfigSite[] {
  const out: RouteConfigSite[] = [];
  for (const rec of input.routes) {
    if (isInlineCopy(input, rec)) continue;
    const rc = rec.value as RouteConfiguration;
    out.push({ rc, label: rc.name ?? rec.name, name: rc.name ?? rec.name, path: rec.path });
  }
  for (const rec of input.listeners) {
    if (!rec.mayHaveKey("route_config")) continue;
    const l = listenerModel(rec);
    for (const c of allChains(l)) {
      if (c.terminal.kind !== "hcm" || !c.terminal.inlineRoutes) continue;
      const rc = c.terminal.inlineRoutes;
      const j = filterIndex(chainValue(rec, c), T.HttpConnectionManager);
      const path = childPath(childPath(childPath(childPath(c.path, "filters"), Math.max(j, 0)), "typedConfig"), "routeConfig");
      const where = `inline in ${chainText(l.name, c)}`;
      out.push({ rc, label: rc.name ? `${rc.name} (${where})` : `(${where})`, name: rc.name ?? "(inline)", path });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// A request a route matches, built from the route itself, and the engine's decision for it.

/** ASCII lower case: what Envoy's case-insensitive path matching folds. */
function lower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

const REGEX_MAX = 2000;
const REGEX_DEPTH = 40;

/**
 * A string RE2 may match in full, built from the pattern (literals, classes, groups, the first branch
 * of an alternation, the fewest repetitions or one). Only a guess, checked with fullMatch by the
 * caller; undefined for what it does not read.
 */
export function regexSample(pattern: string, oneRepeat = false): string | undefined {
  if (pattern.length > REGEX_MAX) return undefined;
  let i = 0;
  const fail = (): never => {
    throw new Error("unsupported");
  };
  const classSample = (): string => {
    // at '['
    i++;
    let negated = false;
    if (pattern[i] === "^") {
      negated = true;
      i++;
    }
    const chars: string[] = [];
    let first = true;
    while (i < pattern.length && (pattern[i] !== "]" || first)) {
      first = false;
      let ch = pattern[i]!;
      if (ch === "[" && pattern[i + 1] === ":") {
        const end = pattern.indexOf(":]", i);
        if (end < 0) fail();
        const name = pattern.slice(i + 2, end);
        chars.push(name === "digit" ? "0" : name === "space" ? " " : name === "punct" ? "-" : "a");
        i = end + 2;
        continue;
      }
      if (ch === "\\") {
        const e = pattern[i + 1] ?? fail();
        ch = e === "d" ? "0" : e === "w" ? "a" : e === "s" ? " " : e === "n" ? "\n" : e === "t" ? "\t" : /[A-Za-z0-9]/.test(e) ? fail() : e;
        i += 2;
      } else i++;
      if (pattern[i] === "-" && pattern[i + 1] !== "]" && pattern[i + 1] !== undefined) {
        i += 2; // a range: its first character will do
        if (pattern[i - 1] === "\\") i++;
      }
      chars.push(ch);
    }
    if (pattern[i] !== "]") fail();
    i++;
    if (!negated) return chars[0] ?? fail();
    const pick = ["a", "x", "0", "-", "_", "Z", "~"].find((c) => !chars.includes(c));
    return pick ?? fail();
  };
  const seq = (depth: number): string => {
    if (depth > REGEX_DEPTH) fail();
    let out = "";
    let firstBranch: string | undefined;
    while (i < pattern.length) {
      const ch = pattern[i]!;
      if (ch === ")") break;
      if (ch === "|") {
        firstBranch ??= out;
        out = "";
        i++;
        continue;
      }
      let atom = "";
      if (ch === "^" || ch === "$") {
        i++;
        continue;
      } else if (ch === "(") {
        i++;
        if (pattern[i] === "?") {
          // (?:…), (?P<name>…), (?i), (?i:…)
          i++;
          if (pattern[i] === "P" && pattern[i + 1] === "<") {
            const end = pattern.indexOf(">", i);
            if (end < 0) fail();
            i = end + 1;
          } else {
            while (i < pattern.length && /[a-zA-Z-]/.test(pattern[i]!)) i++;
            if (pattern[i] === ")") {
              i++;
              continue;
            }
            if (pattern[i] !== ":") fail();
            i++;
          }
        }
        atom = seq(depth + 1);
        if (pattern[i] !== ")") fail();
        i++;
      } else if (ch === "[") atom = classSample();
      else if (ch === ".") {
        atom = "a";
        i++;
      } else if (ch === "\\") {
        const e = pattern[i + 1] ?? fail();
        i += 2;
        if (e === "b" || e === "B" || e === "A" || e === "z") continue;
        atom = e === "d" ? "0" : e === "w" ? "a" : e === "s" ? " " : e === "D" || e === "W" || e === "S" ? (e === "D" ? "a" : e === "W" ? "-" : "a") : /[A-Za-z0-9]/.test(e) ? fail() : e;
      } else if (ch === "*" || ch === "+" || ch === "?" || ch === "{") {
        fail();
      } else {
        atom = ch;
        i++;
      }
      // Quantifier.
      const q = pattern[i];
      if (q === "*" || q === "?") {
        i++;
        atom = q === "*" && oneRepeat ? atom : "";
      } else if (q === "+") i++;
      else if (q === "{") {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 20));
        if (!m) fail();
        i += m![0].length;
        const n = Number(m![1]);
        if (n > 100) fail();
        atom = atom.repeat(n || (oneRepeat && m![2] !== undefined ? 1 : 0));
      }
      if (pattern[i] === "?") i++; // lazy
      out += atom;
    }
    return firstBranch ?? out;
  };
  try {
    const s = seq(0);
    return i === pattern.length ? s : undefined;
  } catch {
    return undefined;
  }
}

/** A string RE2 matches in full: one of `first` if it does, else one built from the pattern (also after a "/" when `slash`). */
function sampleMatching(regex: string, first: readonly string[] = [], slash = false): string | undefined {
  for (const s of first) if (fullMatch(regex, s)) return s;
  for (const one of [false, true]) {
    const s = regexSample(regex, one);
    if (s === undefined) continue;
    if (slash && !s.startsWith("/") && fullMatch(regex, `/${s}`)) return `/${s}`;
    if (fullMatch(regex, s)) return s;
  }
  return undefined;
}

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/** A value a header matcher takes (undefined: send no such header; null: none can be built). */
function headerValue(h: HeaderMatcher): string | undefined | null {
  const first = (h.name ?? "").toLowerCase() === ":method" ? METHODS : [];
  const p = <V>(v: V) => plain(v as never) as V;
  if (h.invertMatch) return h.presentMatch === false ? "1" : undefined;
  if (h.presentMatch !== undefined) return h.presentMatch ? "1" : undefined;
  if (h.exactMatch !== undefined) return p(h.exactMatch);
  if (h.prefixMatch !== undefined) return p(h.prefixMatch);
  if (h.suffixMatch !== undefined) return p(h.suffixMatch);
  if (h.containsMatch !== undefined) return p(h.containsMatch);
  if (h.safeRegexMatch) return sampleMatching(p(h.safeRegexMatch).regex ?? "", first) ?? null;
  if (h.rangeMatch) return String(h.rangeMatch.start ?? 0);
  const m = h.stringMatch ? p(h.stringMatch) : undefined;
  if (m) {
    if (m.exact !== undefined) return m.exact;
    if (m.prefix !== undefined) return m.prefix;
    if (m.suffix !== undefined) return m.suffix;
    if (m.contains !== undefined) return m.contains;
    if (m.safeRegex) return sampleMatching(m.safeRegex.regex ?? "", first) ?? null;
    return null;
  }
  return "1"; // name only: present
}

/** A Host header that selects this virtual host of the configuration, from its domains. */
function hostFor(rc: RouteConfiguration, vh: VirtualHost): string | undefined {
  for (const d of vh.domains ?? []) {
    const host = d === "*" ? "example.com" : d.startsWith("*") ? `x${d.slice(1)}` : d.endsWith("*") ? `${d.slice(0, -1)}x` : d;
    if (selectVirtualHost(rc, host) === vh) return host;
  }
  return undefined;
}

/** A path (with its query) the route's path matcher takes, or undefined. */
function pathFor(m: RouteMatch): string | undefined {
  let path: string | undefined;
  if (m.prefix !== undefined) path = m.prefix === "" ? "/" : m.prefix;
  else if (m.path !== undefined) path = m.path;
  else if (m.pathSeparatedPrefix !== undefined) path = m.pathSeparatedPrefix;
  else if (m.safeRegex) path = sampleMatching(m.safeRegex.regex ?? "", ["/"], true);
  else if (m.pathMatchPolicy) {
    const tmpl = (m.pathMatchPolicy.typedConfig as { pathTemplate?: unknown } | undefined)?.pathTemplate;
    if (typeof tmpl !== "string") return undefined;
    path = tmpl.replace(/\{[^}]*\}/g, "x").replace(/\*\*?/g, "x");
  } else if (m.connectMatcher) return "";
  if (path === undefined || !path.startsWith("/")) return undefined;
  const query = (m.queryParameters ?? []).flatMap((q: QueryParameterMatcher) => {
    const name = q.name ?? "";
    if (q.presentMatch === false) return [];
    const s = q.stringMatch;
    const v = !s ? "1" : s.exact ?? s.prefix ?? s.suffix ?? s.contains ?? (s.safeRegex ? sampleMatching(s.safeRegex.regex ?? "") : undefined);
    return v === undefined ? [] : [`${encodeURIComponent(name)}=${encodeURIComponent(v)}`];
  });
  return query.length ? `${path}${path.includes("?") ? "&" : "?"}${query.join("&")}` : path;
}

export interface Replay {
  req: RouteRequest;
  text: string;
  decision: RouteDecision;
}

/**
 * A request that route `index` of the virtual host matches, built from its match, and what the
 * engine decides for it; undefined when none can be built (or the engine does not see the route take it).
 */
function replayRoute(site: RouteConfigSite, vh: VirtualHost, index: number): Replay | undefined {
  const r = vh.routes?.[index];
  if (!r) return undefined;
  const m = r.match ?? {};
  let host = hostFor(site.rc, vh);
  if (host === undefined) return undefined;
  const path = pathFor(m);
  if (path === undefined) return undefined;
  let method = m.connectMatcher ? "CONNECT" : "GET";
  const headers: Record<string, string> = Object.create(null);
  if (m.grpc) headers["content-type"] = "application/grpc";
  for (const h of m.headers ?? []) {
    const name = (h.name ?? "").toLowerCase();
    const v = headerValue(h);
    if (v === null) return undefined;
    if (v === undefined) continue;
    if (name === ":method") method = v;
    else if (name === ":authority" || name === "host") host = v;
    else if (name === ":path" || name === ":scheme") return undefined;
    else headers[name] = v;
  }
  const tls = vh.requireTls === "ALL" || vh.requireTls === "EXTERNAL_ONLY" || (m.headers ?? []).some((h) => (h.name ?? "").toLowerCase() === "x-forwarded-proto" && headerValue(h) === "https");
  const req: RouteRequest = { host, path, headers, tls, method };
  // The engine's prepared request must take the route itself (URI templates it does not model).
  if (!m.pathMatchPolicy) {
    const prepared = preparedRequest(site.rc, req);
    if (selectVirtualHost(site.rc, prepared.host) !== vh) return undefined;
    if (!routeMatches(r, { ...req, headers: prepared.headers })) return undefined;
  }
  const decision = decideRoute(site.rc, site.name, req);
  return { req, text: `${method} ${host}${path}`, decision };
}

// ---------------------------------------------------------------------------------------------------
// SHADOWED_ROUTE: does an earlier route's match take every request a later one's takes?

type PathCond =
  | { k: "prefix" | "path" | "sep"; v: string; cs: boolean }
  | { k: "regex"; v: string }
  | { k: "template"; v: string }
  | { k: "connect" };

function pathCond(m: RouteMatch): PathCond | undefined {
  const cs = m.caseSensitive !== false;
  if (m.prefix !== undefined) return { k: "prefix", v: m.prefix, cs };
  if (m.path !== undefined) return { k: "path", v: m.path, cs };
  if (m.pathSeparatedPrefix !== undefined) return { k: "sep", v: m.pathSeparatedPrefix, cs };
  if (m.safeRegex) return { k: "regex", v: m.safeRegex.regex ?? "" };
  if (m.pathMatchPolicy) return { k: "template", v: canonicalJson(m.pathMatchPolicy) };
  if (m.connectMatcher) return { k: "connect" };
  return undefined;
}

/** Whether every path (as matched: a/b case folded as they say) of `b` starts with `a`'s text. */
function startsWithFolded(bText: string, bCs: boolean, aText: string, aCs: boolean): boolean {
  if (!aCs) return lower(bText).startsWith(lower(aText));
  // a is case-sensitive: b's paths keep b's case when b is; when b folds case, only a text with no letter is safe.
  if (bCs) return bText.startsWith(aText);
  return !/[A-Za-z]/.test(aText) && lower(bText).startsWith(aText);
}
function equalFolded(bText: string, bCs: boolean, aText: string, aCs: boolean): boolean {
  return bText.length === aText.length && startsWithFolded(bText, bCs, aText, aCs);
}

/** Regexes that take any path (RE2 full match; `.` takes all but a newline, which no path holds). */
const ANY_PATH = new Set([".*", "^.*", ".*$", "^.*$", "(.*)", "^(.*)$", "(?s).*", "[\\s\\S]*"]);
/** Regexes that take any path that starts with "/". */
const ANY_SLASH_PATH = new Set(["/.*", "^/.*", "/.*$", "^/.*$", "/(.*)", "^/(.*)$", "\\/.*", "^\\/.*", "^\\/.*$"]);

/** The literal text every match of a regex starts with (only for a regex with no alternation), or undefined. */
function regexLiteralPrefix(re: string): string | undefined {
  if (re.includes("|") || re.includes("(?")) return undefined;
  let i = re.startsWith("^") ? 1 : 0;
  let lit = "";
  while (i < re.length) {
    const c = re[i]!;
    if (c === "\\" && i + 1 < re.length && /[^A-Za-z0-9]/.test(re[i + 1]!)) {
      lit += re[i + 1];
      i += 2;
    } else if (/[A-Za-z0-9/_\-~%=&,;:@!'"<> ]/.test(c)) {
      lit += c;
      i++;
    } else break;
    const q = re[i];
    // A quantifier that lets the last character be absent (or repeat) ends what is certain before it.
    if (q === "*" || q === "?" || q === "{") return lit.slice(0, -1);
  }
  return lit;
}

/** Does `a` (earlier) take every path `b` (later) takes? */
function pathCovers(a: PathCond, b: PathCond): boolean {
  if (a.k === "connect" || b.k === "connect") return a.k === b.k;
  switch (a.k) {
    case "prefix":
      if (b.k === "prefix" || b.k === "path" || b.k === "sep") return startsWithFolded(b.v, b.cs, a.v, a.cs);
      // Prefix "/" (or "") takes every path a regex or a URI template can take (Envoy's paths start with "/").
      if (a.v === "" || a.v === "/") return true;
      if (b.k === "regex") {
        const lit = regexLiteralPrefix(b.v);
        return lit !== undefined && (a.cs ? lit.startsWith(a.v) : lower(lit).startsWith(lower(a.v)));
      }
      return false;
    case "path":
      return b.k === "path" && equalFolded(b.v, b.cs, a.v, a.cs);
    case "sep":
      if (b.k === "path" || b.k === "sep") return equalFolded(b.v, b.cs, a.v, a.cs) || (!/[?#]/.test(a.v) && startsWithFolded(b.v, b.cs, `${a.v}/`, a.cs));
      if (b.k === "prefix") return !/[?#]/.test(a.v) && startsWithFolded(b.v, b.cs, `${a.v}/`, a.cs);
      return false;
    case "regex":
      if (b.k === "regex" && b.v === a.v) return true;
      if (ANY_PATH.has(a.v)) return true;
      if (ANY_SLASH_PATH.has(a.v)) return b.k === "template" || ((b.k === "prefix" || b.k === "path" || b.k === "sep") && b.v.startsWith("/"));
      return false;
    case "template":
      return b.k === "template" && b.v === a.v;
  }
}

const p = <V>(v: V): V => plain(v as never) as V;

/** What a header or query string matcher asks of a value: one kind of string test, or undefined. */
function stringTest(h: HeaderMatcher): { kind: "exact" | "prefix" | "suffix" | "contains"; v: string; ic: boolean } | undefined {
  if (h.exactMatch !== undefined) return { kind: "exact", v: p(h.exactMatch), ic: false };
  if (h.prefixMatch !== undefined) return { kind: "prefix", v: p(h.prefixMatch), ic: false };
  if (h.suffixMatch !== undefined) return { kind: "suffix", v: p(h.suffixMatch), ic: false };
  if (h.containsMatch !== undefined) return { kind: "contains", v: p(h.containsMatch), ic: false };
  const s = h.stringMatch ? p(h.stringMatch) : undefined;
  if (!s) return undefined;
  const ic = s.ignoreCase === true;
  if (s.exact !== undefined) return { kind: "exact", v: s.exact, ic };
  if (s.prefix !== undefined) return { kind: "prefix", v: s.prefix, ic };
  if (s.suffix !== undefined) return { kind: "suffix", v: s.suffix, ic };
  if (s.contains !== undefined) return { kind: "contains", v: s.contains, ic };
  return undefined;
}

function hasValueTest(h: HeaderMatcher): boolean {
  return h.exactMatch !== undefined || h.prefixMatch !== undefined || h.suffixMatch !== undefined || h.containsMatch !== undefined || h.safeRegexMatch !== undefined || h.rangeMatch !== undefined || h.stringMatch !== undefined;
}
function isPresenceOnly(h: HeaderMatcher): boolean {
  return h.presentMatch === true || (h.presentMatch === undefined && !hasValueTest(h));
}

/** Does header matcher `b` (of the later route) imply `a` (of the earlier)? */
function headerImplies(b: HeaderMatcher, a: HeaderMatcher): boolean {
  if ((a.name ?? "").toLowerCase() !== (b.name ?? "").toLowerCase()) return false;
  if (canonicalJson({ ...a, name: "" }) === canonicalJson({ ...b, name: "" })) return true;
  if (a.invertMatch || b.invertMatch || a.treatMissingHeaderAsEmpty || b.treatMissingHeaderAsEmpty) return false;
  // a asks for the header to be there: every test of b but present_match: false does too (none is inverted
  // or treats a missing header as empty here).
  if (isPresenceOnly(a)) return b.presentMatch !== false;
  const ta = stringTest(a);
  const tb = stringTest(b);
  if (!ta || !tb) return false;
  const fold = (s: string) => (ta.ic ? lower(s) : s);
  // b folds case and a does not: only letter-free texts compare safely.
  if (tb.ic && !ta.ic && /[A-Za-z]/.test(tb.v + ta.v)) return false;
  const bv = fold(tb.v);
  const av = fold(ta.v);
  if (tb.kind === "exact") {
    return ta.kind === "exact" ? bv === av : ta.kind === "prefix" ? bv.startsWith(av) : ta.kind === "suffix" ? bv.endsWith(av) : bv.includes(av);
  }
  if (tb.kind === ta.kind) return ta.kind === "prefix" ? bv.startsWith(av) : ta.kind === "suffix" ? bv.endsWith(av) : bv.includes(av);
  if (ta.kind === "contains") return bv.includes(av);
  return false;
}

/** RouteMatch fields whose meaning is known here; an earlier route with any other is never taken as wider. */
const KNOWN_MATCH = new Set(["prefix", "path", "safeRegex", "pathSeparatedPrefix", "pathMatchPolicy", "connectMatcher", "caseSensitive", "headers", "queryParameters", "runtimeFraction", "grpc", "tlsContext", "dynamicMetadata", "filterState"]);

/**
 * Does route `a` (earlier) take every request route `b` (later) takes? Only when it is certain: `a`'s
 * every condition beyond the path is one `b` asks for too (the same, or implied by a stricter one of b).
 */
export function routeCovers(a: RouteMatch, b: RouteMatch): boolean {
  for (const k of Object.keys(a)) if (!KNOWN_MATCH.has(k)) return false;
  if (a.runtimeFraction) return false; // taken for a share of requests only
  const pa = pathCond(a);
  const pb = pathCond(b);
  if (!pa || !pb || !pathCovers(pa, pb)) return false;
  for (const h of a.headers ?? []) if (!(b.headers ?? []).some((g) => headerImplies(g, h))) return false;
  for (const q of a.queryParameters ?? []) {
    const key = canonicalJson(q);
    const presence = q.presentMatch === true || (q.presentMatch === undefined && !q.stringMatch);
    if (!(b.queryParameters ?? []).some((r) => canonicalJson(r) === key || (presence && r.name === q.name && r.presentMatch !== false))) return false;
  }
  if (a.grpc && !b.grpc) return false;
  if (a.tlsContext) {
    const t = a.tlsContext;
    const u = b.tlsContext ?? {};
    if (t.presented !== undefined && t.presented !== u.presented) return false;
    if (t.validated !== undefined && t.validated !== u.validated) return false;
  }
  const setOf = (l: unknown) => new Set((Array.isArray(l) ? l : []).map(canonicalJson));
  for (const field of ["dynamicMetadata", "filterState"] as const) {
    const mine = (a as Record<string, unknown>)[field];
    if (!Array.isArray(mine) || !mine.length) continue;
    const theirs = setOf((b as Record<string, unknown>)[field]);
    if (!mine.every((x) => theirs.has(canonicalJson(x)))) return false;
  }
  return true;
}

/** Beyond this many routes in one virtual host, each is compared with the first this many only. */
const PAIRWISE_CAP = 1500;

function routeLabel(index: number, r: Route): string {
  return `route #${index}${r.name ? ` "${r.name}"` : ""} (${routeMatchText(r)})`;
}

function shadowedRoutes(input: LoadedInput): Finding[] {
  const out: Finding[] = [];
  for (const site of routeConfigSites(input)) {
    (site.rc.virtualHosts ?? []).forEach((vh, v) => {
      const routes = vh.routes ?? [];
      if (routes.length < 2 || (vh.matcher && !routes.length)) return;
      const vhPath = childPath(childPath(site.path, "virtualHosts"), v);
      for (let bi = 1; bi < routes.length; bi++) {
        const b = routes[bi]!.match ?? {};
        const limit = Math.min(bi, PAIRWISE_CAP);
        let ai = -1;
        for (let i = 0; i < limit; i++) {
          if (routeCovers(routes[i]!.match ?? {}, b)) {
            ai = i;
            break;
          }
        }
        if (ai < 0) continue;
        const replay = replayRoute(site, vh, bi);
        const d = replay?.decision;
        // The engine must show it: the request the later route matches goes to an earlier route.
        if (!replay || d?.kind !== "route" || d.routeIndex >= bi) continue;
        const a = routes[ai]!;
        const r = routes[bi]!;
        const evidence: FindingEvidence = {
          client: "HTTP request",
          request: replay.text,
          outcome: "ROUTE",
          shows: `${replay.text} matches ${routeLabel(bi, r)}, but the engine takes route #${d.routeIndex} (${d.match}) first`,
        };
        out.push(
          finding(input, "SHADOWED_ROUTE", {
            message: `route ${site.label} / virtual host ${vh.name ?? ""} / ${routeLabel(bi, r)} is never used: ${routeLabel(ai, a)} takes every request it matches first`,
            resource: { kind: "route_entry", name: `${site.label}/${vh.name ?? ""}/#${bi}` },
            path: childPath(childPath(vhPath, "routes"), bi),
            evidence,
          }),
        );
      }
    });
  }
  return out;
}

export const shadowedRouteAnalyzer = dumpAnalyzer("shadowed-route", "SHADOWED_ROUTE", shadowedRoutes);

// ---------------------------------------------------------------------------------------------------
// MISSING_CLUSTER and MISSING_ROUTE_CONFIG

/** Whether the proxy has a cluster of this name (any state: one still warming is WARMING's to tell). */
function hasCluster(input: LoadedInput, name: string): boolean {
  return input.byName("cluster", name) !== undefined;
}

function missingClusters(input: LoadedInput): Finding[] {
  if (!holdsAll(input, "clusters") || clustersExcerpt(input)) return [];
  const out: Finding[] = [];
  for (const site of routeConfigSites(input)) {
    (site.rc.virtualHosts ?? []).forEach((vh, v) => {
      const vhPath = childPath(childPath(site.path, "virtualHosts"), v);
      (vh.routes ?? []).forEach((r, i) => {
        const act = r.route;
        if (!act) return;
        const routePath = childPath(childPath(childPath(vhPath, "routes"), i), "route");
        const named: { cluster: string; path: string }[] = [];
        if (act.cluster !== undefined) named.push({ cluster: act.cluster, path: childPath(routePath, "cluster") });
        else if (act.weightedClusters) {
          (act.weightedClusters.clusters ?? []).forEach((w, k) => {
            if (w.name !== undefined && w.name !== "") named.push({ cluster: w.name, path: childPath(childPath(childPath(childPath(routePath, "weightedClusters"), "clusters"), k), "name") });
          });
        }
        const status = clusterNotFoundStatus(String(act.clusterNotFoundResponseCode));
        for (const n of named) {
          if (hasCluster(input, n.cluster)) continue;
          const replay = replayRoute(site, vh, i);
          const d = replay?.decision;
          const taken = d?.kind === "route" && d.routeIndex === i;
          const evidence: FindingEvidence | undefined =
            replay && taken
              ? {
                  client: "HTTP request",
                  request: replay.text,
                  outcome: "NO_CLUSTER",
                  shows: `${replay.text} takes ${routeLabel(i, r)} → ${n.cluster}, which is not among the proxy's clusters: HTTP ${status} (NC cluster_not_found)`,
                }
              : undefined;
          const weighted = act.cluster === undefined ? " (a weighted cluster)" : "";
          out.push(
            finding(input, "MISSING_CLUSTER", {
              message: `route ${site.label} / virtual host ${vh.name ?? ""} / ${routeLabel(i, r)} sends to cluster ${n.cluster}${weighted}, which the proxy does not have: Envoy answers HTTP ${status} (NC cluster_not_found)${weighted ? " to the requests the weight gives it" : ""}${replay && !taken ? " (no request reaches the route, though: an earlier route takes it)" : ""}`,
              resource: { kind: "route_entry", name: `${site.label}/${vh.name ?? ""}/#${i}` },
              path: n.path,
              ...(evidence ? { evidence } : {}),
            }),
          );
        }
      });
    });
  }
  for (const { rec, listener, chain } of chainsOf(input)) {
    const t = chain.terminal;
    if (t.kind !== "tcp_proxy") continue;
    const j = Math.max(filterIndex(chainValue(rec, chain), T.TcpProxy), 0);
    const tpPath = childPath(childPath(childPath(chain.path, "filters"), j), "typedConfig");
    const named = t.cluster !== undefined ? [{ cluster: t.cluster, path: childPath(tpPath, "cluster") }] : (t.weightedClusters ?? []).map((w, k) => ({ cluster: w.name, path: childPath(childPath(childPath(childPath(tpPath, "weightedClusters"), "clusters"), k), "name") }));
    for (const n of named) {
      if (n.cluster === "" || hasCluster(input, n.cluster)) continue;
      out.push(
        finding(input, "MISSING_CLUSTER", {
          message: `${chainText(listener, chain)}: its TCP proxy sends to cluster ${n.cluster}, which the proxy does not have: Envoy closes ${t.weightedClusters ? "the connections the weight gives it" : "every connection"} at once (NC no cluster)`,
          resource: { kind: "filter_chain", name: `${listener} ${chain.isDefault ? "default" : `#${chain.index}`}` },
          path: n.path,
        }),
      );
    }
  }
  return out;
}

export const missingClusterAnalyzer = dumpAnalyzer("missing-cluster", "MISSING_CLUSTER", missingClusters);

function missingRouteConfigs(input: LoadedInput): Finding[] {
  if (!input.sections.has("routes")) return [];
  const out: Finding[] = [];
  for (const { rec, listener, chain } of chainsOf(input)) {
    const t = chain.terminal;
    if (t.kind !== "hcm" || t.routeConfigName === undefined || input.byName("route", t.routeConfigName)) continue;
    const j = Math.max(filterIndex(chainValue(rec, chain), T.HttpConnectionManager), 0);
    const d = decideRoute(undefined, t.routeConfigName, { host: "*", path: "/", headers: {}, tls: chain.transport.kind === "tls" });
    const warming = rec.state === "warming";
    out.push(
      finding(input, "MISSING_ROUTE_CONFIG", {
        message: `${chainText(listener, chain)}: its HTTP connection manager takes routes ${t.routeConfigName} over RDS, and the proxy has no route configuration of that name: ${warming ? "the listener is warming, waiting for it" : "Envoy answers every request on the chain with 404 (NR route_not_found)"}`,
        resource: { kind: "filter_chain", name: `${listener} ${chain.isDefault ? "default" : `#${chain.index}`}` },
        path: childPath(childPath(childPath(childPath(childPath(chain.path, "filters"), j), "typedConfig"), "rds"), "routeConfigName"),
        evidence: {
          client: "HTTP request",
          request: "GET */",
          outcome: "NO_ROUTE",
          listener,
          chain: chain.isDefault ? "default" : `#${chain.index}`,
          shows: d.kind === "no-route-config" ? `the route stage finds no route configuration ${t.routeConfigName} among the dump's routes: every request is answered 404` : `route stage: ${d.kind}`,
        },
      }),
    );
  }
  return out;
}

export const missingRouteConfigAnalyzer = dumpAnalyzer("missing-route-config", "MISSING_ROUTE_CONFIG", missingRouteConfigs);

/** For the unused-clusters analyzer: whether a key (any spelling) is one a route picks its cluster at run time with. */
const RUN_TIME_PICKS = ["cluster_header", "cluster_specifier_plugin", "inline_cluster_specifier_plugin"].map(canonicalKey);
export function picksClusterAtRunTime(o: Record<string, unknown>): boolean {
  return hasAnyKey(o, RUN_TIME_PICKS);
}
