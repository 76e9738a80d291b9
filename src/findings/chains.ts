// Findings about filter chains no connection can select (UNREACHABLE_CHAIN), and about chains that
// ask for what only a TLS inspector reveals on a listener that has none (TLS_INSPECTOR_MISSING).
//
// Every finding is proven with the engine: for each chain a connection is built from the chain's own
// match (its destination port, an address in its range that no more specific range covers, its server
// name, its transport, its ALPN), as the listener's filters would let Envoy see it, and run through the
// lookup (lookupClassic / lookupMatcher). If that connection reaches the chain, it is reachable. If not,
// the other connections that could matter are searched, level by level in Envoy's order (only the
// values that keep the chain in its branch: its other ranges, names, transports, ALPN values), within a
// small budget; the chain is reported only when every one fails at a level up to ALPN. A search that
// runs out of budget, or fails only at the source levels (where source type, source and direct source
// are coupled), reports nothing.
import type { LoadedInput, ResourceRecord } from "../load/dump.js";
import { explainConnection, predicateMatches } from "../explain/explain.js";
import { presetClient } from "../explain/clients.js";
import { LEVELS, lookupClassic, validateListener, type ChainLookup, type Level, type MatchAttrs } from "../explain/fcm.js";
import { lookupMatcher, matcherPaths } from "../explain/matcher.js";
import { cidrContains, formatIp, parseCidr, parseIp, type Cidr } from "../explain/ip.js";
import { asksForTls, chainLabel, matchText, listenerModel, type ChainModel, type ListenerModel } from "../model/listener.js";
import { finding, type Analyzer, type Finding, type FindingEvidence } from "./types.js";

/** The ALPN values http_inspector can set (plaintext only), envoy-matching.md §3.3. */
const HTTP_ALPN: ReadonlySet<string> = new Set(["http/1.0", "http/1.1", "h2c"]);
/** Lookups per chain before the search gives up (and reports nothing). */
const CHAIN_BUDGET = 48;
/** Extra lookups per listener beyond one per chain, for the chains the first connection does not reach. */
const LISTENER_EXTRA = 400;
/** A transport no chain names, for a listener filter we do not model (it may set any). */
const CUSTOM_TRANSPORT = "x-unmodelled-listener-filter";

/** What the listener's filters (explicit, and those Envoy adds: use_original_dst, an old Envoy's tls_inspector) let Envoy see. */
interface Caps {
  /** The destination can be any address (original_dst, proxy_protocol, transparent, an unmodelled filter). */
  restores: boolean;
  /** The ports a connection can arrive on when nothing restores the destination. */
  boundPorts: number[];
  /** An unmodelled listener filter: it may set anything, so nothing is reported that depends on it. */
  unknownFilter: boolean;
  hasTlsInspector: boolean;
  tlsAt(port: number): boolean;
  httpAt(port: number): boolean;
  /** Hypothetical: as if the listener had a tls_inspector (to tell TLS_INSPECTOR_MISSING from other causes). */
  assumeTls?: boolean;
}

function capsOf(l: ListenerModel, assumeTls = false): Caps {
  const fs = l.listenerFilters;
  const unknownFilter = fs.some((f) => f.kind === "other");
  const restores = unknownFilter || l.transparent || fs.some((f) => f.kind === "original_dst" || f.kind === "proxy_protocol");
  const own = l.address?.port ?? 0;
  // A filter sees the restored port when an original_dst (or proxy_protocol) runs before it; else the listener's.
  const runs = (kind: string, port: number) =>
    fs.some((f, i) => f.kind === kind && !predicateMatches(f.disabled, fs.slice(0, i).some((g) => g.kind === "original_dst" || g.kind === "proxy_protocol") ? port : own));
  return {
    restores,
    boundPorts: [l.address, ...l.additionalAddresses].map((a) => a?.port ?? 0).filter((p) => p > 0),
    unknownFilter,
    hasTlsInspector: fs.some((f) => f.kind === "tls_inspector"),
    tlsAt: (port) => assumeTls || unknownFilter || runs("tls_inspector", port),
    httpAt: (port) => unknownFilter || runs("http_inspector", port),
    ...(assumeTls ? { assumeTls } : {}),
  };
}

