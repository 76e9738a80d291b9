// Runs every analyzer over a dump (and, with two dumps, the cross-dump ones), most severe first.
// Each analyzer is a small module with its codes (see messages.yaml); this file only lists and runs them.
import type { LoadedInput } from "../load/dump.js";
import { certificates } from "./certs.js";
import { rejectedConfig, warming } from "./state.js";
import { permissiveTlsTrap, tlsModeConflict } from "./tls.js";
import { missingClusterAnalyzer, missingRouteConfigAnalyzer, shadowedRouteAnalyzer } from "./routes.js";
import { noEndpointsAnalyzer, unusedClusterAnalyzer } from "./clusters.js";
import { tlsInspectorMissing, unreachableChain } from "./chains.js";
import { SEVERITY_RANK, type Analyzer, type Finding, type FindingLevel } from "./types.js";

export const ANALYZERS: readonly Analyzer[] = [
  rejectedConfig,
  warming,
  permissiveTlsTrap,
  tlsInspectorMissing,
  unreachableChain,
  shadowedRouteAnalyzer,
  missingClusterAnalyzer,
  missingRouteConfigAnalyzer,
  noEndpointsAnalyzer,
  unusedClusterAnalyzer,
  certificates,
  tlsModeConflict,
];

export interface FindingsOptions {
  /** The clock for certificates (default: now). */
  now?: Date;
}

/** Findings of one dump; with `server`, also what the client's clusters send that the server refuses. */
export function runFindings(input: LoadedInput, o: FindingsOptions & { server?: LoadedInput } = {}): Finding[] {
  const ctx = { input, ...(o.server ? { server: o.server } : {}), now: o.now ?? new Date() };
  readOnce(input);
  const out: Finding[] = [];
  for (const a of ANALYZERS) out.push(...a.run(ctx));
  placeFindings(out, [input, ...(o.server ? [o.server] : [])]);
  return sortFindings(out);
}

/**
 * What the analyzers read of each cluster and EDS resource (Analyzer.reads), made in one pass: each
 * resource is decoded once, read by every analyzer, and let go (ResourceRecord.release: a streamed
 * input's resources are read again from the file if anything asks), instead of all being held to the end.
 */
function readOnce(input: LoadedInput): void {
  for (const kind of ["cluster", "endpoint"] as const) {
    const reads = ANALYZERS.flatMap((a) => (a.reads?.[kind] ? [a.reads[kind]] : []));
    for (const rec of input.resources[kind]) {
      for (const read of reads) read(rec);
      rec.release();
    }
  }
}

/** Line and column of each finding whose input is text, found in one pass per input. */
function placeFindings(findings: Finding[], inputs: LoadedInput[]): void {
  for (const input of inputs) {
    const mine = findings.filter((f) => f.file === input.file && f.path !== undefined);
    if (!mine.length) continue;
    const at = input.locateAll([...new Set(mine.map((f) => f.path!))]);
    for (const f of mine) {
      const p = at.get(f.path!);
      if (p) {
        f.line = p.line;
        f.column = p.column;
      }
    }
  }
}

export function sortFindings(list: Finding[]): Finding[] {
  return list
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] || (a.f.code < b.f.code ? -1 : a.f.code > b.f.code ? 1 : 0) || a.i - b.i)
    .map((x) => x.f);
}

/** Whether any finding is at or above `level` (for --fail-on; "none" never). */
export function failsAt(findings: Finding[], level: FindingLevel | "none"): boolean {
  if (level === "none") return false;
  return findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[level]);
}
