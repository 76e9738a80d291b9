// Explains one connection: the accepting listener, listener filters, hand-off, the filter chain
// Envoy picks (and why every other chain lost), what happens next and what the client sees.
import { captureListenerFor, captureModel, ciliumListener, proxyIps, proxyRole, type Direction, type ProxyRole } from "./capture.js";
import type { ListenerFilterChainMatchPredicate } from "../gen/types/envoy/config/listener/v3/listener_components.js";
import type { LoadedInput, ResourceRecord } from "../load/dump.js";
import { allChains, asksForTls, chainLabel, formatAddr, listenerModel, matchText, peekListener, terminalText, type ChainModel, type ListenerModel, type ListenerPeek } from "../model/listener.js";
import { chainTransportLabel, transportLabel, type TlsSummary } from "../model/tls.js";
import { actionText, findRouteConfig } from "../model/route.js";
import { decideRoute, type RouteDecision } from "./route.js";
import { upstreamPlan, type UpstreamPlan } from "../model/upstream.js";
import { clusterModel } from "../model/cluster.js";
import { clusterEndpoints } from "../model/endpoint.js";
import type { ClientSpec } from "./clients.js";
import { independentMisses, lookupClassic, validateListener, type ChainLookup, type Level, type MatchAttrs } from "./fcm.js";
import { isWildcard, parseIp } from "./ip.js";
import { lookupMatcher } from "./matcher.js";
import { withAccessLog, type AccessLogEvidence } from "./logflags.js";

export interface ConnectionRequest {
  client: ClientSpec;
  dstPort: number;
  dstIp?: string;
  srcIp?: string;
  srcPort?: number;
  directSrcIp?: string;
  listenerName?: string;
  /** The HTTP request, when the chain ends in an HTTP connection manager. */
  http?: { host?: string; path?: string; headers?: Record<string, string> };
  /** Take transport/ALPN/SNI as what the listener filters reported (skip inspector simulation). */
  detected?: { transport: string; alpn: string[]; sni: string };
  /** Which capture listener takes a connection nothing binds: inbound or outbound (default: from the proxy's own IPs). */
  direction?: Direction;
  /** Filter state known before the chain is chosen (for the matcher's FilterStateInput). */
  filterState?: Record<string, string>;
}

export { OUTCOME_CODES, type OutcomeCode } from "./outcomes.js";
import type { OutcomeCode } from "./outcomes.js";

export interface Outcome {
  code: OutcomeCode;
  /** Does the connection reach its destination as the client meant it? */
  ok: boolean;
  summary: string;
  /** What the user's client shows. */
  clientSees: string;
  /** The server-side evidence: access log flags, stats. */
  envoySide?: string;
  /** When the chain took the connection and what came after failed it (no route, no cluster, no endpoints): why, as the summary says it after "but". */
  afterChain?: string;
  /** For a failing outcome: what this proxy writes to its access log for it (explain/logflags.ts), to grep logs for. */
  accessLog?: AccessLogEvidence;
}

/** What a chain that requires a client certificate checks of it. */
export interface ClientCertificateCheck {
  trustedCa: string[];
  subjectAltNames: string[];
}

/** What a client certificate must be to pass the check: "must chain to … and match …". */
export function clientCertificateText(c: ClientCertificateCheck): string {
  return `must chain to ${c.trustedCa.join(", ") || "the configured CA"}${c.subjectAltNames.length ? ` and match ${c.subjectAltNames.join(" or ")}` : ""}`;
}

export interface ListenerFilterStep {
  name: string;
  implicit?: string;
  ran: boolean;
  effect: string;
}

export interface CandidateView {
  index: number;
  name?: string;
  match: string;
  transport: string;
  terminal: string;
  verdict: string;
  level?: Level;
  reason: string;
}

export interface ExplainResult {
  client: { preset: string; description: string; sends: { transport: string; alpn: string[]; sni: string; clientCertificate: boolean } };
  connection: { destination: string; source: string; directSource: string; assumptions: string[] };
  accepted: { listener: string; address: string; how: string } | null;
  /** How traffic reaches this proxy (the capture model), and which direction this connection took. */
  /** `role`: what the proxy is for (sidecar, gateway, waypoint, plain Envoy), which the advice fits. */
  capture: { mesh: string; captures: boolean; direction: Direction | null; why: string; role: ProxyRole };
  handoff: { from: string; to: string | null; reason: string } | null;
  listenerFilters: ListenerFilterStep[];
  attributes: { destination: string; serverName: string; transportProtocol: string; applicationProtocols: string[]; sourceIp: string; sourcePort: number; directSourceIp: string } | null;
  listener: { name: string; address: string; state: string; fromV2: boolean } | null;
  rejected: string | null;
  matching: { mode: string; steps: ChainLookup["steps"]; matcherTrace?: string[]; usedDefault: boolean } | null;
  filterChain: { index: number; name?: string; isDefault: boolean; terminatesTls: boolean; requiresClientCertificate: boolean; match: string; transport: string; terminal: string } | null;
  candidates: CandidateView[];
  next: { negotiatedAlpn?: string | null; clientCertificate?: string; clientCertificateCheck?: ClientCertificateCheck; terminal?: string } | null;
  /** The HTTP route followed from the chain's connection manager, when there is one. */
  route: (RouteDecision & { request: { host: string; path: string } }) | null;
  /** How this proxy then connects to the route's (or tcp_proxy's) cluster. */
  upstream: UpstreamPlan | null;
  outcome: Outcome;
  /** A short paragraph: why this chain (or none), in the order Envoy decided. */
  why: string;
  /** Set when the input lacks what decides the answer (no listeners, cut off, elided): why. */
  incomplete?: string;
  /** Set when Envoy itself reports that the listener the connection goes to does not listen: rejected (error_state) or still warming. */
  notListening?: { listener: string; state: "error" | "warming" };
  hints: string[];
}

const DOC_SRC_IP = "192.0.2.10";
const DOC_SRC_IP6 = "2001:db8::10";

export { proxyIps } from "./capture.js";

/** Listeners that serve connections, peeked from the raw JSON: decoding happens only for the ones selection touches. */
function activeListeners(input: LoadedInput): ListenerPeek[] {
  return input.listeners.filter((r) => r.state !== "warming" && r.state !== "draining").map(peekListener);
}

/** What a UDP listener is for, said when a TCP connection cannot reach it. */
function udpText(p: ListenerPeek, port?: number): string {
  const addr = p.addresses.find((a) => port === undefined || a.port === port) ?? p.addresses[0];
  return `${p.name} listens on ${formatAddr(addr)} (UDP: QUIC for HTTP/3, or a UDP proxy): a TCP connection never reaches it`;
}

function addrMatches(ip: string | undefined, port: number, want: { ip?: string; port?: number; ipv4Compat?: boolean } | undefined, wildcard: boolean): boolean {
  if (!want || want.port !== port || want.ip === undefined) return false;
  if (!wildcard) {
    const a = parseIp(want.ip);
    const b = ip ? parseIp(ip) : undefined;
    return !!a && !!b && a.family === b.family && a.value === b.value;
  }
  if (!isWildcard(want.ip)) return false;
  const fam = ip ? parseIp(ip)?.family ?? 4 : 4;
  if (want.ip === "0.0.0.0") return fam === 4;
  return fam === 6 || want.ipv4Compat === true; // [::] takes IPv4 only with ipv4_compat
}

/** Exact ip:port first, then the wildcard of the family (envoy-matching.md §2.1, §2.2). */
function findByAddress(ls: ListenerPeek[], ip: string | undefined, port: number): ListenerModel | undefined {
  const hit = ls.find((l) => l.addresses.some((a) => addrMatches(ip, port, a, false))) ?? ls.find((l) => l.addresses.some((a) => addrMatches(ip, port, a, true)));
  return hit ? listenerModel(hit.rec) : undefined;
}

/** Evaluates a ListenerFilterChainMatchPredicate (filter_matcher.h): true means "skip the filter". Nesting past 64 levels matches nothing. */
export function predicateMatches(p: ListenerFilterChainMatchPredicate | undefined, port: number, depth = 0): boolean {
  if (!p || depth > 64) return false;
  if (p.anyMatch) return true;
  if (p.destinationPortRange) return port >= (p.destinationPortRange.start ?? 0) && port < (p.destinationPortRange.end ?? 0);
  if (p.notMatch) return !predicateMatches(p.notMatch, port, depth + 1);
  if (p.orMatch) return (p.orMatch.rules ?? []).some((r) => predicateMatches(r, port, depth + 1));
  if (p.andMatch) return (p.andMatch.rules ?? []).every((r) => predicateMatches(r, port, depth + 1));
  return false;
}

interface SocketState {
  dstIp?: string;
  dstPort: number;
  restored: boolean;
  transport?: string;
  sni: string;
  alpn: string[];
}