/** The levels this search decides (port, destination IP, server name, transport, ALPN); after them the source levels. */
const DECIDED = 5;

interface Seen {
  port: number | undefined;
  dstIp: string;
  sni: string;
  transport: string;
  alpn: string[];
}

/** A point of `r` no longer range of `longer` covers, or undefined: the ranges are CIDRs, so nested or disjoint. */
function uncovered(r: Cidr, longer: Cidr[]): string | undefined {
  const bits = r.family === 4 ? 32 : 128;
  const size = (c: Cidr) => 1n << BigInt(bits - c.len);
  const start = r.base;
  const end = r.base + size(r);
  const inside = longer.filter((c) => c.family === r.family && c.len > r.len && cidrContains(r, { family: c.family, value: c.base })).sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : a.len - b.len));
  let at = start;
  for (const c of inside) {
    if (c.base > at) break;
    const e = c.base + size(c);
    if (e > at) at = e;
  }
  if (at >= end) return undefined;
  // Prefer a host address over a network address (10.0.0.1 over 10.0.0.0), when the gap has room.
  const nextCovered = inside.find((c) => c.base >= at)?.base ?? end;
  const v = at === start && nextCovered - at > 1n ? at + 1n : at;
  return formatIp({ family: r.family, value: v });
}

const cidrCache = new WeakMap<object, Cidr[]>();
function cidrsOf(rs: { addressPrefix?: string; prefixLen?: number }[] | undefined): Cidr[] {
  if (!rs?.length) return [];
  let out = cidrCache.get(rs);
  if (!out) {
    out = rs.map((r) => parseCidr(r.addressPrefix, r.prefixLen)).filter((c): c is Cidr => !!c);
    cidrCache.set(rs, out);
  }
  return out;
}

const V4_ALL = parseCidr("0.0.0.0", 0)!;
const V6_ALL = parseCidr("::", 0)!;

/** Per listener: what every chain's search shares (chain ports, every server name, a probe label). */
class ListenerSearch {
  readonly l: ListenerModel;
  readonly caps: Caps;
  readonly chainPorts: Set<number>;
  readonly names: Set<string>;
  readonly srcPorts: Set<number>;
  budget: number;
  private freePortCache: number | undefined | null = null;

  constructor(l: ListenerModel, caps: Caps) {
    this.l = l;
    this.caps = caps;
    this.chainPorts = new Set(l.chains.map((c) => c.match.destinationPort ?? 0).filter((p) => p > 0));
    this.names = new Set(l.chains.flatMap((c) => (c.match.serverNames ?? []).map((n) => n.toLowerCase())));
    this.srcPorts = new Set(l.chains.flatMap((c) => c.match.sourcePorts ?? []));
    this.budget = l.chains.length + LISTENER_EXTRA;
  }

  /** A destination port no chain names (so the port-less chains decide), within what the listener can receive. */
  freePort(): number | undefined {
    if (this.freePortCache !== null) return this.freePortCache;
    let p: number | undefined;
    if (this.caps.restores || !this.caps.boundPorts.length) {
      for (const x of [this.l.address?.port ?? 0, 80, 8080, 443]) if (x > 0 && !this.chainPorts.has(x)) {
        p = x;
        break;
      }
      for (let x = 1024; p === undefined && x < 65536; x++) if (!this.chainPorts.has(x)) p = x;
    } else p = this.caps.boundPorts.find((x) => !this.chainPorts.has(x));
    this.freePortCache = p;
    return p;
  }

  /** A server name under `suffix` (".example.com") that no chain names exactly. */
  probeName(suffix: string): string {
    for (let i = 0; ; i++) {
      const n = `probe${i || ""}${suffix}`;
      if (!this.names.has(n)) return n;
    }
  }

