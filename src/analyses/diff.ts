// `envoy-explain diff <before> <after>`: what changed for traffic, quiet about noise.
// Both sides are normalised by the loader (snake/camel, "10s" vs {seconds}, wrappers, proto3
// defaults, v2 -> v3), then matched by identity, never by position, with set-like lists compared
// as sets and order reported only where Envoy uses it.
import type { LoadedInput, ResourceKind, ResourceRecord } from "../load/dump.js";
import { resolveTypeUrl } from "../load/schema.js";
import { currentName } from "../load/extensions.js";
import { canonicalJson } from "../model/canonical.js";
import { Redacted } from "../redacted.js";
import { clientForPort, type PresetName } from "../explain/clients.js";
import { chainKind, explainConnection, type ExplainResult } from "../explain/explain.js";
import { clusterModel } from "../model/cluster.js";
import { formatAddr, listenerModel, matchText } from "../model/listener.js";
import { isInlineCopy } from "../model/route.js";
import { summariseTransport, transportLabel } from "../model/tls.js";
import type { FilterChain } from "../gen/types/envoy/config/listener/v3/listener_components.js";
import { clusterMode, sendsText, sendsOf } from "../model/upstream.js";
import { inboundPorts, portMode, portModeText, type PortMode } from "./tlscheck.js";
import { captureModel } from "../explain/capture.js";
import { base64Text, parseCertificates, type CertInfo } from "../model/secret.js";

type Json = unknown;
type Obj = Record<string, unknown>;

export interface Change {
  kind: ResourceKind;
  name: string;
  /** Where in the resource (dot path, list elements by identity: filterChains[name=0.0.0.0_80]). */
  path: string;
  change: "added" | "removed" | "modified" | "reordered";
  /** The values; a certificate's (inline PEM or its base64) as the certificates it holds (serial, validity, SAN), never its text. */
  before?: Json;
  after?: Json;
  meaning: string;
}

export interface ImpactRow {
  port: number;
  client: string;
  before: string;
  after: string;
}

export interface DiffReport {
  before: string;
  after: string;
  changes: Change[];
  impact?: ImpactRow[];
  /** One line per inbound port whose mTLS mode changed. */
  summary: string[];
}

/**
 * Renames deprecated extension names; inside payloads whose @type is unknown (kept opaque by the
 * loader, so still spelled as in the file) writes keys in camelCase, as proto3 JSON would. Returns a copy.
 */
function canonicalNames(v: Json, opaque = false): Json {
  if (Array.isArray(v)) return v.map((x) => canonicalNames(x, opaque));
  if (!v || typeof v !== "object" || v instanceof Redacted) return v;
  const o = v as Obj;
  const inner = opaque || (typeof o["@type"] === "string" && !resolveTypeUrl(o["@type"]));
  const out: Obj = {};
  for (const k of Object.keys(o)) {
    const key = inner && k !== "@type" ? k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) : k;
    Object.defineProperty(out, key, { value: canonicalNames(o[k], inner), enumerable: true, writable: true, configurable: true });
  }
  // Only short v2 socket names ("tls") need the typed-config context to be told from other names.
  if (typeof out.name === "string") out.name = currentName(out.name, "typedConfig" in out);
  return out;
}

