// Classic filter-chain matching (`filter_chains[].filter_chain_match`), exactly as Envoy's
// FilterChainManagerImpl does it (shared/reference/envoy-matching.md §4): nine levels in a fixed
// order, the most specific branch chosen at each level, and no backtracking. Also the checks by
// which Envoy rejects a listener's config.
import type { FilterChainMatch } from "../gen/types/envoy/config/listener/v3/listener_components.js";
import type { ChainModel, ListenerModel } from "../model/listener.js";
import { formatAddr } from "../model/listener.js";
import { regexError } from "../model/regex.js";
import { canonicalJson, findInJson } from "../model/canonical.js";
import { cidrContains, isLoopback, parseCidr, parseIp, type Cidr, type Ip } from "./ip.js";

/** Connection attributes as filter-chain matching sees them (after listener filters). */
export interface MatchAttrs {
  dstIp?: string;
  dstPort?: number;
  srcIp: string;
  srcPort: number;
  directSrcIp: string;
  /** Requested server name ("" when none). */
  sni: string;
  transport: string;
  alpn: string[];
  /** Filter state set before the filter chain is chosen (by a listener filter), for FilterStateInput. */
  filterState?: Record<string, string>;
}

export const LEVELS = [
  "destination_port",
  "destination_ip",
  "server_names",
  "transport_protocol",
  "application_protocols",
  "direct_source_ip",
  "source_type",
  "source_ip",
  "source_port",
] as const;
export type Level = (typeof LEVELS)[number];

export interface ChainVerdict {
  chain: ChainModel;
  verdict: "selected" | "eliminated" | "ambiguous" | "not-evaluated";
  level?: Level;
  reason: string;
}

export interface Step {
  level: Level;
  connection: string;
  /** The branch Envoy committed to ("port 80", "*.example.com", "any"), or null when nothing matched. */
  chose: string | null;
  remaining: number;
}

export interface ChainLookup {
  mode: "filter_chain_match" | "filter_chain_matcher" | "default_only";
  /** Envoy would refuse this listener: its own error message. */
  rejected?: string;
  chain?: ChainModel;
  usedDefault: boolean;
  ambiguous?: ChainModel[];
  steps: Step[];
  verdicts: ChainVerdict[];
  /** Matcher mode: the decision path through the matcher tree. */
  matcherTrace?: string[];
  /** Matcher mode: an action named a chain that does not exist. */
  missingChainName?: string;
}

interface Keys {
  port: number;
  dst: Cidr[];
  sni: string[]; // "" = any; ".example.com" = *.example.com
  transport: string;
  alpn: string[]; // "" = any
  direct: Cidr[];
  sourceType: "ANY" | "SAME_IP_OR_LOOPBACK" | "EXTERNAL";
  src: Cidr[];
  srcPorts: number[]; // 0 = any
}

export function listenerAddrs(l: ListenerModel): string {
  return [l.address, ...l.additionalAddresses].map(formatAddr).join(",");
}

function chainName(c: ChainModel): string {
  return c.name ?? "";
}