function runListenerFilters(l: ListenerModel, client: ClientSpec, s: SocketState, original: { ip?: string; port: number }, steps: ListenerFilterStep[], allowOriginalDst: boolean): void {
  for (const f of l.listenerFilters) {
    const step: ListenerFilterStep = { name: f.name, ...(f.implicit ? { implicit: f.implicit } : {}), ran: true, effect: "" };
    steps.push(step);
    if (predicateMatches(f.disabled, s.dstPort)) {
      step.ran = false;
      step.effect = `skipped: filter_disabled matches destination port ${s.dstPort}`;
      continue;
    }
    switch (f.kind) {
      case "original_dst":
        if (!allowOriginalDst && f.implicit) {
          step.ran = false;
          step.effect = "not run on the hand-off target";
          break;
        }
        s.dstIp = original.ip;
        s.dstPort = original.port;
        s.restored = true;
        step.effect = `destination restored to ${hostPort(original.ip, original.port)}`;
        break;
      case "tls_inspector":
        if (client.transport === "tls") {
          s.transport = "tls";
          s.sni = client.sni.toLowerCase();
          s.alpn = [...client.alpn];
          step.effect = `ClientHello seen: transport tls, SNI ${s.sni || "(none)"}, ALPN ${s.alpn.join(",") || "(none)"}`;
        } else step.effect = "no TLS ClientHello: sets nothing";
        break;
      case "http_inspector":
        if (s.transport && s.transport !== "raw_buffer") step.effect = "skipped itself: transport already detected";
        else if (client.transport === "raw_buffer" && client.plaintextProtocol) {
          s.alpn = [client.plaintextProtocol];
          step.effect = `plaintext HTTP seen: ALPN ${client.plaintextProtocol}`;
        } else step.effect = client.transport === "tls" ? "TLS bytes are not HTTP: sets nothing" : "not HTTP: sets nothing";
        break;
      case "proxy_protocol":
        step.effect = "expects a PROXY protocol header; these clients send none (Envoy closes unless allow_requests_without_proxy_protocol)";
        break;
      default:
        step.effect = "no effect on matching modelled";
    }
  }
}

/** The chain took the connection (`taken`), and what came after fails it: the outcome says both, and keeps why apart (afterChain). */
function butAfter(taken: Outcome, why: string, o: Pick<Outcome, "code" | "clientSees" | "envoySide">): Outcome {
  return { code: o.code, ok: false, summary: `${taken.summary}; but ${why}`, clientSees: o.clientSees, ...(o.envoySide ? { envoySide: o.envoySide } : {}), afterChain: why };
}

function hostPort(ip: string | undefined, port: number): string {
  return `${ip?.includes(":") ? `[${ip}]` : ip ?? "?"}:${port}`;
}

/** Nothing takes the connection: say why, and name the nearest listener (the same port elsewhere, or the other direction's capture). */
function noListener(conn: Connection, input: LoadedInput, port: number, client: ClientSpec, why: string): ExplainResult {
  const { base, all, dstIp } = conn;
  const near: string[] = [];
  for (const p of conn.udp) if (p.addresses.some((a) => a.port === port)) near.push(udpText(p, port));
  for (const p of all) {
    const other = p.addresses.find((a) => a.port === port);
    if (other && p.bindToPort) near.push(`${p.name} listens on ${formatAddr(other)}: a connection to that address would reach it`);
    else if (other) near.push(`${p.name} is for ${formatAddr(other)} but does not bind it (bind_to_port: false): only a capture listener's hand-off reaches it`);
  }
  if (!near.length) {
    // Nothing on this port at all: the ports it does listen on (a Service port often differs from the port the proxy binds).
    const bound = all.filter((p) => p.bindToPort && p.addresses[0]?.port && !p.capture);
    // A Kubernetes Service port maps to a target port a mesh's proxy binds; a plain Envoy's ports are its own.
    const role = base.capture.role;
    const maps = role === "plain Envoy" ? "" : role === "gateway" ? ": the gateway's Service port (80, 443, …) maps to one of these target ports" : ": a Service port maps to one of these target ports";
    if (bound.length) near.push(`this proxy listens on ${bound.slice(0, 6).map((p) => `${formatAddr(p.addresses[0])} (${p.name})`).join(", ")}${bound.length > 6 ? ", …" : ""}${maps}`);
  }
  const cm = captureModel(input);
  if (base.capture.direction) {
    const otherDir = base.capture.direction === "inbound" ? "outbound" : "inbound";
    const t = captureListenerFor(cm, otherDir, dstIp);
    if (t && !t.rejected) near.push(`with --direction ${otherDir}, ${t.peek.name} (${formatAddr(t.peek.addresses[0])}) would take it`);
  }
  return {
    ...base,
    hints: near.slice(0, 5),
    outcome: {
      code: "NO_LISTENER",
      ok: false,
      summary: why,
      clientSees: refusedText(client),
    },
  };
}

/**
 * Which listener and chain Envoy picks for a connection, what happens next and what the client sees;
 * then whether the input was whole enough to say so.
 */
export function explainConnection(input: LoadedInput, req: ConnectionRequest): ExplainResult {
  return withAccessLog(checkInputComplete(input, rejectedUpdates(input, explainFromListeners(input, req))));
}

/**
 * A listener on the way whose latest update Envoy rejected still serves its previous version, which is
 * what the answer describes: what the control plane last sent (a new EnvoyFilter, a new policy) is not
 * what runs.
 */
function rejectedUpdates(input: LoadedInput, r: ExplainResult): ExplainResult {
  const names = new Set([r.accepted?.listener, r.listener?.name]);
  const stale = input.failedUpdates.filter((f) => f.kind === "listener" && f.active && names.has(f.name));
  if (!stale.length) return r;
  const say = (f: (typeof stale)[number]) => `Envoy rejected the latest update of listener ${f.name} and still serves its previous version, which is what this describes: the configuration last sent is not what runs (${f.details}).`;
  return { ...r, hints: [...r.hints, ...stale.map(say)] };
}

/**
 * Partial input must not give confident answers: with no listeners at all, or a dump cut off (or
 * with elisions) where the answer depends on what is missing, the outcome says the input is
 * incomplete, and why, instead of a verdict.
 */
function checkInputComplete(input: LoadedInput, r: ExplainResult): ExplainResult {
  let why: string | undefined;
  // The hints of an answer the input cannot give (another port of a listener that is not there) would mislead.
  let dropHints = false;
  // A bootstrap read alone whose listeners come over LDS (pilot-agent's envoy-rev.json): what listens is
  // not in the file, so a port none of its static listeners holds is not "connection refused".
  const overLds = input.overXds.has("listener");
  // A gRPC client's xDS config (CSDS, grpcdebug): its listeners are API listeners, with no address; they
  // route the calls the client makes to xds:///NAME and accept no connection at all.
  const apiOnly =
    input.listeners.length > 0 &&
    input.listeners.every((l) => {
      const raw = l.outline;
      return peekListener(l).addresses.length === 0 && raw !== null && typeof raw === "object" && Object.keys(raw).some((k) => k.replace(/_/g, "").toLowerCase() === "apilistener");
    });
  if (input.listeners.length === 0 && input.rejectedListeners.length === 0) {
    const has = input.count();
    why = overLds
      ? `listeners arrive over LDS; take /config_dump: the input is a bootstrap, which holds none of them (its dynamic_resources send them over xDS)${has ? `; it has ${has}` : ""}. Give the running proxy's dump (the admin /config_dump, or istioctl proxy-config all POD -o json)`
      : `the input holds no listeners${has ? ` (it has ${has})` : ""}: which listener takes the connection cannot be told. Give a dump with listeners (/config_dump, or istioctl proxy-config listener … -o json)`;
  } else if (overLds && r.outcome.code === "NO_LISTENER") {
    dropHints = true;
    const names = input.listeners.map((l) => l.name).filter(Boolean);
    why = `listeners arrive over LDS; take /config_dump: the input is a bootstrap, which holds only its static listeners (${names.join(", ")}); the listener that would take this connection comes over LDS and is not in it (what was read says ${r.outcome.code}). Give the running proxy's dump (the admin /config_dump, or istioctl proxy-config all POD -o json)`;
  } else if (apiOnly && r.outcome.code === "NO_LISTENER") {
    dropHints = true;
    why = `the listeners are API listeners (${input.listeners.map((l) => l.name).join(", ")}), as an xDS client such as gRPC holds them: they have no address and accept no connection on any port; the client routes the calls it makes to xds:///NAME through them (what was read says ${r.outcome.code})`;
  } else if (input.cut && ["NO_LISTENER", "NO_FILTER_CHAIN", "LISTENER_REJECTED"].includes(r.outcome.code)) {
    why = `the input is cut off at line ${input.cut.line}: the listener or chain that would take this connection may be in the part that is missing (what was read says ${r.outcome.code})`;
  } else {
    // By name from the raw JSON: decoding every listener to find one would cost the whole dump.
    const used = r.listener ? input.listeners.find((l) => l.name === r.listener!.name || peekListener(l).name === r.listener!.name) : undefined;
    if (used?.partial) why = `listener ${used.name} has parts ${used.partial.why} at line ${used.partial.line}: the chains left out could change the answer (what was read says ${r.outcome.code})`;
    // A route configuration read in part decides nothing it does not hold: a Host or path it misses may be in the rest.
    const route = r.route;
    const rc = route && "routeConfig" in route ? input.routes.find((x) => x.name === route.routeConfig) : undefined;
    if (!why && rc?.partial && r.outcome.code === "NO_ROUTE") why = `route configuration ${rc.name} has parts ${rc.partial.why} at line ${rc.partial.line}: the virtual hosts and routes left out could take this request (what was read says ${r.outcome.code})`;
  }
  if (!why) return r;
  return {
    ...r,
    ...(dropHints ? { hints: [] } : {}),
    incomplete: why,
    outcome: { code: "INCOMPLETE_INPUT", ok: false, summary: why, clientSees: "unknown: the input does not hold what decides it", envoySide: `from what was read: ${r.outcome.code}: ${r.outcome.summary}` },
  };
}

