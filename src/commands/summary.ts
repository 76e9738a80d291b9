// `envoy-explain listeners` and `envoy-explain clusters`: one row per filter chain / cluster,
// losing nothing that decides where a connection lands.
import type { LoadedInput } from "../load/dump.js";
import { clusterModel } from "../model/cluster.js";
import { chainLabel, formatAddr, listenerModel, matchText, peekListener, terminalText, type ChainModel, type ListenerModel } from "../model/listener.js";
import { transportLabel, type TransportSummary } from "../model/tls.js";
import { renderTable, type OutputFormat } from "../output/table.js";
import { matcherPaths } from "../explain/matcher.js";
import { allEndpoints } from "../model/endpoint.js";
import { routeRows } from "../model/route.js";
import { secretModels } from "../model/secret.js";

export interface ChainRow {
  listener: string;
  address: string;
  state: string;
  bindToPort: boolean;
  listenerFilters: string[];
  chain: string;
  index: number;
  name?: string;
  isDefault: boolean;
  match: ChainModel["match"] | null;
  matchText: string;
  tls: string;
  transport: TransportSummary;
  terminal: string;
}

export function listenerRows(input: LoadedInput, filter: { port?: number; name?: string }): ChainRow[] {
  const rows: ChainRow[] = [];
  for (const rec of input.listeners) {
    const peek = peekListener(rec);
    if (filter.name && peek.name !== filter.name) continue;
    if (filter.port !== undefined && !peek.addresses.some((a) => a.port === filter.port) && !peek.chainPorts.includes(filter.port)) continue;
    const l = listenerModel(rec);
    if (filter.name && l.name !== filter.name) continue;
    const onPort = (c: ChainModel) => filter.port === undefined || l.address?.port === filter.port || c.match.destinationPort === filter.port || (c.isDefault && l.address?.port === filter.port);
    const chains = [...l.chains, ...(l.defaultChain ? [l.defaultChain] : [])].filter(onPort);
    if (filter.port !== undefined && !chains.length) continue;
    const viaMatcher = l.matcher ? matcherPaths(l.matcher) : undefined;
    for (const c of chains) rows.push(rowOf(l, c, viaMatcher));
    if (!l.chains.length && !l.defaultChain && (filter.port === undefined || l.address?.port === filter.port)) {
      rows.push({ ...rowOf(l, undefined) });
    }
  }
  return rows;
}

function rowOf(l: ListenerModel, c: ChainModel | undefined, viaMatcher?: Map<string, string[]>): ChainRow {
  const matcherText = (name: string | undefined) => {
    const paths = name !== undefined ? viaMatcher?.get(name) : undefined;
    return paths?.length ? `matcher: ${paths.join(" | ")}` : "matcher: never selected";
  };
  const lf = l.listenerFilters.map((f) => `${f.kind === "other" ? f.name : f.kind}${f.implicit ? " (implicit)" : ""}${f.disabled ? " (disabled on some ports)" : ""}`);
  return {
    listener: l.name,
    address: formatAddr(l.address),
    state: l.state,
    bindToPort: l.bindToPort,
    listenerFilters: lf,
    chain: c ? chainLabel(c) : "(none)",
    index: c?.index ?? -2,
    ...(c?.name ? { name: c.name } : {}),
    isDefault: c?.isDefault ?? false,
    match: c && !c.isDefault ? c.match : null,
    matchText: c ? (c.isDefault ? "default (when nothing matches)" : l.matcher ? matcherText(c.name) : matchText(c.match)) : "-",
    tls: c ? transportLabel(c.transport) : "-",
    transport: c?.transport ?? { kind: "plaintext" },
    terminal: c ? terminalText(c.terminal) : "no filter chains",
  };
}

export function renderListeners(input: LoadedInput, format: OutputFormat, filter: { port?: number; name?: string }): string {
  const rows = listenerRows(input, filter);
  if (format === "json") return JSON.stringify({ file: input.file, listeners: rows.map(({ transport, ...r }) => ({ ...r, transport })) }, null, 2);
  if (!rows.length) return `no listeners${filter.port !== undefined ? ` on port ${filter.port}` : ""} in ${input.file}`;
  return renderTable(
    format,
    ["LISTENER", "ADDRESS", "CHAIN", "MATCH", "TLS", "DESTINATION"],
    rows.map((r) => [
      `${r.listener}${r.state !== "active" && r.state !== "static" ? ` (${r.state})` : ""}${r.bindToPort ? "" : " [no bind]"}`,
      r.address,
      r.chain,
      r.matchText,
      r.tls,
      r.terminal,
    ]),
  );
}