  private byPort: Map<number, ChainModel[]> | undefined;
  /** The chains the port level keeps for this port: the port's own, else the port-less ones. */
  portSubtree(port: number | undefined): ChainModel[] {
    if (!this.byPort) {
      this.byPort = new Map();
      for (const c of this.l.chains) {
        const p = c.match.destinationPort ?? 0;
        const list = this.byPort.get(p);
        if (list) list.push(c);
        else this.byPort.set(p, [c]);
      }
    }
    return (port !== undefined ? this.byPort.get(port) : undefined) ?? this.byPort.get(0) ?? [];
  }

  // ---- candidate values per level, most useful first: only values that keep `c` in its branch ----

  ports(c: ChainModel): (number | undefined)[] {
    const p = c.match.destinationPort;
    if (p) return [p];
    const free = this.freePort();
    if (free !== undefined) return [free];
    // Every port the listener receives has port-specific chains: the connection on its own port shows which.
    return [this.caps.boundPorts[0] ?? this.l.address?.port];
  }

  dstIps(c: ChainModel, S: ChainModel[]): string[] {
    const own = cidrsOf(c.match.prefixRanges);
    const rs = own.length ? own : [V4_ALL, V6_ALL];
    const longer = S.flatMap((k) => cidrsOf(k.match.prefixRanges));
    const out: string[] = [];
    for (const r of rs) {
      // For "any address", a documentation address (192.0.2.1, 2001:db8::1) when no range covers it.
      const doc = r.len === 0 ? parseIp(r.family === 4 ? "192.0.2.1" : "2001:db8::1")! : undefined;
      const x = doc && !longer.some((k) => k.len > 0 && cidrContains(k, doc)) ? formatIp(doc) : uncovered(r, longer);
      if (x && !out.includes(x)) out.push(x);
    }
    // None: every address of its ranges has a more specific range. One of them still shows who takes it.
    if (!out.length) out.push(formatIp({ family: rs[0]!.family, value: rs[0]!.base + (rs[0]!.len < (rs[0]!.family === 4 ? 32 : 128) ? 1n : 0n) }));
    return out;
  }

  snis(c: ChainModel, port: number | undefined): string[] {
    const names = c.match.serverNames ?? [];
    if (!names.length) return [""];
    if (!this.caps.tlsAt(port ?? 0)) return [];
    return names.map((n) => (n.startsWith("*.") ? this.probeName(n.slice(1).toLowerCase()) : n.toLowerCase()));
  }

  transports(c: ChainModel, port: number | undefined, sni: string): string[] {
    const tls = this.caps.tlsAt(port ?? 0);
    const ok = (t: string) => (t === "tls" ? tls : t === "raw_buffer" ? sni === "" : this.caps.unknownFilter);
    const want = c.match.transportProtocol ?? "";
    if (want) return ok(want) ? [want] : [];
    return [...(sni === "" ? ["raw_buffer"] : []), ...(tls ? ["tls"] : []), ...(this.caps.unknownFilter ? [CUSTOM_TRANSPORT] : [])];
  }

  alpns(c: ChainModel, port: number | undefined, transport: string): string[][] {
    const want = c.match.applicationProtocols ?? [];
    if (!want.length) return [[]];
    // Plaintext carries ALPN only from http_inspector: one of http/1.0, http/1.1, h2c.
    if (transport === "raw_buffer") return this.caps.httpAt(port ?? 0) ? want.filter((p) => HTTP_ALPN.has(p)).map((p) => [p]) : [];
    return want.map((p) => [p]);
  }