/**
 * The connection through Envoy as a pipeline of small stages, the way Istio's simulator walks it
 * (pilot/pkg/simulation/traffic.go): the connection's addresses → the listener that accepts it →
 * listener filters and the use_original_dst hand-off → the filter chain → what the chain does
 * (outcome, route, upstream) → hints. A stage either hands its typed result to the next or ends the
 * walk with a result.
 */
function explainFromListeners(input: LoadedInput, req: ConnectionRequest): ExplainResult {
  const conn = connectionStage(input, req);
  const accepted = acceptStage(input, req, conn);
  if ("result" in accepted) return accepted.result;
  const filtered = listenerFilterStage(req, conn, accepted);
  const chosen = chainStage(conn, filtered);
  if ("result" in chosen) return chosen.result;
  return outcomeStage(input, req, conn, filtered, chosen);
}

/** Stage 1: where the connection goes and comes from (defaults said as assumptions), and the result being built. */
interface Connection {
  dstIp: string;
  srcIp: string;
  srcPort: number;
  directSrcIp: string;
  base: Omit<ExplainResult, "outcome">;
  /** Listeners that serve TCP connections (not warming or draining, not UDP), peeked without decoding. */
  all: ListenerPeek[];
  /** UDP listeners (QUIC, UDP proxies): named when a TCP connection finds nothing, never taken. */
  udp: ListenerPeek[];
}

function connectionStage(input: LoadedInput, req: ConnectionRequest): Connection {
  const client = req.client;
  const assumptions: string[] = [];
  // The clients explained connect over TCP: UDP listeners (QUIC, UDP proxies) never take them.
  const active = activeListeners(input);
  const all = active.filter((l) => !l.udp);
  const udp = active.filter((l) => l.udp);
  let dstIp = req.dstIp;
  if (!dstIp) {
    const p = proxyIps(input);
    if (p.ips[0]) {
      dstIp = p.ips[0];
      assumptions.push(`destination ${dstIp}: the proxy's own IP, from ${p.source} (use --address to change)`);
    } else {
      const d = unrevealedDestination(all, req.dstPort);
      dstIp = d.ip;
      assumptions.push(d.why);
    }
  }
  // Only the host itself reaches a loopback address.
  const loopback = dstIp === "::1" ? "::1" : dstIp.startsWith("127.") ? "127.0.0.1" : undefined;
  // A client of the destination's family: an IPv6 destination is reached from an IPv6 address.
  const srcIp = req.srcIp ?? loopback ?? (parseIp(dstIp)?.family === 6 ? DOC_SRC_IP6 : DOC_SRC_IP);
  if (!req.srcIp) assumptions.push(`source ${hostPort(srcIp, req.srcPort ?? 40000)}: ${loopback ? "this host (only it reaches a loopback address)" : "another host"} (use --source-ip / --source-port)`);
  const srcPort = req.srcPort ?? 40000;
  const directSrcIp = req.directSrcIp ?? srcIp;
  const cm = captureModel(input);
  const base: Omit<ExplainResult, "outcome"> = {
    client: { preset: client.preset, description: client.description, sends: { transport: client.transport, alpn: client.alpn, sni: client.sni, clientCertificate: client.clientCert } },
    connection: { destination: hostPort(dstIp, req.dstPort), source: hostPort(srcIp, srcPort), directSource: directSrcIp, assumptions },
    accepted: null,
    capture: { mesh: cm.mesh, captures: cm.captures, direction: null, why: cm.why, role: proxyRole(input) },
    handoff: null,
    listenerFilters: [],
    attributes: null,
    listener: null,
    rejected: null,
    matching: null,
    filterChain: null,
    candidates: [],
    next: null,
    route: null,
    upstream: null,
    why: "",
    hints: [],
  };
  return { dstIp, srcIp, srcPort, directSrcIp, base, all, udp };
}

/**
 * The destination when the dump does not reveal the proxy's IP: the one address a listener binds on the
 * port (127.0.0.1:9999); an IPv6 placeholder when only [::] without ipv4_compat listens there (Envoy binds
 * it IPv6-only, so an IPv4 one would be refused); else the IPv4 placeholder.
 */
function unrevealedDestination(tcp: ListenerPeek[], port: number): { ip: string; why: string } {
  const at = tcp.filter((l) => l.bindToPort && !l.capture).flatMap((l) => l.addresses.filter((a) => a.port === port && a.ip).map((a) => ({ l, ip: a.ip!, v4: a.ipv4Compat === true })));
  const ips = new Set(at.map((x) => x.ip));
  const one = at[0];
  if (one && ips.size === 1 && !isWildcard(one.ip) && parseIp(one.ip)) {
    return { ip: one.ip, why: `destination ${one.ip}: the only address a listener binds on port ${port} (${one.l.name}); the dump does not reveal the proxy's IP (use --address)` };
  }
  if (one && at.every((x) => parseIp(x.ip)?.family === 6 && isWildcard(x.ip) && !x.v4)) {
    return { ip: "2001:db8::1", why: `destination 2001:db8::1: an IPv6 placeholder, as only [::] listens on port ${port} (${one.l.name}) and, without ipv4_compat, Envoy binds it to IPv6 alone; the dump does not reveal the proxy's IP (use --address)` };
  }
  return { ip: "192.0.2.1", why: "destination 192.0.2.1: the dump does not reveal the proxy's IP, so a placeholder is used (use --address)" };
}

/** Stage 2: the listener that accepts the connection: named, bound to the destination, or the capture listener. */
interface Accepted {
  listener: ListenerModel;
  /** Reached through traffic capture (the socket's local address is the capture listener's). */
  captured: boolean;
}

function acceptStage(input: LoadedInput, req: ConnectionRequest, conn: Connection): Accepted | { result: ExplainResult } {
  const { base, all, dstIp } = conn;
  const client = req.client;
  const accept = (listener: ListenerModel, how: string, captured: boolean): Accepted => {
    base.accepted = { listener: listener.name, address: formatAddr(listener.address), how };
    return { listener, captured };
  };
  if (req.listenerName) {
    const named = all.find((l) => l.name === req.listenerName);
    const udp = named ? undefined : conn.udp.find((l) => l.name === req.listenerName);
    if (udp) return { result: { ...base, outcome: { code: "NO_LISTENER", ok: false, summary: udpText(udp), clientSees: refusedText(client) } } };
    if (!named) {
      // Named, but Envoy never accepted it: what it would have been is in error_state, and nothing listens.
      const rejected = input.rejectedListeners.find((r) => r.name === req.listenerName);
      if (rejected) {
        const addr = peekListener(rejected.record).addresses[0];
        return refusedBy(base, client, rejected.name, rejected.details, `Envoy rejected listener "${rejected.name}"${addr ? ` (${formatAddr(addr)})` : ""} and never accepted it: ${rejected.details}. Nothing listens there`);
      }
      return { result: { ...base, outcome: { code: "NO_LISTENER", ok: false, summary: `no listener named "${req.listenerName}" in ${input.file}`, clientSees: "-" } } };
    }
    return accept(listenerModel(named.rec), "--listener", false);
  }
  const bound = findByAddress(all.filter((l) => l.bindToPort && l.addresses.length > 0), dstIp, req.dstPort);
  if (bound) return accept(bound, `bound to ${formatAddr(bound.address)}: the kernel delivers ${hostPort(dstIp, req.dstPort)} to it`, false);
  // A listener for this address that Envoy is still warming does not listen yet: it waits for its secrets or routes.
  const warmingPeeks = input.listeners.filter((r) => r.state === "warming").map(peekListener);
  const warming = findByAddress(warmingPeeks.filter((l) => l.bindToPort && l.addresses.length > 0), dstIp, req.dstPort);
  if (warming) return warmingRefusal(base, input, client, warming);
  const cm = captureModel(input);
  if (cm.mesh === "Cilium") {
    const sent = ciliumListener(input, all, req.dstPort);
    if ("none" in sent) return { result: noListener(conn, input, req.dstPort, client, `nothing binds ${hostPort(dstIp, req.dstPort)}, and ${sent.none}`) };
    if (sent.assumed) base.connection.assumptions.push(sent.assumed);
    base.capture.direction = "inbound";
    return accept(listenerModel(sent.listener.rec), sent.how, false);
  }
  if (!cm.captures) return { result: noListener(conn, input, req.dstPort, client, `nothing binds ${hostPort(dstIp, req.dstPort)}: this is ${cm.why}`) };
  const own = new Set(proxyIps(input).ips);
  let direction = req.direction;
  if (!direction) {
    // When the dump does not reveal the proxy's IPs, a destination is taken to be this proxy.
    direction = own.size === 0 || own.has(dstIp) ? "inbound" : "outbound";
    if (!own.size) base.connection.assumptions.push(`${dstIp} is taken to be this proxy's own IP (inbound): the dump does not say which IPs it has (use --direction outbound for traffic the app sends)`);
  }
  base.capture.direction = direction;
  const target = captureListenerFor(cm, direction, dstIp);
  if (!target) return { result: noListener(conn, input, req.dstPort, client, `nothing binds ${hostPort(dstIp, req.dstPort)}, and ${cm.mesh} has no ${direction} capture listener in this dump`) };
  if (target.rejected) {
    return refusedBy(base, client, target.peek.name, target.rejected, `iptables redirects ${direction} traffic to ${target.peek.name} (${formatAddr(target.peek.addresses[0])}), but Envoy rejected that listener: ${target.rejected}. Nothing listens there, so the connection is refused`);
  }
  const listener = listenerModel(target.peek.rec);
  return accept(listener, `nothing binds ${hostPort(dstIp, req.dstPort)}; ${cm.mesh}'s iptables redirects ${direction} traffic to ${listener.name} (${formatAddr(listener.address)})`, true);
}

