// How traffic reaches this proxy when nothing binds its destination: the capture model, decided
// from evidence in the dump. Istio, Open Service Mesh, Kuma and Consul's transparent proxy
// redirect connections with iptables to a capture listener (original_dst restores the
// destination); Cilium's eBPF sends a Service's ports to the listeners a CiliumEnvoyConfig names,
// keeping the destination; gateways and plain Envoys (Envoy Gateway, Emissary, Contour) capture
// nothing and only bound listeners take connections. The proxy's own IPs, which decide inbound from
// outbound, come only from evidence that names them.
import type { LoadedInput } from "../load/dump.js";
import { listenerModel, peekListener, type ListenerPeek } from "../model/listener.js";
import { isWildcard, parseIp } from "./ip.js";

export type Direction = "inbound" | "outbound";

export interface CaptureListener {
  peek: ListenerPeek;
  /** Set when Envoy never accepted this listener (error_state): nothing listens where it would. */
  rejected?: string;
}

export interface CaptureModel {
  /** Which mesh or kind of proxy the evidence points to. */
  mesh: "Istio" | "Open Service Mesh" | "Kuma" | "Consul" | "Cilium" | "Envoy";
  /** Whether connections to addresses nothing binds are redirected here at all. */
  captures: boolean;
  /** The capture listeners by the direction they serve (one may serve both: Istio ≤1.4's `virtual`). */
  inbound: CaptureListener[];
  outbound: CaptureListener[];
  /** Why: the evidence, in words. */
  why: string;
}

const cache = new WeakMap<LoadedInput, CaptureModel>();

export function captureModel(input: LoadedInput): CaptureModel {
  let m = cache.get(input);
  if (!m) cache.set(input, (m = decide(input)));
  return m;
}

/**
 * What the proxy is for, which decides what advice fits: a sidecar (traffic captured for one workload,
 * or a mesh's per-workload proxy: Consul's, Kuma's, OSM's), a gateway (Istio's router, or a mesh's proxy
 * that captures nothing; Cilium's per-node proxy for Gateway API), an Istio waypoint, or a plain Envoy.
 */
export type ProxyRole = "sidecar" | "gateway" | "waypoint" | "plain Envoy";

export function proxyRole(input: LoadedInput): ProxyRole {
  const t = input.identity?.nodeType;
  if (t === "sidecar") return "sidecar";
  if (t === "router") return "gateway";
  if (t === "waypoint") return "waypoint";
  const cm = captureModel(input);
  if (cm.captures) return "sidecar";
  if (cm.mesh === "Consul" || cm.mesh === "Kuma" || cm.mesh === "Open Service Mesh") return "sidecar";
  return cm.mesh === "Envoy" ? "plain Envoy" : "gateway";
}

/** What a listener says of its direction: traffic_direction, else its name. */
export function listenerDirection(p: ListenerPeek): Direction | "both" | undefined {
  if (p.direction === "INBOUND") return "inbound";
  if (p.direction === "OUTBOUND") return "outbound";
  if (/inbound/i.test(p.name) || /^public_listener:/.test(p.name)) return "inbound";
  if (/outbound/i.test(p.name)) return "outbound";
  if (p.name === "virtual") return "both"; // Istio 1.1-1.4: one capture listener, use_original_dst hands off
  return undefined;
}

function meshOf(input: LoadedInput, peeks: ListenerPeek[]): { mesh: CaptureModel["mesh"]; evidence: string } {
  const id = input.identity;
  const names = new Set(peeks.map((p) => p.name));
  const node = id?.nodeId ?? "";
  if (id?.istioVersion || ["sidecar", "router", "waypoint"].includes(id?.nodeType ?? "") || names.has("virtualInbound") || names.has("virtualOutbound") || names.has("virtual")) {
    return { mesh: "Istio", evidence: id?.istioVersion ? `ISTIO_VERSION ${id.istioVersion} in the bootstrap node` : names.has("virtualInbound") || names.has("virtualOutbound") || names.has("virtual") ? "listeners named virtualInbound/virtualOutbound/virtual" : `node id ${node}` };
  }
  if (names.has("inbound-listener") || names.has("outbound-listener") || /\.sidecar\.[^.]+\.[^.]+\.cluster\.local$/.test(node)) {
    return { mesh: "Open Service Mesh", evidence: names.has("inbound-listener") || names.has("outbound-listener") ? "listeners named inbound-listener/outbound-listener" : `node id ${node}` };
  }
  const kumaNames = [...names].some((n) => /^(self_transparentproxy_|inbound:|outbound:)/.test(n));
  if (kumaNames || bootstrapMetadata(input, "dataplane.proxyType") !== undefined) {
    return { mesh: "Kuma", evidence: kumaNames ? "listeners named inbound:/outbound:/self_transparentproxy_…" : "dataplane.proxyType in the bootstrap node" };
  }
  const consulNames = [...names].some((n) => /^(public_listener|outbound_listener):/.test(n));
  if (consulNames || input.clusters.some((c) => c.name.endsWith(".consul"))) {
    return { mesh: "Consul", evidence: consulNames ? "listeners named public_listener:/outbound_listener:" : "clusters named ….consul" };
  }
  if (input.redirects.length || peeks.some((p) => p.cilium)) {
    return { mesh: "Cilium", evidence: input.redirects.length ? "a CiliumEnvoyConfig's spec.services" : "listeners with Cilium's cilium.bpf_metadata listener filter" };
  }
  return { mesh: "Envoy", evidence: "no mesh's listener names or node metadata" };
}