  /** The source side: not searched (see DECIDED), only chosen so that the chain's own source criteria hold. */
  attrs(c: ChainModel, s: Seen): MatchAttrs {
    const m = c.match;
    const pick = (rs: Cidr[], avoid: string[]): string | undefined => {
      for (const r of rs) {
        const x = uncovered(r, []);
        if (x && !avoid.includes(x)) return x;
      }
      return rs.length ? formatIp({ family: rs[0]!.family, value: rs[0]!.base }) : undefined;
    };
    const dst = s.dstIp;
    const fam6 = dst.includes(":");
    let srcIp: string;
    if (m.sourceType === "SAME_IP_OR_LOOPBACK") srcIp = dst;
    else srcIp = pick(cidrsOf(m.sourcePrefixRanges), [dst]) ?? (fam6 ? "2001:db8::10" : "192.0.2.10");
    if (srcIp === dst && m.sourceType !== "SAME_IP_OR_LOOPBACK") srcIp = fam6 ? "2001:db8::10" : "192.0.2.10";
    const directSrcIp = pick(cidrsOf(m.directSourcePrefixRanges), []) ?? srcIp;
    let srcPort = m.sourcePorts?.[0] ?? 40000;
    if (!m.sourcePorts?.length) while (this.srcPorts.has(srcPort)) srcPort++;
    return { ...(s.port !== undefined ? { dstPort: s.port } : {}), dstIp: dst, srcIp, srcPort, directSrcIp, sni: s.sni, transport: s.transport, alpn: s.alpn };
  }
}

/** What the chain's own match asks for, sent by a client, and what Envoy sees of it through the listener's filters. */
function intendedConnection(ls: ListenerSearch, c: ChainModel): { client: string; seen: Seen } {
  const m = c.match;
  const port = ls.ports(c)[0];
  const dstIp = ls.dstIps(c, ls.portSubtree(port))[0]!;
  const names = m.serverNames ?? [];
  const want = m.transportProtocol ?? "";
  const alpn = m.applicationProtocols ?? [];
  const sni = names.length ? (names[0]!.startsWith("*.") ? ls.probeName(names[0]!.slice(1).toLowerCase()) : names[0]!.toLowerCase()) : "";
  const http = ls.caps.httpAt(port ?? 0);
  const plaintext = want === "raw_buffer" || (want === "" && !names.length && (!alpn.length || (http && HTTP_ALPN.has(alpn[0]!))));
  if (plaintext) {
    const p = alpn[0];
    const seenAlpn = p && http && HTTP_ALPN.has(p) ? [p] : [];
    const client = p ? (HTTP_ALPN.has(p) ? `plaintext ${p === "h2c" ? "HTTP/2 (prior knowledge)" : p.toUpperCase()}` : `plaintext (it cannot offer ALPN ${p}: only TLS carries ALPN)`) : "plaintext";
    return { client, seen: { port, dstIp, sni: "", transport: "raw_buffer", alpn: seenAlpn } };
  }
  const custom = want !== "" && want !== "tls";
  const clientAlpn = alpn.length ? [alpn[0]!] : [];
  const client = `${custom ? `transport ${want}` : "TLS"}, SNI ${sni || "(none)"}, ALPN ${clientAlpn.join(",") || "(none)"}`;
  if (custom ? ls.caps.unknownFilter : ls.caps.tlsAt(port ?? 0)) return { client, seen: { port, dstIp, sni, transport: custom ? want : "tls", alpn: clientAlpn } };
  // Nothing inspects the ClientHello: Envoy sees raw_buffer, no server name, no ALPN.
  return { client, seen: { port, dstIp, sni: "", transport: "raw_buffer", alpn: [] } };
}

type Verdict = { reach: true } | { reach: false; undecided: boolean };

function reaches(r: ChainLookup, c: ChainModel): boolean {
  return r.chain === c || (r.ambiguous?.includes(c) ?? false);
}

/** The level at which each chain lost in this lookup (index in LEVELS); absent: it did not lose. */
const lostCache = new WeakMap<ChainLookup, Map<ChainModel, number>>();
function lostAt(r: ChainLookup, c: ChainModel): number {
  let m = lostCache.get(r);
  if (!m) {
    m = new Map();
    for (const v of r.verdicts) if (v.verdict === "eliminated" && v.level) m.set(v.chain, LEVELS.indexOf(v.level));
    lostCache.set(r, m);
  }
  return m.get(c) ?? -1;
}

