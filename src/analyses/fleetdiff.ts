// `envoy-explain diff DIR_BEFORE DIR_AFTER`: the fleet diff. Proxies are paired by name (pod.namespace
// from the bootstrap, else the file's stem: proxyname.ts); each pair is diffed as `diff` diffs two dumps,
// and the mesh-wide summary (counts, inbound ports whose mTLS mode changed, connections whose outcome
// changed) comes first. At most one pair of dumps is held at a time: a proxy keeps only what the
// renderer shows of its diff (no resource values), and a dump is dropped once its pair is done.
//
// A proxy's name is known only once its dump is read. Dumps are first read in pairs by file stem (how a
// fleet is usually saved, before/x.json and after/x.json): when both sides name the same proxy, that pair
// is diffed at once, so in the usual case every dump is read once. Only pairs the names join differently
// are read again.
import type { Diagnostic } from "../diag.js";
import { InputError } from "../diag.js";
import type { LoadedInput } from "../load/input.js";
import { captureModel } from "../explain/capture.js";
import { diffInputs, type Change, type DiffOptions, type ImpactRow } from "./diff.js";
import { diffOptionValues, OptionError, shown } from "./options.js";
import { fileStem, proxyName } from "./proxyname.js";
import { inboundPorts, portMode, portModeText, type PortMode } from "./tlscheck.js";

import { releaseInput, type FleetMember } from "./fleet.js";
export type { FleetMember };

export interface FleetDiffOptions extends DiffOptions {
  /** Called after each dump is read: `total` grows when a pair has to be read again. */
  onProgress?(done: number, total: number): void;
}

/** What the fleet diff keeps of a change: what the renderer shows (the values before and after are left out). */
export type FleetChange = Pick<Change, "kind" | "name" | "path" | "change" | "meaning">;

/** One proxy of the fleet. A compared one carries its diff in DiffReport's shape (without values). */
export interface FleetProxy {
  /**
   * What the fleet calls it, unique in the report: its name (pod.namespace from the bootstrap, else its
   * file's stem); for a name two dumps of one side share, its file's stem (or its path, when the stem is
   * shared too).
   */
  proxy: string;
  /** Paired (or listed) by its name, or by its file because the name is not unique. */
  by: "name" | "file";
  status: "changed" | "unchanged" | "added" | "removed";
  /** The files: both when compared, one when added (after) or removed (before). */
  before?: string;
  after?: string;
  /** Its names before and after, when paired by file (they may differ). */
  names?: { before?: string; after?: string };
  /** Of a changed proxy, as `diff` reports the pair: one line per inbound port whose mTLS mode changed. */
  summary?: string[];
  impact?: ImpactRow[];
  changes?: FleetChange[];
}

/** An inbound port whose mTLS mode changed, in the words diff's summary uses ("absent" when the port is not served on that side). */
export interface FleetModeChange {
  proxy: string;
  port: number;
  before: string;
  after: string;
}

/** A name that two or more dumps of one side give: those proxies are paired by file instead. */
export interface FleetCollision {
  side: "before" | "after";
  name: string;
  files: string[];
}

/** A dump that could not be read: the fleet diff goes on without it. */
export interface FleetDiffFailure {
  side: "before" | "after";
  file: string;
  message: string;
}

export interface FleetDiffReport {
  /** The directory the before dumps share (their common folder; the file itself for one dump). */
  before: string;
  after: string;
  counts: { compared: number; changed: number; unchanged: number; added: number; removed: number };
  /** Inbound ports whose mTLS mode changed, across the fleet, by proxy and port. */
  modeChanges: FleetModeChange[];
  /** With `impact`: connections (explain presets on every inbound port) whose outcome changed, and on which proxies. */
  impact?: { connections: number; proxies: string[] };
  collisions: FleetCollision[];
  failed: FleetDiffFailure[];
  /** Every proxy, by `proxy`: changed ones with their diff; unchanged, added and removed ones by file. */
  proxies: FleetProxy[];
}

/** What makes diff's exit code 1, as for two dumps: any change (a proxy changed, added or removed), an inbound port's mTLS mode changing, or a connection's outcome changing. */
export type FleetFailOn = "any" | "mode" | "impact";

/** Whether the fleet diff found what `failOn` asks about (the command line exits 1 then). */
export function fleetDiffFails(r: Pick<FleetDiffReport, "counts" | "modeChanges" | "proxies">, failOn: FleetFailOn = "any"): boolean {
  if (failOn === "mode") return r.modeChanges.length > 0;
  if (failOn === "impact") return r.proxies.some((p) => !!p.impact?.length);
  return r.counts.changed + r.counts.added + r.counts.removed > 0;
}

