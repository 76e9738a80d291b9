// A small reader of X.509 certificates (RFC 5280) in PEM: subject, issuer, serial number, validity
// dates and subject alternative names, in the words Node's X509Certificate gives them (so the
// secrets listing reads the same in the command line and in the page). Plain JavaScript: the core
// runs in a browser's worker too. Only what secrets need is read; no signature is checked. Every read
// is bounded by the certificate's own bytes; nesting is read iteratively for the few levels a
// certificate has.

export interface X509Info {
  /** Node's form: one "SN=value" per line, in the certificate's order ("" when the subject is empty). */
  subject: string;
  issuer: string;
  /** Upper-case hex, as Node's serialNumber. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** Node's subjectAltName: "DNS:a, URI:spiffe://…, IP Address:10.0.0.1" ("" when none). */
  subjectAltName: string;
}

class DerError extends Error {}

interface Tlv {
  tag: number;
  /** Where the content starts and ends (end exclusive). */
  start: number;
  end: number;
}

/** The element at `pos`, its content inside `limit`. */
function tlv(b: Uint8Array, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) throw new DerError("truncated");
  const tag = b[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("high tag numbers are not used in certificates");
  let len = b[pos + 1]!;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) throw new DerError("bad length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  const end = start + len;
  if (end > limit) throw new DerError("truncated");
  return { tag, start, end };
}

