// `envoy-explain tls-check <client-dump> [<server-dump>]`: will the server take what the client
// proxy sends? Both halves come from the Envoy config itself: the client's cluster (with auto mTLS
// resolved per endpoint) gives the connection, and the explain engine runs it through the server's
// listeners.
import type { LoadedInput, ResourceRecord } from "../load/dump.js";
import { getKey } from "../load/v2.js";
import { isObject } from "../load/keys.js";
import { clientForPort, presetClient, type ClientSpec, type PresetName } from "../explain/clients.js";
import { chainKind, clientCertificateText, explainConnection, type ExplainResult } from "../explain/explain.js";
import { clusterModel, parseIstioClusterName } from "../model/cluster.js";
import { chainsForPort, listenerModel, peekListener, portIsHttp, type ChainModel } from "../model/listener.js";
import type { RouteConfiguration } from "../gen/types/envoy/config/route/v3/route.js";
import { sendsText, upstreamPlan, type UpstreamSends } from "../model/upstream.js";
import { isLoopbackRange, isWildcard, parseIp } from "../explain/ip.js";
import { captureModel, listenerDirection, proxyIps } from "../explain/capture.js";
import { clusterEndpoints, endpointRecordFor, endpointsForCluster } from "../model/endpoint.js";
import { findInJson } from "../model/canonical.js";

export type Status = "OK" | "CONFLICT" | "PLAINTEXT" | "UNKNOWN";

export interface CheckRow {
  host: string;
  port: number;
  cluster?: string;
  client: { mode: string; sends: string; endpoint?: string; notes: string[] };
  server: { port: number; mode: string; chain: string; outcome: string };
  status: Status;
  reason: string;
}

export interface PortMode {
  port: number;
  mode: "STRICT" | "PERMISSIVE" | "DISABLE" | "CUSTOM";
  accepts: { plaintext: boolean; meshMtls: boolean; otherMtls: boolean; tlsPassthrough: boolean };
  detail: string;
}

/**
 * Ports the workload serves (target ports, where connections arrive): destination ports of the
 * chains of the inbound capture listener (Istio's virtualInbound, OSM's inbound-listener, Kuma's
 * inbound passthrough), per-port inbound listeners for the proxy's own IPs, and bound listeners that
 * other hosts can reach: those marked inbound (Consul's public listener) and, on a proxy that captures
 * no inbound traffic (a gateway, plain Envoy), every one not marked outbound, and an Istio gateway's
 * (which marks its listeners outbound), whatever their transport. A listener bound to a loopback
 * address (Consul's upstreams) takes only local connections.
 */
/** The proxy's own health and stats ports, not its traffic: Istio's (pilot-agent status, health, Prometheus) by port, Envoy Gateway's and Open Service Mesh's (its Prometheus listener) by listener name. */
const ISTIO_HEALTH_PORTS = [15020, 15021, 15090];
const OWN_HEALTH_LISTENER = /^envoy-gateway-proxy-(ready|stats)-|^inbound-prometheus-listener$/;

/** A proxy that captures no inbound traffic (a gateway, plain Envoy): clients connect to its bound listeners. */
export const capturesNothing = (server: LoadedInput) => !captureModel(server).inbound.length;

export function inboundPorts(server: LoadedInput): number[] {
  const ports = new Set<number>();
  const own = new Set(proxyIps(server).ips);
  const cm = captureModel(server);
  const gateway = capturesNothing(server);
  const istioGateway = gateway && server.identity?.nodeType === "router";
  const inboundCapture = new Set(cm.inbound.filter((c) => !c.rejected).map((c) => c.peek.rec));
  for (const rec of server.listeners) {
    const p = peekListener(rec);
    if (p.udp) continue; // QUIC or a UDP proxy: not a port TCP clients connect to
    if (OWN_HEALTH_LISTENER.test(p.name)) continue;
    const port = p.addresses[0]?.port;
    const ip = p.addresses[0]?.ip;
    if (inboundCapture.has(rec)) {
      for (const c of listenerModel(rec).chains) {
        const dp = c.match.destinationPort;
        if (dp && dp !== port && !(c.terminal.kind === "tcp_proxy" && c.terminal.cluster === "BlackHoleCluster")) ports.add(dp);
      }
    } else if (port && ip && !p.bindToPort && !isWildcard(ip) && (own.size === 0 || own.has(ip))) {
      const m = listenerModel(rec);
      if (m.trafficDirection !== "OUTBOUND" && (own.has(ip) || m.chains.some((c) => c.transport.kind === "tls"))) ports.add(port);
    } else if (port && ip && p.bindToPort && !p.capture && !isLoopbackAddress(ip)) {
      const dir = listenerDirection(p);
      if (dir === "inbound" || (gateway && (dir === undefined || istioGateway))) ports.add(port);
    }
  }
  for (const p of ISTIO_HEALTH_PORTS) ports.delete(p);
  return [...ports].sort((a, b) => a - b);
}