export function renderClusters(input: LoadedInput, format: OutputFormat, filter: { name?: string; port?: number }): string {
  const ms = input.clusters
    .map(clusterModel)
    .filter((c) => (!filter.name || c.name.includes(filter.name)) && (filter.port === undefined || c.istio?.port === filter.port));
  const tlsText = (t: TransportSummary) => {
    if (t.kind !== "tls") return transportLabel(t);
    const cert = t.certificates.length ? `mTLS cert ${t.certificates.join(",")}` : "TLS";
    return `${cert}${t.alpn.length ? `; ALPN ${t.alpn.join(",")}` : ""}${t.sni ? `; SNI ${t.sni}` : ""}`;
  };
  if (format === "json") {
    return JSON.stringify(
      { file: input.file, clusters: ms.map((c) => ({ name: c.name, istio: c.istio ?? null, type: c.type, state: c.record.state, transport: c.transport, transportSocketMatches: c.socketMatches })) },
      null,
      2,
    );
  }
  if (!ms.length) return `no clusters in ${input.file}`;
  return renderTable(
    format,
    ["CLUSTER", "DIRECTION", "PORT", "SUBSET", "TYPE", "UPSTREAM TLS"],
    ms.map((c) => [
      c.istio?.host || c.name,
      c.istio?.direction ?? "-",
      c.istio?.port || "-",
      c.istio?.subset || "-",
      c.type,
      c.socketMatches.length
        ? c.socketMatches.map((m) => `match ${JSON.stringify(m.match)} (${m.name}) → ${tlsText(m.transport)}`).join("\n") + `\nelse → ${tlsText(c.transport)}`
        : tlsText(c.transport),
    ]),
  );
}

export function renderRoutes(input: LoadedInput, format: OutputFormat, filter: { name?: string }): string {
  const rows = routeRows(input, filter);
  if (format === "json") return JSON.stringify({ file: input.file, routes: rows }, null, 2);
  if (!rows.length) return `no routes in ${input.file}`;
  return renderTable(
    format,
    ["ROUTE CONFIG", "VIRTUAL HOST", "DOMAINS", "#", "MATCH", "DESTINATION"],
    rows.map((r) => [r.routeConfig, `${r.virtualHost}${r.requireTls ? ` (require TLS: ${r.requireTls})` : ""}`, r.domains.length > 3 ? `${r.domains.slice(0, 3).join(", ")} +${r.domains.length - 3} more` : r.domains.join(", "), r.index, r.match, r.action]),
  );
}

export function renderEndpoints(input: LoadedInput, format: OutputFormat, filter: { cluster?: string; port?: number }): string {
  const rows = allEndpoints(input).filter((e) => (!filter.cluster || e.cluster.includes(filter.cluster)) && (filter.port === undefined || e.address.endsWith(`:${filter.port}`)));
  if (format === "json") return JSON.stringify({ file: input.file, endpoints: rows }, null, 2);
  if (!rows.length) return input.sections.has("endpoints") ? `no endpoints in ${input.file}` : `${input.file} has no endpoints section (Envoy omits EDS unless asked: /config_dump?include_eds)`;
  return renderTable(format, ["ENDPOINT", "STATUS", "TLS MODE", "LOCALITY", "CLUSTER"], rows.map((e) => [e.address, e.health, String(e.socketMatch.tlsMode ?? "-"), e.locality || "-", e.cluster]));
}

export function renderSecrets(input: LoadedInput, format: OutputFormat, now = new Date()): string {
  const ms = secretModels(input, now);
  if (format === "json") return JSON.stringify({ file: input.file, secrets: ms }, null, 2);
  if (!ms.length) return `no secrets in ${input.file}`;
  return renderTable(
    format,
    ["NAME", "STATE", "TYPE", "SOURCE", "VALID", "NOT AFTER", "SERIAL"],
    ms.map((s) => {
      const c = s.certificates[0];
      return [s.name, s.state.toUpperCase(), s.type, s.source || "-", c ? (c.valid ? "yes" : "NO") : "-", c?.notAfter ?? "-", c?.serial ?? "-"];
    }),
  );
}
