// What a transport socket does, in the terms a reader needs: plaintext or TLS, client
// certificate required or not, ALPN, certificates and trust.
import type { TransportSocket } from "../gen/types/envoy/config/core/v3/base.js";
import type { CertificateValidationContext, TlsCertificate } from "../gen/types/envoy/extensions/transport_sockets/tls/v3/common.js";
import type { SdsSecretConfig } from "../gen/types/envoy/extensions/transport_sockets/tls/v3/secret.js";
import type { CommonTlsContext, DownstreamTlsContext, UpstreamTlsContext } from "../gen/types/envoy/extensions/transport_sockets/tls/v3/tls.js";
import type { QuicDownstreamTransport, QuicUpstreamTransport } from "../gen/types/envoy/extensions/transport_sockets/quic/v3/quic_transport.js";
import type { StringMatcher } from "../gen/types/envoy/type/matcher/v3/string.js";
import { T } from "../load/schema.js";
import { currentName } from "../load/extensions.js";

export type TransportSummary =
  | { kind: "plaintext"; wrappers?: string[] }
  | TlsSummary
  | { kind: "other"; name: string; type?: string };

export interface TlsSummary {
  kind: "tls";
  /** Downstream only: the server demands a client certificate. */
  requireClientCertificate: boolean;
  /** ALPN protocols offered (upstream) or accepted, in preference order (downstream). */
  alpn: string[];
  /** Certificates presented: "sds:default", "file:/etc/certs/cert-chain.pem", "inline". */
  certificates: string[];
  /** Trust: "sds:ROOTCA", "file:/etc/certs/root-cert.pem", "inline"; empty when nothing is verified. */
  trustedCa: string[];
  /** Subject alt names the peer must present, e.g. "exact:spiffe://cluster.local/ns/default/sa/x". */
  subjectAltNames: string[];
  /** Upstream only. */
  sni?: string;
  minVersion?: string;
  maxVersion?: string;
  /** QUIC (HTTP/3 over UDP), whose handshake is TLS 1.3 with this context. */
  quic?: true;
  /** Transport sockets around this one, outermost first: "PROXY protocol" (sent before it), "internal upstream", "TCP stats". */
  wrappers?: string[];
}

/** Transport sockets that wrap another (plaintext when they name none), and what each adds. */
const WRAPPERS: Record<string, string> = {
  [T.ProxyProtocolUpstreamTransport]: "PROXY protocol",
  [T.InternalUpstreamTransport]: "internal upstream",
  [T.TcpStatsConfig]: "TCP stats",
};
Object.setPrototypeOf(WRAPPERS, null);

export function summariseTransport(ts: TransportSocket | undefined, side: "downstream" | "upstream"): TransportSummary {
  // A wrapper's inner socket decides plaintext or TLS; the wrappers are said beside it (a few levels at most).
  const wrappers: string[] = [];
  for (let depth = 0; depth < 8 && ts; depth++) {
    const type = (ts.typedConfig?.["@type"] as string | undefined)?.split("/").pop();
    const what = type !== undefined ? WRAPPERS[type] : undefined;
    if (what === undefined) break;
    wrappers.push(what);
    ts = (ts.typedConfig as { transportSocket?: TransportSocket }).transportSocket;
  }
  const inner = summariseOne(ts, side);
  return wrappers.length && inner.kind !== "other" ? { ...inner, wrappers } : inner;
}

function summariseOne(ts: TransportSocket | undefined, side: "downstream" | "upstream"): TransportSummary {
  if (!ts) return { kind: "plaintext" };
  const type = (ts.typedConfig?.["@type"] as string | undefined)?.split("/").pop();
  const name = currentName(ts.name ?? "", true);
  if (type === T.DownstreamTlsContext || type === T.UpstreamTlsContext || (!type && name === "envoy.transport_sockets.tls")) {
    return summariseTls(ts.typedConfig as DownstreamTlsContext & UpstreamTlsContext, side);
  }
  if (type === T.RawBuffer || (!type && name === "envoy.transport_sockets.raw_buffer")) return { kind: "plaintext" };
  if (type === T.QuicDownstreamTransport || type === T.QuicUpstreamTransport) {
    const q = ts.typedConfig as QuicDownstreamTransport & QuicUpstreamTransport;
    return { ...summariseTls((q.downstreamTlsContext ?? q.upstreamTlsContext) as DownstreamTlsContext & UpstreamTlsContext, side), quic: true };
  }
  return { kind: "other", name: ts.name ?? "", type };
}