/** Why inboundPorts found none. */
export function whyNoPort(server: LoadedInput): string {
  if (!server.listeners.length) return "it holds no listeners";
  const refused = captureModel(server).inbound.filter((c) => c.rejected).map((c) => c.peek.name);
  if (refused.length) return `Envoy rejected its inbound capture listener ${refused.join(", ")} (see its warning), so nothing takes inbound connections`;
  return "no inbound capture listener with destination ports, and no bound listener marked inbound (or, on a proxy that captures nothing, not marked outbound) outside loopback addresses";
}

const isLoopbackAddress = (ip: string) => {
  const a = parseIp(ip);
  return !!a && isLoopbackRange(a);
};

export function run(server: LoadedInput, port: number, client: ClientSpec): ExplainResult {
  return explainConnection(server, { client, dstPort: port });
}

/** Outcomes that are the server's HTTP answer on a connection its chain took. */
const HTTP_ANSWERS: ReadonlySet<string> = new Set(["NO_ROUTE", "NO_CLUSTER", "NO_ENDPOINTS", "HTTPS_REDIRECT"]);

/** The four connections that decide a port's mode, replayed through the explain engine. */
export interface PortReplays {
  mesh: ExplainResult;
  plaintext: ExplainResult;
  curlMtls: ExplainResult;
  curlTls: ExplainResult;
}

const replayCache = new WeakMap<LoadedInput, Map<number, { mode: PortMode; replays: PortReplays }>>();

/** A port's mode and the replays behind it (computed once per input and port: the overview and the findings share them). */
export function portModeWithReplays(server: LoadedInput, port: number): { mode: PortMode; replays: PortReplays } {
  let byPort = replayCache.get(server);
  if (!byPort) replayCache.set(server, (byPort = new Map()));
  const known = byPort.get(port);
  if (known) return known;
  const [mesh, plain, curl, tls] = (["istio-sidecar", "plaintext", "curl-mtls", "curl-tls"] as const).map((p) => run(server, port, clientForPort(server, p, port)));
  // Taken: the connection reached its chain; a 404 or 503 after that (no route, cluster or endpoint for
  // this request) is the server's HTTP answer, not a refusal of the connection.
  const taken = (r: ExplainResult) => r.outcome.ok || (!!r.filterChain && HTTP_ANSWERS.has(r.outcome.code));
  const accepts = {
    plaintext: taken(plain!) && !plain!.filterChain?.terminatesTls,
    meshMtls: taken(mesh!) && !!mesh!.filterChain?.requiresClientCertificate,
    otherMtls: taken(curl!) && !!curl!.filterChain?.terminatesTls,
    tlsPassthrough: tls!.outcome.code === "TLS_PASSTHROUGH",
  };
  const mode: PortMode["mode"] = accepts.meshMtls ? (accepts.plaintext ? "PERMISSIVE" : "STRICT") : accepts.plaintext ? "DISABLE" : "CUSTOM";
  const yes = (b: boolean) => (b ? "yes" : "no");
  const detail = `plaintext ${yes(accepts.plaintext)}, mesh mTLS ${yes(accepts.meshMtls)}, other mTLS clients ${yes(accepts.otherMtls)}, TLS passthrough ${yes(accepts.tlsPassthrough)}`;
  const out = { mode: { port, mode, accepts, detail }, replays: { mesh: mesh!, plaintext: plain!, curlMtls: curl!, curlTls: tls! } };
  byPort.set(port, out);
  return out;
}

export function portMode(server: LoadedInput, port: number): PortMode {
  return portModeWithReplays(server, port).mode;
}

export function clientFromSends(s: UpstreamSends, server: LoadedInput, port: number): ClientSpec {
  const base = presetClient(s.transport === "tls" ? "curl-tls" : "plaintext", {});
  return {
    ...base,
    preset: `cluster (${s.mode})`,
    description: `the client proxy: ${sendsText(s)}`,
    transport: s.transport,
    alpn: s.alpn,
    sni: s.sni,
    clientCert: s.clientCertificate,
    tool: "envoy",
    plaintextProtocol: s.transport === "raw_buffer" ? (portIsHttp(server, port) ? "http/1.1" : null) : null,
  };
}