/** Config-time checks (FCM 118-505, listener_impl.cc 761-769). Returns Envoy's message, or undefined. */
export function validateListener(l: ListenerModel): string | undefined {
  const addrs = listenerAddrs(l);
  const err = (m: string) => `error adding listener '${addrs}': ${m}`;
  // Found while reading the config: a value outside Envoy's proto constraints, nesting too deep.
  if (l.record.rejections.length) return l.record.rejections[0];
  for (const a of [l.address, ...l.additionalAddresses]) {
    // A socket address must be an IP literal unless a resolver is named (Envoy's Utility::parseInternetAddress).
    if (a?.ip !== undefined && a.ip !== "" && !parseIp(a.ip) && !a.resolverName) return `malformed IP address: ${a.ip}`;
  }
  if (l.chains.length === 0 && !l.defaultChain && l.address?.pipe === undefined) {
    return err("no filter chains specified");
  }
  for (const c of l.chains) {
    if (c.match.addressSuffix || c.match.suffixLen !== undefined) return err(`filter chain '${chainName(c)}' contains unimplemented fields`);
  }
  if (l.matcher) {
    const bad = matcherConfigError(l.matcher);
    if (bad) return err(bad);
    const seen = new Set<string>();
    for (const c of l.chains) {
      if (!c.name) return err(`"name" field is required when using a listener matcher`);
      if (seen.has(c.name)) return err(`"name" field is duplicated with value '${c.name}'`);
      seen.add(c.name);
    }
    return undefined;
  }
  const seenMatch = new Map<string, ChainModel>();
  for (const c of l.chains) {
    const canon = canonicalJson(c.match);
    const earlier = seenMatch.get(canon);
    if (earlier) return err(`filter chain '${chainName(c)}' has the same matching rules defined as '${chainName(earlier)}'`);
    seenMatch.set(canon, c);
  }
  const tuples = new Set<string>();
  for (const c of l.chains) {
    for (const r of [...(c.match.prefixRanges ?? []), ...(c.match.sourcePrefixRanges ?? []), ...(c.match.directSourcePrefixRanges ?? [])]) {
      if (!parseIp(r.addressPrefix ?? "")) return `malformed IP address: ${r.addressPrefix ?? ""}`;
    }
    for (const n of c.match.serverNames ?? []) {
      if (n.includes("*") && !/^\*\.[^*]+$/.test(n)) return err(`partial wildcards are not supported in "server_names"`);
    }
    const k = keysOf(c.match);
    const dims: string[][] = [
      [String(k.port)],
      k.dst.length ? k.dst.map((x) => x.key) : [""],
      k.sni,
      [k.transport],
      k.alpn,
      k.direct.length ? k.direct.map((x) => x.key) : [""],
      [k.sourceType],
      k.src.length ? k.src.map((x) => x.key) : [""],
      k.srcPorts.map(String),
    ];
    const size = dims.reduce((n, d) => n * d.length, 1);
    if (size > 200_000) continue; // too many combinations to enumerate; Envoy would, we skip the overlap check
    let combos: string[] = [""];
    for (const d of dims) combos = combos.flatMap((p) => d.map((v) => `${p}\u0000${v}`));
    for (const t of combos) {
      if (tuples.has(t)) return err("multiple filter chains with overlapping matching rules are defined");
    }
    for (const t of combos) tuples.add(t);
  }
  return undefined;
}


const keyCache = new WeakMap<FilterChainMatch, Keys>();
function keysOf(m: FilterChainMatch): Keys {
  let k = keyCache.get(m);
  if (k) return k;
  const cidrs = (rs: FilterChainMatch["prefixRanges"]) =>
    (rs ?? []).map((r) => parseCidr(r.addressPrefix, r.prefixLen)).filter((c): c is Cidr => !!c);
  k = {
    port: m.destinationPort ?? 0,
    dst: cidrs(m.prefixRanges),
    sni: m.serverNames?.length ? m.serverNames.map((n) => (n.startsWith("*.") ? n.slice(1) : n).toLowerCase()) : [""],
    transport: m.transportProtocol ?? "",
    alpn: m.applicationProtocols?.length ? m.applicationProtocols : [""],
    direct: cidrs(m.directSourcePrefixRanges),
    sourceType: (m.sourceType ?? "ANY") as Keys["sourceType"],
    src: cidrs(m.sourcePrefixRanges),
    srcPorts: m.sourcePorts?.length ? m.sourcePorts : [0],
  };
  keyCache.set(m, k);
  return k;
}

/** Local as Envoy defines it: loopback (exactly 127.0.0.1 / ::1) or same IP as the (restored) destination. */
export function isLocalConnection(a: MatchAttrs): boolean {
  const src = parseIp(a.srcIp);
  if (!src) return false;
  if (isLoopback(src)) return true;
  const dst = a.dstIp ? parseIp(a.dstIp) : undefined;
  return !!dst && dst.family === src.family && dst.value === src.value;
}

type Cand = { chain: ChainModel; keys: Keys };

/** One level of the classic lookup: the chains it keeps (the most specific branch), and why each other one lost. */
interface LevelResult {
  /** The connection's value at this level, as shown ("port 9080", "SNI a.example.com"). */
  connection: string;
  /** The branch Envoy committed to ("port 9080", "*.example.com", "any transport"), or null: none matched. */
  chose: string | null;
  keep: Cand[];
  why: (c: Cand) => string;
}
type LevelStep = (S: Cand[], a: MatchAttrs) => LevelResult;

/** Level 1, destination port: port-specific chains shadow port-less ones completely (FCM 542-575). */
const destinationPort: LevelStep = (S, a) => {
  const port = a.dstPort;
  const exact = port !== undefined ? S.filter((c) => c.keys.port === port) : [];
  if (exact.length) {
    return {
      connection: `port ${port}`,
      chose: `port ${port}`,
      keep: exact,
      why: (c) =>
        c.keys.port === 0
          ? `has no destination_port, but chains for port ${port} exist and Envoy looks only at those (it never falls back to port-less chains)`
          : `wants destination port ${c.keys.port}; the connection is to port ${port}`,
    };
  }
  const any = S.filter((c) => c.keys.port === 0);
  return { connection: `port ${port ?? "-"}`, chose: any.length ? "any port" : null, keep: any, why: (c) => `wants destination port ${c.keys.port}; the connection is to port ${port}` };
};