/** The elements of a constructed value, in order. */
function children(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = t.start; p < t.end; ) {
    const c = tlv(b, p, t.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new DerError(`expected ${what}`);
  return t;
}

function oid(b: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = t.start; i < t.end; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

const utf8 = new TextDecoder("utf-8", { fatal: false });
const latin1 = (b: Uint8Array) => {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return s;
};

/** A directory string's text (UTF8String, PrintableString, IA5String, T61, BMPString, UniversalString). */
function text(b: Uint8Array, t: Tlv): string {
  const raw = b.subarray(t.start, t.end);
  switch (t.tag) {
    case 0x1e: {
      let s = "";
      for (let i = 0; i + 1 < raw.length; i += 2) s += String.fromCharCode((raw[i]! << 8) | raw[i + 1]!);
      return s;
    }
    case 0x1c: {
      let s = "";
      for (let i = 0; i + 3 < raw.length; i += 4) s += String.fromCodePoint(((raw[i]! << 24) | (raw[i + 1]! << 16) | (raw[i + 2]! << 8) | raw[i + 3]!) >>> 0);
      return s;
    }
    case 0x14:
      return latin1(raw);
    default:
      return utf8.decode(raw);
  }
}

/** OpenSSL's short names, as Node prints them. */
const SHORT_NAMES = new Map<string, string>([
  ["2.5.4.3", "CN"],
  ["2.5.4.4", "SN"],
  ["2.5.4.5", "serialNumber"],
  ["2.5.4.6", "C"],
  ["2.5.4.7", "L"],
  ["2.5.4.8", "ST"],
  ["2.5.4.9", "street"],
  ["2.5.4.10", "O"],
  ["2.5.4.11", "OU"],
  ["2.5.4.12", "title"],
  ["2.5.4.13", "description"],
  ["2.5.4.17", "postalCode"],
  ["2.5.4.42", "GN"],
  ["2.5.4.43", "initials"],
  ["2.5.4.44", "generationQualifier"],
  ["2.5.4.45", "x500UniqueIdentifier"],
  ["2.5.4.46", "dnQualifier"],
  ["2.5.4.15", "businessCategory"],
  ["2.5.4.41", "name"],
  ["1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL"],
  ["1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST"],
  ["1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC"],
  ["2.5.4.65", "pseudonym"],
  ["2.5.4.97", "organizationIdentifier"],
  ["0.9.2342.19200300.100.1.1", "UID"],
  ["0.9.2342.19200300.100.1.25", "DC"],
  ["1.2.840.113549.1.9.1", "emailAddress"],
]);

/** RFC 2253 escaping as OpenSSL's ASN1_STRFLGS_ESC_2253 | ESC_CTRL does (Node's flags). */
function esc2253(v: string): string {
  let out = "";
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    const code = c.charCodeAt(0);
    if (',+"\\<>;'.includes(c) || ((c === "#" || c === " ") && i === 0) || (c === " " && i === v.length - 1)) out += `\\${c}`;
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(16).toUpperCase().padStart(2, "0")}`;
    else out += c;
  }
  return out;
}

/** A Name as Node's X509Certificate prints it: one attribute per line, a multi-valued RDN joined by " + ". */
function name(b: Uint8Array, t: Tlv): string {
  const lines: string[] = [];
  for (const rdn of children(b, expect(t, 0x30, "a Name"))) {
    const parts: string[] = [];
    for (const atv of children(b, expect(rdn, 0x31, "an RDN"))) {
      const [type, value] = children(b, expect(atv, 0x30, "an attribute"));
      const id = oid(b, expect(type, 0x06, "an attribute type"));
      parts.push(`${SHORT_NAMES.get(id) ?? id}=${esc2253(text(b, value ?? { tag: 0x0c, start: 0, end: 0 }))}`);
    }
    lines.push(parts.join(" + "));
  }
  return lines.join("\n");
}

function time(b: Uint8Array, t: Tlv): Date {
  const s = latin1(b.subarray(t.start, t.end));
  const m = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : t.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : null;
  if (!m) throw new DerError("bad time");
  let year = Number(m[1]);
  if (t.tag === 0x17) year += year >= 50 ? 1900 : 2000;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** Node quotes an alternative name that holds a character that would make the list ambiguous. */
function altValue(v: string): string {
  return /^[\x20-\x7e]*$/.test(v) && !/[",'\\]/.test(v) ? v : JSON.stringify(v);
}

function ipText(raw: Uint8Array): string {
  if (raw.length === 4) return [...raw].join(".");
  if (raw.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((raw[i]! << 8) | raw[i + 1]!).toString(16).toUpperCase());
    return groups.join(":");
  }
  return "<invalid>";
}

function subjectAltName(b: Uint8Array, ext: Tlv): string {
  const names: string[] = [];
  for (const g of children(b, expect(ext, 0x30, "GeneralNames"))) {
    const raw = b.subarray(g.start, g.end);
    switch (g.tag) {
      case 0x82:
        names.push(`DNS:${altValue(latin1(raw))}`);
        break;
      case 0x86:
        names.push(`URI:${altValue(latin1(raw))}`);
        break;
      case 0x81:
        names.push(`email:${altValue(latin1(raw))}`);
        break;
      case 0x87:
        names.push(`IP Address:${ipText(raw)}`);
        break;
      case 0xa4:
        names.push(`DirName:${altValue(name(b, tlv(b, g.start, g.end)).replace(/\n/g, "/"))}`);
        break;
      case 0x88:
        names.push(`Registered ID:${oid(b, g)}`);
        break;
      default:
        names.push("othername:<unsupported>");
    }
  }
  return names.join(", ");
}

/** The DER bytes of a PEM block (its base64 body). */
function pemBytes(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new DerError("not base64");
  return base64Bytes(body);
}

/** Standard base64 (padded) as bytes; atob throws on what is not. */
export function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** One certificate (PEM or DER); throws on anything that is not one. */
export function readCertificate(input: string | Uint8Array): X509Info {
  const b = typeof input === "string" ? pemBytes(input) : input;
  const cert = expect(tlv(b, 0, b.length), 0x30, "a Certificate");
  if (cert.end !== b.length) throw new DerError("trailing data");
  const tbs = children(b, expect(children(b, cert)[0], 0x30, "a TBSCertificate"));
  let i = 0;
  if (tbs[0]?.tag === 0xa0) i++;
  const serial = expect(tbs[i++], 0x02, "a serial number");
  expect(tbs[i++], 0x30, "a signature algorithm");
  const issuer = name(b, tbs[i++]!);
  const [nb, na] = children(b, expect(tbs[i++], 0x30, "a Validity"));
  const subject = name(b, tbs[i++]!);
  expect(tbs[i++], 0x30, "a public key");
  let san = "";
  for (; i < tbs.length; i++) {
    if (tbs[i]!.tag !== 0xa3) continue;
    const exts = children(b, children(b, tbs[i]!)[0] ?? tbs[i]!);
    for (const e of exts) {
      const parts = children(b, e);
      if (oid(b, expect(parts[0], 0x06, "an extension id")) !== "2.5.29.17") continue;
      const value = expect(parts[parts.length - 1], 0x04, "an extension value");
      san = subjectAltName(b, tlv(b, value.start, value.end));
    }
  }
  let s = serial.start;
  while (s < serial.end - 1 && b[s] === 0) s++;
  let hex = "";
  for (let k = s; k < serial.end; k++) hex += b[k]!.toString(16).toUpperCase().padStart(2, "0");
  return { subject, issuer, serialNumber: hex || "00", notBefore: time(b, nb!), notAfter: time(b, na!), subjectAltName: san };
}