function bootstrapMetadata(input: LoadedInput, key: string): unknown {
  const b = input.resources.bootstrap[0]?.raw as { node?: { metadata?: Record<string, unknown> } } | undefined;
  const md = b?.node?.metadata;
  return md && typeof md === "object" && Object.hasOwn(md, key) ? md[key] : undefined;
}

function decide(input: LoadedInput): CaptureModel {
  const peeks = input.listeners.filter((r) => r.state !== "warming" && r.state !== "draining").map(peekListener);
  const rejected = input.rejectedListeners.map((r) => ({ peek: peekListener(r.record), rejected: r.details }));
  const { mesh, evidence } = meshOf(input, [...peeks, ...rejected.map((r) => r.peek)]);
  const model: CaptureModel = { mesh, captures: false, inbound: [], outbound: [], why: "" };
  // A capture listener binds a socket address (an internal listener, reached by name, captures nothing).
  const candidates: CaptureListener[] = [...peeks.map((peek) => ({ peek })), ...rejected].filter((c) => c.peek.bindToPort && c.peek.capture && c.peek.addresses.length > 0 && !c.peek.udp);
  // Consul's transparent proxy sends inbound connections to the public listener, which restores nothing.
  if (mesh === "Consul" && candidates.some((c) => /^outbound_listener:/.test(c.peek.name))) {
    // Only one with a socket address: a listener without one (a hostile or cut dump) takes nothing.
    for (const p of peeks) if (/^public_listener:/.test(p.name) && p.bindToPort && p.addresses.length > 0 && !p.udp) candidates.push({ peek: p });
  }
  for (const c of candidates) {
    const d = listenerDirection(c.peek) ?? (c.peek.addresses[0]?.port === 15006 ? "inbound" : c.peek.addresses[0]?.port === 15001 ? "outbound" : "both");
    if (d === "inbound" || d === "both") model.inbound.push(c);
    if (d === "outbound" || d === "both") model.outbound.push(c);
  }
  model.captures = model.inbound.length > 0 || model.outbound.length > 0;
  const where = (cs: CaptureListener[]) => cs.map((c) => `${c.peek.name}${c.peek.addresses[0] ? ` :${c.peek.addresses[0].port}` : ""}${c.rejected ? " (rejected by Envoy)" : ""}`).join(", ") || "none";
  model.why = model.captures
    ? `${mesh} (${evidence}): iptables sends connections nothing binds to a capture listener: inbound → ${where(model.inbound)}; outbound → ${where(model.outbound)}`
    : mesh === "Cilium"
      ? `Cilium (${evidence}): its eBPF sends a Service's connections, by frontend port, to a proxy listener, keeping their destination${input.redirects.length ? `: ${input.redirects.map((r) => `${redirectText(r)} → ${r.listener || "the first listener"}`).join("; ")}` : "; which Service ports go to which listener is Cilium's, not in this dump"}`
      : `${mesh === "Envoy" ? "an Envoy that captures no traffic" : `${mesh} without traffic capture`}, so only bound listeners take connections (${evidence}; no bound listener restores original destinations)`;
  return model;
}

/** A Service and the ports Cilium sends to this proxy: "default/gw port 80,443", or "(every port)". */
function redirectText(r: LoadedInput["redirects"][number]): string {
  return `${r.service} ${r.ports.length ? `port ${r.ports.join(",")}` : "(every port)"}`;
}

/**
 * Cilium's eBPF sends a Service's connections, by frontend port, to a proxy listener and keeps their
 * destination (TPROXY): the listener a CiliumEnvoyConfig's spec.services names for the port (none named:
 * its first listener); from a running proxy's dump, which does not hold that mapping, its only proxy listener.
 */
export function ciliumListener(input: LoadedInput, all: ListenerPeek[], port: number): { listener: ListenerPeek; how: string; assumed?: string } | { none: string } {
  if (input.redirects.length) {
    const r = input.redirects.find((x) => x.ports.length === 0 || x.ports.includes(port));
    if (!r) return { none: `Cilium sends only these Services' ports to this proxy (CiliumEnvoyConfig spec.services): ${input.redirects.map((x) => redirectText(x)).join("; ")}` };
    const listener = r.listener ? all.find((l) => l.name === r.listener) : all[0];
    if (!listener) return { none: `Cilium sends ${r.service} port ${port} to listener "${r.listener || "(the first)"}", which is not in this configuration` };
    return { listener, how: `Cilium's eBPF sends ${r.service} port ${port} to ${r.listener ? `listener ${listener.name}` : `the first listener, ${listener.name}`} (CiliumEnvoyConfig spec.services), keeping the destination` };
  }
  const proxies = all.filter((l) => l.cilium);
  if (proxies.length === 1) {
    return {
      listener: proxies[0]!,
      how: `Cilium's eBPF sends a Service's connections to its proxy listener ${proxies[0]!.name}, keeping the destination`,
      assumed: `Cilium sends port ${port} to ${proxies[0]!.name}, its only proxy listener: which Service ports go there is Cilium's (the CiliumEnvoyConfig's spec.services), not in this dump`,
    };
  }
  return { none: `Cilium sends a Service's connections to one of its proxy listeners (${proxies.map((l) => l.name).join(", ") || "none here"}); which one for port ${port} is in the CiliumEnvoyConfig, not this dump: name it with --listener` };
}

