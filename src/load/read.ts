// Reading an input's bytes at the command line's edge: files, "-" for stdin, FIFOs and devices, every
// read bounded (at most `maxBytes`, and gzip inflated by zlib to at most that). What the bytes are (UTF-8,
// UTF-16, gzip, binary, empty) is the core's to say (decode.ts); a stream that starts with NUL bytes or
// binary data (/dev/zero) is refused at its first chunk, not read to the limit.
import fs from "node:fs";
import { zlib } from "../lazy-node.js";
import { InputError } from "../diag.js";
import { decodeText as decodeCore, DEFAULT_MAX_BYTES, HEAD_BYTES, MAX_TEXT_BYTES, notText, tooLarge } from "./decode.js";

export { DEFAULT_MAX_BYTES, MAX_TEXT_BYTES, parseSize, tooLarge, TooLargeError } from "./decode.js";

export function readInputBytes(file: string, max = DEFAULT_MAX_BYTES): Buffer {
  // Nothing larger than V8's longest string can be read as text, whatever the limit asked for.
  const maxBytes = Math.min(max, MAX_TEXT_BYTES);
  try {
    if (file === "-") return readBounded(0, "<stdin>", maxBytes);
    const st = statInput(file);
    if (st.isFile()) {
      if (st.size > maxBytes) throw tooLarge(file, st.size, maxBytes);
      refuseIfNotText(file, fileHead(file));
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

/** The first bytes of a regular file. */
function fileHead(file: string): Uint8Array {
  const fd = fs.openSync(file, "r");
  try {
    const b = Buffer.alloc(HEAD_BYTES);
    return b.subarray(0, fs.readSync(fd, b, 0, HEAD_BYTES, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** Refuses an input whose first bytes cannot start text (NUL bytes, binary data), before reading the rest of it. */
export function refuseIfNotText(file: string, head: Uint8Array): void {
  const why = notText(head);
  if (why) throw new InputError(file, why);
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

/** Reads a stream until its end, refusing it once more than `maxBytes` have come, or at once when it does not start as text. */
function readBounded(fd: number, file: string, maxBytes: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  let checked = false;
  const chunkSize = 1 << 20;
  for (;;) {
    const buf = Buffer.allocUnsafe(chunkSize);
    const n = readSome(fd, buf, 0, chunkSize);
    if (n === 0) break;
    total += n;
    if (total > maxBytes) throw tooLarge(file, maxBytes, maxBytes, false, true);
    chunks.push(n === chunkSize ? buf : buf.subarray(0, n));
    if (!checked && total >= HEAD_BYTES) {
      checked = true;
      refuseIfNotText(file, Buffer.concat(chunks, total).subarray(0, HEAD_BYTES));
    }
  }
  return Buffer.concat(chunks, total);
}

/**
 * One synchronous read of a stream (stdin, a pipe) at its current position: how many bytes came, 0 at
 * its end. It waits for bytes: a descriptor left non-blocking (EAGAIN) is polled, first every 50 µs
 * (a pipe refills that fast) and, while nothing comes, less often, up to every 10 ms. A read
 * interrupted by a signal (EINTR: Ctrl-C, which then stops the thread) is tried again.
 */
export function readSome(fd: number, into: Uint8Array, offset: number, length: number): number {
  let wait = 0.05;
  for (;;) {
    try {
      return fs.readSync(fd, into, offset, length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        sleep(wait); // a non-blocking stdin with nothing yet: wait and read again
        wait = Math.min(10, wait * 2);
        continue;
      }
      if (code === "EINTR") continue;
      if (code === "EOF") return 0;
      throw e;
    }
  }
}

let sleeper: Int32Array | undefined;
function sleep(ms: number): void {
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Inflates gzip data with zlib, to at most `limit` bytes: the core's `inflate` at the command line. */
export function gunzip(bytes: Uint8Array, limit: number, file: string): Uint8Array {
  try {
    return zlib().gunzipSync(bytes, { maxOutputLength: limit });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ERR_BUFFER_TOO_LARGE" || /Cannot create a Buffer larger|maxOutputLength|buffer.*large/i.test(err.message)) {
      // gzip's trailer records the inflated size (modulo 4 GiB): the real size for the message.
      const isize = bytes.length >= 18 ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 4, true) : 0;
      throw isize > limit ? tooLarge(file, isize, limit, true) : tooLarge(file, limit, limit, true, true);
    }
    if (/unexpected end of file/i.test(err.message)) throw new InputError(file, "gzip data is cut off (unexpected end of file)");
    throw new InputError(file, `not valid gzip data: ${err.message}`);
  }
}

/** The text of an input's bytes, gzip inflated by zlib (see the core's decodeText). */
export function decodeText(file: string, bytes: Uint8Array, maxBytes = DEFAULT_MAX_BYTES): string {
  return decodeCore(file, bytes, { maxBytes, inflate: gunzip });
}
