// Bytes to text, in plain JavaScript (Uint8Array, TextDecoder): UTF-8, or UTF-16 by its byte-order
// mark; gzip known by its magic bytes and inflated by the caller's function (the command line gives
// zlib's; a browser inflates with DecompressionStream before). Clear errors for empty, binary and
// too-large input. Where bytes come from (a file, stdin, a pod) is the edge's: read.ts, open.ts.
import { InputError } from "../diag.js";

/** V8's longest string (Node 20): a larger input cannot be held as one string. */
export const MAX_TEXT_BYTES = 512 * 1024 * 1024;
/** What is read from one input unless `--max-size` says otherwise (past 512 MiB, inputs are streamed). */
export const DEFAULT_MAX_BYTES = 16 * 2 ** 30;

/** An input over a limit. `textLimit`: the limit was the longest string, not one the caller set, so streaming can read it. */
export class TooLargeError extends InputError {
  readonly textLimit: boolean;
  constructor(file: string, message: string, textLimit: boolean) {
    super(file, message);
    this.textLimit = textLimit;
  }
}

const mib = (n: number) =>
  n < 2 ** 10 ? `${n} bytes` : n < 2 ** 20 ? `${(n / 2 ** 10).toFixed(0)} KiB` : n < 2 ** 30 ? `${(n / 2 ** 20).toFixed(0)} MiB` : `${+(n / 2 ** 30).toFixed(1)} GiB`;

/** "100M", "2G", "512k", "1048576" → bytes; undefined when the text is not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? "").toLowerCase()[0];
  const mult = unit === "k" ? 2 ** 10 : unit === "m" ? 2 ** 20 : unit === "g" ? 2 ** 30 : 1;
  const n = Math.floor(Number(m[1]) * mult);
  return n > 0 ? n : undefined;
}

/** `size` is what the input holds, or (when `atLeast`) a bound it is known to exceed. */
export function tooLarge(file: string, size: number, maxBytes: number, gzip = false, atLeast = false): TooLargeError {
  const textLimit = maxBytes >= MAX_TEXT_BYTES;
  if (atLeast && !gzip) return new TooLargeError(file, `goes on past the limit of ${mib(maxBytes)} without ending: refused (--max-size sets the limit)`, textLimit);
  const what = `${gzip ? "gzip data inflates to " : ""}${atLeast ? "more than " : ""}${mib(size)}`;
  if (!textLimit) return new TooLargeError(file, `${what}: over the limit of ${mib(maxBytes)} (--max-size sets the limit)`, false);
  return new TooLargeError(
    file,
    `${what}: too large to read as one string (Node holds at most 512 MiB); the command line and the library's open() stream such inputs.`,
    true,
  );
}

/** An input with nothing in it. */
export function emptyInput(file: string): InputError {
  return new InputError(file, "is empty: expected an Envoy config dump, istioctl proxy-config output or a bootstrap");
}

export const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
export const hasBom16 = (b: Uint8Array) => b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff));

/** How many bytes of the start of an input tell text from binary. */
export const HEAD_BYTES = 8192;

/**
 * Why the first bytes of an input cannot be text, or undefined when they may be: NUL bytes (/dev/zero,
 * a file of zeros), binary data (a protobuf-encoded dump), UTF-16 without a byte-order mark. Gzip and
 * UTF-16 with a byte-order mark are text to come. The command line asks this of a stream's first chunk,
 * so that /dev/zero is refused at once rather than read to the limit.
 */
export function notText(head: Uint8Array): string | undefined {
  if (isGzip(head) || hasBom16(head)) return undefined;
  const h = head.length > HEAD_BYTES ? head.subarray(0, HEAD_BYTES) : head;
  const zero = h.indexOf(0);
  if (zero === -1) return undefined;
  let zeros = 0;
  for (let i = 0; i < h.length; i++) if (h[i] === 0) zeros++;
  if (zeros === h.length || (zero === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0)) return "is NUL bytes (zeros, as /dev/zero gives), not text: expected an Envoy config dump";
  if (looksUtf16(h)) return "is UTF-16 text without a byte-order mark: save it as UTF-8 (e.g. iconv -f UTF-16LE -t UTF-8)";
  return "is binary data, not a text dump (a protobuf-encoded dump? ask Envoy's admin /config_dump for JSON)";
}

export interface DecodeOptions {
  maxBytes?: number;
  /** Inflates gzip data to at most `maxBytes` (throwing an InputError past it); without it gzip is refused with what to do. */
  inflate?: (bytes: Uint8Array, maxBytes: number, name: string) => Uint8Array;
}

const utf8 = new TextDecoder();

/** The text of an input's bytes: gzip inflated (by opts.inflate), UTF-16 by its byte-order mark, else UTF-8 (a byte-order mark dropped). */
export function decodeText(file: string, bytes: Uint8Array, opts: DecodeOptions = {}): string {
  let buf = bytes;
  const limit = Math.min(opts.maxBytes ?? DEFAULT_MAX_BYTES, MAX_TEXT_BYTES);
  if (isGzip(buf)) {
    if (!opts.inflate) throw new InputError(file, "is gzip data, which must be inflated before it is read (gunzip it; in a browser, DecompressionStream)");
    buf = opts.inflate(buf, limit, file);
  }
  if (hasBom16(buf)) return decodeUtf16(file, buf);
  if (buf.length === 0 || (utf8.decode(buf.subarray(0, 4096)).trim() === "" && utf8.decode(buf).trim() === "")) throw emptyInput(file);
  const why = notText(buf);
  if (why) throw new InputError(file, why);
  // TextDecoder drops a UTF-8 byte-order mark.
  return utf8.decode(buf);
}

/** UTF-16 with a byte-order mark (PowerShell's `>` writes it): decoded, little- or big-endian. */
function decodeUtf16(file: string, buf: Uint8Array): string {
  const bigEndian = buf[0] === 0xfe;
  let body = buf.subarray(2);
  if (body.length % 2) body = body.subarray(0, body.length - 1);
  if (bigEndian) {
    const swapped = new Uint8Array(body.length);
    for (let i = 0; i < body.length; i += 2) {
      swapped[i] = body[i + 1]!;
      swapped[i + 1] = body[i]!;
    }
    body = swapped;
  }
  const text = new TextDecoder("utf-16le").decode(body);
  if (!text.trim()) throw new InputError(file, "is empty (UTF-16 text with nothing in it)");
  return text;
}

/**
 * UTF-16 text without a byte-order mark: mostly printable ASCII characters, each with a zero byte on
 * the same side (little- or big-endian). A run of zeros is not.
 */
function looksUtf16(head: Uint8Array): boolean {
  const n = head.length - (head.length % 2);
  if (n < 8) return false;
  let le = 0;
  let be = 0;
  for (let i = 0; i < n; i += 2) {
    const a = head[i]!;
    const b = head[i + 1]!;
    const printable = (c: number) => c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c < 0x7f);
    if (b === 0 && printable(a)) le++;
    else if (a === 0 && printable(b)) be++;
  }
  const pairs = n / 2;
  return Math.max(le, be) > pairs * 0.9;
}
