// How a client proxy connects to a cluster's endpoints: plaintext, TLS (SIMPLE), mutual TLS
// (MUTUAL, files or SDS), Istio mTLS (ISTIO_MUTUAL), or auto mTLS through transportSocketMatches
// resolved per endpoint from its envoy.transport_socket_match metadata (keyed on `match`, never on names).
import type { LoadedInput } from "../load/dump.js";
import { clusterModel, type ClusterModel } from "./cluster.js";
import { endpointsForCluster, type EndpointModel } from "./endpoint.js";
import type { TransportSummary } from "./tls.js";

export type UpstreamMode = "DISABLE" | "SIMPLE" | "MUTUAL" | "ISTIO_MUTUAL" | "AUTO" | "OTHER";

export interface UpstreamSends {
  transport: "tls" | "raw_buffer";
  alpn: string[];
  sni: string;
  clientCertificate: boolean;
  /** SIMPLE/MUTUAL/ISTIO_MUTUAL/DISABLE for this endpoint's socket. */
  mode: UpstreamMode;
  /** Which socket was used: the name of the transportSocketMatches entry, or "transport_socket". */
  via: string;
  certificates: string[];
  subjectAltNames: string[];
  /** HTTP/3 over QUIC (UDP), whose handshake is TLS 1.3 with this context. */
  quic?: true;
}

export interface UpstreamPlan {
  cluster: string;
  /** The cluster's mode as a DestinationRule would name it; AUTO for auto mTLS; UNKNOWN when the input does not hold the cluster (endpoints then empty, the notes say why). */
  mode: UpstreamMode | "UNKNOWN";
  /** Per endpoint (when EDS is in the dump), else per assumed endpoint kind. */
  endpoints: { endpoint: string; socketMatch: Record<string, unknown>; sends: UpstreamSends }[];
  edsInDump: boolean;
  notes: string[];
}

/**
 * A client's mode as a reader sees it: the DestinationRule word in Istio, plain words elsewhere
 * ("AUTO → ISTIO_MUTUAL" word by word).
 */
export function clientModeText(mode: string, mesh: string): string {
  if (mesh === "Istio") return mode;
  const words: Record<string, string> = { DISABLE: "plaintext", SIMPLE: "TLS", MUTUAL: "mTLS", ISTIO_MUTUAL: "Istio mTLS", AUTO: "by endpoint metadata", OTHER: "other transport socket", UNKNOWN: "unknown" };
  return mode
    .split(" → ")
    .map((m) => (Object.hasOwn(words, m) ? words[m]! : m))
    .join(" → ");
}

/** The DestinationRule mode a transport socket amounts to (istio-generation.md §5.4 step 2). */
export function socketMode(t: TransportSummary): UpstreamMode {
  if (t.kind === "plaintext") return "DISABLE";
  if (t.kind === "other") return "OTHER";
  const meshCert = t.certificates.some((c) => c === "sds:default" || c === "file:/etc/certs/cert-chain.pem");
  if (meshCert && t.alpn.some((a) => a === "istio" || a === "istio-peer-exchange")) return "ISTIO_MUTUAL";
  return t.certificates.length ? "MUTUAL" : "SIMPLE";
}

export function sendsOf(t: TransportSummary, via: string): UpstreamSends {
  const mode = socketMode(t);
  if (t.kind !== "tls") return { transport: "raw_buffer", alpn: [], sni: "", clientCertificate: false, mode, via, certificates: [], subjectAltNames: [] };
  return { transport: "tls", alpn: t.alpn, sni: t.sni ?? "", clientCertificate: t.certificates.length > 0, mode, via, certificates: t.certificates, subjectAltNames: t.subjectAltNames, ...(t.quic ? { quic: true as const } : {}) };
}

/** Envoy picks the first transport_socket_matches entry whose `match` is a subset of the endpoint's metadata. */
export function socketForEndpoint(c: ClusterModel, socketMatch: Record<string, unknown>): UpstreamSends {
  for (const m of c.socketMatches) {
    if (Object.entries(m.match).every(([k, v]) => Object.hasOwn(socketMatch, k) && JSON.stringify(socketMatch[k]) === JSON.stringify(v))) return sendsOf(m.transport, m.name || JSON.stringify(m.match));
  }
  return sendsOf(c.transport, "transport_socket");
}

export function clusterMode(c: ClusterModel): UpstreamMode {
  if (c.socketMatches.length) return c.socketMatches.some((m) => socketMode(m.transport) === "ISTIO_MUTUAL") ? "AUTO" : socketMode(c.socketMatches[0]!.transport);
  return socketMode(c.transport);
}

/**
 * What the proxy sends to the cluster's endpoints. `assumeTlsMode` stands in for EDS when the dump
 * has none: "istio" (the destination runs a sidecar) or null (it does not), undefined for unknown.
 */
export function upstreamPlan(input: LoadedInput, clusterName: string, assumeTlsMode?: string | null): UpstreamPlan | undefined {
  const rec = input.byName("cluster", clusterName);
  if (!rec) return undefined;
  const c = clusterModel(rec);
  const mode = clusterMode(c);
  const notes: string[] = [];
  const eps: readonly EndpointModel[] | undefined = c.socketMatches.length ? endpointsForCluster(input, c.name, c.edsServiceName) : undefined;
  const plan: UpstreamPlan = { cluster: c.name, mode, endpoints: [], edsInDump: eps !== undefined, notes };
  if (!c.socketMatches.length) {
    plan.endpoints.push({ endpoint: "(every endpoint)", socketMatch: {}, sends: sendsOf(c.transport, "transport_socket") });
    return plan;
  }
  if (eps?.length) {
    for (const e of eps) plan.endpoints.push({ endpoint: e.address, socketMatch: e.socketMatch, sends: socketForEndpoint(c, e.socketMatch) });
    return plan;
  }
  if (assumeTlsMode === undefined) {
    notes.push("EDS for this cluster is not in the dump: which socket each endpoint gets depends on its tlsMode metadata (dump with ?include_eds)");
    for (const tm of ["istio", null]) {
      const md = tm ? { tlsMode: tm } : {};
      plan.endpoints.push({ endpoint: tm ? "(endpoint with tlsMode istio)" : "(endpoint without tlsMode)", socketMatch: md, sends: socketForEndpoint(c, md) });
    }
  } else {
    const md = assumeTlsMode ? { tlsMode: assumeTlsMode } : {};
    notes.push(`EDS for this cluster is not in the dump: assumed the endpoint ${assumeTlsMode ? `has tlsMode ${assumeTlsMode}` : "has no tlsMode"}`);
    plan.endpoints.push({ endpoint: assumeTlsMode ? "(assumed tlsMode istio)" : "(assumed no tlsMode)", socketMatch: md, sends: socketForEndpoint(c, md) });
  }
  return plan;
}

export function sendsText(s: UpstreamSends): string {
  if (s.transport === "raw_buffer") return "plaintext";
  const kind = s.mode === "ISTIO_MUTUAL" ? "Istio mTLS" : s.clientCertificate ? "mTLS" : "TLS";
  const cert = s.clientCertificate ? (s.certificates.length ? `, cert ${s.certificates.join(",")}` : ", a client certificate") : "";
  if (s.quic) return `HTTP/3 over QUIC, ${kind} 1.3 (UDP${s.alpn.length ? `, ALPN ${s.alpn.join(",")}` : ""}${s.sni ? `, SNI ${s.sni}` : ""}${cert})`;
  return `${kind} (ALPN ${s.alpn.join(",") || "none"}${s.sni ? `, SNI ${s.sni}` : ""}${cert})`;
}
