// Opening an input of any size. Up to 512 MiB (V8's longest string) an input is read as text, with
// every tolerance for pasted dumps. Past that it is streamed: a regular file is scanned where it is;
// stdin, FIFOs and gzip are first copied (inflated) to a spool file in the temporary directory, which
// is removed at once and lives only as long as the open descriptor. Every read stays bounded by
// `maxBytes` (--max-size, default 16 GiB).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { nodeStream, streamPromises, zlib } from "../lazy-node.js";
import { InputError } from "../diag.js";
import { progress } from "../progress.js";
import { loadBytes, loadFile, loadScanned, streamScanOptions, type LoadedInput, type LoadOptions } from "./dump.js";
import { DEFAULT_MAX_BYTES, MAX_TEXT_BYTES, refuseIfNotText, statInput, tooLarge, TooLargeError } from "./read.js";
import { hasBom16, HEAD_BYTES, isGzip } from "./decode.js";
import { scanJsonInWorker, SpanReader, type ScanResult } from "./scan.js";

/** What of a stream (stdin, a FIFO) is held in memory before it goes to a spool file. */
const IN_MEMORY = 64 * 2 ** 20;

export interface OpenOptions extends LoadOptions {
  /** Inputs larger than this are streamed (default and most: 512 MiB). Lower it to stream smaller inputs. */
  streamFrom?: number;
  /**
   * Inputs larger than this are streamed when they are plain JSON, and read as text when they are not
   * (YAML, comments, elisions): for commands that use only part of a dump, which streaming lets them
   * parse alone. Default: only what `streamFrom` says.
   */
  streamJsonFrom?: number;
  /** Streamed containers larger than this are built from their parts (tests lower it). */
  assembleAbove?: number;
  /** What of a stream (stdin, a FIFO) is held in memory before it goes to a spool file (default 64 MiB; tests lower it). */
  inMemory?: number;
  /** Scan a streamed input on a worker thread, so that the caller can read another input meanwhile. */
  inWorker?: boolean;
  /** Stops that thread's scan (the caller's other input failed): the input then fails with this signal's reason. */
  signal?: AbortSignal;
}

/** Reads a file, "-" (stdin), a FIFO or a device, of any size up to `maxBytes`: as text when it fits, else streamed. */
export async function openInput(file: string, opts: OpenOptions = {}): Promise<LoadedInput> {
  const name = file === "-" ? "<stdin>" : file;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const streamFrom = Math.min(opts.streamFrom ?? MAX_TEXT_BYTES, MAX_TEXT_BYTES);
  const textOpts: LoadOptions = { ...opts, maxBytes: Math.min(maxBytes, streamFrom) };
  const streamIfJson = (size: number) => opts.streamJsonFrom !== undefined && size > opts.streamJsonFrom;
  const st = file === "-" ? undefined : statInput(file);
  if (st?.isFile()) {
    if (st.size > maxBytes) throw tooLarge(file, st.size, maxBytes);
    const fd = fs.openSync(file, "r");
    const gzip = isGzip(firstBytes(fd));
    if (!gzip && st.size > streamFrom) return scanned(fd, name, opts);
    if (!gzip && streamIfJson(st.size)) {
      const input = await scannedIfJson(fd, name, opts);
      if (input) return input;
    }
    fs.closeSync(fd);
    // Read as text, which holds the thread: a caller reading another input meanwhile reads that one first.
    if (opts.inWorker) {
      await new Promise((r) => setImmediate(r));
      opts.signal?.throwIfAborted();
    }
    if (!gzip) return loadFile(file, textOpts);
    try {
      return loadFile(file, textOpts);
    } catch (e) {
      if (!(e instanceof TooLargeError && (e.textLimit || streamFrom < maxBytes))) throw e;
    }
    return scanned(await inflateToSpool(fs.createReadStream(file), name, maxBytes), name, opts);
  }
  // stdin, a FIFO or a device: the first 64 MiB (or what streamJsonFrom says, to stream it) are kept in
  // memory; past that, all of it goes to a spool, so a stream of any size never sits in memory whole. A
  // spool that ends up small enough is read back and read as text, unless it is plain JSON to stream.
  const stream = file === "-" ? process.stdin : fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const first = Math.min(streamFrom, maxBytes, opts.inMemory ?? IN_MEMORY, opts.streamJsonFrom ?? Infinity);
  const chunks: Buffer[] = [];
  let total = 0;
  let spool: number | undefined;
  let checked = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge(name, maxBytes, maxBytes, false, true);
      // NUL bytes or binary data (/dev/zero) are refused at their first chunk, not copied to the limit.
      if (!checked && total >= HEAD_BYTES && spool === undefined) {
        checked = true;
        refuseIfNotText(name, Buffer.concat([...chunks, chunk]).subarray(0, HEAD_BYTES));
      }
      if (spool === undefined && total > first) {
        spool = openSpool(name);
        for (const c of chunks) writeAll(spool, c, name);
        chunks.length = 0;
      }
      if (spool === undefined) chunks.push(chunk);
      else writeAll(spool, chunk, name);
      progress(`reading ${name} (MiB)`, Math.round(total / 2 ** 20));
    }
  } catch (e) {
    if (spool !== undefined) fs.closeSync(spool);
    throw e;
  } finally {
    if (file !== "-") (stream as fs.ReadStream).destroy();
  }
  // Small enough to read as text (gzip that inflates past that is streamed after all).
  const asText = async (bytes: Buffer): Promise<LoadedInput> => {
    try {
      return loadBytes(bytes, name, textOpts);
    } catch (e) {
      if (!(e instanceof TooLargeError && isGzip(bytes))) throw e;
      return scanned(await inflateToSpool(nodeStream().Readable.from([bytes]), name, maxBytes), name, opts);
    }
  };
  if (spool === undefined) return asText(Buffer.concat(chunks, total));
  if (total <= Math.min(streamFrom, maxBytes)) {
    if (streamIfJson(total) && !isGzip(firstBytes(spool))) {
      const input = await scannedIfJson(spool, name, opts);
      if (input) return input;
    }
    const bytes = Buffer.allocUnsafe(total);
    for (let off = 0; off < total; ) off += fs.readSync(spool, bytes, off, total - off, off) || total;
    fs.closeSync(spool);
    return asText(bytes);
  }
  if (isGzip(firstBytes(spool))) return scanned(await inflateToSpool(fs.createReadStream("", { fd: spool, start: 0, autoClose: true }), name, maxBytes), name, opts);
  return scanned(spool, name, opts);
}