/** Whether any connection reaches `c`: the first connection, then alternatives level by level (Envoy's order, no backtracking in Envoy, so each level's choice is tried). */
function searchChain(ls: ListenerSearch, c: ChainModel, first: Seen, firstLookup?: ChainLookup): Verdict {
  let budget = CHAIN_BUDGET;
  let undecided = false;
  let given = firstLookup;
  const run = (s: Seen): ChainLookup | undefined => {
    if (given) {
      const g = given;
      given = undefined;
      return g;
    }
    if (budget <= 0 || ls.budget <= 0) {
      undecided = true;
      return undefined;
    }
    budget--;
    ls.budget--;
    return lookupClassic(ls.l, ls.attrs(c, s));
  };
  // Fill the levels after `from` with their first candidates, given those before.
  const complete = (s: Seen, from: number): Seen | undefined => {
    const out = { ...s };
    if (from <= 1) {
      const d = ls.dstIps(c, ls.portSubtree(out.port))[0];
      if (d === undefined) return undefined;
      out.dstIp = d;
    }
    if (from <= 2) {
      const n = ls.snis(c, out.port)[0];
      if (n === undefined) return undefined;
      out.sni = n;
    }
    if (from <= 3) {
      const t = ls.transports(c, out.port, out.sni)[0];
      if (t === undefined) return undefined;
      out.transport = t;
    }
    if (from <= 4) {
      const a = ls.alpns(c, out.port, out.transport)[0];
      if (a === undefined) return undefined;
      out.alpn = a;
    }
    return out;
  };
  const candidates = (level: number, s: Seen, S: ChainModel[]): Seen[] => {
    switch (level) {
      case 0:
        return ls.ports(c).map((port) => ({ ...s, port }));
      case 1:
        return ls.dstIps(c, S).map((dstIp) => ({ ...s, dstIp }));
      case 2:
        return ls.snis(c, s.port).map((sni) => ({ ...s, sni }));
      case 3:
        return ls.transports(c, s.port, s.sni).map((transport) => ({ ...s, transport }));
      default:
        return ls.alpns(c, s.port, s.transport).map((alpn) => ({ ...s, alpn }));
    }
  };
  const same = (a: Seen, b: Seen, level: number) =>
    level === 0 ? a.port === b.port : level === 1 ? a.dstIp === b.dstIp : level === 2 ? a.sni === b.sni : level === 3 ? a.transport === b.transport : a.alpn.join("\u0000") === b.alpn.join("\u0000");
  // explore: levels before `from` are fixed; s is complete.
  const explore = (s: Seen, from: number): boolean => {
    const r = run(s);
    if (!r) return false;
    if (reaches(r, c)) return true;
    const lost = lostAt(r, c);
    if (lost < 0 || lost >= DECIDED) {
      undecided = true;
      return false;
    }
    for (let level = from; level <= lost; level++) {
      // The chains still in the running before this level (the same for every value tried at it).
      const S = ls.l.chains.filter((k) => {
        const at = lostAt(r, k);
        return at < 0 || at >= level;
      });
      for (const alt of candidates(level, s, S)) {
        if (same(alt, s, level)) continue;
        const next = complete(alt, level + 1);
        if (!next) continue;
        if (explore(next, level + 1)) return true;
        if (undecided && budget <= 0) return false;
      }
    }
    return false;
  };
  // The first connection may be what Envoy sees of a client it cannot serve (TLS without an inspector):
  // start from it, but search only connections the listener can produce.
  if (explore(first, 0)) return { reach: true };
  const start = complete({ ...first, port: ls.ports(c)[0] }, 1);
  if (start && !sameSeen(start, first) && explore(start, 0)) return { reach: true };
  return { reach: false, undecided };
}

function sameSeen(a: Seen, b: Seen): boolean {
  return a.port === b.port && a.dstIp === b.dstIp && a.sni === b.sni && a.transport === b.transport && a.alpn.join(",") === b.alpn.join(",");
}