/** The verdict for one client connection against the server (istio-generation.md §5.4 step 3, from real config). */
export function verdict(s: UpstreamSends, r: ExplainResult, port: number, mode: string, viaProxy = true): { status: Status; reason: string } {
  const code = r.outcome.code;
  const sends = sendsText(s);
  const where = `server port ${port} is ${mode}`;
  const sees = viaProxy ? "the client's app sees 503 (UC/UF: upstream connect error or disconnect/reset before headers)" : `the client sees ${r.outcome.clientSees}`;
  // Envoy itself says nothing listens (it rejected the listener the connection goes to, or still warms it): a definite failure.
  if (code === "NO_LISTENER" && r.notListening) return { status: "CONFLICT", reason: `client sends ${sends}; ${r.outcome.summary}; ${viaProxy ? r.outcome.clientSees : `the client sees ${r.outcome.clientSees}`}` };
  if (code === "NO_LISTENER" || code === "AMBIGUOUS_FILTER_CHAIN" || code === "OTHER") return { status: "UNKNOWN", reason: `client sends ${sends}; ${r.outcome.summary}` };
  if (s.transport === "raw_buffer") {
    if (code === "PLAINTEXT_HTTP" || code === "PLAINTEXT_TCP" || HTTP_ANSWERS.has(code)) return { status: "PLAINTEXT", reason: `client sends plaintext; ${where} and takes it on ${r.filterChain ? `chain #${r.filterChain.index}` : "its default chain"} (no encryption on this hop)` };
    if (code === "NO_FILTER_CHAIN") return { status: "CONFLICT", reason: `client sends plaintext; ${where}: no chain accepts raw_buffer → reset; ${sees}` };
    return { status: "CONFLICT", reason: `client sends plaintext; ${where}: ${r.outcome.summary}; ${sees}` };
  }
  // The TLS handshake went through: what the client gets is the server's HTTP answer (if the server takes the client's certificate).
  if (HTTP_ANSWERS.has(code)) {
    const cert = r.filterChain?.requiresClientCertificate && s.clientCertificate ? untrusted(s, r, sends, where) : undefined;
    if (cert) return { status: cert.status, reason: `${cert.reason}; if it takes it, then ${r.outcome.afterChain ?? r.outcome.summary}: the client sees ${r.outcome.clientSees}` };
    return { status: "OK", reason: `client sends ${sends}; ${where}: chain #${r.filterChain?.index} takes the TLS, then ${r.outcome.afterChain ?? r.outcome.summary}: the client sees ${r.outcome.clientSees}` };
  }
  switch (code) {
    case "MTLS_TERMINATED":
      if (!s.clientCertificate) return { status: "CONFLICT", reason: `client sends TLS without a certificate; ${where}: a client certificate is required; ${sees}` };
      return (
        untrusted(s, r, sends, where) ?? {
          status: "OK",
          reason: `client sends ${sends}; ${where}: chain #${r.filterChain?.index} terminates mTLS${s.mode === "ISTIO_MUTUAL" ? "" : ` (the client certificate ${r.next?.clientCertificateCheck ? clientCertificateText(r.next.clientCertificateCheck) : "must chain to the CA the server trusts"}, else the handshake fails with unknown ca)`}`,
        }
      );
    case "TLS_TERMINATED":
      return { status: "OK", reason: `client sends ${sends}; ${where}: chain #${r.filterChain?.index} terminates TLS` };
    case "TLS_PASSTHROUGH":
      return s.mode === "ISTIO_MUTUAL"
        ? { status: "CONFLICT", reason: `client sends Istio mTLS; ${where}: chain #${r.filterChain?.index} passes TLS through to the app, which cannot answer a mesh handshake; ${sees}` }
        : { status: "OK", reason: `client sends ${sends}; ${where}: TLS passes through to the app, which must serve TLS itself` };
    case "TLS_INTO_PLAINTEXT_HTTP":
      return { status: "CONFLICT", reason: `client sends ${sends}; ${where}: the TLS lands on plaintext HTTP chain #${r.filterChain?.index} (400 in cleartext, TLS error WRONG_VERSION_NUMBER); ${sees}` };
    case "NO_FILTER_CHAIN":
      return { status: "CONFLICT", reason: `client sends ${sends}; ${where}: no chain matches (NR filter_chain_not_found) → reset; ${sees}` };
    case "CLIENT_CERT_REQUIRED":
      return { status: "CONFLICT", reason: `client sends TLS without a certificate; ${where}: a client certificate is required; ${sees}` };
    default:
      return { status: "CONFLICT", reason: `client sends ${sends}; ${where}: ${r.outcome.summary}; ${sees}` };
  }
}

/**
 * Which family of mesh-issued certificates a reference names: a workload certificate ("cert") or the
 * root its peers trust ("root"). Istio: SDS default / ROOTCA, or 1.1-1.4's files in /etc/certs; Open
 * Service Mesh: service-cert: / root-cert-for-mtls-inbound; Kuma: identity_cert: / mesh_ca:.
 */
function meshFamily(ref: string, side: "cert" | "root"): string | undefined {
  const families: [string, RegExp, RegExp][] = [
    ["Istio", /^sds:default$|^file:\/etc\/certs\/cert-chain\.pem$/, /^sds:ROOTCA$|^file:\/etc\/certs\/root-cert\.pem$/],
    ["Open Service Mesh", /^sds:service-cert:/, /^sds:root-cert-for-mtls-inbound/],
    ["Kuma", /^sds:identity_cert:/, /^sds:mesh_ca:/],
  ];
  return families.find(([, cert, root]) => (side === "cert" ? cert : root).test(ref))?.[0];
}

/**
 * A client certificate the server may not trust: unless the client presents the mesh's own certificate
 * and the server trusts the same mesh's root, whether the server's CA signed it is not in the dumps, so
 * the status is UNKNOWN with what each side has. Undefined when both are the mesh's.
 */
function untrusted(s: UpstreamSends, r: ExplainResult, sends: string, where: string): { status: Status; reason: string } | undefined {
  const trusted = r.next?.clientCertificateCheck?.trustedCa ?? [];
  const certFamilies = new Set(s.certificates.map((c) => meshFamily(c, "cert")));
  const rootFamilies = new Set(trusted.map((c) => meshFamily(c, "root")));
  const family = [...certFamilies][0];
  // The mesh's own, as the client's mode says, or the mesh's sidecar replayed by preset (--from istio-sidecar).
  if (!s.certificates.length && (s.mode === "ISTIO_MUTUAL" || s.via === "istio-sidecar")) return undefined;
  if (family && certFamilies.size === 1 && rootFamilies.size === 1 && rootFamilies.has(family)) return undefined;
  const ca = trusted.length ? trusted.join(", ") : "the CA it is configured with";
  const presents = s.certificates.length ? `its certificate ${s.certificates.join(", ")}` : `a certificate of its own (${s.via})`;
  const sans = r.next?.clientCertificateCheck?.subjectAltNames ?? [];
  return {
    status: "UNKNOWN",
    reason: `client sends ${sends}; ${where}: chain #${r.filterChain?.index} requires a client certificate signed by ${ca}${sans.length ? ` with a SAN matching ${sans.join(" or ")}` : ""}; the client presents ${presents}: whether that CA signed it is not in the dumps (if not, the TLS handshake fails: unknown ca)`,
  };
}

export interface TlsCheckOptions {
  /** Which of the client's clusters to check: Istio's host and service port, or a name: a cluster's, else the SNI a cluster sends (a mesh whose clusters are not named host:port). */
  service?: { host: string; port: number } | { name: string };
  from?: PresetName;
}

export interface TlsCheckReport {
  /** The server's mesh (else the client's), as the capture model decided it: the modes are Istio's words, said plainly elsewhere. */
  mesh: string;
  rows: CheckRow[];
  serverPorts: PortMode[];
  clientClusters: { cluster: string; mode: string; sends: string[]; notes: string[] }[];
  notes: string[];
}

/** A client cluster paired with the server, and the port its connections arrive on there (the target port). */
interface Pairing {
  cluster: string;
  host: string;
  /** The port the client addresses (an Istio cluster's service port). */
  servicePort: number;
  /** The port the server receives on: the endpoint's port; undefined when the dumps do not tell (`unknownWhy` says why). */
  targetPort?: number;
  unknownWhy?: string;
  /** The endpoints of the cluster that are the server (ip:port), when EDS shows them. */
  endpoints?: string[];
  how: string;
  /** What in the server's dump maps the service port to the target port. */
  mappedBy?: string;
}

/** SNI → destination port of the server's inbound capture chains that ask for that name. */
export function inboundServerNames(server: LoadedInput): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of captureModel(server).inbound) {
    if (c.rejected) continue;
    for (const ch of listenerModel(c.peek.rec).chains) {
      const dp = ch.match.destinationPort;
      if (dp) for (const n of ch.match.serverNames ?? []) if (!out.has(n)) out.set(n, dp);
    }
  }
  return out;
}