/** Stage 3: what the listener filters detect (transport, SNI, ALPN, the restored destination), and the use_original_dst hand-off. */
interface Filtered {
  /** The listener whose chains decide: the accepting one, or the one the hand-off chose. */
  listener: ListenerModel;
  attrs: MatchAttrs;
}

function listenerFilterStage(req: ConnectionRequest, conn: Connection, accepted: Accepted): Filtered {
  const { base, all, dstIp, srcIp, srcPort, directSrcIp } = conn;
  const { listener: accepting, captured } = accepted;
  const original = { ip: dstIp, port: req.dstPort };
  // A capture listener has a socket address (the capture model takes no other); the connection's own port otherwise.
  const s: SocketState = { dstIp: captured ? accepting.address?.ip : dstIp, dstPort: captured ? (accepting.address?.port ?? req.dstPort) : req.dstPort, restored: false, sni: "", alpn: [] };
  if (captured && s.dstIp && isWildcard(s.dstIp)) s.dstIp = dstIp;
  let final = accepting;
  if (req.detected) {
    s.dstIp = dstIp;
    s.dstPort = req.dstPort;
    s.transport = req.detected.transport;
    s.alpn = req.detected.alpn;
    s.sni = req.detected.sni;
    if (captured || req.listenerName) s.restored = true;
  } else {
    runListenerFilters(accepting, req.client, s, original, base.listenerFilters, true);
  }
  if (accepting.useOriginalDst && s.restored) {
    const target = findByAddress(all, s.dstIp, s.dstPort);
    if (target && target !== accepting) {
      base.handoff = { from: accepting.name, to: target.name, reason: `use_original_dst: the restored destination ${hostPort(s.dstIp, s.dstPort)} belongs to ${target.name}${target.bindToPort ? "" : " (bind_to_port: false: reachable only this way)"}` };
      final = target;
      if (!req.detected) runListenerFilters(target, req.client, s, original, base.listenerFilters, false);
    } else {
      base.handoff = { from: accepting.name, to: null, reason: `use_original_dst: no listener owns ${hostPort(s.dstIp, s.dstPort)}, so ${accepting.name} keeps the connection and matches its own chains` };
    }
  }
  const transport = s.transport ?? "raw_buffer";
  const attrs: MatchAttrs = { dstIp: s.dstIp, dstPort: s.dstPort, srcIp, srcPort, directSrcIp, sni: s.sni, transport, alpn: s.alpn, ...(req.filterState ? { filterState: req.filterState } : {}) };
  base.attributes = { destination: hostPort(s.dstIp, s.dstPort), serverName: s.sni, transportProtocol: transport, applicationProtocols: s.alpn, sourceIp: srcIp, sourcePort: srcPort, directSourceIp: directSrcIp };
  base.listener = { name: final.name, address: formatAddr(final.address), state: final.state, fromV2: final.fromV2 };
  return { listener: final, attrs };
}

/** Stage 4: the filter chain: Envoy's refusal of the listener, or its lookup (classic or matcher) with every chain's verdict. */
interface Chosen {
  lookup: ChainLookup;
  chain: ChainModel | undefined;
}

function chainStage(conn: Connection, filtered: Filtered): Chosen | { result: ExplainResult } {
  const { base } = conn;
  const { listener: final, attrs } = filtered;
  const rejected = validateListener(final);
  if (rejected) {
    base.rejected = rejected;
    return {
      result: {
        ...base,
        outcome: {
          code: "LISTENER_REJECTED",
          ok: false,
          summary: `Envoy refuses this listener's config: ${rejected}`,
          clientSees: "nothing useful: a live Envoy would not be serving this listener (it keeps the previous version, or the update shows under error_state)",
        },
      },
    };
  }
  const lookup = final.matcher ? lookupMatcher(final, attrs) : final.chains.length ? lookupClassic(final, attrs) : defaultOnly(final);
  base.matching = { mode: lookup.mode, steps: lookup.steps, ...(lookup.matcherTrace ? { matcherTrace: lookup.matcherTrace } : {}), usedDefault: lookup.usedDefault };
  base.candidates = lookup.verdicts.map((v) => ({
    index: v.chain.index,
    ...(v.chain.name ? { name: v.chain.name } : {}),
    match: matchText(v.chain.match),
    transport: chainTransportLabel(v.chain),
    terminal: terminalText(v.chain.terminal),
    verdict: v.verdict,
    ...(v.level ? { level: v.level } : {}),
    reason: v.reason,
  }));
  if (final.defaultChain) {
    base.candidates.push({
      index: -1,
      ...(final.defaultChain.name ? { name: final.defaultChain.name } : {}),
      match: "(default chain: used when nothing matches)",
      transport: chainTransportLabel(final.defaultChain),
      terminal: terminalText(final.defaultChain.terminal),
      verdict: lookup.usedDefault ? "selected" : "not used",
      reason: lookup.usedDefault ? "no chain matched" : "a chain matched",
    });
  }
  const chain = lookup.chain;
  if (chain) {
    base.filterChain = {
      index: chain.index,
      ...(chain.name ? { name: chain.name } : {}),
      isDefault: chain.isDefault,
      terminatesTls: chain.transport.kind === "tls",
      requiresClientCertificate: chain.transport.kind === "tls" && chain.transport.requireClientCertificate,
      match: chain.isDefault ? "(default chain)" : matchText(chain.match),
      transport: chainTransportLabel(chain),
      terminal: terminalText(chain.terminal),
    };
  }
  return { lookup, chain };
}

/** Stage 5: what happens next and what the client sees: TLS, the terminal filter, the route and the upstream; then hints and the why. */
function outcomeStage(input: LoadedInput, req: ConnectionRequest, conn: Connection, filtered: Filtered, chosen: Chosen): ExplainResult {
  const { base } = conn;
  const { listener: final, attrs } = filtered;
  const { lookup, chain } = chosen;
  let outcome = decideOutcome(final, lookup, chain, req.client, base);
  if (chain) outcome = followTerminal(input, chain, outcome, base, req, attrs);
  base.hints = hintsFor(input, final, attrs, req.client, chain, outcome, req, base.capture.mesh, base.capture.role);
  base.why = whyParagraph(final, lookup);
  return { ...base, outcome };
}

/** The decision in a few sentences: what narrowed the chains, where it committed, and what ended it. */
function whyParagraph(l: ListenerModel, lookup: ChainLookup): string {
  if (lookup.mode === "filter_chain_matcher") {
    const last = lookup.matcherTrace?.[lookup.matcherTrace.length - 1]?.trim() ?? "";
    return `${l.name} picks chains with its filter_chain_matcher: ${last || "see the trace"}.`;
  }
  if (lookup.mode === "default_only") return `${l.name} has only a default chain.`;
  const parts: string[] = [];
  const total = l.chains.length;
  let prev = total;
  for (const s of lookup.steps) {
    if (s.chose === null) {
      const lost = lookup.verdicts.filter((v) => v.level === s.level).map((v) => `${chainLabel(v.chain)} ${v.reason}`);
      parts.push(`at ${s.level.replace(/_/g, " ")} nothing matched ${s.connection}${lost.length ? ` (${lost.slice(0, 2).join("; ")})` : ""}`);
      break;
    }
    if (s.remaining < prev) {
      const generic = /^any /.test(s.chose);
      parts.push(
        generic
          ? `${s.connection} is listed by no chain, so the ${s.remaining} chain(s) with no ${s.level} match remain`
          : `${s.connection} kept ${s.remaining} of ${prev} chain(s) (${s.chose})`,
      );
    }
    prev = s.remaining;
  }
  const head = `Envoy narrows ${l.name}'s ${total} chains one criterion at a time and never backtracks: `;
  const end = lookup.chain
    ? lookup.usedDefault
      ? "; so the default chain takes it."
      : `; ${chainLabel(lookup.chain)} is what is left.`
    : lookup.ambiguous
      ? "; more than one chain is left, and Envoy's pick is unspecified."
      : "; so no chain matches.";
  return head + (parts.join(", then ") || "no criterion narrowed them") + end;
}