function resourceName(l: ListenerModel, c: ChainModel): string {
  return `${l.name} #${c.index}${c.name ? ` ${c.name}` : ""}`;
}

function takenBy(r: ChainLookup): string {
  if (r.ambiguous) return `an unspecified one of ${r.ambiguous.map(chainLabel).join(", ")}`;
  if (!r.chain) return "no filter chain (Envoy closes the connection: NR, no_filter_chain_match)";
  if (r.usedDefault) return `the default filter chain${r.chain.name ? ` "${r.chain.name}"` : ""}`;
  return `chain ${chainLabel(r.chain)}`;
}

/** Why the chain lost, for the message: the level and the engine's reason. */
function causeText(caps: Caps, c: ChainModel, s: Seen, r: ChainLookup): string {
  const m = c.match;
  const v = r.verdicts.find((x) => x.chain === c);
  const port = s.port ?? 0;
  const alpn = m.applicationProtocols ?? [];
  if (m.transportProtocol === "raw_buffer" && alpn.length && !(caps.httpAt(port) && alpn.some((p) => HTTP_ALPN.has(p)))) {
    return `it asks for ALPN ${alpn.join(",")} on transport raw_buffer, but a plaintext connection carries no ALPN${caps.httpAt(port) ? " (http_inspector sets only http/1.0, http/1.1 or h2c)" : " (this listener runs no http_inspector on that port)"}`;
  }
  const wantsTls = m.transportProtocol === "tls" || (m.serverNames?.length ?? 0) > 0 || (m.transportProtocol !== "raw_buffer" && alpn.length > 0);
  if (wantsTls && caps.hasTlsInspector && !caps.tlsAt(port)) {
    return `it asks for ${m.serverNames?.length ? "a server name" : m.transportProtocol === "tls" ? "transport tls" : "ALPN"}, but the listener's tls_inspector is disabled for destination port ${port} (filter_disabled), so Envoy sees raw_buffer with no server name or ALPN there`;
  }
  const level: Level | undefined = v?.level;
  const where =
    level === "destination_port"
      ? "a port-specific subtree hides it"
      : level === "destination_ip"
        ? "more specific destination ranges hide it"
        : level === "server_names"
          ? "its server names never win"
          : level === "transport_protocol"
            ? "its transport never wins"
            : level === "application_protocols"
              ? "its ALPN never wins"
              : "it loses";
  return `${where}: ${v?.reason ?? "another chain takes every connection it asks for"}`;
}

/** Where and why the chain lost in a lookup, in the engine's words. */
function lossText(r: ChainLookup, c: ChainModel): string {
  const v = r.verdicts.find((x) => x.chain === c);
  return v?.level ? `at ${v.level.replace(/_/g, " ")}, ${chainLabel(c)} ${v.reason}` : `${chainLabel(c)} is not selected`;
}

function evidenceOf(l: ListenerModel, client: string, s: Seen, r: ChainLookup, shows: string): FindingEvidence {
  return {
    client: `${client} to ${s.dstIp.includes(":") ? `[${s.dstIp}]` : s.dstIp}:${s.port ?? "-"}`,
    ...(s.port !== undefined ? { port: s.port } : {}),
    outcome: takenBy(r),
    listener: l.name,
    ...(r.chain ? { chain: r.chain.isDefault ? "default chain" : chainLabel(r.chain) } : {}),
    shows,
  };
}

/** The listeners worth searching: IP socket listeners (TCP) that Envoy accepts and that are read whole. */
function searchable(rec: ResourceRecord): ListenerModel | undefined {
  if (rec.partial || rec.state === "draining" || rec.state === "error") return undefined;
  const l = listenerModel(rec);
  const a = l.address;
  // UDP (QUIC) listeners match SNI and ALPN from QUIC's own handshake; pipes and internal listeners have no IP to match.
  if (!a || a.udp || a.ip === undefined || a.pipe !== undefined || a.internal !== undefined) return undefined;
  if (!parseIp(a.ip) && a.ip !== "") return undefined;
  if (validateListener(l)) return undefined; // Envoy refuses it: REJECTED_CONFIG's business
  return l;
}