/** The clusters a chain sends to: its TCP proxy's, or the routes of its connection manager (inline, or the RDS configuration in the dump). */
function chainClusters(input: LoadedInput, c: ChainModel): string[] {
  const t = c.terminal;
  if (t.kind === "tcp_proxy") return [...(t.cluster !== undefined ? [t.cluster] : []), ...(t.weightedClusters ?? []).map((w) => w.name)];
  if (t.kind !== "hcm") return [];
  const rc = t.inlineRoutes ?? (t.routeConfigName !== undefined ? (input.byName("route", t.routeConfigName)?.value as RouteConfiguration | undefined) : undefined);
  const out: string[] = [];
  for (const vh of rc?.virtualHosts ?? []) {
    for (const r of vh.routes ?? []) {
      if (r.route?.cluster !== undefined) out.push(r.route.cluster);
      for (const w of r.route?.weightedClusters?.clusters ?? []) if (w.name) out.push(w.name);
    }
  }
  return out;
}

/**
 * Service port → target port, from the server's own dump (Istio 1.1-1.9, whose inbound clusters are
 * named inbound|SERVICEPORT|…): the inbound cluster's endpoint holds the target port; and the inbound
 * listeners that use it: a chain for destination port T (or a per-port listener on T) that sends to
 * inbound|S|… serves service port S on T, which a dump without clusters (istioctl proxy-config
 * listener) or an inbound cluster without endpoints still shows.
 */