/** Levels 2, 6 and 8, the IP ranges: the longest matching prefix; an unset range means /0 in both families. */
const ipLevel =
  (what: string, ipOf: (a: MatchAttrs) => string | undefined, get: (k: Keys) => Cidr[]): LevelStep =>
  (S, a) => {
    const ipText = ipOf(a);
    const ip: Ip | undefined = ipText ? parseIp(ipText) : undefined;
    let bestLen = -1;
    let bestKey = "";
    for (const c of S) {
      const rs = get(c.keys);
      if (!rs.length) {
        if (bestLen < 0 && ip) {
          bestLen = 0;
          bestKey = "";
        }
        continue;
      }
      for (const r of rs) if (ip && cidrContains(r, ip) && r.len > bestLen) {
        bestLen = r.len;
        bestKey = r.key;
      }
    }
    const matchesBest = (c: Cand) => {
      const rs = get(c.keys);
      if (!rs.length) return bestLen === 0;
      return rs.some((r) => ip && cidrContains(r, ip) && (r.key === bestKey || (bestLen === 0 && r.len === 0)));
    };
    return {
      connection: `${what} ${ipText ?? "unknown"}`,
      chose: bestLen < 0 ? null : bestKey ? bestKey : "any address",
      keep: bestLen < 0 ? [] : S.filter(matchesBest),
      why: (c) => {
        const rs = get(c.keys);
        const contains = rs.some((r) => ip && cidrContains(r, ip));
        if (!rs.length) return `has no ${what} range, but a more specific range (${bestKey}) contains ${ipText} and Envoy commits to it`;
        if (contains) return `range ${rs.map((r) => r.key).join(",")} contains ${ipText}, but ${bestKey} is more specific and Envoy commits to it`;
        return `wants ${what} in ${rs.map((r) => r.key).join(",")}; the connection's is ${ipText ?? "unknown"}`;
      },
    };
  };

/** Level 3, server name: exact, then *.suffix from the longest, then unset. */
const serverNames: LevelStep = (S, a) => {
  const sni = a.sni.toLowerCase();
  let keep: Cand[] = [];
  let chose: string | null = null;
  if (sni) {
    keep = S.filter((c) => c.keys.sni.includes(sni));
    if (keep.length) chose = sni;
    else {
      for (let i = sni.indexOf(".", 1); i > 0 && i < sni.length - 1; i = sni.indexOf(".", i + 1)) {
        const suffix = sni.slice(i);
        keep = S.filter((c) => c.keys.sni.includes(suffix));
        if (keep.length) {
          chose = `*${suffix}`;
          break;
        }
      }
    }
  }
  if (!keep.length) {
    keep = S.filter((c) => c.keys.sni.includes(""));
    chose = keep.length ? "any server name" : null;
  }
  return { connection: sni ? `SNI ${sni}` : "no SNI", chose, keep, why: (c) => sniWhy(c, sni, chose) };
};

/** Level 4, transport protocol: exact, else unset. */
const transportProtocol: LevelStep = (S, a) => {
  let keep = S.filter((c) => c.keys.transport === a.transport && a.transport !== "");
  let chose: string | null = keep.length ? a.transport : null;
  if (!keep.length) {
    keep = S.filter((c) => c.keys.transport === "");
    chose = keep.length ? "any transport" : null;
  }
  return {
    connection: `transport ${a.transport}`,
    chose,
    keep,
    why: (c) => (c.keys.transport === "" ? `has no transport_protocol, but chains for transport "${a.transport}" exist and Envoy commits to those` : `wants transport "${c.keys.transport}"; the connection's is "${a.transport}"`),
  };
};