/** How list elements are identified, by the list's field name. Absent: compared by position. */
const IDENTITY: Record<string, { key: (e: Obj) => string; label?: (e: Obj) => string; ordered: boolean; why?: string }> = {
  // Istio reuses chain names (three "virtualInbound" chains), so the match is part of a chain's identity;
  // a chain whose match changed is paired back by similarity and reported as modified.
  filterChains: {
    key: (e) => `${String(e.name ?? "")}|${canonicalJson(e.filterChainMatch ?? {})}`,
    label: (e) => `${e.name ? `${String(e.name)} ` : ""}{${matchText((e as FilterChain).filterChainMatch ?? {})}}`,
    ordered: false,
  },
  virtualHosts: { key: (e) => `name=${e.name}`, ordered: false },
  routes: { key: (e) => (e.name ? `name=${e.name}` : `match=${canonicalJson(e.match ?? {})}`), ordered: true, why: "the first matching route wins" },
  lbEndpoints: { key: (e) => `address=${canonicalJson((e.endpoint as Obj | undefined)?.address ?? e.endpointName ?? "")}`, ordered: false },
  endpoints: { key: (e) => `locality=${canonicalJson(e.locality ?? {})}`, ordered: false },
  filters: { key: (e) => `name=${e.name}`, ordered: true, why: "network filters run in order" },
  httpFilters: { key: (e) => `name=${e.name}`, ordered: true, why: "HTTP filters run in order" },
  listenerFilters: { key: (e) => `name=${e.name}`, ordered: true, why: "listener filters run in order" },
  transportSocketMatches: { key: (e) => `match=${canonicalJson(e.match ?? {})}`, ordered: true, why: "the first matching transport socket wins" },
  clusters: { key: (e) => `name=${e.name}`, ordered: false },
  accessLog: { key: (e) => `name=${e.name}`, ordered: false },
};
// Looked up with names from the dump: no prototype, so "constructor" or "__proto__" find nothing.
Object.setPrototypeOf(IDENTITY, null);
/** Lists of values whose order has no meaning to Envoy. */
const SCALAR_SETS = new Set(["domains", "serverNames", "applicationProtocols", "prefixRanges", "sourcePrefixRanges", "directSourcePrefixRanges", "sourcePorts", "matchSubjectAltNames", "additionalAddresses"]);

interface Ctx {
  kind: ResourceKind;
  name: string;
  out: Change[];
  ignore: RegExp[];
}

const isWordChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * The field a path ends in: "filterChains" for filterChains[name=x], "cluster" for route.cluster.
 * A scan from the end, not a regex: the label of an element holds a name from the dump, and
 * /([A-Za-z0-9_]+)(\[[^\]]*\])?$/ tried at every position of a long name is quadratic.
 */
function fieldOf(path: string): string {
  let end = path.length;
  if (path.endsWith("]")) {
    // The last element's label holds no "]": its "[" is after the one before, preceded by the field's name.
    const before = path.lastIndexOf("]", end - 2);
    let open = path.indexOf("[", before + 1);
    while (open >= 0 && open <= end - 2 && !isWordChar(path.charCodeAt(open - 1))) open = path.indexOf("[", open + 1);
    if (open < 0 || open > end - 2) return path;
    end = open;
  }
  let start = end;
  while (start > 0 && isWordChar(path.charCodeAt(start - 1))) start--;
  return start < end ? path.slice(start, end) : path;
}

/** The list element a path ends in, `field[name=value]` with field one of `fields`; a scan, as fieldOf. */
function lastNamedElement(path: string, fields: readonly string[]): { field: string; value: string } | undefined {
  if (!path.endsWith("]")) return undefined;
  const before = path.lastIndexOf("]", path.length - 2);
  for (let at = path.indexOf("[name=", before + 1); at >= 0; at = path.indexOf("[name=", at + 1)) {
    const field = fields.find((f) => path.endsWith(f, at));
    if (field) return { field, value: path.slice(at + 6, -1) };
  }
  return undefined;
}

/** The value of the first `field[name=value]` in a path (the value holds no "]"). */
function firstNamedElement(path: string, field: string): string | undefined {
  const at = path.indexOf(`${field}[name=`);
  if (at < 0) return undefined;
  const from = at + field.length + 6;
  const close = path.indexOf("]", from);
  return close < 0 ? undefined : path.slice(from, close);
}

function record(ctx: Ctx, c: Omit<Change, "kind" | "name" | "meaning">): void {
  if (ctx.ignore.some((re) => re.test(c.path))) return;
  ctx.out.push({ kind: ctx.kind, name: ctx.name, ...c, meaning: "" });
}

function diffValue(a: Json, b: Json, path: string, ctx: Ctx): void {
  if (canonicalJson(a) === canonicalJson(b)) return;
  if (a === undefined) return record(ctx, { path, change: "added", after: b });
  if (b === undefined) return record(ctx, { path, change: "removed", before: a });
  const isObj = (x: Json): x is Obj => !!x && typeof x === "object" && !Array.isArray(x) && !(x instanceof Redacted);
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffValue(a[k], b[k], path ? `${path}.${k}` : k, ctx);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) return diffList(a, b, path, ctx);
  record(ctx, { path, change: "modified", before: a, after: b });
}