export function serviceToTargetPorts(server: LoadedInput): Map<number, { target: number; how: string }> {
  const out = new Map<number, { target: number; how: string }>();
  for (const rec of server.clusters) {
    // Only inbound clusters are decoded: which ones they are shows in their names.
    const named = parseIstioClusterName(rec.name);
    if (named?.direction !== "inbound" || !named.port) continue;
    const la = (rec.value as { loadAssignment?: { endpoints?: { lbEndpoints?: { endpoint?: { address?: { socketAddress?: { portValue?: number } } } }[] }[] } }).loadAssignment;
    const tp = la?.endpoints?.[0]?.lbEndpoints?.[0]?.endpoint?.address?.socketAddress?.portValue;
    if (typeof tp === "number" && tp && tp !== named.port && !out.has(named.port)) out.set(named.port, { target: tp, how: `the server's inbound cluster ${rec.name} sends to port ${tp}` });
  }
  for (const rec of server.listeners) {
    // Only inbound listeners that name an inbound cluster are decoded (never the many outbound ones).
    if (rec.state === "warming" || rec.state === "draining") continue;
    const p = peekListener(rec);
    const dir = listenerDirection(p);
    if (dir === "outbound" || (dir === undefined && p.capture && p.addresses[0]?.port !== 15006) || !rec.mayContain("inbound|")) continue;
    const l = listenerModel(rec);
    for (const c of l.chains) {
      const target = c.match.destinationPort || l.address?.port;
      if (!target) continue;
      for (const name of chainClusters(server, c)) {
        const named = parseIstioClusterName(name);
        if (named?.direction !== "inbound" || !named.port || named.port === target || out.has(named.port)) continue;
        out.set(named.port, { target, how: `the server's listener ${l.name} sends port ${target} to ${name}` });
      }
    }
  }
  return out;
}

/**
 * Whether a cluster's EDS, as read, can list one of these IPs. False only when it certainly cannot: it
 * has endpoints and none of its strings is one of the IPs (IPv4 only, whose spelling is canonical).
 * Decoding every cluster's endpoints to learn that costs more than the rest of tls-check.
 */
function edsMayReach(client: LoadedInput, rec: ResourceRecord, ips: Set<string>): boolean {
  if (![...ips].every((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip))) return true;
  if (!isObject(rec.raw)) return true;
  const eds = getKey(rec.raw, "eds_cluster_config");
  const service = isObject(eds) ? getKey(eds, "service_name") : undefined;
  const ep = endpointRecordFor(client, rec.name, typeof service === "string" ? service : undefined);
  if (!ep || !isObject(ep.raw)) return true;
  const localities = getKey(ep.raw, "endpoints");
  const some = Array.isArray(localities) && localities.some((l) => isObject(l) && Array.isArray(getKey(l, "lb_endpoints")) && (getKey(l, "lb_endpoints") as unknown[]).length > 0);
  if (!some) return true;
  return findInJson(ep.raw, (v) => (typeof v === "string" && ips.has(v)) || undefined) === true;
}

/** An endpoint address's port ("10.0.0.1:80", "[::1]:80", "host.example.com:5432"). */
export const portOf = (address: string) => Number(address.split(":").pop());

/** Every SNI a cluster sends: its transport socket's and its transport_socket_matches'. */
export function clusterSnis(c: ReturnType<typeof clusterModel>): string[] {
  return [c.transport, ...c.socketMatches.map((m) => m.transport)].flatMap((t) => (t.kind === "tls" && t.sni ? [t.sni] : []));
}

/**
 * The client's clusters --service names: by name, a cluster of that name, else the clusters that send
 * that SNI; by host:port, every record (filtered as they are paired). Undefined: every record.
 */
function selectedClusters(client: LoadedInput, o: TlsCheckOptions): { recs: ResourceRecord[]; bySni?: string } | undefined {
  if (!o.service || !("name" in o.service)) return undefined;
  const name = o.service.name;
  const named = client.clusters.filter((r) => r.name === name);
  if (named.length) return { recs: named.slice(0, 1) };
  return { recs: client.clusters.filter((r) => clusterSnis(clusterModel(r)).includes(name)), bySni: name };
}

/**
 * Client clusters that reach the server, paired the way traffic flows: the client's EDS lists the
 * server pod's IP at the target port; without EDS, Istio cluster names (host, service port) against
 * the server's app and ports, the service port mapped to the target port by the server's own dump
 * (its inbound clusters and the listeners that use them). A cluster --service names is paired even
 * when the target port cannot be told (then it says why).
 */