export function summariseTls(ctx: (DownstreamTlsContext & UpstreamTlsContext) | undefined, side: "downstream" | "upstream"): TlsSummary {
  const c: CommonTlsContext = ctx?.commonTlsContext ?? {};
  const certificates = [
    ...(c.tlsCertificateSdsSecretConfigs ?? []).map(sdsName),
    ...(c.tlsCertificates ?? []).map(certName),
    ...(c.tlsCertificateCertificateProviderInstance ? [`provider:${c.tlsCertificateCertificateProviderInstance.instanceName ?? ""}`] : []),
  ];
  const trustedCa: string[] = [];
  const sans: string[] = [];
  const addValidation = (v: CertificateValidationContext | undefined) => {
    if (!v) return;
    if (v.trustedCa) trustedCa.push(v.trustedCa.filename ? `file:${v.trustedCa.filename}` : "inline");
    for (const m of v.matchSubjectAltNames ?? []) sans.push(matcherText(m));
    for (const m of v.matchTypedSubjectAltNames ?? []) sans.push(`${(m.sanType ?? "SAN").toLowerCase()} ${matcherText(m.matcher ?? {})}`);
  };
  addValidation(c.validationContext);
  if (c.validationContextSdsSecretConfig) trustedCa.push(sdsName(c.validationContextSdsSecretConfig));
  const combined = c.combinedValidationContext;
  if (combined) {
    addValidation(combined.defaultValidationContext);
    if (combined.validationContextSdsSecretConfig) trustedCa.push(sdsName(combined.validationContextSdsSecretConfig));
  }
  const out: TlsSummary = {
    kind: "tls",
    requireClientCertificate: side === "downstream" && ctx?.requireClientCertificate === true,
    alpn: c.alpnProtocols ?? [],
    certificates,
    trustedCa,
    subjectAltNames: sans,
  };
  if (side === "upstream" && ctx?.sni) out.sni = ctx.sni;
  if (c.tlsParams?.tlsMinimumProtocolVersion) out.minVersion = c.tlsParams.tlsMinimumProtocolVersion;
  if (c.tlsParams?.tlsMaximumProtocolVersion) out.maxVersion = c.tlsParams.tlsMaximumProtocolVersion;
  return out;
}

function sdsName(s: SdsSecretConfig): string {
  return `sds:${s.name ?? ""}`;
}
function certName(t: TlsCertificate): string {
  return t.certificateChain?.filename ? `file:${t.certificateChain.filename}` : "inline";
}
export function matcherText(m: StringMatcher): string {
  if (m.exact !== undefined) return `exact:${m.exact}`;
  if (m.prefix !== undefined) return `prefix:${m.prefix}`;
  if (m.suffix !== undefined) return `suffix:${m.suffix}`;
  if (m.contains !== undefined) return `contains:${m.contains}`;
  if (m.safeRegex) return `regex:${m.safeRegex.regex ?? ""}`;
  return "any";
}

/**
 * A filter chain's TLS label. A chain that matches TLS (or an SNI, which only TLS carries) but terminates
 * none hands the encrypted bytes on: "passthrough", not "plaintext".
 */
export function chainTransportLabel(c: { transport: TransportSummary; match: { transportProtocol?: string; serverNames?: string[] } }): string {
  if (c.transport.kind === "plaintext" && (c.match.transportProtocol === "tls" || !!c.match.serverNames?.length)) return "passthrough (TLS not terminated)";
  return transportLabel(c.transport);
}

/** "plaintext", "TLS", "mTLS (client cert required)" — for tables. */
export function transportLabel(t: TransportSummary): string {
  const label = transportLabelOnly(t);
  return t.kind !== "other" && t.wrappers?.length ? `${label} (${t.wrappers.join(", ")})` : label;
}

function transportLabelOnly(t: TransportSummary): string {
  if (t.kind === "plaintext") return "plaintext";
  if (t.kind === "other") return t.name || t.type || "other";
  const tls = t.quic ? "QUIC (TLS 1.3)" : "TLS";
  if (t.requireClientCertificate) return t.quic ? `${tls}, client cert required` : "mTLS (client cert required)";
  return t.certificates.length && t.trustedCa.length ? `${tls} (+client cert)` : tls;
}