function diffList(a: Json[], b: Json[], path: string, ctx: Ctx): void {
  const field = fieldOf(path);
  if (SCALAR_SETS.has(field)) {
    const ka = new Map(a.map((x) => [canonicalJson(x), x]));
    const kb = new Map(b.map((x) => [canonicalJson(x), x]));
    for (const [k, v] of ka) if (!kb.has(k)) record(ctx, { path, change: "removed", before: v });
    for (const [k, v] of kb) if (!ka.has(k)) record(ctx, { path, change: "added", after: v });
    return;
  }
  const id = IDENTITY[field];
  if (!id || !a.every((x) => x && typeof x === "object") || !b.every((x) => x && typeof x === "object")) {
    if (a.length === b.length) a.forEach((x, i) => diffValue(x, b[i], `${path}[${i}]`, ctx));
    else record(ctx, { path, change: "modified", before: a, after: b });
    return;
  }
  const keyed = (xs: Json[]) => {
    const m = new Map<string, Obj>();
    xs.forEach((x, i) => {
      let k = id.key(x as Obj);
      if (m.has(k)) k = `${k}#${i}`;
      m.set(k, x as Obj);
    });
    return m;
  };
  const at = (m: Map<string, Obj>, k: string) => `${path}[${id.label ? id.label(m.get(k)!) : k}]`;
  const ma = keyed(a);
  const mb = keyed(b);
  const onlyA = [...ma.keys()].filter((k) => !mb.has(k));
  const onlyB = [...mb.keys()].filter((k) => !ma.has(k));
  // The same element under a changed identity (a chain whose match changed, a renamed route): pair what is plainly the same.
  const pairs: [string, string][] = [];
  for (const ka of [...onlyA]) {
    const ea = ma.get(ka)!;
    let best: string | undefined;
    let bestScore = 0;
    for (const kb of onlyB) {
      const s = similarity(ea, mb.get(kb)!);
      if (s > bestScore) {
        bestScore = s;
        best = kb;
      }
    }
    if (best && bestScore >= 0.5) {
      pairs.push([ka, best]);
      onlyA.splice(onlyA.indexOf(ka), 1);
      onlyB.splice(onlyB.indexOf(best), 1);
    }
  }
  for (const k of onlyA) record(ctx, { path: at(ma, k), change: "removed", before: ma.get(k) });
  for (const k of onlyB) record(ctx, { path: at(mb, k), change: "added", after: mb.get(k) });
  for (const [ka, kb] of pairs) diffValue(ma.get(ka), mb.get(kb), at(ma, ka), ctx);
  for (const k of ma.keys()) if (mb.has(k)) diffValue(ma.get(k), mb.get(k), at(ma, k), ctx);
  if (id.ordered) {
    const orderA = [...ma.keys()].filter((k) => mb.has(k));
    const orderB = [...mb.keys()].filter((k) => ma.has(k));
    const shown = (ks: string[], m: Map<string, Obj>) => ks.map((k) => (id.label ? id.label(m.get(k)!) : k));
    if (orderA.join("\u0000") !== orderB.join("\u0000")) record(ctx, { path, change: "reordered", before: shown(orderA, ma), after: shown(orderB, mb) });
  }
}

/** Share of top-level fields (besides identity) that are equal; 0..1. */
function similarity(a: Obj, b: Obj): number {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete("filterChainMatch");
  keys.delete("match");
  if (!keys.size) return 0;
  let same = 0;
  for (const k of keys) if (canonicalJson(a[k]) === canonicalJson(b[k])) same++;
  return same / keys.size;
}

function identityOf(kind: ResourceKind, r: ResourceRecord): string {
  // The name as read needs no decoding; a listener without one is known by its address.
  if (kind === "listener" && !r.name) {
    const m = listenerModel(r);
    return m.name || formatAddr(m.address);
  }
  return r.name;
}