function pairedClusters(client: LoadedInput, server: LoadedInput, ports: number[], o: TlsCheckOptions): Pairing[] {
  const app = server.identity?.app;
  const serverIps = new Set(proxyIps(server).ips);
  const toTarget = serviceToTargetPorts(server);
  const serverSnis = inboundServerNames(server);
  const gateway = capturesNothing(server);
  const hostPort = o.service && "host" in o.service ? o.service : undefined;
  const selected = selectedClusters(client, o);
  const asked = selected ? `--service ${(o.service as { name: string }).name}${selected.bySni ? " (the SNI it sends)" : ""}` : hostPort ? `--service ${hostPort.host}:${hostPort.port}` : "";
  let tls: number[] | undefined;
  const tlsPorts = () => (tls ??= ports.filter((p) => [...chainsForPort(server, p)].some(({ chain }) => chain.transport.kind === "tls")));
  /** The target port of service port `sp` from the server's dump: its own mapping, the same port, or its only port. */
  const targetOf = (sp: number): { target?: number; how: string; mappedBy?: string } => {
    const mapped = toTarget.get(sp);
    if (mapped) return { target: mapped.target, how: `service port ${sp} is target port ${mapped.target} (${mapped.how})`, mappedBy: mapped.how };
    if (ports.includes(sp)) return { target: sp, how: `the server listens on port ${sp}` };
    if (ports.length === 1) return { target: ports[0]!, how: `the server's only port, ${ports[0]}` };
    // No port takes connections (a rejected capture listener): any port gets what this one does.
    if (!ports.length) return { target: sp, how: `no port of the server takes connections: replayed on port ${sp}` };
    return { how: `which of the server's ports (${ports.join(", ")}) serves service port ${sp} is not in its dump` };
  };
  const out: Pairing[] = [];
  for (const rec of selected?.recs ?? client.clusters) {
    // What the name says first: most clusters of a large client never reach this server, and are not decoded.
    const named = parseIstioClusterName(rec.name);
    if (named && named.direction !== "outbound") continue;
    const host = named?.host ?? rec.name;
    const servicePort = named?.port ?? 0;
    // A cluster without Istio's name is asked for by its name, or by where it sends (an endpoint's host:port).
    if (hostPort && named && !(host === hostPort.host && servicePort === hostPort.port)) continue;
    if (!selected && serverIps.size && !edsMayReach(client, rec, serverIps)) continue; // its endpoints are other pods
    const c = clusterModel(rec);
    const eps = named ? endpointsForCluster(client, c.name, c.edsServiceName) : clusterEndpoints(client, c);
    if (hostPort && !named && host !== hostPort.host && !eps?.some((e) => e.address === `${hostPort.host}:${hostPort.port}`)) continue;
    if (eps?.length && serverIps.size) {
      const reaching = eps.filter((e) => serverIps.has(e.address.replace(/^\[|\]?:\d+$/g, "")));
      if (reaching.length) {
        const targetPort = portOf(reaching[0]!.address);
        out.push({ cluster: c.name, host, servicePort: servicePort || targetPort, targetPort, endpoints: reaching.map((e) => e.address), how: `the client's EDS for ${c.name} lists the server at ${reaching.map((e) => e.address).join(", ")}` });
        continue;
      }
      if (!selected) continue; // its endpoints are other pods (another subset, another service)
    }
    // The server's inbound chains ask for the name this cluster sends as SNI (OSM, Consul, any mesh that routes by SNI).
    const sni = clusterSnis(c).find((n) => serverSnis.has(n));
    const bySni = sni ? serverSnis.get(sni) : undefined;
    if (bySni !== undefined) {
      out.push({ cluster: c.name, host, servicePort: servicePort || bySni, targetPort: bySni, how: `the server's inbound chain for port ${bySni} asks for SNI ${sni}, which ${c.name} sends` });
      continue;
    }
    if (!named) {
      if (selected || hostPort) {
        // Asked for: the port it sends to (an endpoint on a port the server listens on), else the one --service gives, else the server's only port.
        const onPort = eps?.map((e) => portOf(e.address)).find((p) => ports.includes(p));
        const want = onPort ?? hostPort?.port;
        const t =
          want !== undefined && ports.includes(want)
            ? { target: want, how: `${c.name} sends to port ${want}, which the server listens on` }
            : ports.length === 1
              ? { target: ports[0]!, how: `the server's only port, ${ports[0]}` }
              : !ports.length && want !== undefined
                ? { target: want, how: `no port of the server takes connections: replayed on port ${want}` }
                : { how: `which of the server's ports (${ports.join(", ") || "none found"}) ${c.name} reaches is not in the dumps` };
        out.push({ cluster: c.name, host, servicePort: want ?? t.target ?? 0, ...(t.target !== undefined ? { targetPort: t.target } : { unknownWhy: t.how }), how: `${asked}: ${t.how}` });
      } else if (!serverIps.size) {
        // The server's dump does not say its address (a plain Envoy bound to 0.0.0.0): an endpoint on one of
        // its TLS ports (a port as common as a plaintext 80 or 8080 would pair it with any other host).
        const onPort = eps?.find((e) => tlsPorts().includes(portOf(e.address)));
        if (onPort) {
          const port = portOf(onPort.address);
          out.push({ cluster: c.name, host, servicePort: port, targetPort: port, endpoints: [onPort.address], how: `${c.name} sends to ${onPort.address}, and the server listens on port ${port} (its dump does not give its address, so only the port is matched)` });
        }
      }
      continue;
    }
    const t = targetOf(servicePort);
    if (selected || hostPort) {
      out.push({ cluster: c.name, host, servicePort, ...(t.target !== undefined ? { targetPort: t.target } : { unknownWhy: t.how }), how: `${asked}: ${t.how}`, ...(t.mappedBy ? { mappedBy: t.mappedBy } : {}) });
      continue;
    }
    // Unasked, only a port the server's dump maps (or listens on) pairs it.
    const mapped = toTarget.get(servicePort)?.target ?? (ports.includes(servicePort) ? servicePort : undefined);
    if (mapped === undefined) continue;
    if (app && host.split(".")[0] !== app) continue;
    // A gateway or plain Envoy whose app is unknown: its ports (80, 8080, 443) say nothing of which service a name is.
    if (!app && gateway) continue;
    out.push({ cluster: c.name, host, servicePort, targetPort: mapped, how: mapped === servicePort ? `${host} is the server's app on port ${servicePort}` : t.how, ...(t.mappedBy ? { mappedBy: t.mappedBy } : {}) });
  }
  return out;
}

