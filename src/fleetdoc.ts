// The fleet commands' documents: `tls-check DIR` (every client proxy's clusters against the proxies that
// own their endpoints) and `check DIR` (every proxy's findings, and the TLS conflicts between them). The
// steps (read and index a dump, replay on a server) are given by the caller: this thread by default
// (localSteps), worker threads at the command line. At most `concurrency` dumps are read at once, and a
// dump is dropped once indexed: the fleet's size is bounded by its indexes, not its dumps.
import { shareDecodedResources, type LoadedInput } from "./load/input.js";
import { InputError } from "./diag.js";
import { FleetInterner, fleetReport, indexProxy, releaseInput, type FleetMember, type ServerPorts, pairFleet, replayOnServer, uniqueNames, type FleetReport, type ProxyIndex, type ReplayAnswer, type ReplayRequest } from "./analyses/fleet.js";
import { proxyName } from "./analyses/proxyname.js";
import { runFindings, sortFindings, type FindingsOptions } from "./findings/index.js";
import { catalogueEntry, type Finding } from "./findings/types.js";
import { DOCUMENT_VERSION, warningsOf, type Warning } from "./documents.js";

export type { FleetMember } from "./analyses/fleet.js";

/** One dump read and indexed: what the fleet keeps of it. */
export interface IndexedMember {
  index: ProxyIndex;
  /** Its findings, when asked for (check). */
  findings?: Finding[];
  warnings: Warning[];
}

export interface FleetSteps {
  index(m: FleetMember, o: { findings?: FindingsOptions }): Promise<IndexedMember>;
  replay(m: FleetMember, server: ServerPorts, requests: ReplayRequest[]): Promise<[string, ReplayAnswer][]>;
  /** Called once the fleet is done (a thread pool stops its threads). */
  close?(): void | Promise<void>;
}

/** Indexes one loaded dump (the step a thread runs too). */
export function indexLoaded(input: LoadedInput, o: { findings?: FindingsOptions }): IndexedMember {
  const index = indexProxy(input, proxyName(input));
  const findings = o.findings ? runFindings(input, o.findings) : undefined;
  return { index, ...(findings ? { findings } : {}), warnings: warningsOf([input]) };
}

/** Replays on one loaded dump (the step a thread runs too). */
export function replayLoaded(input: LoadedInput, server: ServerPorts, requests: ReplayRequest[]): [string, ReplayAnswer][] {
  return [...replayOnServer(input, server, requests)];
}

/** The steps in this thread: equal resources of the fleet's dumps are decoded once while it runs (shareDecodedResources). */
export const localSteps: FleetSteps = {
  async index(m, o) {
    shareDecodedResources();
    return withInput(m, (input) => indexLoaded(input, o));
  },
  async replay(m, server, requests) {
    shareDecodedResources();
    return withInput(m, (input) => replayLoaded(input, server, requests));
  },
  close() {
    shareDecodedResources(false);
  },
};

/** Reads a member, does the work, and lets the input go (its file closed): a fleet of any size opens one file at a time. */
async function withInput<T>(m: FleetMember, work: (input: LoadedInput) => T): Promise<T> {
  const input = await m.load();
  try {
    return work(input);
  } finally {
    releaseInput(m, input);
  }
}

export interface FleetOptions {
  steps?: FleetSteps;
  /** Dumps read at once (default 2). */
  concurrency?: number;
  /** Findings of each dump too (check). */
  findings?: FindingsOptions;
  onProgress?(phase: "reading" | "replaying", done: number, total: number): void;
}

/** A dump that could not be read: the fleet goes on without it. */
export interface FleetFailure {
  file: string;
  message: string;
}

interface FleetRun {
  report: FleetReport;
  findings: Finding[];
  warnings: Warning[];
  failed: FleetFailure[];
}

/** Runs `work` over `items`, at most `limit` at once, in order of results by index. */
async function pool<T, R>(items: T[], limit: number, work: (item: T, i: number) => Promise<R>, done: () => void): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) {
      out[i] = await work(items[i]!, i);
      done();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}

