// envoy-explain as a library: the same analyses the CLI runs, returning the same documents as
// `-o json`. Importing reads no arguments, prints nothing and never exits; bad input throws an
// InputError carrying what the CLI would print. Options are checked before anything is read, with the
// words the CLI uses for its flags (a bad option is an OptionError, an InputError).
//
//   import { load, explain, tlsCheck, diff } from "envoy-explain";
//   const dump = load("config_dump.json"); // or: await open("huge.json.gz"), any size
//   const doc = explain(dump, { port: 9080, client: "curl-mtls" });
//   doc.results[0].outcome.code; // "TLS_INTO_PLAINTEXT_HTTP"
//   check(dump).findings; // [{ code: "PERMISSIVE_TLS_TRAP", severity: "warning", … }]
import { InputError } from "./diag.js";
import { loadBytes, loadFile, loadText, LoadedInput, type LoadOptions } from "./load/dump.js";
import type { OpenOptions } from "./load/open.js";
import type { ExplainOptions } from "./analyses/explain.js";
import type { TlsCheckOptions } from "./analyses/tlscheck.js";
import type { DiffOptions } from "./analyses/diff.js";
import type { ClusterFilter, EndpointFilter, ListenerFilter } from "./analyses/listings.js";
import type { LogReplayOptions } from "./analyses/logreplay.js";
import {
  clusterFilterOptions,
  diffOptionValues,
  endpointFilterOptions,
  explainOptions,
  findingsOptionValues,
  listenerFilterOptions,
  loadOptionValues,
  logReplayOptionValues,
  OptionError,
  routeFilterOptions,
  tlsCheckOptionValues,
  type ServiceSelector,
} from "./analyses/options.js";
import {
  checkDocument,
  overviewDocument,
  clustersDocument,
  diffDocument,
  endpointsDocument,
  explainDocument,
  listenersDocument,
  logDocument,
  routesDocument,
  secretsDocument,
  tlsCheckDocument,
  type CheckDocument,
  type OverviewDocument,
  type ClustersDocument,
  type DiffDocument,
  type EndpointsDocument,
  type ExplainDocument,
  type ListenersDocument,
  type LogDocument,
  type RoutesDocument,
  type SecretsDocument,
  type TlsCheckDocument,
} from "./documents.js";

export { InputError, LoadedInput, OptionError };
// open(file): a file or "-" of any size, read as `load` does up to 512 MiB and streamed past that (what the command line uses).
export { openInput as open } from "./load/open.js";
export { OUTCOME_CODES } from "./explain/outcomes.js";
export { PRESET_NAMES } from "./explain/presets.js";
export type { LoadOptions, OpenOptions, ExplainOptions, TlsCheckOptions, DiffOptions, ListenerFilter, ClusterFilter, EndpointFilter, LogReplayOptions, ServiceSelector };
export type * from "./documents.js";
export type { ExplainResult, Outcome, OutcomeCode } from "./explain/explain.js";
export type { ChainRow, ClusterRow } from "./analyses/listings.js";
export type { CheckRow, PortMode, Status, TlsCheckReport } from "./analyses/tlscheck.js";
export type { Change, ImpactRow, DiffReport } from "./analyses/diff.js";
export type { RouteRow } from "./model/route.js";
export type { EndpointModel } from "./model/endpoint.js";
export type { SecretModel } from "./model/secret.js";
export type { Diagnostic } from "./diag.js";
export type { PresetName } from "./explain/clients.js";
export type { Finding, FindingResource, FindingEvidence, FindingCode, FindingLevel } from "./findings/types.js";
export { CATALOGUE, FINDING_CODES } from "./findings/catalogue.gen.js";
export type { FindingsOptions } from "./findings/index.js";
import type { FindingsOptions } from "./findings/index.js";
import { sarifLog } from "./render/sarif.js";
import { plainDocument } from "./render/output.js";
import { VERSION } from "./version.js";
import { openInput } from "./load/open.js";
import { shown } from "./analyses/options.js";
import { fleetCheckDocument, fleetTlsDocument, type FleetCheckDocument, type FleetMember, type FleetTlsDocument } from "./fleetdoc.js";
import { fleetDiffDocument, type FleetDiffDocument } from "./documents.js";

