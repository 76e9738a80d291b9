// What every analyzer returns: findings, each with a stable code from the catalogue
// (messages.yaml), where it is in the input, and how to fix it. Analyzers are small modules, one or
// a few codes each, as Istio's pkg/config/analysis has them; src/findings/index.ts runs them all.
import type { LoadedInput, ResourceKind, ResourceRecord } from "../load/dump.js";
import { CATALOGUE, type CatalogueEntry, type FindingCode, type FindingLevel } from "./catalogue.gen.js";

export type { FindingCode, FindingLevel } from "./catalogue.gen.js";

/** What a finding is about: a resource of the dump, or a part of one (a chain, a route, a port). */
export interface FindingResource {
  kind: ResourceKind | "filter_chain" | "virtual_host" | "route_entry" | "port" | "certificate";
  name: string;
}

/** For a finding about traffic: the replay through the explain engine that shows it. */
export interface FindingEvidence {
  /** The client replayed (a preset name, "cluster NAME" for a client proxy's cluster, or a request). */
  client: string;
  port?: number;
  /** For an HTTP request: "GET host/path". */
  request?: string;
  /** The explain outcome code of the replay. */
  outcome: string;
  listener?: string;
  chain?: string;
  /** What the replay showed, in one sentence. */
  shows: string;
}

export interface Finding {
  code: FindingCode;
  severity: FindingLevel;
  message: string;
  resource: FindingResource;
  /** The input file the finding is in. */
  file: string;
  /** JSON path of the resource (or of the part) in the input. */
  path?: string;
  /** 1-based, when the input is text and the place could be found. */
  line?: number;
  column?: number;
  fix: string;
  evidence?: FindingEvidence;
}

export interface AnalyzerContext {
  input: LoadedInput;
  /** With two dumps (client, then server, as tls-check): the server. Only cross-dump analyzers read it. */
  server?: LoadedInput;
  /** The clock for certificate dates (--now). */
  now: Date;
}

export interface Analyzer {
  /** A short name, for messages and tests. */
  name: string;
  /** The codes it can report (each in the catalogue). */
  codes: readonly FindingCode[];
  run(ctx: AnalyzerContext): Finding[];
  /**
   * What it reads of each cluster and each EDS resource, as values their records keep (clusterModel,
   * endpointModels, ResourceRecord.derived): the runner makes them for every analyzer in one pass over
   * those resources, before any analyzer runs, and lets each resource's decoded value go after it, so
   * that the bulk of a large streamed dump is not all held at once (each resource is still decoded once).
   */
  reads?: Partial<Record<"cluster" | "endpoint", (rec: ResourceRecord) => void>>;
}

/** An analyzer of one code that reads only the dump (not the clock, not a second dump). */
export function dumpAnalyzer(name: string, code: FindingCode, run: (input: LoadedInput) => Finding[], reads?: Analyzer["reads"]): Analyzer {
  return { name, codes: [code], run: (ctx) => run(ctx.input), ...(reads ? { reads } : {}) };
}

const BY_CODE = new Map<string, CatalogueEntry>(CATALOGUE.map((e) => [e.code, e]));

export function catalogueEntry(code: FindingCode): CatalogueEntry {
  return BY_CODE.get(code)!;
}

/**
 * A finding of a code, its severity and (unless given) its fix from the catalogue. `input` gives the
 * file; line and column are filled in later, for the findings that are reported (findings/index.ts).
 */
export function finding(
  input: LoadedInput,
  code: FindingCode,
  f: { message: string; resource: FindingResource; path?: string; fix?: string; evidence?: FindingEvidence; severity?: FindingLevel },
): Finding {
  const e = catalogueEntry(code);
  return {
    code,
    severity: f.severity ?? e.level,
    message: f.message,
    resource: f.resource,
    file: input.file,
    ...(f.path !== undefined ? { path: f.path } : {}),
    fix: f.fix ?? e.fix,
    ...(f.evidence ? { evidence: f.evidence } : {}),
  };
}

export const SEVERITY_RANK: Record<FindingLevel, number> = { error: 3, warning: 2, info: 1 };
