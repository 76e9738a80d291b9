// The result of every command as one plain document: what `-o json` and `-o yaml` print, what the
// library returns, and what the table and Markdown renderers read. Each carries `version` and the
// warnings found while reading and decoding what the command used.
import type { Diagnostic } from "./diag.js";
import type { LoadedInput } from "./load/dump.js";
import { runExplain, type ExplainOptions } from "./analyses/explain.js";
import type { ExplainResult } from "./explain/explain.js";
import { assignmentsWithoutEndpoints, clusterRows, endpointRows, listenerRows, routeConfigsWithoutRoutes, type ChainRow, type ClusterFilter, type ClusterRow, type EndpointFilter, type ListenerFilter } from "./analyses/listings.js";
import { routeRows, type RouteRow } from "./model/route.js";
import { secretModels, type SecretModel } from "./model/secret.js";
import type { EndpointModel } from "./model/endpoint.js";
import { inboundPorts, portMode, runTlsCheck, type TlsCheckOptions, type TlsCheckReport } from "./analyses/tlscheck.js";
import { diffInputs, type DiffOptions, type DiffReport } from "./analyses/diff.js";
import { overview, type Overview } from "./findings/overview.js";
import { runFindings, sortFindings, type FindingsOptions } from "./findings/index.js";
import type { Finding } from "./findings/types.js";
import { replayLogLines, type LogReplayOptions, type LogResult } from "./analyses/logreplay.js";
import { diffFleetWithWarnings, type FleetDiffOptions, type FleetDiffReport, type FleetMember } from "./analyses/fleetdiff.js";

/** How many listeners, clusters, endpoints or route configurations a dump holds, for a listing whose filters matched none. */
export { countInDump } from "./analyses/listings.js";

/** The version of every JSON document; it changes only when a field changes meaning or goes away. */
export const DOCUMENT_VERSION = 1;

export interface Warning {
  severity: "error" | "warning" | "note";
  code: string;
  file: string;
  /** JSON path in the file, where known. */
  path?: string;
  line?: number;
  column?: number;
  message: string;
  /** How many times the same warning occurred (the first place is `path`). */
  count?: number;
}

interface Base {
  version: typeof DOCUMENT_VERSION;
  warnings: Warning[];
}

export interface ExplainDocument extends Base {
  file: string;
  results: ExplainResult[];
}
export interface ListenersDocument extends Base {
  file: string;
  listeners: ChainRow[];
}
export interface ClustersDocument extends Base {
  file: string;
  clusters: ClusterRow[];
}
export interface RoutesDocument extends Base {
  file: string;
  routes: RouteRow[];
  /** Route configurations (of the routes section) with no route: no virtual host, or none with a route. */
  withoutRoutes: string[];
}
export interface EndpointsDocument extends Base {
  file: string;
  /** False when the dump has no endpoints section (Envoy omits EDS unless asked with ?include_eds). */
  edsInDump: boolean;
  endpoints: EndpointModel[];
  /** Endpoint assignments that list no endpoint (their clusters answer 503 UH); with --port, --address or --status, not looked for. */
  withoutEndpoints: string[];
}
export interface SecretsDocument extends Base {
  file: string;
  secrets: SecretModel[];
}
export interface TlsCheckDocument extends Base, TlsCheckReport {
  client: string | null;
  server: string | null;
}
export interface DiffDocument extends Base, DiffReport {}
/** `envoy-explain DUMP` without --port: what the proxy is, what its ports accept, what its clusters send, and the findings. */
export interface OverviewDocument extends Base, Overview {
  file: string;
}
/** `envoy-explain DUMP --log LINE`: each line replayed, and whether the dump reproduces it. */
export interface LogDocument extends Base {
  file: string;
  results: LogResult[];
}
/** `envoy-explain check DUMP [MORE…]`: every finding of every dump, most severe first. */
export interface CheckDocument extends Base {
  files: string[];
  findings: Finding[];
}

export type AnyDocument = LogDocument | OverviewDocument | CheckDocument | ExplainDocument | ListenersDocument | ClustersDocument | RoutesDocument | EndpointsDocument | SecretsDocument | TlsCheckDocument | DiffDocument;

/** Warnings of the inputs, after the analysis ran (decoding is lazy: it finds problems as it goes). */
export function warningsOf(inputs: (LoadedInput | undefined)[]): Warning[] {
  const out: Warning[] = [];
  const seen = new Set<LoadedInput>();
  for (const input of inputs) {
    if (!input || seen.has(input)) continue;
    seen.add(input);
    for (const d of input.diags.list) out.push(warningOf(d));
  }
  return out;
}

function warningOf(d: Diagnostic): Warning {
  return {
    severity: d.severity,
    code: d.code,
    file: d.file,
    ...(d.path !== undefined ? { path: d.path } : {}),
    ...(d.line !== undefined ? { line: d.line } : {}),
    ...(d.column !== undefined ? { column: d.column } : {}),
    message: d.message,
    ...(d.count !== undefined && d.count > 1 ? { count: d.count } : {}),
  };
}