/** The capture listener for a direction and destination (an IPv6 destination prefers an IPv6 wildcard). */
export function captureListenerFor(model: CaptureModel, direction: Direction, dstIp: string | undefined): CaptureListener | undefined {
  const list = direction === "inbound" ? model.inbound : model.outbound;
  const fam = dstIp ? (parseIp(dstIp)?.family ?? 4) : 4;
  const famOf = (c: CaptureListener) => ((c.peek.addresses[0]?.ip ?? "").includes(":") ? 6 : 4);
  // An accepted listener of the right family, then any accepted one, then a rejected one (which refuses).
  return list.find((c) => !c.rejected && famOf(c) === fam) ?? list.find((c) => !c.rejected) ?? list.find((c) => famOf(c) === fam) ?? list[0];
}

const ipsCache = new WeakMap<LoadedInput, { ips: string[]; source: string }>();

/**
 * The proxy's own IPs, only from evidence that names them: the bootstrap node (INSTANCE_IPS, an
 * Istio node id), inbound listeners' own addresses, and the per-pod /32 prefix ranges of Istio
 * 1.3–1.5's inbound capture chains. Never an outbound destination (a ClusterIP).
 */
export function proxyIps(input: LoadedInput): { ips: string[]; source: string } {
  let found = ipsCache.get(input);
  if (!found) ipsCache.set(input, (found = findProxyIps(input)));
  return found;
}

function findProxyIps(input: LoadedInput): { ips: string[]; source: string } {
  const id = input.identity;
  // A loopback address in a node id (Cilium's host~127.0.0.1~…) is not where connections come to.
  const nodeIps = (id?.ips ?? []).filter((ip) => !ip.startsWith("127.") && ip !== "::1");
  if (nodeIps.length) return { ips: nodeIps, source: "the bootstrap node" };
  const counts = new Map<string, number>();
  const add = (ip: string) => counts.set(ip, (counts.get(ip) ?? 0) + 1);
  const peeks = input.listeners.map(peekListener);
  for (const p of peeks) {
    const ip = p.addresses[0]?.ip;
    if (!ip || isWildcard(ip) || ip.startsWith("127.") || ip === "::1" || p.capture) continue;
    if (isInboundListener(p)) add(ip);
  }
  // Istio 1.3-1.5 copies inbound chains into virtualInbound with the pod IP as a /32: decode only inbound capture listeners.
  for (const p of peeks.filter((x) => x.capture && x.bindToPort && listenerDirection(x) !== "outbound" && (listenerDirection(x) === "inbound" || x.addresses[0]?.port === 15006))) {
    for (const c of listenerModel(p.rec).chains) {
      if (c.match.destinationPort && c.match.prefixRanges?.length === 1 && (c.match.prefixRanges[0]!.prefixLen ?? 0) >= 32) add(c.match.prefixRanges[0]!.addressPrefix!);
    }
  }
  const ips = [...counts].sort((a, b) => b[1] - a[1]).map(([ip]) => ip);
  return { ips, source: ips.length ? "inbound listeners" : "" };
}

/** A listener for this proxy's own address: it says INBOUND, its name does, or (Istio ≤1.5 per-port listeners) its chains go to inbound clusters. */
function isInboundListener(p: ListenerPeek): boolean {
  const d = listenerDirection(p);
  if (d) return d === "inbound";
  if (p.bindToPort) return false; // a bound listener at a fixed IP without a direction says nothing of whose IP it is
  const m = listenerModel(p.rec);
  const clusters = m.chains.flatMap((c) => (c.terminal.kind === "tcp_proxy" ? [c.terminal.cluster ?? ""] : c.terminal.kind === "hcm" ? inlineClusters(c.terminal.inlineRoutes) : []));
  if (clusters.some((n) => n.startsWith("inbound|"))) return true;
  if (clusters.some((n) => n.startsWith("outbound|"))) return false;
  // Istio's inbound per-port listeners terminate mesh TLS; outbound ones never do.
  return m.chains.some((c) => c.transport.kind === "tls");
}

function inlineClusters(rc: { virtualHosts?: { routes?: { route?: { cluster?: string } }[] }[] } | undefined): string[] {
  return (rc?.virtualHosts ?? []).flatMap((vh) => (vh.routes ?? []).map((r) => r.route?.cluster ?? "")).filter(Boolean);
}