/** Level 5, application protocols: the client's list in the client's order; the first one any chain lists wins. */
const applicationProtocols: LevelStep = (S, a) => {
  let keep: Cand[] = [];
  let chose: string | null = null;
  for (const p of a.alpn) {
    keep = S.filter((c) => c.keys.alpn.includes(p));
    if (keep.length) {
      chose = p;
      break;
    }
  }
  if (!keep.length) {
    keep = S.filter((c) => c.keys.alpn.includes(""));
    chose = keep.length ? "any ALPN" : null;
  }
  return {
    connection: a.alpn.length ? `ALPN ${a.alpn.join(",")}` : "no ALPN",
    chose,
    keep,
    why: (c) =>
      c.keys.alpn.includes("")
        ? `has no application_protocols, but a chain lists the client's "${chose}" and Envoy commits to it`
        : chose && chose !== "any ALPN"
          ? `wants ALPN ${c.keys.alpn.join(",")}; Envoy committed to "${chose}", the client's first protocol that any chain lists`
          : `wants ALPN ${c.keys.alpn.join(",")}; the client offers ${a.alpn.length ? a.alpn.join(",") : "none"}`,
  };
};

/** Level 7, source type: local (same IP or loopback) or external, else any. */
const sourceType: LevelStep = (S, a) => {
  const local = isLocalConnection(a);
  const own = local ? "SAME_IP_OR_LOOPBACK" : "EXTERNAL";
  let keep = S.filter((c) => c.keys.sourceType === own);
  let chose: string | null = keep.length ? (local ? "local" : "external") : null;
  if (!keep.length) {
    keep = S.filter((c) => c.keys.sourceType === "ANY");
    chose = keep.length ? "any source" : null;
  }
  return {
    connection: local ? "local source" : "external source",
    chose,
    keep,
    why: (c) => (c.keys.sourceType === "ANY" ? `accepts any source, but chains for ${local ? "local" : "external"} sources exist and Envoy commits to those` : `wants a ${c.keys.sourceType === "EXTERNAL" ? "external" : "local"} source; the connection is ${local ? "local" : "external"}`),
  };
};

/** Level 9, source port, inside the chosen source prefix: exact, else any. */
const sourcePort: LevelStep = (S, a) => {
  let keep = S.filter((c) => c.keys.srcPorts.includes(a.srcPort));
  let chose: string | null = keep.length ? `source port ${a.srcPort}` : null;
  if (!keep.length) {
    keep = S.filter((c) => c.keys.srcPorts.includes(0));
    chose = keep.length ? "any source port" : null;
  }
  return {
    connection: `source port ${a.srcPort}`,
    chose,
    keep,
    why: (c) => (c.keys.srcPorts.includes(0) ? `accepts any source port, but a chain lists port ${a.srcPort}` : `wants source port ${c.keys.srcPorts.join(",")}; the connection's is ${a.srcPort}`),
  };
};

/** Envoy's nine levels in its order (FilterChainManagerImpl): one small step each. */
const LEVEL_STEPS: Record<Level, LevelStep> = {
  destination_port: destinationPort,
  destination_ip: ipLevel("destination", (a) => a.dstIp, (k) => k.dst),
  server_names: serverNames,
  transport_protocol: transportProtocol,
  application_protocols: applicationProtocols,
  direct_source_ip: ipLevel("direct source", (a) => a.directSrcIp, (k) => k.direct),
  source_type: sourceType,
  source_ip: ipLevel("source", (a) => a.srcIp, (k) => k.src),
  source_port: sourcePort,
};

/**
 * The classic lookup with a full trace: at each level Envoy commits to the most specific branch
 * that matches and never backtracks; the chains it leaves are eliminated there, with the reason.
 */
export function lookupClassic(l: ListenerModel, a: MatchAttrs): ChainLookup {
  const verdicts = new Map<ChainModel, ChainVerdict>();
  const steps: Step[] = [];
  let S: Cand[] = l.chains.map((chain) => ({ chain, keys: keysOf(chain.match) }));
  for (const level of LEVELS) {
    const r = LEVEL_STEPS[level](S, a);
    const kept = new Set(r.keep);
    for (const c of S) if (!kept.has(c)) verdicts.set(c.chain, { chain: c.chain, verdict: "eliminated", level, reason: r.why(c) });
    S = r.keep;
    steps.push({ level, connection: r.connection, chose: r.chose, remaining: S.length });
    if (!S.length) break;
  }
  return concludeLookup(l, S, steps, verdicts);
}

