// Reading an input into text: files, "-" for stdin, FIFOs and devices, gzip by magic bytes,
// UTF-8 or UTF-16 (by byte-order mark). Every read is bounded: at most `maxBytes` are read, and a
// gzip stream at most `maxBytes` once inflated. Clear errors for empty, binary and too-large input.
import fs from "node:fs";
import { zlib } from "../lazy-node.js";
import { InputError } from "../diag.js";

/** V8's longest string (Node 20): a larger file cannot be held as one string. */
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

export function readInputBytes(file: string, max = DEFAULT_MAX_BYTES): Buffer {
  // Nothing larger than V8's longest string can be read as text, whatever the limit asked for.
  const maxBytes = Math.min(max, MAX_TEXT_BYTES);
  try {
    if (file === "-") return readBounded(0, "<stdin>", maxBytes);
    const st = statInput(file);
    if (st.isFile()) {
      if (st.size > maxBytes) throw tooLarge(file, st.size, maxBytes);
      return fs.readFileSync(file);
    }
    // A FIFO, a character device (/dev/zero, /dev/stdin), a socket: read as a stream, up to the cap.
    const fd = fs.openSync(file, "r");
    try {
      return readBounded(fd, file, maxBytes);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    throw readError(file, e);
  }
}

/** A failed read as the message a user reads (an InputError passes through). */
function readError(file: string, e: unknown): InputError {
  if (e instanceof InputError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err.code === "ENOENT") return new InputError(file, "no such file");
  if (err.code === "EACCES") return new InputError(file, "permission denied");
  return new InputError(file, `cannot read: ${err.message}`);
}

/** What an input path is (a file, a FIFO, a device), refusing a directory. */
export function statInput(file: string): fs.Stats {
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) throw new InputError(file, "is a directory, not a dump file");
    return st;
  } catch (e) {
    throw readError(file, e);
  }
}

/** Reads a stream until its end, refusing it once more than `maxBytes` have come. */
function readBounded(fd: number, file: string, maxBytes: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunkSize = 1 << 20;
  for (;;) {
    const buf = Buffer.allocUnsafe(chunkSize);
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, chunkSize, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        sleep(10); // a non-blocking stdin with nothing yet: wait and read again
        continue;
      }
      if (code === "EOF") break;
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > maxBytes) throw tooLarge(file, maxBytes, maxBytes, false, true);
    chunks.push(n === chunkSize ? buf : buf.subarray(0, n));
  }
  return Buffer.concat(chunks, total);
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
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

export function decodeText(file: string, bytes: Buffer, maxBytes = DEFAULT_MAX_BYTES): string {
  let buf = bytes;
  const limit = Math.min(maxBytes, MAX_TEXT_BYTES);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib().gunzipSync(buf, { maxOutputLength: limit });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === "ERR_BUFFER_TOO_LARGE" || /Cannot create a Buffer larger|maxOutputLength|buffer.*large/i.test(err.message)) {
        // gzip's trailer records the inflated size (modulo 4 GiB): the real size for the message.
        const isize = bytes.length >= 18 ? bytes.readUInt32LE(bytes.length - 4) : 0;
        throw isize > limit ? tooLarge(file, isize, limit, true) : tooLarge(file, limit, limit, true, true);
      }
      if (/unexpected end of file/i.test(err.message)) throw new InputError(file, "gzip data is cut off (unexpected end of file)");
      throw new InputError(file, `not valid gzip data: ${err.message}`);
    }
  }
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    return decodeUtf16(file, buf);
  }
  if (buf.length === 0 || (buf.toString("utf8", 0, Math.min(buf.length, 4096)).trim() === "" && buf.toString("utf8").trim() === "")) {
    throw emptyInput(file);
  }
  const head = buf.subarray(0, Math.min(buf.length, 8192));
  if (head.includes(0)) {
    if (looksUtf16(head)) throw new InputError(file, "is UTF-16 text without a byte-order mark: save it as UTF-8 (e.g. iconv -f UTF-16LE -t UTF-8)");
    throw new InputError(file, "is binary data, not a text dump (a protobuf-encoded dump? ask Envoy's admin /config_dump for JSON)");
  }
  let text = buf.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte-order mark
  return text;
}

/** An input with nothing in it. */
export function emptyInput(file: string): InputError {
  return new InputError(file, "is empty: expected an Envoy config dump, istioctl proxy-config output or a bootstrap");
}

/** UTF-16 with a byte-order mark (PowerShell's `>` writes it): decoded, little- or big-endian. */
function decodeUtf16(file: string, buf: Buffer): string {
  const bigEndian = buf[0] === 0xfe;
  let body = buf.subarray(2);
  if (body.length % 2) body = body.subarray(0, body.length - 1);
  if (bigEndian) body = Buffer.from(body).swap16();
  const text = body.toString("utf16le");
  if (!text.trim()) throw new InputError(file, "is empty (UTF-16 text with nothing in it)");
  return text;
}

/** Mostly ASCII text with every other byte zero. */
function looksUtf16(head: Buffer): boolean {
  let zeros = 0;
  for (let i = 1; i < head.length; i += 2) if (head[i] === 0) zeros++;
  return head.length >= 8 && zeros > head.length / 2 - 2;
}