/** After the chain: the HTTP route and the cluster, then how this proxy connects upstream. */
function followTerminal(input: LoadedInput, chain: ChainModel, outcome: Outcome, base: Omit<ExplainResult, "outcome">, req: ConnectionRequest, a: MatchAttrs): Outcome {
  const t = chain.terminal;
  outcome = { ...outcome, summary: outcome.summary.replace(/\.$/, "") };
  let cluster: string | undefined;
  if (t.kind === "tcp_proxy" && outcome.ok) cluster = t.cluster ?? t.weightedClusters?.[0]?.name;
  if (t.kind === "hcm" && outcome.ok) {
    // Host: as given, else the name the client connected to (its SNI), else the destination.
    const sni = req.client.sni || a.sni;
    const host = req.http?.host ?? (sni || hostPort(a.dstIp, a.dstPort ?? 0));
    if (req.http?.host === undefined) base.connection.assumptions.push(`Host ${host}: ${sni ? "the SNI" : "the destination address"} (use --host)`);
    const path = req.http?.path ?? "/";
    const name = t.routeConfigName ?? t.inlineRoutes?.name ?? "(inline)";
    const rc = t.inlineRoutes ?? (t.routeConfigName !== undefined ? findRouteConfig(input, t.routeConfigName) : undefined);
    const hcm = { ...(t.useRemoteAddress ? { useRemoteAddress: true } : {}), ...(t.stripAnyHostPort ? { stripAnyHostPort: true } : {}), ...(t.stripMatchingHostPort ? { stripMatchingHostPort: true } : {}), listenerPort: a.dstPort };
    const d = decideRoute(rc, name, { host, path, headers: req.http?.headers ?? {}, tls: chain.transport.kind === "tls", hcm });
    base.route = { ...d, request: { host, path } };
    switch (d.kind) {
      case "no-route-config":
        // A dump with its routes section says what Envoy has: an RDS configuration it never received routes nothing.
        if (input.sections.has("routes") && t.routeConfigName !== undefined)
          return butAfter(outcome, `Envoy has no route configuration ${name} (not among the dump's routes: RDS has not sent it), so no request has a route`, { code: "NO_ROUTE", clientSees: "HTTP 404 (access log NR route_not_found)" });
        return { ...outcome, summary: `${outcome.summary} (route configuration ${name} is not in this dump: the route is unknown)` };
      case "rejected":
        return butAfter(outcome, `Envoy refuses route configuration ${d.routeConfig} (${d.error}): it keeps the last version it accepted, and with none it has no routes`, {
          code: "NO_ROUTE",
          clientSees: "HTTP 404 (access log NR route_not_found) unless an earlier version of the routes is in force",
        });
      case "no-virtual-host":
      case "no-route":
        return butAfter(outcome, d.kind === "no-virtual-host" ? `no virtual host of ${d.routeConfig} takes Host ${host}${domainsText(d.domains, d.domainCount)}` : `no route of ${d.routeConfig}/${d.virtualHost} matches ${path}${matchesText(d)}`, {
          code: "NO_ROUTE",
          clientSees: "HTTP 404 (access log NR route_not_found)",
        });
      case "match-tree":
        return { ...outcome, summary: `${outcome.summary}; virtual host ${d.virtualHost} of ${d.routeConfig} picks its route with a match tree (virtual_host.matcher), which this tool does not follow: the route is unknown` };
      case "tls-redirect":
        return {
          code: "HTTPS_REDIRECT",
          ok: false,
          summary: `${outcome.summary}; virtual host ${d.virtualHost} requires TLS (require_tls ${d.requireTls}) and the request is not https: Envoy answers 301 to ${d.location}`,
          clientSees: `HTTP 301 to ${d.location}`,
        };
      case "route":
        if (d.action.kind === "cluster") cluster = d.action.cluster;
        else if (d.action.kind === "weighted") cluster = d.action.clusters[0]?.name;
        else if (d.redirect?.toHttps) {
          // A plaintext request sent to https, by the route (https_redirect, scheme_redirect https) as by require_tls.
          return { code: "HTTPS_REDIRECT", ok: false, summary: `${outcome.summary}; route ${d.routeIndex} (${d.match}) redirects to https: Envoy answers ${d.redirect.code} to ${d.redirect.location}`, clientSees: `HTTP ${d.redirect.code} to ${d.redirect.location}` };
        } else if (d.redirect) {
          return { ...outcome, summary: `${outcome.summary}; route ${d.routeIndex} (${d.match}): Envoy answers ${d.redirect.code} to ${d.redirect.location}`, clientSees: `HTTP ${d.redirect.code} to ${d.redirect.location}` };
        } else return { ...outcome, summary: `${outcome.summary}; route ${d.routeIndex} (${d.match}): ${actionText(d.action)}`, clientSees: d.action.kind === "direct_response" ? `HTTP ${d.action.status} from Envoy` : outcome.clientSees };
        outcome = { ...outcome, summary: `${outcome.summary}; route ${d.routeIndex} (${d.match}) → ${actionText(d.action)}` };
    }
  }
  if (cluster !== undefined) {
    const gap = clusterGap(input, cluster, base.capture.mesh);
    if (gap?.code === "NO_CLUSTER") {
      return butAfter(outcome, gap.why, {
        code: "NO_CLUSTER",
        clientSees: t.kind === "hcm" ? `HTTP ${notFoundCode(base.route)} (access log NC cluster_not_found)` : "the connection is closed at once (access log NC: no cluster)",
        envoySide: `response flag NC (no cluster found): ${cluster}`,
      });
    }
    if (gap?.code === "NO_ENDPOINTS") {
      return butAfter(outcome, gap.why, {
        code: "NO_ENDPOINTS",
        clientSees: t.kind === "hcm" ? 'HTTP 503 "no healthy upstream" (access log UH)' : "the connection is closed at once (access log UH: no healthy upstream)",
        envoySide: `response flag UH (no healthy upstream): ${cluster} has no endpoints`,
      });
    }
    // A cluster the input does not hold (a listeners-only dump): its name is still what the chain or route sends to.
    base.upstream = upstreamPlan(input, cluster) ?? unknownUpstream(input, cluster);
  }
  return outcome;
}

/** The upstream of a cluster the input does not hold: its name, and that how the proxy connects to it is not in this input. */
function unknownUpstream(input: LoadedInput, cluster: string): UpstreamPlan {
  const why = input.sections.has("clusters") || input.clusters.length ? "it is not among this input's clusters" : "this input has no clusters (a listeners-only dump)";
  return { cluster, mode: "UNKNOWN", endpoints: [], edsInDump: false, notes: [`how this proxy connects to ${cluster} is unknown: ${why}`] };
}

/**
 * Why Envoy has nothing to send to by this cluster name, when the dump shows it, from one look at its
 * clusters. NO_CLUSTER: not among the clusters of a dump that lists them, or only warming (a new cluster
 * is added once its endpoints and secrets arrive); Istio names the subset a route asks for, and one no
 * DestinationRule defines has no cluster. NO_ENDPOINTS: its EDS assignment (or its own load_assignment)
 * lists no endpoint, for clusters whose hosts come from those lists (not ORIGINAL_DST, aggregate or
 * dynamic forward proxy clusters).
 */
function clusterGap(input: LoadedInput, name: string, mesh: string): { code: "NO_CLUSTER" | "NO_ENDPOINTS"; why: string } | undefined {
  if (!input.sections.has("clusters")) return undefined;
  const serving = (r: ResourceRecord | undefined) => r !== undefined && r.state !== "warming" && r.state !== "draining";
  // The index gives the first of a name (the active list comes first in a dump); the rest only when that one is not serving.
  const first = input.byName("cluster", name);
  const recs = serving(first) ? [first!] : input.clusters.filter((r) => r.name === name);
  const rec = recs.find(serving);
  if (!rec) {
    if (recs.some((r) => r.state === "warming")) return { code: "NO_CLUSTER", why: `cluster ${name} is still warming (waiting for its endpoints or secrets): Envoy has not added it yet` };
    const subset = /^outbound\|(\d+)\|([^|]+)\|(.+)$/.exec(name);
    const why = subset ? `cluster ${name} is not among this proxy's clusters: no DestinationRule for ${subset[3]} defines subset ${subset[2]} (or it does not apply here)` : `cluster ${name} is not among this proxy's clusters`;
    return { code: "NO_CLUSTER", why };
  }
  const c = clusterModel(rec);
  if (!["EDS", "STATIC", "STRICT_DNS", "LOGICAL_DNS"].includes(c.type)) return undefined;
  const eps = clusterEndpoints(input, c);
  if (!eps || eps.length > 0) return undefined;
  const where = c.type === "EDS" ? "its EDS assignment in the dump lists no endpoint" : "its load_assignment lists no endpoint";
  return { code: "NO_ENDPOINTS", why: `cluster ${name} has no endpoints (${where})${mesh === "Istio" ? ": no ready pod backs the Service, or none has the subset's labels" : ""}` };
}

/** What a route configuration's virtual hosts take, said after a Host none takes. */
function domainsText(domains: string[], count: number): string {
  if (!count) return " (it has no virtual host)";
  const more = count > domains.length ? ` and ${count - domains.length} more` : "";
  return ` (its virtual hosts take ${domains.join(", ")}${more}: set the Host with --host)`;
}

/** What a virtual host's routes match, said after a request none takes, with the flags that set it (a Host, :authority, is --host). */
function matchesText(d: { matches: string[]; routeCount: number; matchHeaders: string[] }): string {
  if (!d.routeCount) return " (it has no route)";
  const more = d.routeCount > d.matches.length ? ` … (${d.routeCount} routes)` : "";
  const host = (h: string) => h === ":authority" || h === "host";
  const flags = ["--path", ...(d.matchHeaders.some(host) ? ["--host"] : []), ...(d.matchHeaders.some((h) => !host(h)) ? ["--header"] : [])];
  return ` (its routes match ${d.matches.join(" | ")}${more}: set the request with ${flags.join(", ")})`;
}

/** The status Envoy answers when a route's cluster does not exist: 503 unless the route's cluster_not_found_response_code says otherwise. */
function notFoundCode(route: ExplainResult["route"]): number {
  const code = route?.kind === "route" ? route.clusterNotFoundResponseCode : undefined;
  return code === "NOT_FOUND" ? 404 : code === "INTERNAL_SERVER_ERROR" ? 500 : 503;
}

/** What the chosen chain does with TLS: "mTLS", "TLS", "passthrough" (plaintext chain, TLS client), "plaintext", or "none". */
export function chainKind(r: ExplainResult): "mTLS" | "TLS" | "passthrough" | "plaintext" | "none" {
  const f = r.filterChain;
  if (!f) return "none";
  if (f.requiresClientCertificate) return "mTLS";
  if (f.terminatesTls) return "TLS";
  return r.outcome.code === "TLS_PASSTHROUGH" ? "passthrough" : "plaintext";
}

