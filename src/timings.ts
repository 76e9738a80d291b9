// Where a command's time goes, phase by phase, for the benchmark (scripts/bench.mjs) and for anyone asking
// why a dump is slow: the command line turns it on with ENVOY_EXPLAIN_TIMINGS=1 and prints the report as
// one JSON line on stderr at exit (main.ts). Off by default, and then each mark is one test of a flag.
// Plain JavaScript (globalThis.performance), so the core may mark its phases and still run in a browser.
//
// Time is charged to one phase at a time, the innermost: a resource decoded while an analysis runs is
// decode's time, not the analysis's, and the analysis resumes when the decoding is done. Only synchronous
// work is marked (a wait between marks is no phase's: the report's `total` less the phases holds it).

/** The phases, named as the code names the work. */
export const PHASES = [
  /** Getting an input's text: its bytes from the file or the pipe, inflated and decoded (UTF-8, UTF-16). */
  "read",
  /** The byte scanner over a streamed input (json-scan.ts), which reads the file as it goes. */
  "scan",
  /** JSON.parse and the tolerant and YAML readers (parse.ts), and a streamed resource parsed when used. */
  "parse",
  /** Finding the resources in what was read: the recognizers and the dump's sections (extract.ts). */
  "extract",
  /** A resource read as v3 proto3 JSON (walk.ts), on first use. */
  "decode",
  /** Envoy's schema built, type by type, on first use (schema.ts). */
  "schema",
  /** The command's own synchronous work that no finer phase claims: the analyses. */
  "analyse",
  /** The document rendered as text (render/). */
  "render",
] as const;
export type Phase = (typeof PHASES)[number];

/** What a process spent, in milliseconds. */
export interface TimingsReport {
  /** From the process's start (performance's time origin) to now. */
  total: number;
  /** From the process's start to when timing was turned on (start-up: Node and the command's modules). */
  startup: number;
  /** Time in each phase, exclusive of the phases inside it; phases never entered are left out. */
  phases: Partial<Record<Phase, number>>;
}

let on = false;
let startedAt = 0;
let current: Phase | undefined;
let since = 0;
const spent = new Map<Phase, number>();
const now = (): number => globalThis.performance.now();

/** Charges the time since the last switch to the phase being timed. */
function charge(t: number): void {
  if (current !== undefined) spent.set(current, (spent.get(current) ?? 0) + (t - since));
  since = t;
}

/** Turns timing on (from now, nothing spent yet). */
export function startTimings(): void {
  on = true;
  spent.clear();
  current = undefined;
  startedAt = since = now();
}

/** Turns timing off and forgets what was spent. */
export function stopTimings(): void {
  on = false;
  spent.clear();
  current = undefined;
}

/** Whether timing is on. */
export function timingsOn(): boolean {
  return on;
}

/**
 * Charges time to `phase` from now on (undefined: to no phase) and returns the phase it took over from,
 * for the caller to give back with `enterPhase(previous)` when its work is done.
 */
export function enterPhase(phase: Phase | undefined): Phase | undefined {
  if (!on) return undefined;
  charge(now());
  const was = current;
  current = phase;
  return was;
}

/** Runs synchronous work as `phase`, then gives the time back to the phase it interrupted. */
export function timed<T>(phase: Phase, work: () => T): T {
  if (!on) return work();
  const was = enterPhase(phase);
  try {
    return work();
  } finally {
    enterPhase(was);
  }
}

/** What was spent so far (undefined when timing is off). */
export function timingsReport(): TimingsReport | undefined {
  if (!on) return undefined;
  const t = now();
  charge(t);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const phases: Partial<Record<Phase, number>> = {};
  for (const p of PHASES) {
    const ms = spent.get(p);
    if (ms !== undefined) phases[p] = round(ms);
  }
  return { total: round(t), startup: round(startedAt), phases };
}
