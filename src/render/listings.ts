// The listings as aligned columns (or Markdown tables): listeners, clusters, routes, endpoints, secrets.
import { renderListing, type OutputFormat } from "./table.js";
import { mdInline } from "./sanitize.js";
import { transportLabel, type TransportSummary } from "../model/tls.js";
import type { ClustersDocument, EndpointsDocument, ListenersDocument, RoutesDocument, SecretsDocument } from "../documents.js";
import type { ClusterFilter, EndpointFilter, ListenerFilter } from "../analyses/listings.js";

/**
 * What a listing says when it lists nothing: with filters that matched none of the dump's `inDump`,
 * the filters and that count ("no clusters on port 1234 (of 25)"); else that the dump holds none.
 * Names are shown whole (Markdown escapes them; the CLI escapes what reaches a terminal).
 */
function noneMatched(format: OutputFormat, what: string, noun: string, inDump: number | undefined, file: string): string {
  return plain(format, inDump === undefined ? `${what} in ${file}` : inDump === 0 ? `no ${noun} in ${file}` : `${what} (of ${inDump})`);
}

const hasFilter = (f: object) => Object.values(f).some((v) => v !== undefined);

/** `inDump`: how many listeners the dump holds (the CLI counts them when the filters matched none). */
export function renderListeners(doc: ListenersDocument, format: OutputFormat, filter: ListenerFilter = {}, inDump?: number): string {
  const rows = doc.listeners;
  if (!rows.length) {
    if (!hasFilter(filter)) return plain(format, `no listeners in ${doc.file}`);
    const what = `no listeners${filter.name !== undefined ? ` named ${filter.name}` : ""}${filter.address !== undefined ? ` at ${filter.address}` : ""}${filter.port !== undefined ? ` on port ${filter.port}` : ""}${filter.type !== undefined ? ` with ${filter.type} chains` : ""}`;
    return noneMatched(format, what, "listeners", inDump, doc.file);
  }
  return renderListing(
    format,
    ["LISTENER", "ADDRESS", "CHAIN", "MATCH", "TLS", "DESTINATION"],
    rows.map((r) => [
      `${r.listener}${r.state !== "active" && r.state !== "static" ? ` (${r.state === "error" ? "rejected" : r.state})` : ""}${r.updateRejected ? " (update rejected)" : ""}${r.bindToPort ? "" : " [no bind]"}`,
      r.address,
      r.chain,
      r.matchText,
      r.tls,
      r.terminal,
    ]),
  );
}

/** `inDump`: how many clusters the dump holds (the CLI counts them when the filters matched none). */
export function renderClusters(doc: ClustersDocument, format: OutputFormat, filter: ClusterFilter = {}, inDump?: number): string {
  const tlsText = (t: TransportSummary) => {
    if (t.kind !== "tls") return transportLabel(t);
    const cert = `${t.quic ? "QUIC " : ""}${t.certificates.length ? `mTLS cert ${t.certificates.join(",")}` : "TLS"}`;
    return `${cert}${t.alpn.length ? `; ALPN ${t.alpn.join(",")}` : ""}${t.sni ? `; SNI ${t.sni}` : ""}${t.wrappers?.length ? `; ${t.wrappers.join(", ")}` : ""}`;
  };
  if (!doc.clusters.length) {
    if (!hasFilter(filter)) return plain(format, `no clusters in ${doc.file}`);
    const subset = filter.subset === undefined ? "" : filter.subset === "" ? " without a subset" : ` of subset ${filter.subset}`;
    const what = `no ${filter.direction !== undefined ? `${filter.direction} ` : ""}clusters${filter.fqdn !== undefined ? ` for ${filter.fqdn}` : ""}${filter.port !== undefined ? ` on port ${filter.port}` : ""}${subset}${filter.name !== undefined ? ` whose name contains ${filter.name}` : ""}`;
    return noneMatched(format, what, "clusters", inDump, doc.file);
  }
  return renderListing(
    format,
    // CLUSTER is the cluster's name, what explain, endpoints and access logs use; the service FQDN,
    // port, subset and direction (parsed from an Istio name) are columns of their own, as istioctl's
    // SERVICE FQDN is, and go first on a narrow terminal (they repeat what the name says).
    ["CLUSTER", { title: "SERVICE FQDN", drop: 4 }, { title: "PORT", drop: 3 }, { title: "SUBSET", drop: 2 }, { title: "DIRECTION", drop: 1 }, "TYPE", { title: "UPSTREAM TLS", wrap: true }],
    doc.clusters.map((c) => [
      c.name,
      c.istio?.host || "-",
      c.istio?.port || "-",
      c.istio?.subset || "-",
      c.istio?.direction ?? "-",
      c.type,
      c.transportSocketMatches.length
        ? c.transportSocketMatches.map((m) => `match ${JSON.stringify(m.match)} (${m.name}) → ${tlsText(m.transport)}`).join("\n") + `\nelse → ${tlsText(c.transport)}`
        : tlsText(c.transport),
    ]),
  );
}