export interface DiffOptions {
  ignore?: string[];
  impact?: boolean;
}

/**
 * Whether two resources are the same as read, before decoding: most of a before/after pair is, and
 * decoding and normalising it only to find nothing changed is most of a diff's time. Iterative; keys in
 * any order. Different spellings of the same value (v2 vs v3, "10s" vs {seconds}) are not the same here
 * and go through the full comparison.
 */
export function sameRaw(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], y[i]]);
      continue;
    }
    if (Array.isArray(y) || Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
    const kx = Object.keys(x);
    if (kx.length !== Object.keys(y).length) return false;
    for (const k of kx) {
      if (!Object.prototype.hasOwnProperty.call(y, k)) return false;
      stack.push([(x as Obj)[k], (y as Obj)[k]]);
    }
  }
  return true;
}

export function diffInputs(before: LoadedInput, after: LoadedInput, o: DiffOptions = {}): DiffReport {
  const ignore = (o.ignore ?? []).map((p) => new RegExp(`(^|\\.)${p.replace(/[.+?^${}()|\\]/g, "\\$&").replace(/\*/g, "[^.]*")}($|[.[])`));
  const changes: Change[] = [];
  for (const kind of ["listener", "cluster", "route", "endpoint", "secret"] as const) {
    const ma = new Map(before.resources[kind].filter((r) => r.state !== "draining").map((r) => [identityOf(kind, r), r]));
    const mb = new Map(after.resources[kind].filter((r) => r.state !== "draining").map((r) => [identityOf(kind, r), r]));
    // Envoy repeats inline route configurations under static_route_configs: a change to one is the listener's
    // (asked only of what differs, so identical dumps decode nothing for it).
    const copy = (input: LoadedInput, r: ResourceRecord) => kind === "route" && isInlineCopy(input, r);
    for (const [name, r] of ma) {
      const ctx: Ctx = { kind, name, out: changes, ignore };
      const other = mb.get(name);
      if (!other) {
        if (!copy(before, r)) record(ctx, { path: "", change: "removed", before: canonicalNames(r.value) });
      } else if (sameRaw(r.raw, other.raw)) continue;
      else if (copy(before, r) && copy(after, other)) continue;
      else diffValue(canonicalNames(r.value), canonicalNames(other.value), "", ctx);
    }
    for (const [name, r] of mb) if (!ma.has(name) && !copy(after, r)) record({ kind, name, out: changes, ignore }, { path: "", change: "added", after: canonicalNames(r.value) });
  }
  // Updates Envoy rejected: a new one is what the change broke (Envoy keeps the previous version, or nothing listens).
  const failedKey = (f: { kind: string; name: string }) => `${f.kind}\u0000${f.name}`;
  const failedBefore = new Map(before.failedUpdates.map((f) => [failedKey(f), f]));
  const failedAfter = new Map(after.failedUpdates.map((f) => [failedKey(f), f]));
  for (const [key, f] of failedAfter) {
    const name = f.name;
    const was = failedBefore.get(key);
    if (!was) record({ kind: f.kind, name, out: changes, ignore }, { path: "errorState", change: "added", after: f.details });
    else if (was.details !== f.details) record({ kind: f.kind, name, out: changes, ignore }, { path: "errorState", change: "modified", before: was.details, after: f.details });
  }
  for (const [key, f] of failedBefore) if (!failedAfter.has(key)) record({ kind: f.kind, name: f.name, out: changes, ignore }, { path: "errorState", change: "removed", before: f.details });
  for (const c of changes) {
    const certs = leafCertificates(c);
    c.meaning = meaningOf(c, before, after, certs);
    showCertificates(c, certs);
  }
  const pb = inboundPorts(before);
  const pa = inboundPorts(after);
  const ports: Ports = { before: pb, after: pa, all: [...new Set([...pb, ...pa])].sort((x, y) => x - y) };
  const report: DiffReport = { before: before.file, after: after.file, changes, summary: portSummary(before, after, ports) };
  if (o.impact) report.impact = impactOf(before, after, ports);
  return report;
}