/** A port's mode as the reason says it: Istio's word in Istio, what it takes elsewhere (a CUSTOM port by what it accepts). */
export function portModeText(pm: { mode: string; accepts?: PortMode["accepts"] } | undefined, mesh: string): string {
  if (!pm) return "unknown";
  if (mesh === "Istio") return pm.mode;
  if (pm.mode === "CUSTOM") {
    if (pm.accepts?.otherMtls) return "TLS, client certificate optional";
    if (pm.accepts?.tlsPassthrough) return "TLS passed through";
    return "custom (by the SNI or ALPN its chains ask for)";
  }
  return ({ STRICT: "mTLS only", PERMISSIVE: "mTLS or plaintext", DISABLE: "plaintext only" } as Record<string, string>)[pm.mode] ?? pm.mode;
}

export function runTlsCheck(client: LoadedInput | undefined, server: LoadedInput | undefined, o: TlsCheckOptions): TlsCheckReport {
  const mesh = server ? captureModel(server).mesh : client ? captureModel(client).mesh : "Envoy";
  const report: TlsCheckReport = { mesh, rows: [], serverPorts: [], clientClusters: [], notes: [] };
  const ports = server ? inboundPorts(server) : [];
  if (server) report.serverPorts = ports.map((p) => portMode(server, p));
  if (server && !ports.length) report.notes.push(`found no port of ${server.identity?.app ?? server.file} that other hosts connect to: ${whyNoPort(server)}`);
  const portAt = (p: number) => report.serverPorts.find((x) => x.port === p);
  const modeOf = (p: number) => portAt(p)?.mode ?? "unknown";
  const modeText = (p: number) => portModeText(portAt(p), mesh);
  if (server && o.from) {
    for (const p of ports) {
      const spec = clientForPort(server, o.from, p);
      const r = run(server, p, spec);
      const s: UpstreamSends = { transport: spec.transport, alpn: spec.alpn, sni: spec.sni, clientCertificate: spec.clientCert, mode: spec.transport === "tls" ? (spec.clientCert ? "MUTUAL" : "SIMPLE") : "DISABLE", via: o.from, certificates: [], subjectAltNames: [] };
      const v = verdict(s, r, p, modeText(p), false);
      report.rows.push({ host: server.identity?.app ?? server.file, port: p, client: { mode: o.from, sends: sendsText(s), notes: [] }, server: { port: p, mode: modeOf(p), chain: chainText(r), outcome: r.outcome.code }, ...v });
    }
    return report;
  }
  if (!client) return report;
  const pairs = server ? pairedClusters(client, server, ports, o) : [];
  // One dump: every outbound cluster (by its name, before it is decoded), each read once, in the loop below.
  const names = server ? [...new Set(pairs.map((p) => p.cluster))] : client.clusters.filter((r) => outboundName(r.name)).map((r) => r.name);
  if (server && !pairs.length) {
    const asked = o.service ? ("name" in o.service ? `no cluster of ${client.file} is named ${o.service.name} or sends it as SNI` : `no cluster of ${client.file} is ${o.service.host}:${o.service.port}`) : undefined;
    report.notes.push(asked ?? `no cluster of ${client.file} reaches ${server.identity?.app ?? "the server"} (by EDS endpoints at the server's IPs ${proxyIps(server).ips.join(", ") || "(unknown)"}, or by name on ports ${ports.join(", ") || "(none found)"}); use --service host:port, or a cluster's name or the SNI it sends`);
  }
  const viaIstioAlpn = server !== undefined && pairs.length > 0 && usesIstioAlpn(client);
  for (const name of names) {
    const pair = pairs.find((p) => p.cluster === name);
    const target = pair?.targetPort;
    // Without EDS: the server's dump shows it runs a sidecar, so Istio labels its endpoints tlsMode istio,
    // except (1.12+) on ports whose mode is DISABLE, where istiod removes the label.
    const serverMode = server && target !== undefined ? modeOf(target) : undefined;
    const assume = server ? (serverMode === "DISABLE" ? null : "istio") : undefined;
    const plan = upstreamPlan(client, name, assume)!;
    report.clientClusters.push({ cluster: name, mode: plan.mode, sends: plan.endpoints.map((e) => `${e.endpoint}: ${sendsText(e.sends)}`), notes: plan.notes });
    // One dump: the row holds what it needs of the cluster and its endpoints, so what a streamed input
    // decoded of them can go while young, instead of every cluster being kept to the end.
    if (!server) releasePlanned(client, name);
    if (server && pair && target === undefined) {
      // Asked for, but which port of the server it reaches is not in the dumps: said, not replayed on a port it may not reach.
      report.rows.push({
        host: pair.host,
        port: pair.servicePort,
        cluster: name,
        client: { mode: plan.mode, sends: [...new Set(plan.endpoints.map((e) => sendsText(e.sends)))].join("; "), notes: plan.notes },
        server: { port: 0, mode: "unknown", chain: "not replayed", outcome: "NOT_REPLAYED" },
        status: "UNKNOWN",
        reason: `${pair.unknownWhy ?? "the server's port for it is not in the dumps"}: not replayed (the client's EDS, with the server's IP and target port, would tell)`,
      });
      continue;
    }
    if (!server || !pair || target === undefined) continue;
    // Only the endpoints that are the server (a subset's other pods are not this server's business).
    const endpoints = pair.endpoints ? plan.endpoints.filter((e) => pair.endpoints!.includes(e.endpoint)) : plan.endpoints;
    for (const e of endpoints.length ? endpoints : plan.endpoints) {
      const sends = viaIstioAlpn && portIsHttp(server, target) ? withIstioAlpn(e.sends) : e.sends;
      // HTTP/3 goes over UDP, to a QUIC listener: a replay over TCP would answer for another listener.
      const r = sends.quic ? undefined : run(server, target, clientFromSends(sends, server, target));
      const v = r ? verdict(sends, r, target, modeText(target)) : { status: "UNKNOWN" as Status, reason: `client sends ${sendsText(sends)}; tls-check replays TCP connections, and this one goes over UDP to a QUIC listener on port ${target}: not checked` };
      v.reason = endpointReason(v.reason, { planMode: plan.mode, edsInDump: plan.edsInDump, endpoint: e.endpoint, tlsMode: e.socketMatch.tlsMode, serverMode: modeText(target), target, servicePort: pair.servicePort, ...(pair.mappedBy ? { mappedBy: pair.mappedBy } : {}) });
      report.rows.push({
        host: pair.host,
        port: pair.servicePort,
        cluster: name,
        client: { mode: plan.mode === "AUTO" ? `AUTO → ${sends.mode}` : plan.mode, sends: sendsText(sends), endpoint: e.endpoint, notes: plan.notes },
        server: { port: target, mode: modeOf(target), chain: r ? chainText(r) : "not replayed (UDP)", outcome: r ? r.outcome.code : "NOT_REPLAYED" },
        ...v,
      });
    }
  }
  return report;
}