async function scanned(fd: number, name: string, opts: OpenOptions): Promise<LoadedInput> {
  if (hasBom16(firstBytes(fd))) {
    throw new InputError(name, "is UTF-16 text over 512 MiB: convert it to UTF-8 (iconv -f UTF-16 -t UTF-8) to stream it");
  }
  const reader = new SpanReader(fd, fs.fstatSync(fd).size);
  if (!opts.inWorker) return loadScanned(reader, name, opts);
  let scan: ScanResult | undefined;
  let failed: unknown;
  try {
    scan = await scanJsonInWorker(reader, streamScanOptions(reader, name, opts), opts.signal);
  } catch (e) {
    if (opts.signal?.aborted) {
      reader.close();
      throw e;
    }
    failed = e; // no thread to be had, or it failed: the scan runs here, and says what went wrong if it does again
  }
  const input = loadScanned(reader, name, opts, scan);
  // Its code or kind only: a message from a failed scan could quote the input.
  if (failed) input.diags.note("thread", `scanned on the main thread: the worker thread failed (${(failed as NodeJS.ErrnoException).code ?? (failed as Error).name ?? "unknown"})`);
  return input;
}

/**
 * Streamed, when the input is plain JSON that can be streamed; undefined, with the descriptor left
 * open, when it is not (the text reader, with every tolerance for pasted dumps, then reads it).
 */
async function scannedIfJson(fd: number, name: string, opts: OpenOptions): Promise<LoadedInput | undefined> {
  let input: LoadedInput;
  try {
    input = await scanned(fd, name, opts);
  } catch (e) {
    if (e instanceof InputError) return undefined;
    throw e;
  }
  return input.cut?.kind === "syntax" ? undefined : input;
}


/** The first two bytes of a file (for gzip's magic number and a UTF-16 byte-order mark). */
function firstBytes(fd: number): Buffer {
  const b = Buffer.alloc(2);
  return b.subarray(0, fs.readSync(fd, b, 0, 2, 0));
}

function writeAll(fd: number, b: Buffer, name: string): void {
  try {
    for (let off = 0; off < b.length; ) off += fs.writeSync(fd, b, off, b.length - off);
  } catch (e) {
    throw spoolError(name, e);
  }
}

/** A temporary file that cannot be made or written (a full disk, a read-only TMPDIR) is the input's problem to report, not a crash. */
function spoolError(name: string, e: unknown): InputError {
  const err = e as NodeJS.ErrnoException;
  return new InputError(name, `cannot copy the input to a temporary file in ${os.tmpdir()} (${err.code ?? err.message}): set TMPDIR to a directory with room for it`);
}
const isFsError = (e: unknown) => /^E(NOSPC|DQUOT|ROFS|ACCES|PERM|IO|NOENT|MFILE|NFILE)$/.test((e as NodeJS.ErrnoException)?.code ?? "");

/** A file in the temporary directory, removed at once: it lives as long as its descriptor. */
function openSpool(name: string): number {
  let dir: string, file: string, fd: number;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-"));
    file = path.join(dir, "spool");
    fd = fs.openSync(file, "w+", 0o600);
  } catch (e) {
    throw spoolError(name, e);
  }
  try {
    fs.unlinkSync(file);
    fs.rmdirSync(dir);
  } catch {
    // Where an open file cannot be removed (Windows), remove it at exit.
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return fd;
}

/** Inflates gzip data into a spool, refusing it once more than `maxBytes` have come out. */
async function inflateToSpool(source: NodeJS.ReadableStream, name: string, maxBytes: number): Promise<number> {
  const spool = openSpool(name);
  let total = 0;
  const bound = new (nodeStream().Transform)({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      if (total > maxBytes) return done(tooLarge(name, maxBytes, maxBytes, true, true));
      progress(`inflating ${name} (MiB)`, Math.round(total / 2 ** 20));
      done(null, chunk);
    },
  });
  try {
    await streamPromises().pipeline(source, zlib().createGunzip(), bound, fs.createWriteStream("", { fd: spool, autoClose: false }));
  } catch (e) {
    if (e instanceof InputError) throw e;
    if (isFsError(e)) throw spoolError(name, e);
    const err = e as NodeJS.ErrnoException;
    if (/unexpected end of file/i.test(err.message)) throw new InputError(name, "gzip data is cut off (unexpected end of file)");
    throw new InputError(name, `not valid gzip data: ${err.message}`);
  }
  if (total === 0) throw new InputError(name, "is empty: gzip data that inflates to nothing");
  return spool;
}