interface ListenerResult {
  unreachable: Finding[];
  /** Chains that a tls_inspector would make reachable, with the connection that would reach each. */
  needTls: { c: ChainModel; client: string; seen: Seen; r: ChainLookup }[];
}

function analyzeClassic(input: LoadedInput, l: ListenerModel): ListenerResult {
  const caps = capsOf(l);
  const ls = new ListenerSearch(l, caps);
  const out: ListenerResult = { unreachable: [], needTls: [] };
  let withTls: ListenerSearch | undefined;
  for (const c of l.chains) {
    const { client, seen } = intendedConnection(ls, c);
    ls.budget--;
    const first = lookupClassic(l, ls.attrs(c, seen));
    if (reaches(first, c)) continue;
    const v = searchChain(ls, c, seen, first);
    if (v.reach || v.undecided) continue;
    // Only a chain that asks for what tls_inspector reveals can be rescued by one.
    if (!caps.hasTlsInspector && !caps.unknownFilter && asksForTls(c)) {
      withTls ??= new ListenerSearch(l, capsOf(l, true));
      const hypo = intendedConnection(withTls, c);
      if (searchChain(withTls, c, hypo.seen).reach) {
        out.needTls.push({ c, client: hypo.client, seen: hypo.seen, r: first });
        continue;
      }
    }
    const cause = causeText(caps, c, seen, first);
    out.unreachable.push(
      finding(input, "UNREACHABLE_CHAIN", {
        message: `filter chain ${chainLabel(c)} of listener ${l.name} (${matchText(c.match)}) can never be selected: ${cause}`,
        resource: { kind: "filter_chain", name: resourceName(l, c) },
        path: c.path,
        evidence: evidenceOf(l, client, seen, first, `the connection this chain asks for goes to ${takenBy(first)}: ${lossText(first, c)}; no other connection reaches it either`),
      }),
    );
  }
  return out;
}

/** Matcher API: a chain no action names (or only through keep_matching) is never selected. */
function analyzeMatcher(input: LoadedInput, l: ListenerModel): Finding[] {
  const paths = matcherPaths(l.matcher);
  const out: Finding[] = [];
  const ls = new ListenerSearch(l, capsOf(l));
  for (const c of l.chains) {
    const conds = c.name !== undefined ? paths.get(c.name) : undefined;
    const named = conds?.some((p) => !p.includes("(keep_matching)"));
    if (named) continue;
    // The chain's own filter_chain_match (which Envoy ignores under a matcher) is the connection it was meant for.
    const { client, seen } = intendedConnection(ls, c);
    const r = lookupMatcher(l, ls.attrs(c, seen));
    if (reaches(r, c)) continue;
    out.push(
      finding(input, "UNREACHABLE_CHAIN", {
        message: `filter chain ${chainLabel(c)} of listener ${l.name} can never be selected: the listener's filter_chain_matcher ${conds ? "names it only with keep_matching, which turns the match into no match" : "names it in no action"} (with a matcher, Envoy ignores filter_chain_match)`,
        resource: { kind: "filter_chain", name: resourceName(l, c) },
        path: c.path,
        evidence: evidenceOf(l, client, seen, r, `the matcher sends the connection this chain's filter_chain_match describes to ${takenBy(r)}; no action selects ${chainLabel(c)}`),
      }),
    );
  }
  return out;
}