/** A cluster the one-dump tls-check lists: outbound by Istio's name, or any cluster not named as Istio's. */
function outboundName(name: string): boolean {
  const n = parseIstioClusterName(name);
  return !n || n.direction === "outbound";
}

/** Lets what a streamed input decoded of a cluster and of its EDS go (read again if anything asks: ResourceRecord.release). */
function releasePlanned(input: LoadedInput, name: string): void {
  const rec = input.byName("cluster", name);
  if (!rec) return;
  const c = clusterModel(rec);
  endpointRecordFor(input, c.name, c.edsServiceName)?.release();
  rec.release();
}

/** A replayed endpoint's reason as a row gives it: what auto mTLS chose for the endpoint, and the service port mapped to the server's target port. */
export function endpointReason(reason: string, o: { planMode: string; edsInDump: boolean; endpoint: string; tlsMode: unknown; serverMode: string; target: number; servicePort: number; mappedBy?: string }): string {
  let out = reason;
  if (o.planMode === "AUTO") {
    const has = o.tlsMode ? `has tlsMode ${String(o.tlsMode)}` : "has no tlsMode";
    out = o.edsInDump ? `auto mTLS: endpoint ${o.endpoint} ${has}, so ${out}` : `auto mTLS: EDS is not in the client dump; assumed the endpoint ${has} (the server's mode for this port is ${o.serverMode}), so ${out}`;
  }
  if (o.target !== o.servicePort) out = `service port ${o.servicePort} → target port ${o.target}${o.mappedBy ? ` (${o.mappedBy})` : ""}: ${out}`;
  return out;
}

/** Istio's istio.alpn HTTP filter in the client's connection managers: HTTP requests offer istio-http/1.1 (or istio-h2), not the cluster's ALPN. */
export function usesIstioAlpn(client: LoadedInput): boolean {
  for (const rec of client.listeners) {
    const p = peekListener(rec);
    if (listenerDirection(p) === "inbound") continue;
    // Decoding a listener costs far more than looking for the filter's name in it as read (in its bytes, when it is still in the file).
    if (!rec.mayContain("istio.alpn") || !findInJson(rec.raw, (v) => v === "istio.alpn" || undefined)) continue;
    // Istio puts it in every outbound HTTP connection manager (not in its own stats/health listeners): one is enough.
    if (listenerModel(rec).chains.some((c) => c.terminal.kind === "hcm" && c.terminal.httpFilters.includes("istio.alpn"))) return true;
  }
  return false;
}

export function withIstioAlpn(s: UpstreamSends): UpstreamSends {
  // Only mesh TLS carries the override (the cluster offers "istio").
  if (s.transport !== "tls" || !s.alpn.includes("istio")) return s;
  return { ...s, alpn: ["istio-http/1.1", "istio"], via: `${s.via}; ALPN set per request by istio.alpn (HTTP/1.1)` };
}

export function chainText(r: ExplainResult): string {
  if (!r.filterChain) return r.rejected ? "listener rejected" : "none";
  return `#${r.filterChain.index < 0 ? "default" : r.filterChain.index} ${chainKind(r)}`;
}