/** A sentence with names from a dump: escaped for Markdown (the CLI escapes what reaches a terminal). */
function plain(format: OutputFormat, text: string): string {
  return format === "markdown" ? mdInline(text) : text;
}

/** ": route configuration a has no route" / ": 2 route configurations (a, b) have no route", or nothing. */
function noneText(names: string[], what: string, one: string, many: string): string {
  if (!names.length) return "";
  if (names.length === 1) return `: ${what} ${names[0]} ${one}`;
  const shown = names.slice(0, 5).join(", ");
  return `: ${names.length} ${what}s (${shown}${names.length > 5 ? ", …" : ""}) ${many}`;
}

/** `inDump`: how many route configurations the dump holds (the CLI counts them when --name matched none). */
export function renderRoutes(doc: RoutesDocument, format: OutputFormat, filter: { name?: string } = {}, inDump?: number): string {
  const rows = doc.routes;
  if (!rows.length && filter.name !== undefined && !doc.withoutRoutes.length) return noneMatched(format, `no route configuration named ${filter.name}`, "route configurations", inDump, doc.file);
  if (!rows.length) return plain(format, `no routes in ${doc.file}${noneText(doc.withoutRoutes, "route configuration", "has no route (no virtual host, or none with a route)", "have no route (no virtual host, or none with a route)")}`);
  return renderListing(
    format,
    ["ROUTE CONFIG", "VIRTUAL HOST", "DOMAINS", "#", "MATCH", "DESTINATION"],
    rows.map((r) => [r.routeConfig, `${r.virtualHost}${r.requireTls ? ` (require TLS: ${r.requireTls})` : ""}`, r.domains.length > 3 ? `${r.domains.slice(0, 3).join(", ")} +${r.domains.length - 3} more` : r.domains.join(", "), r.index, r.match, r.action]),
  );
}

/** `inDump`: how many endpoints the dump holds (the CLI counts them when the filters matched none). */
export function renderEndpoints(doc: EndpointsDocument, format: OutputFormat, filter: EndpointFilter = {}, inDump?: number): string {
  const rows = doc.endpoints;
  const empty = rows.length ? "" : noneText(doc.withoutEndpoints, "endpoint assignment", "lists no endpoint: its cluster has no upstream host (HTTP 503 UH)", "list no endpoint: their clusters have no upstream host (HTTP 503 UH)");
  if (!rows.length && doc.edsInDump && hasFilter(filter) && inDump) {
    const what = `no ${filter.status !== undefined ? `${filter.status.toUpperCase()} ` : ""}endpoints${filter.address !== undefined ? ` at ${filter.address}` : ""}${filter.port !== undefined ? ` on port ${filter.port}` : ""}${filter.cluster !== undefined ? ` of clusters whose name contains ${filter.cluster}` : ""}`;
    return plain(format, `${what} (of ${inDump})${empty}`);
  }
  if (!rows.length) return plain(format, doc.edsInDump ? `no endpoints in ${doc.file}${empty}` : `${doc.file} has no endpoints section (Envoy omits EDS unless asked: /config_dump?include_eds)`);
  return renderListing(format, ["ENDPOINT", "STATUS", "TLS MODE", "LOCALITY", "CLUSTER"], rows.map((e) => [e.address, e.health, String(e.socketMatch.tlsMode ?? "-"), e.locality || "-", e.cluster]));
}

export function renderSecrets(doc: SecretsDocument, format: OutputFormat): string {
  const ms = doc.secrets;
  if (!ms.length) return `no secrets in ${doc.file}`;
  const now = Date.now();
  // Why a certificate is not valid, in words: expired on a date, or not valid yet.
  const validity = (c: SecretsDocument["secrets"][number]["certificates"][number]) =>
    c.valid ? "yes" : Date.parse(c.notAfter) < now ? `expired ${c.notAfter}` : Date.parse(c.notBefore) > now ? `not before ${c.notBefore}` : "NO";
  return renderListing(
    format,
    ["NAME", "STATE", "TYPE", "SOURCE", "VALID", "NOT AFTER", "IDENTITY (SAN)", "SERIAL"],
    ms.map((s) => {
      const c = s.certificates[0];
      return [s.name, s.state.toUpperCase(), s.type, s.source || "-", c ? validity(c) : "-", c?.notAfter ?? "-", c?.subjectAltNames.join(", ") || "-", c?.serial ?? "-"];
    }),
  );
}