function chainDesc(fc: FilterChain | undefined): string {
  if (!fc) return "";
  return `{${matchText(fc.filterChainMatch ?? {})}} ${transportLabel(summariseTransport(fc.transportSocket, "downstream"))}`;
}

function meaningOf(c: Change, before: LoadedInput, after: LoadedInput, leafCerts: LeafCertificates | undefined): string {
  const p = c.path;
  const val = (v: Json) => (typeof v === "string" ? v : JSON.stringify(v)?.slice(0, 120));
  if (c.before instanceof Redacted || c.after instanceof Redacted) {
    const fp = (v: Json) => (v instanceof Redacted ? v.fingerprint : v === undefined ? "unset" : "a different value");
    const what = fieldOf(p).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
    return `${what} ${c.change === "modified" ? "changed" : c.change} (${c.change === "added" ? fp(c.after) : c.change === "removed" ? fp(c.before) : `${fp(c.before)} → ${fp(c.after)}`}; value not shown)`;
  }
  const certs = leafCerts && certificateChange(c, leafCerts);
  if (certs) return certs;
  if (p === "errorState") {
    if (c.change === "removed") return `Envoy no longer reports a rejected update of ${c.kind} ${c.name}`;
    const active = after.failedUpdates.find((f) => f.kind === c.kind && f.name === c.name)?.active;
    return `Envoy rejected ${active ? `an update of ${c.kind} ${c.name} and keeps serving its previous version` : `${c.kind} ${c.name}: it was never accepted, so nothing listens where it would`}: ${val(c.after)}`;
  }
  if (!p) {
    if (c.kind === "listener") return `listener ${c.name} ${c.change}`;
    if (c.kind === "cluster") return `cluster ${c.name} ${c.change}`;
    return `${c.kind} ${c.name} ${c.change}`;
  }
  // A list element by identity: filters[name=envoy.filters.http.lua] (the last one in the path).
  const element = lastNamedElement(p, ["httpFilters", "filters", "listenerFilters"]);
  if (element && (c.change === "added" || c.change === "removed")) {
    const kind = element.field === "httpFilters" ? "HTTP filter" : element.field === "listenerFilters" ? "listener filter" : "network filter";
    return `${kind} ${element.value} ${c.change}`;
  }
  if (fieldOf(p) === "domains" && (c.change === "added" || c.change === "removed")) {
    const vh = firstNamedElement(p, "virtualHosts");
    return `domain ${val(c.after ?? c.before)} ${c.change}${vh ? ` (virtual host ${vh})` : ""}: requests for it ${c.change === "removed" ? "no longer reach this virtual host" : "now reach this virtual host"}`;
  }
  if (c.kind === "listener") {
    // The whole chain, not something inside it (whose path goes on after the chain's label).
    if (/^filterChains\[/.test(p) && !/\]\./.test(p)) return `filter chain ${chainDesc((c.after ?? c.before) as FilterChain)} ${c.change}`;
    if (/^filterChains\[.+\]\.filterChainMatch/s.test(p)) return `a filter chain's match changed (${fieldOf(p)}: ${val(c.before) ?? "unset"} → ${val(c.after) ?? "unset"}): different connections land on it`;
    if (/requireClientCertificate$/.test(p)) return c.after === true ? "the chain now requires a client certificate" : "the chain no longer requires a client certificate";
    if (/^filterChains\[.+\]\.transportSocket$/s.test(p)) return c.change === "added" ? "the chain now terminates TLS" : c.change === "removed" ? "the chain no longer terminates TLS (plaintext)" : "the chain's TLS settings changed";
    if (/alpnProtocols/.test(p)) return "the ALPN the server negotiates changed";
    if (/listenerFilters/.test(p)) return `listener filters changed: what Envoy detects (TLS, SNI, ALPN, HTTP) may differ`;
    if (/defaultFilterChain/.test(p)) return "the default filter chain (used when nothing matches) changed";
    if (/filterChainMatcher/.test(p)) return "the filter-chain matcher changed";
  }
  if (c.kind === "cluster") {
    if (/^(transportSocket|transportSocketMatches)/.test(p)) {
      const b = before.byName("cluster", c.name);
      const a = after.byName("cluster", c.name);
      if (a && b) {
        const mb = clusterModel(b);
        const ma = clusterModel(a);
        const describe = (m: typeof ma) => (m.socketMatches.length ? `${clusterMode(m)}` : `${clusterMode(m)}${m.transport.kind === "tls" ? ` (${sendsText(sendsOf(m.transport, ""))})` : ""}`);
        return `upstream TLS ${describe(mb)} → ${describe(ma)}`;
      }
    }
    if (/connectTimeout|circuitBreakers|outlierDetection/.test(p)) return `${fieldOf(p)} changed`;
  }
  if (c.kind === "route") {
    if (c.change === "reordered") return "route order changed: the first matching route wins, so requests may go elsewhere";
    if (/\.route\.(cluster|weightedClusters)/.test(p)) return `destination changed: ${val(c.before)} → ${val(c.after)}`;
    if (/requireTls/.test(p)) return `require_tls ${val(c.before) ?? "NONE"} → ${val(c.after) ?? "NONE"}`;
  }
  if (c.kind === "endpoint" && /envoy\.transport_socket_match/.test(p)) return "an endpoint's tlsMode changed: auto-mTLS clients switch between mTLS and plaintext";
  if (c.change === "reordered") return `order changed (${IDENTITY[fieldOf(p)]?.why ?? "order matters here"})`;
  if (c.change === "modified") return `${fieldOf(p)}: ${val(c.before)} → ${val(c.after)}`;
  return `${fieldOf(p)} ${c.change}`;
}