/** TLS_INSPECTOR_MISSING's evidence: a TLS client with the chain's server name and ALPN, replayed through explain. */
function tlsReplay(input: LoadedInput, l: ListenerModel, n: ListenerResult["needTls"][number]): FindingEvidence {
  const base = presetClient("curl-tls", { sni: n.seen.sni });
  const client = n.seen.alpn.length ? { ...base, alpn: n.seen.alpn, description: `${base.description}, offering ALPN ${n.seen.alpn.join(",")}` } : base;
  const res = explainConnection(input, { client, dstPort: n.seen.port ?? l.address?.port ?? 0, dstIp: n.seen.dstIp, listenerName: l.name });
  const fc = res.filterChain;
  const chain = fc ? (fc.isDefault ? "default chain" : `#${fc.index}${fc.name ? ` "${fc.name}"` : ""}`) : undefined;
  const seen = res.attributes ? `Envoy sees transport ${res.attributes.transportProtocol}, SNI ${res.attributes.serverName || "(none)"}, ALPN ${res.attributes.applicationProtocols.join(",") || "(none)"}` : "";
  return {
    client: `curl-tls: TLS, SNI ${n.seen.sni || "(none)"}, ALPN ${client.alpn.join(",") || "(none)"}`,
    port: n.seen.port ?? l.address?.port ?? 0,
    outcome: res.outcome.code,
    listener: res.listener?.name ?? l.name,
    ...(chain ? { chain } : {}),
    shows: `${seen ? `${seen}; ` : ""}${chain ? `it lands on ${chain}` : "it matches no chain"}, not on ${chainLabel(n.c)}, which a tls_inspector would let it reach (${res.outcome.summary})`,
  };
}

function analyzeInput(input: LoadedInput): { unreachable: Finding[]; tls: Finding[] } {
  const unreachable: Finding[] = [];
  const tls: Finding[] = [];
  for (const rec of input.listeners) {
    const l = searchable(rec);
    if (!l || !l.chains.length) continue;
    if (l.matcher) {
      unreachable.push(...analyzeMatcher(input, l));
      continue;
    }
    const r = analyzeClassic(input, l);
    unreachable.push(...r.unreachable);
    if (r.needTls.length) {
      const first = r.needTls[0]!;
      const labels = r.needTls.map((n) => `${chainLabel(n.c)} (${matchText(n.c.match)})`);
      const shown = labels.slice(0, 5).join(", ") + (labels.length > 5 ? `, and ${labels.length - 5} more` : "");
      tls.push(
        finding(input, "TLS_INSPECTOR_MISSING", {
          message: `listener ${l.name} has no tls_inspector${l.fromV2 || input.identity?.envoyVersion ? "" : " (and Envoy 1.20 and later add none)"}, so Envoy never sees a TLS client's server name or ALPN, nor transport tls: ${r.needTls.length === 1 ? "chain" : `${r.needTls.length} chains`} ${shown} can never be selected`,
          resource: { kind: "listener", name: l.name },
          path: l.record.path,
          fix: `Add the envoy.filters.listener.tls_inspector listener filter to listener ${l.name}.`,
          evidence: tlsReplay(input, l, first),
        }),
      );
    }
  }
  return { unreachable, tls };
}

// One search serves both analyzers: the chains a tls_inspector would rescue go to TLS_INSPECTOR_MISSING, never to both.
const cache = new WeakMap<LoadedInput, { unreachable: Finding[]; tls: Finding[] }>();
function results(input: LoadedInput) {
  let r = cache.get(input);
  if (!r) {
    r = analyzeInput(input);
    cache.set(input, r);
  }
  return r;
}

/** UNREACHABLE_CHAIN: a filter chain no connection can select, proven by the engine's lookup. */
export const unreachableChain: Analyzer = {
  name: "unreachable-chain",
  codes: ["UNREACHABLE_CHAIN"],
  run: ({ input }) => results(input).unreachable,
};

/** TLS_INSPECTOR_MISSING: chains that ask for TLS, SNI or ALPN on a listener with no tls_inspector (and none Envoy adds). */
export const tlsInspectorMissing: Analyzer = {
  name: "tls-inspector-missing",
  codes: ["TLS_INSPECTOR_MISSING"],
  run: ({ input }) => results(input).tls,
};

export const chainAnalyzers: readonly Analyzer[] = [unreachableChain, tlsInspectorMissing];
