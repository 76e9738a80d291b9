// IP addresses and CIDR ranges as Envoy normalises them (cidr_range.cc): host bits masked,
// prefix lengths clamped, an omitted prefix length meaning 0.

// Node's net.isIP, in plain JavaScript (the same expressions as Node's lib/internal/net.js), so the
// core runs in a browser's worker too: 4, 6 or 0. Bounded: longer text is no address.
const V4_SEG = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
const V4_STR = `(?:${V4_SEG}\\.){3}${V4_SEG}`;
const V6_SEG = "(?:[0-9a-fA-F]{1,4})";
const IPV4 = new RegExp(`^${V4_STR}$`);
const IPV6 = new RegExp(
  "^(?:" +
    `(?:${V6_SEG}:){7}(?:${V6_SEG}|:)|` +
    `(?:${V6_SEG}:){6}(?:${V4_STR}|:${V6_SEG}|:)|` +
    `(?:${V6_SEG}:){5}(?::${V4_STR}|(?::${V6_SEG}){1,2}|:)|` +
    `(?:${V6_SEG}:){4}(?:(?::${V6_SEG}){0,1}:${V4_STR}|(?::${V6_SEG}){1,3}|:)|` +
    `(?:${V6_SEG}:){3}(?:(?::${V6_SEG}){0,2}:${V4_STR}|(?::${V6_SEG}){1,4}|:)|` +
    `(?:${V6_SEG}:){2}(?:(?::${V6_SEG}){0,3}:${V4_STR}|(?::${V6_SEG}){1,5}|:)|` +
    `(?:${V6_SEG}:){1}(?:(?::${V6_SEG}){0,4}:${V4_STR}|(?::${V6_SEG}){1,6}|:)|` +
    `(?::(?:(?::${V6_SEG}){0,5}:${V4_STR}|(?::${V6_SEG}){1,7}|:))` +
    ")(?:%[0-9a-zA-Z-.:]{1,})?$",
);
/** 4 for an IPv4 address, 6 for IPv6 (a zone allowed), 0 for anything else: as Node's net.isIP. */
export function isIP(text: string): 0 | 4 | 6 {
  if (text.length > 128) return 0;
  if (IPV4.test(text)) return 4;
  if (IPV6.test(text)) return 6;
  return 0;
}

export interface Ip {
  family: 4 | 6;
  value: bigint;
}

export function parseIp(text: string): Ip | undefined {
  let t = text.trim();
  if (t.startsWith("[") && t.endsWith("]")) t = t.slice(1, -1);
  const kind = isIP(t);
  if (kind === 4) {
    const v = t.split(".").reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
    return { family: 4, value: v };
  }
  if (kind === 6) {
    // IPv4-mapped peers are seen as IPv4 by Envoy (address_impl.cc).
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(t);
    if (mapped) return parseIp(mapped[1]!);
    const [head, tail] = t.includes("::") ? t.split("::") : [t, undefined];
    const hexParts = (s: string | undefined): number[] => {
      if (!s) return [];
      const out: number[] = [];
      for (const p of s.split(":")) {
        if (p.includes(".")) {
          const v4 = parseIp(p)!;
          out.push(Number(v4.value >> 16n), Number(v4.value & 0xffffn));
        } else out.push(parseInt(p, 16));
      }
      return out;
    };
    const h = hexParts(head);
    const tl = hexParts(tail);
    const groups = tail === undefined ? h : [...h, ...new Array(8 - h.length - tl.length).fill(0), ...tl];
    return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) };
  }
  return undefined;
}

export function formatIp(ip: Ip): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 255n)).join(".");
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((ip.value >> s) & 0xffffn).toString(16));
  return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::").replace(/:{3,}/, "::");
}

export interface Cidr {
  family: 4 | 6;
  base: bigint;
  len: number;
  /** Normalised text, e.g. "10.0.0.0/24". */
  key: string;
}

export function parseCidr(addressPrefix: string | undefined, prefixLen: number | undefined): Cidr | undefined {
  const ip = parseIp(addressPrefix ?? "");
  if (!ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  const len = Math.max(0, Math.min(bits, prefixLen ?? 0));
  const mask = len === 0 ? 0n : ((1n << BigInt(len)) - 1n) << BigInt(bits - len);
  const base = ip.value & mask;
  return { family: ip.family, base, len, key: `${formatIp({ family: ip.family, value: base })}/${len}` };
}

export function cidrContains(c: Cidr, ip: Ip): boolean {
  if (c.family !== ip.family) return false;
  const bits = c.family === 4 ? 32 : 128;
  if (c.len === 0) return true;
  const shift = BigInt(bits - c.len);
  return ip.value >> shift === c.base >> shift;
}

export function isLoopback(ip: Ip): boolean {
  // Envoy's isLoopbackAddress for source type: exactly 127.0.0.1 or ::1 (envoy-matching.md §8 item 8).
  return (ip.family === 4 && ip.value === 0x7f000001n) || (ip.family === 6 && ip.value === 1n);
}

/** 127.0.0.0/8 or ::1: an address only this host connects to (a listener bound there takes local connections only). */
export function isLoopbackRange(ip: Ip): boolean {
  return (ip.family === 4 && ip.value >> 24n === 127n) || (ip.family === 6 && ip.value === 1n);
}

export function isWildcard(ip: string | undefined): boolean {
  return ip === "0.0.0.0" || ip === "::" || ip === "[::]" || ip === "::0";
}