/** What every analysis takes: a loaded input, or anything `load` reads. */
export type Input = LoadedInput | string | Uint8Array | object;

export interface LibraryLoadOptions extends LoadOptions {
  /** The name used in messages for input that is not a file (default "<input>"). */
  name?: string;
}

/**
 * Reads an input: a file path (gzip and UTF-16 too), a Buffer or string holding a dump (JSON,
 * YAML, a dump pasted into a bug report), or an already parsed object. A string that starts with
 * `{`, `[` or holds a line break is taken as the dump itself, anything else as a path.
 */
export function load(source: Input, opts: LibraryLoadOptions = {}): LoadedInput {
  if (source instanceof LoadedInput) return source;
  loadOptionValues(opts, "field");
  const name = opts.name ?? "<input>";
  if (typeof source === "string") return /^\s*[{[]|\n/.test(source) ? loadText(source, name, opts) : loadFile(source, opts);
  if (source instanceof Uint8Array) return loadBytes(source, name, opts);
  if (source && typeof source === "object") {
    let text: string;
    try {
      text = JSON.stringify(source);
    } catch (e) {
      // Nested too deeply for the stack, or a value that contains itself: not a dump this can read.
      throw new InputError(name, e instanceof RangeError ? "the object nests too deeply to read" : `the object cannot be read as JSON (${(e as Error).message})`);
    }
    return loadText(text, name, opts);
  }
  throw new InputError(name, `expected a path, a Buffer, a string or an object, not ${source === null ? "null" : typeof source}`);
}

/** Which listener and filter chain Envoy picks for a connection to `port`, and what the client sees (every preset, or `client`). */
export function explain(input: Input, o: ExplainOptions): ExplainDocument {
  const options = explainOptions(o, "field");
  return plainDocument(explainDocument(load(input), options));
}

/** Will the server take what the client proxy sends? Without a server: what the client sends and accepts; with `from`: a preset client against `client` as the server. */
export function tlsCheck(client: Input, server?: Input, o: TlsCheckOptions = {}): TlsCheckDocument {
  // service: { host, port }, or { name } (a cluster name or an SNI); "host:port" or a name as text is read as the CLI reads --service.
  const options = { ...o, ...tlsCheckOptionValues(o, "field") } as TlsCheckOptions;
  return plainDocument(tlsCheckDocument(load(client), server === undefined ? undefined : load(server), options));
}

/** What changed for traffic between two dumps. */
export function diff(before: Input, after: Input, o: DiffOptions = {}): DiffDocument {
  const options = { ...o, ...diffOptionValues(o, "field") };
  return plainDocument(diffDocument(load(before), load(after), options));
}

export function listeners(input: Input, filter: ListenerFilter = {}): ListenersDocument {
  const f = listenerFilterOptions(filter, "field");
  return plainDocument(listenersDocument(load(input), f));
}
export function clusters(input: Input, filter: ClusterFilter = {}): ClustersDocument {
  const f = clusterFilterOptions(filter, "field");
  return plainDocument(clustersDocument(load(input), f));
}
export function routes(input: Input, filter: { name?: string } = {}): RoutesDocument {
  const f = routeFilterOptions(filter, "field");
  return plainDocument(routesDocument(load(input), f));
}
export function endpoints(input: Input, filter: EndpointFilter = {}): EndpointsDocument {
  const f = endpointFilterOptions(filter, "field");
  return plainDocument(endpointsDocument(load(input), f));
}

/** Access-log lines replayed through the dump: does it reproduce each (`envoy-explain DUMP --log LINE`)? `port`/`address`: for formats that do not log the destination. */
export function replayLog(input: Input, lines: string | string[], o: LogReplayOptions = {}): LogDocument {
  const options = logReplayOptionValues(o, "field");
  const list = typeof lines === "string" ? lines.split(/\r?\n/) : Array.isArray(lines) ? [...lines] : undefined;
  if (!list || list.some((l) => typeof l !== "string")) throw new OptionError("lines", `lines must be text or a list of text, not ${typeof lines}`);
  while (list.length && !list[list.length - 1]!.trim()) list.pop();
  if (!list.some((l) => l.trim())) throw new OptionError("lines", "lines has no line to replay");
  return plainDocument(logDocument(load(input), list, options));
}
export function secrets(input: Input): SecretsDocument {
  return plainDocument(secretsDocument(load(input)));
}

/** What the proxy is, what each port accepts, what its clusters send, and its findings (`envoy-explain DUMP`). */
export function overview(input: Input, o: FindingsOptions = {}): OverviewDocument {
  const options = { ...o, ...findingsOptionValues(o, "field") };
  return plainDocument(overviewDocument(load(input), options));
}

/** Every finding of one or more dumps, most severe first; with two, the first is also checked as a client of the second (`envoy-explain check`). */
export function check(inputs: Input | Input[], o: FindingsOptions = {}): CheckDocument {
  const options = { ...o, ...findingsOptionValues(o, "field") };
  const list = Array.isArray(inputs) ? inputs : [inputs];
  return plainDocument(checkDocument(list.map((i) => load(i)), options));
}

/** Findings as a SARIF 2.1.0 log (what `check -o sarif` prints), for code-scanning tools. */
export function toSarif(doc: { findings: CheckDocument["findings"] }): object {
  return sarifLog(doc.findings, { version: VERSION });
}

// ---- Fleets: many dumps, one per proxy (`tls-check DIR`, `check DIR`, `diff DIR DIR`) ----------------
export type { FleetTlsDocument, FleetCheckDocument } from "./fleetdoc.js";
export type { FleetReport, FleetRow } from "./analyses/fleet.js";
export type { FleetDiffReport, FleetProxy } from "./analyses/fleetdiff.js";

export interface FleetLibraryOptions {
  /** Dumps read at once (1 to 64, default 2): each is dropped once indexed. */
  concurrency?: number;
}

/** A fleet's members from what the caller gave: a path is read when needed (streamed when plain JSON), anything else as `load` reads it. */
function fleetMembers(inputs: Input[], what: string): FleetMember[] {
  if (!Array.isArray(inputs) || !inputs.length) throw new OptionError(what, `${what} must be a non-empty list of dumps (paths, Buffers, text or objects)`);
  return inputs.map((x, i) => {
    // The caller's own input: used, not closed.
    if (x instanceof LoadedInput) return { file: x.file, load: () => x, release: () => {} };
    if (typeof x === "string" && !/^\s*[{[]|\n/.test(x)) return { file: x, load: () => openInput(x, { streamJsonFrom: 0 }) };
    const name = `<input ${i + 1}>`;
    return { file: name, load: () => load(x, { name }) };
  });
}

function fleetConcurrency(o: FleetLibraryOptions): number {
  const c = o.concurrency ?? 2;
  if (typeof c !== "number" || !Number.isInteger(c) || c < 1 || c > 64) throw new OptionError("concurrency", `concurrency must be a whole number from 1 to 64, not ${shown(c)}`);
  return c;
}

/** tls-check over a fleet: every client cluster paired with the proxy that owns its endpoints, one row per client × cluster. Dumps that cannot be read are in `failed`. */
export async function fleetTlsCheck(inputs: Input[], o: FleetLibraryOptions = {}): Promise<FleetTlsDocument> {
  const concurrency = fleetConcurrency(o);
  return plainDocument(await fleetTlsDocument(fleetMembers(inputs, "inputs"), { concurrency }));
}

/** `check` over a fleet: every proxy's findings, and TLS_MODE_CONFLICT between proxies, naming both. */
export async function fleetCheck(inputs: Input[], o: FindingsOptions & FleetLibraryOptions = {}): Promise<FleetCheckDocument> {
  const { concurrency: _c, ...rest } = o;
  const findings = { ...rest, ...findingsOptionValues(rest, "field") };
  const concurrency = fleetConcurrency(o);
  return plainDocument(await fleetCheckDocument(fleetMembers(inputs, "inputs"), { concurrency, findings }));
}

/** `diff` over two fleets: proxies paired by name (pod.namespace, else the file's stem), each pair diffed, the mesh-wide summary first. */
export async function fleetDiff(before: Input[], after: Input[], o: DiffOptions = {}): Promise<FleetDiffDocument> {
  const options = { ...o, ...diffOptionValues(o, "field") };
  return plainDocument(await fleetDiffDocument(fleetMembers(before, "before"), fleetMembers(after, "after"), options));
}