/** Reads, indexes, pairs and replays the fleet; a dump that fails is listed, and the rest go on. */
export async function runFleet(members: FleetMember[], o: FleetOptions = {}): Promise<FleetRun> {
  const steps = o.steps ?? localSteps;
  const limit = o.concurrency ?? 2;
  const failed: FleetFailure[] = [];
  const fail = (m: FleetMember, e: unknown) => {
    if (!(e instanceof InputError)) throw e;
    failed.push({ file: m.file, message: e.format() });
  };
  try {
    let done = 0;
    // Each index made small as it comes: what proxies share is kept once.
    const interner = new FleetInterner();
    const indexed = await pool(
      members,
      limit,
      (m) =>
        steps.index(m, o.findings ? { findings: o.findings } : {}).then(
          (x) => (interner.add(x.index), x),
          (e: unknown) => (fail(m, e), undefined),
        ),
      () => o.onProgress?.("reading", ++done, members.length),
    );
    const kept = indexed.flatMap((x, i) => (x ? [{ x, m: members[i]! }] : []));
    const names = uniqueNames(kept.map(({ x }) => ({ name: x.index.name, file: x.index.file })));
    kept.forEach(({ x }, i) => (x.index.name = names[i]!));
    const fleet = kept.map(({ x }) => x.index);
    const pairing = pairFleet(fleet);
    const servers = [...pairing.requests.keys()];
    done = 0;
    const answers = new Map<number, Map<string, ReplayAnswer>>();
    await pool(
      servers,
      limit,
      async (si) => {
        try {
          answers.set(si, new Map(await steps.replay(kept[si]!.m, { mesh: fleet[si]!.mesh, ports: fleet[si]!.ports }, pairing.requests.get(si)!)));
        } catch (e) {
          fail(kept[si]!.m, e);
        }
      },
      () => o.onProgress?.("replaying", ++done, servers.length),
    );
    const report = fleetReport(fleet, pairing, answers);
    const findings = o.findings ? sortFindings([...kept.flatMap(({ x }) => x.findings ?? []), ...conflictFindings(report, fleet)]) : [];
    return { report, findings, warnings: kept.flatMap(({ x }) => x.warnings), failed };
  } finally {
    await steps.close?.();
  }
}

/** TLS_MODE_CONFLICT for each client cluster a proxy of the fleet refuses, naming both proxies. */
function conflictFindings(report: FleetReport, fleet: ProxyIndex[]): Finding[] {
  const byName = new Map(fleet.map((p) => [p.name, p]));
  const e = catalogueEntry("TLS_MODE_CONFLICT");
  return report.rows
    .filter((r) => r.status === "CONFLICT")
    .map((r) => {
      const client = byName.get(r.client)!;
      const path = client.paths[client.clusters.findIndex((k) => k.cluster === r.cluster)];
      return {
        code: "TLS_MODE_CONFLICT" as const,
        severity: e.level,
        message: `${r.cluster} in ${r.client} (${client.file}) sends ${r.sends}; ${r.server} (${byName.get(r.server)?.file ?? "?"}) port ${r.serverPort} (${r.serverMode}) refuses it: ${r.reason}`,
        resource: { kind: "cluster" as const, name: r.cluster },
        file: client.file,
        ...(path ? { path } : {}),
        fix: e.fix,
        evidence: { client: `cluster ${r.cluster} of ${r.client}`, port: r.serverPort, outcome: r.outcome, chain: r.chain, shows: `replayed against ${r.server}: ${r.outcome} (${r.reason})` },
      };
    });
}

export interface FleetFailures {
  /** Dumps that could not be read, each with why. */
  failed: FleetFailure[];
}

/** `tls-check DIR`: one table for the mesh. */
export interface FleetTlsDocument extends FleetReport, FleetFailures {
  version: typeof DOCUMENT_VERSION;
  files: string[];
  warnings: Warning[];
}

/** `check DIR`: every proxy's findings and the TLS conflicts between them. */
export interface FleetCheckDocument extends FleetFailures {
  version: typeof DOCUMENT_VERSION;
  files: string[];
  proxies: FleetReport["proxies"];
  summary: FleetReport["summary"];
  findings: Finding[];
  warnings: Warning[];
}

export async function fleetTlsDocument(members: FleetMember[], o: Omit<FleetOptions, "findings"> = {}): Promise<FleetTlsDocument> {
  const r = await runFleet(members, o);
  return { version: DOCUMENT_VERSION, files: members.map((m) => m.file), ...r.report, failed: r.failed, warnings: r.warnings };
}

export async function fleetCheckDocument(members: FleetMember[], o: Omit<FleetOptions, "findings"> & { findings?: FindingsOptions } = {}): Promise<FleetCheckDocument> {
  // One time for the whole fleet: every proxy's certificates are judged at the same moment.
  const r = await runFleet(members, { ...o, findings: { ...o.findings, now: o.findings?.now ?? new Date() } });
  return { version: DOCUMENT_VERSION, files: members.map((m) => m.file), proxies: r.report.proxies, summary: r.report.summary, findings: r.findings, failed: r.failed, warnings: r.warnings };
}
