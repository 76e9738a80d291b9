// Secrets (SDS): what each one is, and certificate validity where the dump carries the PEM.
// Private keys are never read into the model, let alone printed.
import { base64Bytes, readCertificate } from "./x509.js";
import type { DataSource } from "../gen/types/envoy/config/core/v3/base.js";
import type { Secret } from "../gen/types/envoy/extensions/transport_sockets/tls/v3/secret.js";
import type { LoadedInput } from "../load/dump.js";

export interface CertInfo {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  subjectAltNames: string[];
  /** Within its validity dates at `now`. */
  valid: boolean;
}

export interface SecretModel {
  name: string;
  state: string;
  type: "tls_certificate" | "validation_context" | "session_ticket_keys" | "generic_secret" | "unknown";
  /** Where the certificate comes from: "inline", "file:/path", or "" when absent. */
  source: string;
  certificates: CertInfo[];
  versionInfo?: string;
  lastUpdated?: string;
}

function pemOf(ds: DataSource | undefined): string | undefined {
  if (!ds) return undefined;
  if (ds.inlineString) return ds.inlineString;
  if (ds.inlineBytes) return base64Text(ds.inlineBytes);
  return undefined;
}

/** Base64 (proto3 JSON's bytes, standard or URL-safe) as UTF-8 text; what does not decode is no text. */
export function base64Text(b64: string): string | undefined {
  const clean = b64.replace(/\s+/g, "").replace(/-/g, "+").replace(/_/g, "/");
  try {
    return new TextDecoder().decode(base64Bytes(clean + "=".repeat((4 - (clean.length % 4)) % 4)));
  } catch {
    return undefined;
  }
}

export function parseCertificates(pem: string | undefined, now = new Date()): CertInfo[] {
  if (!pem) return [];
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const out: CertInfo[] = [];
  for (const b of blocks) {
    try {
      const x = readCertificate(b);
      const nb = x.notBefore;
      const na = x.notAfter;
      out.push({
        // A SPIFFE workload certificate may have an empty subject: Node returns undefined then.
        subject: x.subject.replace(/\n/g, ", "),
        issuer: x.issuer.replace(/\n/g, ", "),
        serial: x.serialNumber,
        notBefore: nb.toISOString(),
        notAfter: na.toISOString(),
        subjectAltNames: x.subjectAltName.split(/,\s*/).filter(Boolean),
        valid: nb <= now && now <= na,
      });
    } catch {
      // A block that does not parse is reported as no certificate; the summary says "unreadable".
    }
  }
  return out;
}

export function secretModels(input: LoadedInput, now = new Date()): SecretModel[] {
  return input.secrets.map((rec) => {
    const s = rec.value as Secret;
    const ds = s.tlsCertificate?.certificateChain ?? s.validationContext?.trustedCa;
    const type: SecretModel["type"] = s.tlsCertificate ? "tls_certificate" : s.validationContext ? "validation_context" : s.sessionTicketKeys ? "session_ticket_keys" : s.genericSecret ? "generic_secret" : "unknown";
    return {
      name: s.name ?? rec.name,
      state: rec.state,
      type,
      source: ds ? (ds.filename ? `file:${ds.filename}` : "inline") : "",
      certificates: parseCertificates(pemOf(ds), now),
      ...(rec.meta.versionInfo ? { versionInfo: rec.meta.versionInfo } : {}),
      ...(rec.meta.lastUpdated ? { lastUpdated: rec.meta.lastUpdated } : {}),
    };
  });
}