/** A certificate (a DataSource's inline PEM, or base64 of it) as what identifies it; undefined when the value holds none. */
function certificatesOf(v: Json, field: string): CertInfo[] | undefined {
  if (typeof v !== "string") return undefined;
  const pem = field === "inlineBytes" ? base64Text(v) : v;
  if (!pem?.includes("-----BEGIN CERTIFICATE-----")) return undefined;
  const certs = parseCertificates(pem);
  return certs.length ? certs : undefined;
}

/** The certificates before and after of a change to a DataSource's inline value (inlineBytes, inlineString), read once; undefined for any other change. */
interface LeafCertificates {
  before: CertInfo[] | undefined;
  after: CertInfo[] | undefined;
}

function leafCertificates(c: Change): LeafCertificates | undefined {
  const field = fieldOf(c.path);
  if (field !== "inlineBytes" && field !== "inlineString") return undefined;
  return { before: certificatesOf(c.before, field), after: certificatesOf(c.after, field) };
}

/** A certificate's value (its PEM, or base64 of it: thousands of characters) replaced by what identifies it: the certificates it holds. */
function showCertificates(c: Change, leaf: LeafCertificates | undefined): void {
  if (leaf) {
    if (leaf.before) c.before = leaf.before;
    if (leaf.after) c.after = leaf.after;
    return;
  }
  const field = fieldOf(c.path);
  if (c.before !== undefined) c.before = withCertificates(c.before, field);
  if (c.after !== undefined) c.after = withCertificates(c.after, field);
}

/** How deep a value is looked into for certificates (Envoy's resources nest a DataSource a few levels down). */
const CERT_DEPTH = 32;

/** `v` with every DataSource's inline certificate (field inlineBytes or inlineString) as the certificates it holds; a copy where anything changed. */
function withCertificates(v: Json, field: string, depth = 0): Json {
  if (field === "inlineBytes" || field === "inlineString") return certificatesOf(v, field) ?? v;
  if (depth >= CERT_DEPTH || !v || typeof v !== "object" || v instanceof Redacted) return v;
  if (Array.isArray(v)) {
    let out: Json[] | undefined;
    v.forEach((x, i) => {
      const y = withCertificates(x, "", depth + 1);
      if (y !== x) (out ??= v.slice())[i] = y;
    });
    return out ?? v;
  }
  let out: Obj | undefined;
  for (const [k, x] of Object.entries(v as Obj)) {
    const y = withCertificates(x, k, depth + 1);
    // defineProperty, not assignment: a key "__proto__" from a dump stays a key.
    if (y !== x) Object.defineProperty((out ??= { ...(v as Obj) }), k, { value: y, enumerable: true, writable: true, configurable: true });
  }
  return out ?? v;
}