function defaultOnly(l: ListenerModel): ChainLookup {
  return { mode: "default_only", chain: l.defaultChain, usedDefault: !!l.defaultChain, steps: [], verdicts: [] };
}

/**
 * The connection goes to a listener Envoy is still warming (it never was active): Envoy does not listen
 * on it until what it waits for arrives, its SDS secrets and RDS route configurations. Those missing
 * from the dump, or warming themselves, are named: a secret that never comes (an Istio Gateway's
 * credentialName without its Secret) keeps the listener warming for ever.
 */
function warmingRefusal(base: Omit<ExplainResult, "outcome">, input: LoadedInput, client: ClientSpec, l: ListenerModel): { result: ExplainResult } {
  const waits = new Set<string>();
  // What the dump cannot tell (it has no such section): named as what it may be waiting for.
  const maybe = new Set<string>();
  const absent = (section: "secrets" | "routes", what: string) => (input.sections.has(section) ? waits.add(`${what} (not in the dump)`) : maybe.add(what));
  for (const c of allChains(l)) {
    if (c.transport.kind === "tls") {
      for (const ref of [...c.transport.certificates, ...c.transport.trustedCa]) {
        if (!ref.startsWith("sds:")) continue;
        const name = ref.slice(4);
        const secret = input.byName("secret", name);
        if (secret?.state === "warming") waits.add(`secret ${name} (warming: its source has not sent it)`);
        else if (!secret) absent("secrets", `secret ${name}`);
      }
    }
    const rds = c.terminal.kind === "hcm" ? c.terminal.routeConfigName : undefined;
    if (rds !== undefined && !input.byName("route", rds)) absent("routes", `route configuration ${rds}`);
  }
  const what = waits.size
    ? `: it waits for ${[...waits].join(", ")}`
    : maybe.size
      ? `: it may be waiting for ${[...maybe].join(", ")} (this dump has no section to tell)`
      : " (it waits for its SDS secrets or RDS routes)";
  const secret = [...waits, ...maybe].some((w) => w.startsWith("secret"));
  const role = base.capture.role;
  const hint =
    secret && base.capture.mesh === "Istio" && role === "gateway"
      ? "A secret that never arrives keeps the listener warming for ever: for an Istio Gateway, the Secret its credentialName names must exist in the gateway's namespace (kubectl get secret NAME -n NAMESPACE)."
      : secret && base.capture.mesh === "Istio"
        ? "A secret that never arrives keeps the listener warming for ever: a sidecar's own certificates (default, ROOTCA) come over SDS from its istio-agent (see the istio-proxy container's log); a credentialName's Secret must exist in the workload's namespace."
        : "Envoy starts listening once everything the listener waits for has arrived; until then connections are refused.";
  return {
    result: {
      ...base,
      notListening: { listener: l.name, state: "warming" },
      hints: [...base.hints, hint],
      outcome: {
        code: "NO_LISTENER",
        ok: false,
        summary: `listener ${l.name} (${formatAddr(l.address)}) is warming, never yet active${what}. Envoy does not listen on it until then, so the connection is refused`,
        clientSees: refusedText(client),
        envoySide: `listener ${l.name} is in warming_state (dynamic_listeners)`,
      },
    },
  };
}

/** The connection goes to a listener Envoy rejected and never accepted: nothing listens, the kernel refuses it. */
function refusedBy(base: Omit<ExplainResult, "outcome">, client: ClientSpec, listener: string, details: string, summary: string): { result: ExplainResult } {
  // Where the fix is: Envoy keeps the listener out until its control plane sends a version it accepts.
  const part = /\b(\w+)ValidationError\b/.exec(details)?.[1];
  const what = part ? `; the error is in the ${part} part of its configuration (${part}ValidationError)` : "; Envoy's error names the part it rejected";
  const fix =
    base.capture.mesh === "Istio"
      ? `Envoy refuses ${listener} until istiod sends a version it accepts${what}. In Istio that is usually an EnvoyFilter patching this listener: kubectl get envoyfilter -A, istioctl analyze.`
      : `Envoy refuses ${listener} until its control plane sends a version it accepts${what}.`;
  return { result: { ...base, rejected: details, notListening: { listener, state: "error" }, hints: [...base.hints, fix], outcome: { code: "NO_LISTENER", ok: false, summary, clientSees: refusedText(client), envoySide: `listener ${listener} is in error_state (never active): ${details}` } } };
}

/** What a client sees when nothing listens: the kernel refuses the connection. */
function refusedText(client: ClientSpec): string {
  if (client.tool === "envoy") return "connection refused: the client proxy's app gets 503 (UF, \"upstream connect error or disconnect/reset before headers. reset reason: connection failure\")";
  return client.tool === "curl" ? "connection refused: curl exit 7 (Failed to connect)" : "connection refused";
}

function resetText(client: ClientSpec): string {
  if (client.tool === "envoy") return "the client proxy's upstream connection is reset: its app gets 503 (UC/UF, \"upstream connect error or disconnect/reset before headers\")";
  if (client.transport === "tls") {
    return client.tool === "openssl" ? "the handshake is cut by a TCP reset (openssl: \"unexpected eof\" / errno=104)" : "TCP reset during the TLS handshake: curl exit 35 (\"OpenSSL SSL_connect: Connection reset by peer\", older: SSL_ERROR_SYSCALL)";
  }
  return "connection reset: curl exit 56 (\"Recv failure: Connection reset by peer\")";
}

function decideOutcome(l: ListenerModel, lookup: ChainLookup, chain: ChainModel | undefined, client: ClientSpec, base: Omit<ExplainResult, "outcome">): Outcome {
  const nr = `access log "- - -" 0 NR filter_chain_not_found; stat listener.<${l.name}>.no_filter_chain_match`;
  if (lookup.ambiguous) {
    return { code: "AMBIGUOUS_FILTER_CHAIN", ok: false, summary: `${lookup.ambiguous.length} chains tie (${lookup.ambiguous.map(chainLabel).join(", ")}): which one Envoy uses is unspecified`, clientSees: "depends on the chain Envoy happens to pick" };
  }
  if (!chain) {
    const why = lookup.missingChainName !== undefined ? `the matcher named chain "${lookup.missingChainName}", which does not exist` : "no filter chain matches and the listener has no default chain";
    return { code: "NO_FILTER_CHAIN", ok: false, summary: `${why}: Envoy closes the connection before any TLS or HTTP`, clientSees: resetText(client), envoySide: nr };
  }
  if (chain.filters.length === 0) {
    return { code: "NO_NETWORK_FILTERS", ok: false, summary: `${chainLabel(chain)} has no network filters: Envoy closes the connection at once (close reason no_filters)`, clientSees: client.transport === "tls" ? resetText(client) : "empty reply: curl exit 52" };
  }
  const t = chain.terminal;
  const dest = terminalText(t);
  const blackhole = t.kind === "tcp_proxy" && t.cluster === "BlackHoleCluster";
  if (chain.transport.kind === "tls") {
    const tls = chain.transport as TlsSummary;
    if (client.transport !== "tls") {
      return {
        code: "PLAINTEXT_INTO_TLS",
        ok: false,
        summary: `${chainLabel(chain)} terminates TLS, but the client sends plaintext: the TLS handshake fails on its first bytes and Envoy closes`,
        clientSees: client.tool === "envoy" ? resetText(client) : "connection reset: curl exit 56 (\"Recv failure: Connection reset by peer\"; some builds: exit 52 \"Empty reply from server\")",
        envoySide: "stat ssl.connection_error; access log with no response code",
      };
    }
    if (tls.requireClientCertificate && !client.clientCert) {
      return {
        code: "CLIENT_CERT_REQUIRED",
        ok: false,
        summary: `${chainLabel(chain)} requires a client certificate and the client sends none: the handshake fails`,
        clientSees: client.tool === "openssl" ? "alert \"certificate required\" (TLS 1.3) or \"handshake failure\" (TLS 1.2)" : "TLS 1.3: curl exit 56 (\"tlsv13 alert certificate required\"); TLS 1.2: curl exit 35 (\"alert handshake failure\")",
        envoySide: "stat ssl.fail_verify_no_cert",
      };
    }
    const negotiated = tls.alpn.find((p) => client.alpn.includes(p)) ?? null;
    const check: ClientCertificateCheck | undefined = tls.requireClientCertificate ? { trustedCa: tls.trustedCa, subjectAltNames: tls.subjectAltNames } : undefined;
    base.next = {
      negotiatedAlpn: negotiated,
      clientCertificate: check ? `required; ${clientCertificateText(check)}` : client.clientCert ? "not requested" : "none",
      ...(check ? { clientCertificateCheck: check } : {}),
      terminal: dest,
    };
    const code = tls.requireClientCertificate ? "MTLS_TERMINATED" : "TLS_TERMINATED";
    const caveat = tls.requireClientCertificate ? ` — if the client's certificate chains to ${tls.trustedCa.join(", ") || "the trusted CA"}${tls.subjectAltNames.length ? ` with a SAN matching ${tls.subjectAltNames.join(" or ")}` : ""}` : "";
    const h2 = negotiated === "h2" && t.kind === "tcp_proxy" ? " Note: ALPN h2 is negotiated by Envoy, then the decrypted bytes go to the app: an HTTP/1.1-only app fails (use curl --http1.1)." : "";
    return {
      code: blackhole ? "BLACKHOLE" : code,
      ok: !blackhole,
      summary: `${chainLabel(chain)} terminates ${tls.requireClientCertificate ? "mutual " : ""}TLS${negotiated ? ` (ALPN ${negotiated})` : ""}, then ${dest}${caveat}.${h2}`,
      clientSees: blackhole ? "the connection is closed (BlackHoleCluster)" : t.kind === "hcm" ? `the HTTP response from the route (${certCaveat(tls)})` : "a TLS session to Envoy; the app receives the decrypted bytes",
    };
  }
  if (chain.transport.kind === "other") {
    return { code: "OTHER", ok: false, summary: `${chainLabel(chain)} uses transport socket ${chain.transport.name}: not modelled`, clientSees: "unknown" };
  }
  // Plaintext chain.
  if (client.transport === "tls") {
    if (t.kind === "hcm") {
      return {
        code: "TLS_INTO_PLAINTEXT_HTTP",
        ok: false,
        summary: `${chainLabel(chain)} is plaintext HTTP: the client's TLS ClientHello reaches the HTTP connection manager, which answers "HTTP/1.1 400 Bad Request" in cleartext and closes`,
        clientSees:
          client.tool === "envoy"
            ? "the client proxy's TLS handshake fails (\"WRONG_VERSION_NUMBER\"): its app gets 503 UF"
            : client.tool === "openssl"
              ? "openssl: \"wrong version number\" (ssl3_get_record)"
              : "curl exit 35: \"wrong version number\" (OpenSSL ssl3_get_record / error:0A00010B)",
        envoySide: "access log 400 with response flag DPE (downstream protocol error), codec error http1.codec_error",
      };
    }
    if (t.kind === "tcp_proxy") {
      return {
        code: blackhole ? "BLACKHOLE" : "TLS_PASSTHROUGH",
        ok: !blackhole,
        summary: blackhole ? `${chainLabel(chain)} sends the connection to BlackHoleCluster: closed` : `${chainLabel(chain)} is plaintext TCP: Envoy does not terminate TLS and forwards the encrypted bytes to ${t.cluster ?? "its cluster"}; the TLS session is between the client and the app`,
        clientSees: blackhole ? resetText(client) : "whatever the app answers: a TLS app completes the handshake itself; a plaintext app makes the handshake fail (curl 35)",
      };
    }
  }
  if (blackhole) return { code: "BLACKHOLE", ok: false, summary: `${chainLabel(chain)} sends the connection to BlackHoleCluster: closed`, clientSees: "empty reply / reset: curl exit 52 or 56" };
  if (t.kind === "hcm") {
    const nonHttp = client.transport === "raw_buffer" && !client.plaintextProtocol;
    return {
      code: "PLAINTEXT_HTTP",
      ok: !nonHttp,
      summary: nonHttp ? `${chainLabel(chain)} is plaintext HTTP, and the client's bytes are not HTTP: 400 and close` : `${chainLabel(chain)} is plaintext HTTP: the request goes to the ${dest.replace(/^HTTP → /, "")}`,
      clientSees: nonHttp ? "HTTP/1.1 400 Bad Request" : "the HTTP response from the route",
    };
  }
  return { code: "PLAINTEXT_TCP", ok: true, summary: `${chainLabel(chain)} is plaintext TCP: bytes are forwarded to ${t.kind === "tcp_proxy" ? (t.cluster ?? "its cluster") : dest}`, clientSees: "whatever the upstream answers" };
}