function finish<T extends object>(doc: T, inputs: (LoadedInput | undefined)[]): T & Base {
  return { version: DOCUMENT_VERSION, ...doc, warnings: warningsOf(inputs) };
}

export function explainDocument(input: LoadedInput, o: ExplainOptions): ExplainDocument {
  const results = runExplain(input, o);
  return finish({ file: input.file, results }, [input]);
}

export function listenersDocument(input: LoadedInput, filter: ListenerFilter = {}): ListenersDocument {
  return finish({ file: input.file, listeners: listenerRows(input, filter) }, [input]);
}

export function clustersDocument(input: LoadedInput, filter: ClusterFilter = {}): ClustersDocument {
  return finish({ file: input.file, clusters: clusterRows(input, filter) }, [input]);
}

export function routesDocument(input: LoadedInput, filter: { name?: string } = {}): RoutesDocument {
  const routes = routeRows(input, filter);
  return finish({ file: input.file, routes, withoutRoutes: routeConfigsWithoutRoutes(input, routes, filter) }, [input]);
}

export function endpointsDocument(input: LoadedInput, filter: EndpointFilter = {}): EndpointsDocument {
  const endpoints = endpointRows(input, filter);
  return finish({ file: input.file, edsInDump: input.sections.has("endpoints") || input.endpoints.length > 0, endpoints, withoutEndpoints: assignmentsWithoutEndpoints(input, endpoints, filter) }, [input]);
}

export function secretsDocument(input: LoadedInput, now = new Date()): SecretsDocument {
  return finish({ file: input.file, secrets: secretModels(input, now) }, [input]);
}

/**
 * tls-check: with a client and a server, one row per paired host:port; with only a client, what its
 * clusters send and what it accepts itself; with `from`, a client without a sidecar against `server`.
 */
export function tlsCheckDocument(client: LoadedInput | undefined, server: LoadedInput | undefined, o: TlsCheckOptions = {}): TlsCheckDocument {
  let report: TlsCheckReport;
  if (o.from) report = runTlsCheck(undefined, server ?? client, o);
  else if (server) report = runTlsCheck(client, server, o);
  else {
    report = runTlsCheck(client, undefined, o);
    if (client) report.serverPorts = inboundPorts(client).map((p) => portMode(client, p));
    // A routes, endpoints, secrets or bootstrap dump alone: say so, rather than print nothing.
    if (client && !report.serverPorts.length && !report.clientClusters.length && !report.rows.length && !report.notes.length) {
      report.notes.push(`nothing to check in ${client.file}: no inbound port and no outbound cluster (it holds ${client.listeners.length} listeners and ${client.clusters.length} clusters)`);
    }
  }
  const serverInput = o.from ? (server ?? client) : server;
  return finish({ client: o.from ? null : (client?.file ?? null), server: serverInput?.file ?? null, ...report }, [client, server]);
}

export function diffDocument(before: LoadedInput, after: LoadedInput, o: DiffOptions = {}): DiffDocument {
  return finish(diffInputs(before, after, o), [before, after]);
}

export function overviewDocument(input: LoadedInput, o: FindingsOptions = {}): OverviewDocument {
  return finish({ file: input.file, ...overview(input, o) }, [input]);
}

/**
 * Findings of each dump; with exactly two, the first is also checked as a client of the second (as
 * tls-check pairs them), which adds TLS_MODE_CONFLICT for every cluster the server would refuse.
 */
export function checkDocument(inputs: LoadedInput[], o: FindingsOptions = {}): CheckDocument {
  const findings: Finding[] = [];
  inputs.forEach((input, i) => {
    findings.push(...runFindings(input, { ...o, ...(inputs.length === 2 && i === 0 ? { server: inputs[1]! } : {}) }));
  });
  return finish({ files: inputs.map((i) => i.file), findings: sortFindings(findings) }, inputs);
}

export function logDocument(input: LoadedInput, lines: string[], o: LogReplayOptions = {}): LogDocument {
  return finish({ file: input.file, results: replayLogLines(input, lines, o) }, [input]);
}

/** `diff DIR_BEFORE DIR_AFTER`: every proxy of two fleets of dumps paired by name and diffed, the mesh-wide summary first. */
export interface FleetDiffDocument extends Base, FleetDiffReport {}

/**
 * The fleet diff (analyses/fleetdiff.ts) as a document: at most one pair of dumps is held at a time, and
 * the warnings are those of every dump read, before's first.
 */
export async function fleetDiffDocument(before: FleetMember[], after: FleetMember[], o: FleetDiffOptions = {}): Promise<FleetDiffDocument> {
  const { report, diagnostics } = await diffFleetWithWarnings(before, after, o);
  return { version: DOCUMENT_VERSION, ...report, warnings: diagnostics.map(warningOf) };
}