/** What is left after the levels: one chain, a tie Envoy leaves unspecified, or nothing (the default chain, if any). */
function concludeLookup(l: ListenerModel, S: Cand[], steps: Step[], verdicts: Map<ChainModel, ChainVerdict>): ChainLookup {
  const res: ChainLookup = { mode: "filter_chain_match", usedDefault: false, steps, verdicts: [] };
  if (S.length === 1) {
    res.chain = S[0]!.chain;
    verdicts.set(res.chain, { chain: res.chain, verdict: "selected", reason: "the only chain left after every level" });
  } else if (S.length > 1) {
    res.ambiguous = S.map((c) => c.chain);
    for (const c of S) {
      verdicts.set(c.chain, {
        chain: c.chain,
        verdict: "ambiguous",
        reason: "ties with another chain on every level (an explicit 0.0.0.0/0 or ::/0 next to an unset range: Envoy's pick is unspecified, envoyproxy/envoy#34299)",
      });
    }
  }
  if (!res.chain && !res.ambiguous && l.defaultChain) {
    res.chain = l.defaultChain;
    res.usedDefault = true;
  }
  res.verdicts = l.chains.map((c) => verdicts.get(c) ?? { chain: c, verdict: "not-evaluated", reason: "" });
  return res;
}

function sniWhy(c: Cand, sni: string, chose: string | null): string {
  const names = c.keys.sni.filter((n) => n !== "").map((n) => (n.startsWith(".") ? `*${n}` : n));
  if (!names.length) return `accepts any server name, but a chain for ${chose} exists and Envoy commits to it`;
  if (!sni) return `wants SNI ${names.join(",")}; the client sent none`;
  return `wants SNI ${names.join(",")}; the client sent ${sni}${chose ? ` and ${chose} matched first` : ""}`;
}

/** Each criterion of a chain judged on its own, ignoring Envoy's commitment: what this chain lacks. */
export function independentMisses(c: ChainModel, a: MatchAttrs): { level: Level; wants: string }[] {
  const k = keysOf(c.match);
  const out: { level: Level; wants: string }[] = [];
  if (k.port !== 0 && k.port !== a.dstPort) out.push({ level: "destination_port", wants: `destination port ${k.port}` });
  const inAny = (rs: Cidr[], ipText: string | undefined) => !rs.length || (!!ipText && rs.some((r) => cidrContains(r, parseIp(ipText)!)));
  if (!inAny(k.dst, a.dstIp)) out.push({ level: "destination_ip", wants: `destination in ${k.dst.map((r) => r.key).join(",")}` });
  const sni = a.sni.toLowerCase();
  if (!k.sni.includes("") && !k.sni.some((n) => n === sni || (n.startsWith(".") && sni.endsWith(n) && sni.length > n.length))) {
    out.push({ level: "server_names", wants: `SNI ${c.match.serverNames!.join(" or ")}` });
  }
  if (k.transport !== "" && k.transport !== a.transport) out.push({ level: "transport_protocol", wants: `transport ${k.transport}` });
  if (!k.alpn.includes("") && !a.alpn.some((p) => k.alpn.includes(p))) out.push({ level: "application_protocols", wants: `ALPN ${k.alpn.join(" or ")}` });
  if (!inAny(k.direct, a.directSrcIp)) out.push({ level: "direct_source_ip", wants: `direct source in ${k.direct.map((r) => r.key).join(",")}` });
  const local = isLocalConnection(a);
  if (k.sourceType === "SAME_IP_OR_LOOPBACK" && !local) out.push({ level: "source_type", wants: "a local source" });
  if (k.sourceType === "EXTERNAL" && local) out.push({ level: "source_type", wants: "an external source" });
  if (!inAny(k.src, a.srcIp)) out.push({ level: "source_ip", wants: `source in ${k.src.map((r) => r.key).join(",")}` });
  if (!k.srcPorts.includes(0) && !k.srcPorts.includes(a.srcPort)) out.push({ level: "source_port", wants: `source port ${k.srcPorts.join(",")}` });
  return out;
}

/**
 * What makes Envoy refuse a listener matcher: a regex RE2 rejects, an IPMatcher range whose
 * address is not an IP. Walked iteratively: a matcher may nest deep.
 */
function matcherConfigError(m: unknown): string | undefined {
  return findInJson(m, (v) => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
    const o = v as Record<string, unknown>;
    const sr = o.safeRegex as { regex?: unknown } | undefined;
    if (sr && typeof sr.regex === "string") {
      const e = regexError(sr.regex);
      if (e) return e;
    }
    if (typeof o["@type"] === "string" && o["@type"].endsWith("xds.type.matcher.v3.IPMatcher")) {
      for (const rm of (o.rangeMatchers as { ranges?: { addressPrefix?: string }[] }[] | undefined) ?? []) {
        for (const r of rm.ranges ?? []) if (!parseIp(r.addressPrefix ?? "")) return `malformed IP address: ${r.addressPrefix ?? ""}`;
      }
    }
    return undefined;
  });
}