/** Which chain would have taken the connection, and what to change. Derived from the chains, not from an Istio version; the advice fits the proxy's role (a sidecar's mTLS mode is a mesh policy, a gateway's TLS is its servers'). */
function hintsFor(input: LoadedInput, l: ListenerModel, a: MatchAttrs, client: ClientSpec, chain: ChainModel | undefined, outcome: Outcome, req: ConnectionRequest, mesh: string, role: ProxyRole): string[] {
  const hints: string[] = [];
  const wantedTls = client.transport === "tls";
  const istioSidecar = mesh === "Istio" && role === "sidecar";
  const tlsChains = l.chains.filter((c) => c !== chain && c.transport.kind === "tls");
  // Chains for this exact port shadow port-less ones (Envoy never falls back), so only those can take it.
  const portSpecific = l.chains.some((c) => c.match.destinationPort === a.dstPort);
  const relevant = (c: ChainModel) => (portSpecific ? c.match.destinationPort === a.dstPort : !c.match.destinationPort);
  // Passthrough is what a plain TLS client expects; a client with a certificate wanted TLS terminated.
  if (wantedTls && (!chain || chain.transport.kind !== "tls") && (outcome.code !== "TLS_PASSTHROUGH" || client.clientCert)) {
    const scored = tlsChains
      .filter(relevant)
      .map((c) => ({ c, misses: independentMisses(c, a) }))
      .sort((x, y) => x.misses.length - y.misses.length);
    const best = scored[0];
    // The client sent a ClientHello but the listener did not see it: SNI and ALPN were never read.
    const tlsUnseen = a.transport !== "tls";
    if (tlsUnseen && !l.chains.some((c) => relevant(c) && (asksForTls(c) || c.transport.kind === "tls"))) {
      // Nothing here asks for TLS: detecting it would change nothing.
      hints.push(`No chain of ${l.name} for this port terminates TLS or asks for TLS, SNI or ALPN: detecting TLS (tls_inspector) would change nothing here.${outcome.code === "TLS_INTO_PLAINTEXT_HTTP" ? " It serves plaintext HTTP: connect with http://." : ""}`);
    } else if (tlsUnseen) {
      const inspector = l.listenerFilters.find((f) => f.kind === "tls_inspector");
      hints.push(
        inspector
          ? `TLS was not detected: tls_inspector ${inspector.disabled ? "is disabled for this port (filter_disabled)" : "did not run"}, so the connection looks like raw_buffer with no SNI or ALPN${best ? `; with it, ${chainLabel(best.c)} (${transportLabel(best.c.transport)}) could match` : ""}.`
          : `TLS was not detected: this listener has no tls_inspector, so every connection looks like raw_buffer with no SNI or ALPN${best ? `; with one, ${chainLabel(best.c)} (${transportLabel(best.c.transport)}) could match` : ""}.`,
      );
    } else if (best) {
      const wants = best.misses.map((m) => m.wants).join(" and ");
      const tlsLabel = transportLabel(best.c.transport);
      if (best.misses.length) {
        hints.push(`${chainLabel(best.c)} (${tlsLabel}) would take this connection if the client had ${wants}.`);
      } else {
        hints.push(`${chainLabel(best.c)} (${tlsLabel}) matches every criterion on its own, but Envoy committed to a more specific branch first (no backtracking).`);
      }
      const alpnMiss = best.misses.find((m) => m.level === "application_protocols");
      const chainAlpn = best.c.match.applicationProtocols ?? [];
      if (alpnMiss && chainAlpn.some((p) => p.startsWith("istio"))) {
        // A value the chain lists: an HTTP chain (istio-http/1.1, istio-h2) does not list plain istio.
        const offer = ["istio", "istio-http/1.1"].find((p) => chainAlpn.includes(p)) ?? chainAlpn.find((p) => p.startsWith("istio"));
        const byHand = `To test it by hand: openssl s_client -connect ${a.dstIp}:${a.dstPort} -alpn ${offer} -cert cert.pem -key key.pem.`;
        if (istioSidecar) {
          hints.push(`That chain only takes mesh clients (ALPN ${chainAlpn.join(",")}); curl cannot offer those. ${byHand} To accept any mTLS client on this port, make it STRICT (${policyFor(l, "STRICT")}): Istio's STRICT chain has no ALPN match.`);
        } else {
          // A gateway's mesh-only chain: PeerAuthentication does not govern it (an ISTIO_MUTUAL server, or an east-west gateway's AUTO_PASSTHROUGH).
          hints.push(
            best.c.transport.kind === "tls"
              ? `That chain only takes mesh clients (ALPN ${chainAlpn.join(",")}): a Gateway server with tls mode ISTIO_MUTUAL, which only sidecars and gateways of the mesh reach; curl cannot offer those. ${byHand} For clients outside the mesh, the Gateway needs a server with tls mode SIMPLE or MUTUAL (PeerAuthentication does not apply to a Gateway's servers).`
              : `That chain passes the mesh's own mTLS through to the destination (ALPN ${chainAlpn.join(",")}${best.c.match.serverNames?.length ? `, SNI ${best.c.match.serverNames.slice(0, 2).join(",")}${best.c.match.serverNames.length > 2 ? ", …" : ""}` : ""}: an east-west gateway's AUTO_PASSTHROUGH): only sidecars of the mesh connect that way. For clients outside the mesh, the Gateway needs a server with tls mode SIMPLE or MUTUAL.`,
          );
        }
      }
      const sniMiss = best.misses.find((m) => m.level === "server_names");
      // Every name the port answers to, not only the nearest chain's (passthrough chains too).
      const bySni = l.chains.filter((c) => c !== chain && relevant(c) && c.match.serverNames?.length);
      if (sniMiss && bySni.length > 1) hints.push(`The chains on this port by SNI: ${bySni.map((c) => `${c.match.serverNames!.join(",")} (${chainLabel(c)}, ${chainTransportLabel(c)})`).join("; ")}.`);
      if (sniMiss) {
        const host = best.c.match.serverNames?.[0]?.replace(/^\*\./, "www.") ?? "host";
        hints.push(`Send the SNI: curl --resolve ${host}:${a.dstPort}:${a.dstIp} https://${host}:${a.dstPort}/ (a Host header does not set SNI).`);
      }
    }
  }
  // A chain a plaintext client can never reach: it terminates TLS, or passes it through by its ClientHello (transport, SNI, ALPN).
  const needsTls = (c: ChainModel) => c.transport.kind === "tls" || c.match.transportProtocol === "tls" || !!c.match.serverNames?.length || !!c.match.applicationProtocols?.length;
  const tlsOnly = l.chains.filter((c) => c !== chain && relevant(c) && needsTls(c));
  if (!wantedTls && !chain && tlsOnly.length) hints.push(plaintextRefused(input, l, a, tlsOnly, mesh, role));
  // Plaintext on the chain that terminates TLS (the only one, or the one that matched anyway).
  if (outcome.code === "PLAINTEXT_INTO_TLS" && chain) hints.push(plaintextRefused(input, l, a, [chain], mesh, role));
  if (outcome.code === "CLIENT_CERT_REQUIRED") {
    const check = chain?.transport.kind === "tls" ? chain.transport.trustedCa : [];
    const ca = check.length ? ` (${check.join(", ")})` : "";
    hints.push(
      istioSidecar
        ? `This port takes mutual TLS with a mesh certificate only: call it from a pod with an Istio sidecar (auto mTLS, or DestinationRule ISTIO_MUTUAL), or make the port PERMISSIVE (${policyFor(l, "PERMISSIVE")}) to also take plaintext.`
        : role === "gateway" && mesh === "Istio"
          ? `This Gateway server has tls mode MUTUAL: send a client certificate signed by the CA of its credential${ca} with curl --cert/--key, or give the server tls mode SIMPLE to drop the requirement.`
          : role === "sidecar"
            ? `This port takes mutual TLS with a mesh certificate: call it from a workload in the mesh (its sidecar presents one), or send a certificate from the mesh's CA${ca} with curl --cert/--key.`
            : `Send a client certificate signed by the CA the chain trusts${ca} with curl --cert/--key, or use a chain that does not require one.`,
    );
  }
  if (outcome.code === "TLS_INTO_PLAINTEXT_HTTP" && !hints.length) {
    // Istio picks the protocol of a sidecar's port from the Service port's name; a gateway's or plain Envoy's listener is what it is.
    if (istioSidecar) hints.push("This port speaks plaintext HTTP: use http:// (or name the port https-/tls- so it is treated as TCP and TLS passes through).");
    else {
      const tlsPorts = role === "gateway" ? boundPorts(input, (c) => c.transport.kind === "tls" || c.match.transportProtocol === "tls" || !!c.match.serverNames?.length) : [];
      hints.push(`This port speaks plaintext HTTP: use http://${tlsPorts.length ? `; this ${role} takes TLS on port ${tlsPorts.join(", ")}` : ""}.`);
    }
  }
  if (req.detected) hints.push("--detected: transport, ALPN and SNI were taken as given; listener filters were not simulated.");
  return hints;
}

