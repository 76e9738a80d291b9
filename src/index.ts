// envoy-explain as a library: the same analyses the CLI runs, returning the same documents as
// `-o json`. Importing reads no arguments, prints nothing and never exits; bad input throws an
// InputError carrying what the CLI would print.
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
import {
  checkDocument,
  overviewDocument,
  clustersDocument,
  diffDocument,
  endpointsDocument,
  explainDocument,
  listenersDocument,
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
  type RoutesDocument,
  type SecretsDocument,
  type TlsCheckDocument,
} from "./documents.js";

export { InputError, LoadedInput };
// open(file): a file or "-" of any size, read as `load` does up to 512 MiB and streamed past that (what the command line uses).
export { openInput as open } from "./load/open.js";
export { OUTCOME_CODES } from "./explain/outcomes.js";
export { PRESET_NAMES } from "./explain/presets.js";
export type { LoadOptions, OpenOptions, ExplainOptions, TlsCheckOptions, DiffOptions, ListenerFilter, ClusterFilter, EndpointFilter };
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
import { VERSION } from "./version.js";

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
  const name = opts.name ?? "<input>";
  if (typeof source === "string") return /^\s*[{[]|\n/.test(source) ? loadText(source, name, opts) : loadFile(source, opts);
  if (source instanceof Uint8Array) return loadBytes(source, name, opts);
  if (source && typeof source === "object") return loadText(JSON.stringify(source), name, opts);
  throw new InputError(name, `expected a path, a Buffer, a string or an object, not ${source === null ? "null" : typeof source}`);
}

/** Plain data, as `-o json` prints it: masked values masked, no class instances. */
function plainData<T>(doc: T): T {
  return JSON.parse(JSON.stringify(doc)) as T;
}

/** Which listener and filter chain Envoy picks for a connection to `port`, and what the client sees (every preset, or `client`). */
export function explain(input: Input, o: ExplainOptions): ExplainDocument {
  return plainData(explainDocument(load(input), o));
}

/** Will the server take what the client proxy sends? Without a server: what the client sends and accepts; with `from`: a preset client against `client` as the server. */
export function tlsCheck(client: Input, server?: Input, o: TlsCheckOptions = {}): TlsCheckDocument {
  return plainData(tlsCheckDocument(load(client), server === undefined ? undefined : load(server), o));
}

/** What changed for traffic between two dumps. */
export function diff(before: Input, after: Input, o: DiffOptions = {}): DiffDocument {
  return plainData(diffDocument(load(before), load(after), o));
}

export function listeners(input: Input, filter: ListenerFilter = {}): ListenersDocument {
  return plainData(listenersDocument(load(input), filter));
}
export function clusters(input: Input, filter: ClusterFilter = {}): ClustersDocument {
  return plainData(clustersDocument(load(input), filter));
}
export function routes(input: Input, filter: { name?: string } = {}): RoutesDocument {
  return plainData(routesDocument(load(input), filter));
}
export function endpoints(input: Input, filter: EndpointFilter = {}): EndpointsDocument {
  return plainData(endpointsDocument(load(input), filter));
}
export function secrets(input: Input): SecretsDocument {
  return plainData(secretsDocument(load(input)));
}

/** Checks the library's options as the CLI checks its flags: a bad one throws InputError before any work. */
function checkNow(o: FindingsOptions): void {
  if (o.now !== undefined && !(o.now instanceof Date && !Number.isNaN(o.now.getTime()))) throw new InputError("<options>", `now must be a valid Date, not ${String(o.now)}`);
}

/** What the proxy is, what each port accepts, what its clusters send, and its findings (`envoy-explain DUMP`). */
export function overview(input: Input, o: FindingsOptions = {}): OverviewDocument {
  checkNow(o);
  return plainData(overviewDocument(load(input), o));
}

/** Every finding of one or more dumps, most severe first; with two, the first is also checked as a client of the second (`envoy-explain check`). */
export function check(inputs: Input | Input[], o: FindingsOptions = {}): CheckDocument {
  checkNow(o);
  const list = Array.isArray(inputs) ? inputs : [inputs];
  return plainData(checkDocument(list.map((i) => load(i)), o));
}

/** Findings as a SARIF 2.1.0 log (what `check -o sarif` prints), for code-scanning tools. */
export function toSarif(doc: { findings: CheckDocument["findings"] }): object {
  return sarifLog(doc.findings, { version: VERSION });
}