type Side = 0 | 1;
const SIDES = ["before", "after"] as const;

interface Slot {
  member: FleetMember;
  side: Side;
  stem: string;
  /** Its proxyName, once read; undefined when it could not be read. */
  name?: string;
  failed?: boolean;
  /** Its warnings from its latest read (which is the one its pair's diff used). */
  diags: Diagnostic[];
  key: string;
  by: "name" | "file";
}

interface Compared {
  summary: string[];
  impact?: ImpactRow[];
  changes: FleetChange[];
  modes: Omit<FleetModeChange, "proxy">[];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The folder the files share ("dumps/before/"), the file itself for one, "" when none is shared. */
export function commonFolder(files: string[]): string {
  if (!files.length) return "";
  if (files.length === 1) return files[0]!;
  let prefix = files[0]!;
  for (const f of files) {
    let i = 0;
    const n = Math.min(prefix.length, f.length);
    while (i < n && prefix.charCodeAt(i) === f.charCodeAt(i)) i++;
    prefix = prefix.slice(0, i);
    if (!prefix) return "";
  }
  return prefix.slice(0, Math.max(prefix.lastIndexOf("/"), prefix.lastIndexOf("\\")) + 1);
}

function checkMembers(v: unknown, what: string): FleetMember[] {
  if (!Array.isArray(v)) throw new OptionError(what, `${what} must be a list of dumps ({ file, load }), not ${shown(v)}`);
  v.forEach((m: unknown, i) => {
    const o = m as { file?: unknown; load?: unknown } | null;
    if (!o || typeof o !== "object" || typeof o.file !== "string" || typeof o.load !== "function") throw new OptionError(what, `${what}[${i}] must be a dump ({ file: string, load(): LoadedInput }), not ${shown(m)}`);
  });
  return v as FleetMember[];
}

/** The diff of one pair, as the fleet keeps it, and its inbound ports whose mode changed. */
function compare(before: LoadedInput, after: LoadedInput, o: DiffOptions): Compared {
  const d = diffInputs(before, after, o);
  const changes = d.changes.map(({ kind, name, path, change, meaning }) => ({ kind, name, path, change, meaning }));
  return { summary: d.summary, ...(d.impact ? { impact: d.impact } : {}), changes, modes: d.summary.length ? modeChanges(before, after) : [] };
}

/** Inbound ports whose mode changed, as diff's summary says them (its port modes are cached per input: nothing is replayed twice). */
function modeChanges(before: LoadedInput, after: LoadedInput): Omit<FleetModeChange, "proxy">[] {
  const pb = new Set(inboundPorts(before));
  const pa = new Set(inboundPorts(after));
  const mesh = captureModel(after).mesh;
  const word = (pm: PortMode | undefined) => (pm ? portModeText(pm, mesh) : "absent");
  const out: Omit<FleetModeChange, "proxy">[] = [];
  for (const port of [...new Set([...pb, ...pa])].sort((x, y) => x - y)) {
    const mb = pb.has(port) ? portMode(before, port) : undefined;
    const ma = pa.has(port) ? portMode(after, port) : undefined;
    if (mb?.mode !== ma?.mode) out.push({ port, before: word(mb), after: word(ma) });
  }
  return out;
}

/**
 * Diffs two fleets of dumps, one dump per proxy, paired by proxy name. Options are checked before any
 * dump is read. A dump that cannot be read (an InputError) is listed in `failed`; any other error stops it.
 */
export async function diffFleet(before: FleetMember[], after: FleetMember[], o: FleetDiffOptions = {}): Promise<FleetDiffReport> {
  return (await diffFleetWithWarnings(before, after, o)).report;
}

/** diffFleet, and the warnings of every dump read (from its last read), dumps before first, in order. */
export async function diffFleetWithWarnings(before: FleetMember[], after: FleetMember[], o: FleetDiffOptions = {}): Promise<{ report: FleetDiffReport; diagnostics: Diagnostic[] }> {
  const options: DiffOptions = diffOptionValues(o, "field");
  const onProgress = (o ?? {}).onProgress;
  if (onProgress !== undefined && typeof onProgress !== "function") throw new OptionError("onProgress", `onProgress must be a function, not ${shown(onProgress)}`);
  const members = [checkMembers(before, "before"), checkMembers(after, "after")] as const;
  const slots: [Slot[], Slot[]] = [
    members[0].map((m) => ({ member: m, side: 0, stem: fileStem(m.file), diags: [], key: "", by: "name" })),
    members[1].map((m) => ({ member: m, side: 1, stem: fileStem(m.file), diags: [], key: "", by: "name" })),
  ];
  const failed: FleetDiffFailure[] = [];
  let done = 0;
  let total = members[0].length + members[1].length;
  const progress = () => onProgress?.(++done, total);

  /** Reads a slot's dump; undefined (and listed in `failed`, once) when it cannot be read. */
  const read = async (s: Slot): Promise<LoadedInput | undefined> => {
    try {
      const input = await s.member.load();
      s.name ??= proxyName(input, s.member.file);
      return input;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      if (!s.failed) failed.push({ side: SIDES[s.side], file: s.member.file, message: e.format() });
      s.failed = true;
      return undefined;
    } finally {
      progress();
    }
  };
  /** Keeps a dump's warnings, then lets the dump go (its file closed): one pair is open at a time. */
  const keepWarnings = (s: Slot, input: LoadedInput | undefined) => {
    if (!input) return;
    s.diags = input.diags.list.map((d) => ({ ...d }));
    releaseInput(s.member, input);
  };
  // The dumps live only inside these two (their frames end with them): what the fleet keeps is their names, warnings and diffs.
  /** Reads a pair (both at once) and diffs it; with `sameName`, only when both name the same proxy. */
  const diffPair = async (b: Slot, a: Slot, sameName: boolean): Promise<Compared | undefined> => {
    const [ib, ia] = await Promise.all([read(b), read(a)]);
    // Warnings after the diff: decoding is lazy and finds problems as it goes.
    const result = ib && ia && (!sameName || b.name === a.name) ? compare(ib, ia, options) : undefined;
    keepWarnings(b, ib);
    keepWarnings(a, ia);
    return result;
  };
  /** Reads one dump for its name. */
  const readName = async (s: Slot): Promise<void> => keepWarnings(s, await read(s));

  // 1. Pairs by file stem (unique on both sides): diffed at once when both name the same proxy.
  const tentative = new Map<Slot, { after: Slot; result: Compared }>();
  const byStem = (side: Side) => {
    const m = new Map<string, Slot[]>();
    for (const s of slots[side]) {
      const list = m.get(s.stem);
      if (list) list.push(s);
      else m.set(s.stem, [s]);
    }
    return m;
  };
  const stemsBefore = byStem(0);
  const stemsAfter = byStem(1);
  for (const stem of [...stemsBefore.keys()].sort(cmp)) {
    const b = stemsBefore.get(stem)!;
    const a = stemsAfter.get(stem);
    if (b.length !== 1 || a?.length !== 1) continue;
    const result = await diffPair(b[0]!, a[0]!, true);
    if (result) tentative.set(b[0]!, { after: a[0]!, result });
  }
  // 2. Every other dump, for its name.
  for (const s of [...slots[0], ...slots[1]]) if (s.name === undefined && !s.failed) await readName(s);

  // 3. Keys: the name; for a name two dumps of one side give, the file's stem; where that is shared too, the path below the common folder.
  const readable = [slots[0].filter((s) => !s.failed), slots[1].filter((s) => !s.failed)] as const;
  const collisions: FleetCollision[] = [];
  const ambiguous = new Set<string>();
  for (const side of [0, 1] as const) {
    const files = new Map<string, string[]>();
    for (const s of readable[side]) {
      const list = files.get(s.name!);
      if (list) list.push(s.member.file);
      else files.set(s.name!, [s.member.file]);
    }
    for (const [name, fs] of [...files].sort((x, y) => cmp(x[0], y[0]))) {
      if (fs.length < 2) continue;
      collisions.push({ side: SIDES[side], name, files: fs });
      ambiguous.add(name);
    }
  }
  const folders = [commonFolder(readable[0].map((s) => s.member.file)), commonFolder(readable[1].map((s) => s.member.file))];
  const relative = (s: Slot) => {
    const f = s.member.file;
    const dir = folders[s.side]!;
    return readable[s.side].length > 1 && f.startsWith(dir) ? f.slice(dir.length) : (f.split(/[\\/]/).pop() ?? f);
  };
  // The last level, the path with its place among the dumps of that side with the same path (the same file given twice): unique on its side.
  const ordinal = new Map<Slot, number>();
  for (const side of [0, 1] as const) {
    const seen = new Map<string, number>();
    for (const s of readable[side]) {
      const n = (seen.get(relative(s)) ?? 0) + 1;
      seen.set(relative(s), n);
      ordinal.set(s, n);
    }
  }
  const levels: ((s: Slot) => string)[] = [(s) => s.name!, (s) => s.stem, relative, (s) => `${relative(s)}#${ordinal.get(s)!}`];
  const level = new Map<Slot, number>();
  for (const side of [0, 1] as const) for (const s of readable[side]) level.set(s, ambiguous.has(s.name!) ? 1 : 0);
  const keyOf = (s: Slot) => levels[level.get(s)!]!(s);
  // A key shared on either side moves every proxy with it (on both sides, so that pairs stay pairs) to the next level.
  for (let round = 0; round < levels.length; round++) {
    const crowded = new Set<string>();
    for (const side of [0, 1] as const) {
      const seen = new Set<string>();
      for (const s of readable[side]) {
        const k = keyOf(s);
        if (seen.has(k)) crowded.add(k);
        seen.add(k);
      }
    }
    if (!crowded.size) break;
    for (const side of [0, 1] as const) for (const s of readable[side]) if (crowded.has(keyOf(s))) level.set(s, Math.min(level.get(s)! + 1, levels.length - 1));
  }
  for (const side of [0, 1] as const) {
    const taken = new Set<string>();
    for (const s of readable[side]) {
      s.by = level.get(s)! === 0 ? "name" : "file";
      let k = keyOf(s);
      // Still shared only when a name looks like another's path and place ("x.json#1"): its place among them.
      for (let n = 2; taken.has(k); n++) k = `${keyOf(s)}#${n}`;
      taken.add(k);
      s.key = k;
    }
  }

  // 4. Pairs by key: each compared pair diffed (again, only when step 1 read it otherwise).
  const keyed = [new Map(readable[0].map((s) => [s.key, s])), new Map(readable[1].map((s) => [s.key, s]))] as const;
  const keys = [...new Set([...keyed[0].keys(), ...keyed[1].keys()])].sort(cmp);
  const proxies: FleetProxy[] = [];
  const modeRows: FleetModeChange[] = [];
  for (const key of keys) {
    const b = keyed[0].get(key);
    const a = keyed[1].get(key);
    const names = (x: Slot | undefined, y: Slot | undefined) => ({ ...(x ? { before: x.name! } : {}), ...(y ? { after: y.name! } : {}) });
    const base = { proxy: key, by: (b ?? a)!.by, ...(b ? { before: b.member.file } : {}), ...(a ? { after: a.member.file } : {}) };
    const withNames = base.by === "file" ? { names: names(b, a) } : {};
    if (!b || !a) {
      proxies.push({ proxy: key, by: base.by, status: b ? "removed" : "added", ...(b ? { before: b.member.file } : { after: a!.member.file }), ...withNames });
      continue;
    }
    let result = tentative.get(b)?.after === a ? tentative.get(b)!.result : undefined;
    if (!result) {
      total += 2;
      result = await diffPair(b, a, false);
      if (!result) {
        // Read before, unreadable now (listed in failed): the other side stands alone.
        if (!b.failed) proxies.push({ proxy: key, by: base.by, status: "removed", before: b.member.file, ...withNames });
        if (!a.failed) proxies.push({ proxy: key, by: base.by, status: "added", after: a.member.file, ...withNames });
        continue;
      }
    }
    const changed = result.changes.length > 0 || !!result.impact?.length || result.summary.length > 0;
    if (!changed) {
      proxies.push({ ...base, status: "unchanged", ...withNames });
      continue;
    }
    proxies.push({ ...base, status: "changed", ...withNames, summary: result.summary, ...(result.impact ? { impact: result.impact } : {}), changes: result.changes });
    for (const m of result.modes) modeRows.push({ proxy: key, ...m });
  }
  tentative.clear();

  const count = (s: FleetProxy["status"]) => proxies.filter((p) => p.status === s).length;
  const counts = { compared: count("changed") + count("unchanged"), changed: count("changed"), unchanged: count("unchanged"), added: count("added"), removed: count("removed") };
  const report: FleetDiffReport = {
    before: commonFolder(members[0].map((m) => m.file)),
    after: commonFolder(members[1].map((m) => m.file)),
    counts,
    modeChanges: modeRows,
    ...(options.impact ? { impact: { connections: proxies.reduce((n, p) => n + (p.impact?.length ?? 0), 0), proxies: proxies.filter((p) => p.impact?.length).map((p) => p.proxy) } } : {}),
    collisions,
    failed,
    proxies,
  };
  return { report, diagnostics: [...slots[0], ...slots[1]].flatMap((s) => s.diags) };
}