/**
 * A plaintext client at a port that only takes TLS: what fits the proxy. An Istio sidecar's mode is
 * PeerAuthentication's; an Istio gateway's TLS is its Gateway servers' (PeerAuthentication does not
 * govern them): connect with https and the SNI a server asks for, or add a plaintext server; another
 * mesh's sidecar wants a client in the mesh; anything else, TLS.
 */
function plaintextRefused(input: LoadedInput, l: ListenerModel, a: MatchAttrs, tlsOnly: ChainModel[], mesh: string, role: ProxyRole): string {
  const only = `Port ${a.dstPort} only accepts TLS here (${tlsOnly.map(chainLabel).join(", ")})`;
  const cert = tlsOnly.some((c) => c.transport.kind === "tls" && c.transport.requireClientCertificate);
  if (mesh === "Istio" && role === "sidecar") return `${only}: use mTLS (an Istio sidecar client, or DestinationRule ISTIO_MUTUAL), or PERMISSIVE mode to allow plaintext (${policyFor(l, "PERMISSIVE")}).`;
  if (mesh === "Istio" && role === "waypoint") return `${only}: an Istio waypoint takes the mesh's HBONE mTLS (from ztunnel or the mesh's proxies), not plaintext; PeerAuthentication does not make a waypoint take plaintext.`;
  // A server chosen by SNI is reached with its name; the first few are named.
  const names = [...new Set(tlsOnly.flatMap((c) => c.match.serverNames ?? []))];
  const host = names[0]?.replace(/^\*\./, "www.");
  const connect = host
    ? `TLS and the SNI of a server (curl --resolve ${host}:${a.dstPort}:${a.dstIp} https://${host}:${a.dstPort}/${names.length > 1 ? `; the names its servers take: ${names.slice(0, 4).join(", ")}${names.length > 4 ? ", …" : ""}` : ""})`
    : "TLS (https://…, openssl s_client)";
  const certChains = tlsOnly.filter((c) => c.transport.kind === "tls" && c.transport.requireClientCertificate);
  const cas = [...new Set(certChains.flatMap((c) => (c.transport.kind === "tls" ? c.transport.trustedCa : [])))];
  const withCert = !cert ? "" : `${certChains.length === tlsOnly.length ? " and" : " and, for a server that requires one,"} a client certificate signed by the CA it trusts${cas.length ? ` (${cas.join(", ")})` : ""} with curl --cert/--key`;
  if (role === "gateway") {
    const plain = boundPorts(input, (c) => c.transport.kind === "plaintext" && !c.match.transportProtocol && !c.match.serverNames?.length && !c.match.applicationProtocols?.length).filter((p) => p !== a.dstPort);
    const also = plain.length ? ` (this gateway takes plaintext on port ${plain.join(", ")})` : "";
    if (mesh === "Istio") return `${only}: this is an Istio gateway, whose TLS is its Gateway servers' (tls mode SIMPLE, MUTUAL or PASSTHROUGH), not PeerAuthentication's: connect with ${connect}${withCert}; to take plaintext, add a server with protocol HTTP to the Gateway, on another port${also}.`;
    return `${only}: connect with ${connect}${withCert}; to take plaintext, the gateway needs a plaintext (HTTP) listener on another port${also}.`;
  }
  if (role === "sidecar") {
    const permissive = mesh === "Kuma" ? ", or the Mesh's mTLS backend mode PERMISSIVE to also take plaintext" : mesh === "Consul" ? ", or MutualTLSMode permissive (Consul 1.16+, transparent proxy) to also take plaintext" : "";
    return `${only}: ${mesh}'s sidecars send mTLS with the mesh's certificates: call it from a workload in the mesh; a client outside it needs a certificate from the mesh's CA (curl --cert/--key)${permissive}.`;
  }
  return `${only}: connect with ${connect}${withCert}.`;
}

/** The bound ports of this proxy (not its capture listeners) with a chain that `has` (a gateway's TLS or plaintext ports): decodes only bound listeners, a handful on a gateway. */
function boundPorts(input: LoadedInput, has: (c: ChainModel) => boolean): number[] {
  const ports = new Set<number>();
  for (const rec of input.listeners) {
    if (ports.size >= 8) break;
    const p = peekListener(rec);
    const port = p.addresses[0]?.port;
    if (!port || !p.bindToPort || p.capture || p.udp || rec.state === "warming" || rec.state === "draining") continue;
    if (ISTIO_OWN_PORTS.has(port)) continue;
    const m = listenerModel(rec);
    if (allChains(m).some(has)) ports.add(port);
  }
  return [...ports].sort((x, y) => x - y);
}

/** Istio's own ports on a proxy (pilot-agent status, health, Prometheus), not traffic. */
const ISTIO_OWN_PORTS: ReadonlySet<number> = new Set([15000, 15004, 15020, 15021, 15090]);

/**
 * How to set a workload's mTLS mode in the dump's Istio era: PeerAuthentication from 1.5; before,
 * an authentication Policy (or the mesh-wide MeshPolicy) with peers.
 */
function policyFor(l: ListenerModel, mode: "STRICT" | "PERMISSIVE"): string {
  const input = l.record.input;
  const v = /^1\.(\d+)/.exec(input.identity?.istioVersion ?? "");
  const before15 = v ? Number(v[1]) < 5 : input.api === "v2" || l.fromV2;
  if (before15) {
    return mode === "STRICT"
      ? "Istio before 1.5: an authentication Policy (or MeshPolicy) with peers: [{mtls: {}}]"
      : "Istio before 1.5: an authentication Policy (or MeshPolicy) with peers: [{mtls: {mode: PERMISSIVE}}]";
  }
  return `PeerAuthentication mtls.mode ${mode}`;
}

/**
 * What curl needs to accept the server's certificate. A mesh's workload certificate (Istio's SDS
 * "default", OSM's "service-cert:…", Kuma's "identity_cert:…", Istio 1.1-1.4's files in /etc/certs, or a chain that checks SPIFFE IDs)
 * carries only a SPIFFE ID, which no hostname matches; any other is checked against the name curl used.
 */
function certCaveat(tls: TlsSummary): string {
  const mesh = tls.certificates.some((c) => /^sds:(?:default$|service-cert:|identity_cert:)|^file:\/etc\/certs\//.test(c)) || tls.subjectAltNames.some((s) => s.includes("spiffe://"));
  return mesh ? "curl needs -k for a SPIFFE-only mesh certificate, else exit 60" : "curl checks the certificate: --cacert with its CA unless a public CA signed it, and the name it was issued for, else exit 60";
}