/**
 * A certificate that changed, said as what changed (serial, not-after, SAN, subject; of its first, the
 * leaf, and how many the chain holds), never as its base64: "certificate changed: serial 1 → 2; ...".
 */
function certificateChange(c: Change, { before: b, after: a }: LeafCertificates): string | undefined {
  if (!a && !b) return undefined;
  const what = /trustedCa/.test(c.path) ? "CA certificate" : "certificate";
  const one = (x: CertInfo[]) => `serial ${x[0]!.serial}, not after ${x[0]!.notAfter}, SAN ${x[0]!.subjectAltNames.join(", ") || "(none)"}${x.length > 1 ? `, ${x.length} in the chain` : ""}`;
  if (!b) return `${what} ${c.change === "modified" ? "now set" : "added"} (${one(a!)})`;
  if (!a) return `${what} ${c.change === "modified" ? "no longer readable" : "removed"} (${one(b)})`;
  const parts: string[] = [];
  const diff = (label: string, x: string, y: string) => x !== y && parts.push(`${label} ${x || "(none)"} → ${y || "(none)"}`);
  diff("serial", b[0]!.serial, a[0]!.serial);
  diff("not after", b[0]!.notAfter, a[0]!.notAfter);
  diff("SAN", b[0]!.subjectAltNames.join(", "), a[0]!.subjectAltNames.join(", "));
  diff("subject", b[0]!.subject, a[0]!.subject);
  diff("issuer", b[0]!.issuer, a[0]!.issuer);
  if (b.length !== a.length) parts.push(`chain of ${b.length} → ${a.length} certificates`);
  return `${what} changed: ${parts.length ? parts.join("; ") : "the leaf is the same; a certificate further up the chain changed"}`;
}

interface Ports {
  before: number[];
  after: number[];
  all: number[];
}

/** "port 9080: PERMISSIVE → STRICT" for every inbound port whose mode changed. */
function portSummary(before: LoadedInput, after: LoadedInput, ports: Ports): string[] {
  const out: string[] = [];
  // Compared as modes, said in Istio's words in Istio and as what the port takes elsewhere.
  const mesh = captureModel(after).mesh;
  const word = (pm: PortMode | undefined) => (pm ? portModeText(pm, mesh) : "absent");
  for (const p of ports.all) {
    const mb = ports.before.includes(p) ? portMode(before, p) : undefined;
    const ma = ports.after.includes(p) ? portMode(after, p) : undefined;
    if (mb?.mode !== ma?.mode) out.push(`port ${p}: ${word(mb)} → ${word(ma)}`);
  }
  return out;
}

const IMPACT_CLIENTS: PresetName[] = ["plaintext", "curl-mtls", "istio-sidecar"];

function landing(r: ExplainResult): string {
  const chain = r.filterChain ? `chain ${r.filterChain.name ? `"${r.filterChain.name}"` : `#${r.filterChain.index}`} (${chainKind(r) === "passthrough" ? "plaintext" : chainKind(r)})` : "no chain";
  return `${r.outcome.code}: ${chain}`;
}

function impactOf(before: LoadedInput, after: LoadedInput, ports: Ports): ImpactRow[] {
  const rows: ImpactRow[] = [];
  for (const port of ports.all) {
    for (const preset of IMPACT_CLIENTS) {
      const run = (d: LoadedInput) => explainConnection(d, { client: clientForPort(d, preset, port), dstPort: port });
      const b = run(before);
      const a = run(after);
      const lb = landing(b);
      const la = landing(a);
      if (b.outcome.code !== a.outcome.code || b.filterChain?.terminatesTls !== a.filterChain?.terminatesTls || b.filterChain?.requiresClientCertificate !== a.filterChain?.requiresClientCertificate) {
        rows.push({ port, client: preset, before: lb, after: la });
      }
    }
  }
  return rows;
}

