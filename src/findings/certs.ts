// Certificates the dump carries (SDS secrets, and inline TLS contexts of listeners and clusters):
// expired, expiring within 30 days, or not valid yet, at `now` (--now makes it reproducible).
import { base64Text, parseCertificates, secretModels } from "../model/secret.js";
import type { LoadedInput, ResourceRecord } from "../load/dump.js";
import { childPath } from "../diag.js";
import { finding, type Analyzer, type Finding } from "./types.js";
import type { CertInfo } from "../model/secret.js";
import { isObject } from "../load/keys.js";

const DAY = 86_400_000;
const SOON_DAYS = 30;

/** Inline certificate chains of a listener's or cluster's TLS contexts: (path, PEM), found by an iterative, bounded walk. */
function inlineChains(rec: ResourceRecord): { path: string; pem: string }[] {
  const out: { path: string; pem: string }[] = [];
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: rec.value, path: rec.path, depth: 0 }];
  let visited = 0;
  while (stack.length && visited++ < 200_000) {
    const { v, path, depth } = stack.pop()!;
    if (depth > 64) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: childPath(path, i), depth: depth + 1 });
    } else if (isObject(v)) {
      for (const k of Object.keys(v)) {
        const x = v[k];
        if (k === "certificateChain" && isObject(x)) {
          const pem = typeof x.inlineString === "string" ? x.inlineString : typeof x.inlineBytes === "string" ? base64Text(x.inlineBytes) : undefined;
          if (pem) out.push({ path: childPath(path, k), pem });
        } else if (typeof x === "object" && x !== null) stack.push({ v: x, path: childPath(path, k), depth: depth + 1 });
      }
    }
  }
  return out;
}

/** "3 days", or "14 hours" within a day (Istio's workload certificates last a day). */
function within(ms: number): string {
  const days = Math.floor(ms / DAY);
  if (days >= 1) return `${days} day${days === 1 ? "" : "s"}`;
  const hours = Math.floor(ms / 3_600_000);
  return hours >= 1 ? `${hours} hour${hours === 1 ? "" : "s"}` : "less than an hour";
}


function judge(input: LoadedInput, cert: CertInfo, where: { owner: string; kind: "secret" | "listener" | "cluster"; path: string }, now: Date): Finding | undefined {
  const nb = Date.parse(cert.notBefore);
  const na = Date.parse(cert.notAfter);
  const who = `${cert.subject || cert.subjectAltNames.join(", ") || `serial ${cert.serial}`}`;
  const resource = { kind: "certificate" as const, name: `${where.owner}: ${who}` };
  const base = { resource, path: where.path };
  if (na < now.getTime()) {
    const days = Math.floor((now.getTime() - na) / DAY);
    return finding(input, "CERT_EXPIRED", { ...base, message: `the certificate ${who} in ${where.kind} ${where.owner} expired on ${cert.notAfter}${days ? `, ${days} day${days === 1 ? "" : "s"} before ${now.toISOString()}` : ""}` });
  }
  if (nb > now.getTime()) {
    return finding(input, "CERT_NOT_YET_VALID", { ...base, message: `the certificate ${who} in ${where.kind} ${where.owner} is valid only from ${cert.notBefore}, after ${now.toISOString()}` });
  }
  if (na - now.getTime() <= SOON_DAYS * DAY) {
    return finding(input, "CERT_EXPIRING", { ...base, message: `the certificate ${who} in ${where.kind} ${where.owner} expires on ${cert.notAfter}, in ${within(na - now.getTime())}` });
  }
  return undefined;
}

/** Whether a listener or cluster may hold an inline certificate chain (false when it certainly holds none). */
function mayHoldInlineChains(rec: ResourceRecord): boolean {
  // Most listeners and clusters carry no inline PEM: their bytes say so without decoding them.
  if (!rec.mayContain("BEGIN CERTIFICATE") && !rec.mayContain("LS0tLS1CRUdJTi") && !rec.mayContain("inline")) return false;
  // Read once per record (and once per fleet for the proxies' equal clusters: ResourceRecord.derived).
  return rec.derived("has-inline-chains", () => inlineChains(rec).length > 0);
}

export const certificates: Analyzer = {
  name: "certificates",
  codes: ["CERT_EXPIRED", "CERT_EXPIRING", "CERT_NOT_YET_VALID"],
  reads: { cluster: (rec) => void mayHoldInlineChains(rec) },
  run({ input, now }) {
    const out: Finding[] = [];
    const secrets = secretModels(input, now);
    secrets.forEach((s, i) => {
      const rec = input.secrets[i]!;
      for (const c of s.certificates) {
        const f = judge(input, c, { owner: s.name, kind: "secret", path: rec.path }, now);
        if (f) out.push(f);
      }
    });
    for (const kind of ["listener", "cluster"] as const) {
      for (const rec of input.resources[kind]) {
        if (!mayHoldInlineChains(rec)) continue;
        for (const { path, pem } of inlineChains(rec)) {
          for (const c of parseCertificates(pem, now)) {
            const f = judge(input, c, { owner: rec.name, kind, path }, now);
            if (f) out.push(f);
          }
        }
      }
    }
    return out;
  },
};
