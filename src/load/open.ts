// Opening an input of any size. Up to 512 MiB (V8's longest string) an input is read as text, with
// every tolerance for pasted dumps. Past that it is streamed: a regular file is scanned where it is;
// stdin is scanned as it is read, each chunk copied to a spool file in the temporary directory for the
// scanner to read again; FIFOs and gzip are first copied (inflated) to a spool. A spool is removed at
// once and lives only as long as its open descriptor. Every read stays bounded by `maxBytes`
// (--max-size, default 16 GiB).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { nodeStream, streamPromises, workerThreads, zlib } from "../lazy-node.js";
import { InputError } from "../diag.js";
import { progress } from "../progress.js";
import { timed } from "../timings.js";
import { loadBytes, loadFile, loadScanned, streamScanOptions, type LoadedInput, type LoadOptions } from "./dump.js";
import { DEFAULT_MAX_BYTES, MAX_TEXT_BYTES, readSome, refuseIfNotText, statInput, tooLarge, TooLargeError } from "./read.js";
import { hasBom16, HEAD_BYTES, isGzip } from "./decode.js";
import { scanJson, SpanReader as BytesReader, type ByteSource } from "./json-scan.js";
import { scanJsonInWorker, SpanReader, type ScanResult } from "./scan.js";

/** What of a stream (stdin, a FIFO) is held in memory before it goes to a spool file. */
const IN_MEMORY = 64 * 2 ** 20;

export interface OpenOptions extends LoadOptions {
  /** Inputs larger than this are streamed (default and most: 512 MiB). Lower it to stream smaller inputs. */
  streamFrom?: number;
  /**
   * Inputs larger than this are streamed when they are plain JSON, and read as text when they are not
   * (YAML, comments, elisions): for commands that read a dump's resources one by one, which streaming
   * lets them parse when asked (and let go). Default: only what `streamFrom` says.
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

/** Whether an input of this size is streamed when it turns out to be plain JSON (streamJsonFrom). */
const streamsIfJson = (opts: OpenOptions, size: number): boolean => opts.streamJsonFrom !== undefined && size > opts.streamJsonFrom;

/** Reads a file, "-" (stdin), a FIFO or a device, of any size up to `maxBytes`: as text when it fits, else streamed. */
export async function openInput(file: string, opts: OpenOptions = {}): Promise<LoadedInput> {
  const name = file === "-" ? "<stdin>" : file;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const streamFrom = Math.min(opts.streamFrom ?? MAX_TEXT_BYTES, MAX_TEXT_BYTES);
  const textOpts: LoadOptions = { ...opts, maxBytes: Math.min(maxBytes, streamFrom) };
  const st = file === "-" ? undefined : statInput(file);
  if (st?.isFile()) {
    if (st.size > maxBytes) throw tooLarge(file, st.size, maxBytes);
    const fd = fs.openSync(file, "r");
    const gzip = isGzip(firstBytes(fd));
    if (!gzip && st.size > streamFrom) return scanned(fd, name, opts);
    if (!gzip && streamsIfJson(opts, st.size)) {
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
  // stdin, as the command's one input, is read here, synchronously: scanned while it is copied, when it
  // is plain JSON to stream (see openStdin).
  // A terminal is left to the stream below: a person typing or pasting is slow, and Ctrl-C must stop a
  // wait on the terminal at once (a synchronous read would hold the signal until the read returns).
  if (file === "-" && !opts.inWorker && !stdinIsTerminal()) return openStdin(name, opts, maxBytes, streamFrom, textOpts);
  // A FIFO or a device (or stdin while another input is read): the first 64 MiB (or what streamJsonFrom
  // says, to stream it) are kept in memory; past that, all of it goes to a spool, so a stream of any size
  // never sits in memory whole. At its end it is read as text or streamed (fromStream).
  const stream = file === "-" ? process.stdin : fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const taken = new Taken(name, Math.min(streamFrom, maxBytes, opts.inMemory ?? IN_MEMORY, opts.streamJsonFrom ?? Infinity));
  let checked = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (taken.total + chunk.length > maxBytes) throw tooLarge(name, maxBytes, maxBytes, false, true);
      // NUL bytes or binary data (/dev/zero) are refused at their first chunk, not copied to the limit.
      if (!checked && taken.total + chunk.length >= HEAD_BYTES && taken.spool === undefined) {
        checked = true;
        refuseIfNotText(name, Buffer.concat([...taken.chunks, chunk]).subarray(0, HEAD_BYTES));
      }
      taken.add(chunk);
      progress(`reading ${name} (MiB)`, Math.round(taken.total / 2 ** 20));
    }
  } catch (e) {
    taken.close();
    throw e;
  } finally {
    if (file !== "-") (stream as fs.ReadStream).destroy();
  }
  return fromStream(taken, name, opts, maxBytes, streamFrom, textOpts);
}

function stdinIsTerminal(): boolean {
  try {
    return fs.fstatSync(0).isCharacterDevice();
  } catch {
    return true;
  }
}

/** Bytes a synchronous read of stdin asks for (a pipe gives at most what it holds, 64 KiB, a read). */
const READ_CHUNK = 1 << 20;

/**
 * stdin, read synchronously (a Ctrl-C stops the read as it stops the scan), as fast as a file: what
 * would be read as text (up to where streamJsonFrom or streamFrom says to stream) is held as for a
 * FIFO; once the stream goes past that and it is plain JSON to stream (not gzip, not UTF-16), the
 * scanner starts on what came (in the spool) and reads stdin on from there, each chunk copied to the
 * spool as it comes (StdinSpool), not all of it copied first and then scanned. After the scan the rest
 * is read to its end (bounded by maxBytes): a stream that turns out not to be JSON and is small enough
 * is read as text after all, from the spool, with every tolerance.
 */
async function openStdin(name: string, opts: OpenOptions, maxBytes: number, streamFrom: number, textOpts: LoadOptions): Promise<LoadedInput> {
  const scanFrom = Math.min(streamFrom, opts.streamJsonFrom ?? Infinity);
  const taken = new Taken(name, Math.min(streamFrom, maxBytes, opts.inMemory ?? IN_MEMORY, opts.streamJsonFrom ?? Infinity));
  // Read into 1 MiB buffers (the first holds the first bytes, for the checks), each kept when full.
  const head = Buffer.allocUnsafe(READ_CHUNK);
  let buf = head;
  let used = 0;
  let checked = false;
  let ended = false;
  try {
    for (;;) {
      const n = readSome(0, buf, used, READ_CHUNK - used);
      if (n === 0) {
        ended = true;
        break;
      }
      used += n;
      const total = taken.total + used;
      if (total > maxBytes) throw tooLarge(name, maxBytes, maxBytes, false, true);
      // NUL bytes or binary data (/dev/zero) are refused at their first chunk, not copied to the limit.
      if (!checked && total >= HEAD_BYTES) {
        checked = true;
        refuseIfNotText(name, head.subarray(0, HEAD_BYTES));
      }
      progress(`reading ${name} (MiB)`, Math.round(total / 2 ** 20));
      if (checked && total > scanFrom && !isGzip(head) && !hasBom16(head) && !(opts.block !== undefined && opts.block > 1)) break;
      if (used === READ_CHUNK) {
        taken.add(buf);
        buf = Buffer.allocUnsafe(READ_CHUNK);
        used = 0;
      }
    }
    if (used) taken.add(buf.subarray(0, used));
  } catch (e) {
    taken.close();
    throw e;
  }
  if (ended) return fromStream(taken, name, opts, maxBytes, streamFrom, textOpts);
  // Past the threshold, plain JSON so far: scanned while the rest is read and spooled.
  const spool = taken.toSpool();
  const source = new StdinSpool(spool, taken.total, maxBytes, name);
  let scan: ScanResult;
  try {
    const during = new BytesReader(source);
    scan = timed("scan", () => scanJson(during, { ...streamScanOptions(during, name, opts), onProgress: (n) => progress(`reading ${name} (MiB)`, Math.round(n / 2 ** 20)) }));
    source.drain();
    source.finish();
  } catch (e) {
    source.abort();
    fs.closeSync(spool);
    throw e;
  }
  const total = source.received;
  const reader = new SpanReader(spool, total);
  if (total <= Math.min(streamFrom, maxBytes)) {
    // Small enough for the text reader: streamed only when it is plain JSON that streams whole.
    try {
      const input = loadScanned(reader, name, opts, scan);
      if (input.cut?.kind !== "syntax") return input;
    } catch (e) {
      if (!(e instanceof InputError)) {
        reader.close();
        throw e;
      }
    }
    return asText(readBack(spool, total), name, opts, maxBytes, textOpts);
  }
  try {
    return loadScanned(reader, name, opts, scan);
  } catch (e) {
    reader.close();
    throw e;
  }
}

/**
 * stdin as the scanner's bytes while it is read: the scanner reads on from the end of what came, which
 * reads stdin into the scanner's own buffer and appends it to the spool; a byte before that (a span the
 * scanner reads again) comes from the spool. Its size is only known at the stream's end: until then
 * `size` is the most it may be (maxBytes), and a read past the end gives 0.
 */
class StdinSpool implements ByteSource {
  readonly size: number;
  /** The bytes read from stdin so far (the spool holds them, or will once the writer is through). */
  received: number;
  private ended = false;
  private readonly spool: number;
  private readonly maxBytes: number;
  private readonly name: string;
  /** Reads stdin and writes the spool on threads of their own, while this one scans. */
  private readonly pump: StdinPump;
  constructor(spool: number, received: number, maxBytes: number, name: string) {
    this.spool = spool;
    this.received = received;
    this.maxBytes = maxBytes;
    this.name = name;
    this.size = Math.min(maxBytes, Number.MAX_SAFE_INTEGER);
    this.pump = new StdinPump(spool, received, name);
  }
  read(into: Uint8Array, offset: number, length: number, position: number): number {
    if (length <= 0) return 0;
    // Past what came (the scanner reads one chunk after another, so never before now): stdin read up to there.
    if (position > this.received && !this.ended) {
      const skipped = new Uint8Array(Math.min(READ_CHUNK, position - this.received));
      while (position > this.received && !this.ended) this.take(skipped, 0, Math.min(skipped.length, position - this.received));
    }
    if (position < this.received) {
      // A span read again: from the spool, once the writer has put it there.
      const n = Math.min(length, this.received - position);
      this.pump.waitFor(position + n);
      return fs.readSync(this.spool, into, offset, n, position);
    }
    return this.ended ? 0 : this.take(into, offset, length);
  }
  /** Takes stdin into `into` until `length` bytes came or it ended. */
  private take(into: Uint8Array, offset: number, length: number): number {
    let got = 0;
    while (got < length) {
      const n = this.pump.take(into, offset + got, length - got);
      if (n === 0) {
        this.ended = true;
        break;
      }
      got += n;
      if (this.received + got > this.maxBytes) throw tooLarge(this.name, this.maxBytes, this.maxBytes, false, true);
    }
    this.received += got;
    progress(`reading ${this.name} (MiB)`, Math.round(this.received / 2 ** 20));
    return got;
  }
  /** Every byte that came is in the spool, and the pump's threads are gone. */
  finish(): void {
    this.pump.waitFor(this.received);
    this.pump.stop();
  }
  /** Stops the pump's threads (a failed scan). */
  abort(): void {
    this.pump.stop();
  }
  /** Reads the rest of stdin (the scan stopped before its end: it is not JSON there). */
  drain(): void {
    const scratch = new Uint8Array(READ_CHUNK);
    while (!this.ended) this.take(scratch, 0, READ_CHUNK);
  }
  close(): void {
    // The spool is closed by the reader that reads it after the scan.
  }
}

/** The pump's ring: this many slots of SLOT bytes in shared memory (32 MiB). */
const SLOTS = 32;
const SLOT = 1 << 20;
/**
 * Control words: slots read from stdin (the reader), written to the spool (the writer), taken by the scan
 * (this thread); stop (this thread); failed (the reader's and the writer's: an errno's index in ERRNOS + 2,
 * 1 for another error); started (each thread); stdin ended (the reader); freed (a slot came free).
 */
const FILLED = 0;
const WRITTEN = 1;
const TAKEN = 2;
const STOP = 3;
const FAILED_READ = 4;
const FAILED_WRITE = 5;
const STARTED_READ = 6;
const STARTED_WRITE = 7;
const ENDED = 8;
const FREED = 9;
const ERRNOS = ["ENOSPC", "EIO", "EDQUOT", "EFBIG", "EBADF", "EROFS", "EPERM", "EACCES", "EISDIR", "EINVAL"];
/** The ring's offset in the shared memory: 16 control words, the slots' lengths, the spool offset written up to. */
const HEADER = 64 + 4 * SLOTS + 8;
/** Past this long without a thread starting, the wait is a bug, not a slow disk or pipe. */
const START_WAIT_MS = 30_000;

// The pump's two threads, plain CommonJS run from this text (no file of their own to find in the bundle).
// Each says it started, and any error it meets is its FAILED word, so this thread never waits on a thread
// that is not there. The reader fills free slots from stdin; the writer puts filled slots in the spool.
const PUMP_COMMON = `
const { workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { sab, spool, start, slots, slot, errnos, header } = workerData;
const ctl = new Int32Array(sab, 0, 16);
const lens = new Int32Array(sab, 64, slots);
const done = new Float64Array(sab, 64 + 4 * slots, 1);
const ring = new Uint8Array(sab, header);
const fail = (i, e) => { Atomics.store(ctl, i, errnos.indexOf(e && e.code) + 2); Atomics.notify(ctl, 0); Atomics.notify(ctl, 1); };
`;
const PUMP_READER = `${PUMP_COMMON}
Atomics.store(ctl, ${STARTED_READ}, 1);
const pause = new Int32Array(new SharedArrayBuffer(4));
function run() {
  for (let f = 0; ; ) {
    // A free slot: taken by the scan and written to the spool.
    for (;;) {
      if (Atomics.load(ctl, ${STOP})) return;
      const freed = Atomics.load(ctl, ${FREED});
      if (f - Atomics.load(ctl, ${TAKEN}) < slots && f - Atomics.load(ctl, ${WRITTEN}) < slots) break;
      Atomics.wait(ctl, ${FREED}, freed, 100);
    }
    const s = f % slots;
    let got = 0;
    let ended = false;
    while (got < slot) {
      let n;
      try {
        n = fs.readSync(0, ring, s * slot + got, slot - got, null);
      } catch (e) {
        if (e.code === "EAGAIN") { Atomics.wait(pause, 0, 0, 1); continue; }
        if (e.code === "EINTR") continue;
        if (e.code !== "EOF") throw e;
        n = 0;
      }
      if (n === 0) { ended = true; break; }
      got += n;
      // A pipe gives what it holds: hand over what came rather than wait for a full slot.
      if (got >= 65536 && Atomics.load(ctl, ${TAKEN}) === f) break;
    }
    if (got) {
      lens[s] = got;
      Atomics.store(ctl, ${FILLED}, ++f);
      Atomics.notify(ctl, ${FILLED});
    }
    if (ended) {
      Atomics.store(ctl, ${ENDED}, 1);
      Atomics.notify(ctl, ${FILLED});
      return;
    }
  }
}
try {
  run();
} catch (e) {
  fail(${FAILED_READ}, e);
}
`;
const PUMP_WRITER = `${PUMP_COMMON}
Atomics.store(ctl, ${STARTED_WRITE}, 1);
function run() {
  for (let w = 0, pos = start; ; ) {
    let f = Atomics.load(ctl, ${FILLED});
    while (f === w) {
      if (Atomics.load(ctl, ${STOP}) || (Atomics.load(ctl, ${ENDED}) && Atomics.load(ctl, ${FILLED}) === w)) return;
      Atomics.wait(ctl, ${FILLED}, f, 100);
      f = Atomics.load(ctl, ${FILLED});
    }
    const s = w % slots;
    const len = lens[s];
    for (let off = 0; off < len; ) off += fs.writeSync(spool, ring, s * slot + off, len - off, pos + off);
    pos += len;
    done[0] = pos;
    Atomics.store(ctl, ${WRITTEN}, ++w);
    Atomics.notify(ctl, ${WRITTEN});
    Atomics.add(ctl, ${FREED}, 1);
    Atomics.notify(ctl, ${FREED});
  }
}
try {
  run();
} catch (e) {
  fail(${FAILED_WRITE}, e);
}
`;

/**
 * stdin pumped by two threads of its own while this one scans: one reads the pipe into a ring of shared
 * memory, one writes what came to the spool; this thread takes the bytes from the ring. Reading a pipe
 * and writing a file cost as much as the scan itself, and now happen beside it. Bounded by the ring: a
 * slot is reused once it is both taken and written. A span read again waits until it is in the spool.
 */
class StdinPump {
  private readonly ctl: Int32Array;
  private readonly lens: Int32Array;
  private readonly done: Float64Array;
  private readonly ring: Uint8Array;
  private readonly threads: import("node:worker_threads").Worker[];
  private readonly name: string;
  private readonly since = Date.now();
  /** Slots taken, and how much of the current one. */
  private taken = 0;
  private inSlot = 0;
  constructor(spool: number, start: number, name: string) {
    this.name = name;
    const sab = new SharedArrayBuffer(HEADER + SLOTS * SLOT);
    this.ctl = new Int32Array(sab, 0, 16);
    this.lens = new Int32Array(sab, 64, SLOTS);
    this.done = new Float64Array(sab, 64 + 4 * SLOTS, 1);
    this.done[0] = start;
    this.ring = new Uint8Array(sab, HEADER);
    const workerData = { sab, spool, start, slots: SLOTS, slot: SLOT, errnos: ERRNOS, header: HEADER };
    const W = workerThreads().Worker;
    this.threads = [new W(PUMP_READER, { eval: true, workerData }), new W(PUMP_WRITER, { eval: true, workerData })];
    for (const t of this.threads) t.unref();
  }
  /** Up to `length` bytes of stdin into `into`: what the ring holds, after waiting for some; 0 at its end. */
  take(into: Uint8Array, offset: number, length: number): number {
    for (;;) {
      const filled = Atomics.load(this.ctl, FILLED);
      if (this.taken < filled) {
        const s = this.taken % SLOTS;
        const len = this.lens[s]!;
        const n = Math.min(length, len - this.inSlot);
        into.set(this.ring.subarray(s * SLOT + this.inSlot, s * SLOT + this.inSlot + n), offset);
        this.inSlot += n;
        if (this.inSlot === len) {
          this.inSlot = 0;
          Atomics.store(this.ctl, TAKEN, ++this.taken);
          Atomics.add(this.ctl, FREED, 1);
          Atomics.notify(this.ctl, FREED);
        }
        return n;
      }
      if (Atomics.load(this.ctl, ENDED) && Atomics.load(this.ctl, FILLED) === this.taken) return 0;
      this.check();
      Atomics.wait(this.ctl, FILLED, filled, 100);
    }
  }
  /** Waits until the spool holds every byte before `end`. */
  waitFor(end: number): void {
    // The count of slots written is read first: the offset the writer stored before it is then current.
    for (let w = Atomics.load(this.ctl, WRITTEN); this.done[0]! < end; w = Atomics.load(this.ctl, WRITTEN)) {
      this.check();
      Atomics.wait(this.ctl, WRITTEN, w, 100);
    }
  }
  /** Stops both threads. */
  stop(): void {
    Atomics.store(this.ctl, STOP, 1);
    for (const i of [FILLED, WRITTEN, FREED]) Atomics.notify(this.ctl, i);
    for (const t of this.threads) void t.terminate();
  }
  private check(): void {
    for (const [i, what] of [
      [FAILED_READ, "reading"],
      [FAILED_WRITE, "writing"],
    ] as const) {
      const failed = Atomics.load(this.ctl, i);
      if (!failed) continue;
      const code = ERRNOS[failed - 2] ?? "an error";
      if (what === "writing") throw spoolError(this.name, Object.assign(new Error("write failed"), { code }));
      throw new InputError(this.name, `cannot be read (${code})`);
    }
    if ((!Atomics.load(this.ctl, STARTED_READ) || !Atomics.load(this.ctl, STARTED_WRITE)) && Date.now() - this.since > START_WAIT_MS) {
      throw new Error("the threads that read stdin did not start");
    }
  }
}

/** What of a stream has come: held in memory up to `first` bytes; past that, all of it in a spool. */
class Taken {
  readonly chunks: Buffer[] = [];
  total = 0;
  spool: number | undefined;
  private readonly name: string;
  private readonly first: number;
  constructor(name: string, first: number) {
    this.name = name;
    this.first = first;
  }
  add(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.spool === undefined && this.total > this.first) this.toSpool();
    else if (this.spool === undefined) return void this.chunks.push(chunk);
    writeAll(this.spool!, chunk, this.name, this.total - chunk.length);
  }
  /** The spool, made now if it was not yet, with everything that came in it. */
  toSpool(): number {
    if (this.spool === undefined) {
      this.spool = openSpool(this.name);
      let at = 0;
      for (const c of this.chunks) {
        writeAll(this.spool, c, this.name, at);
        at += c.length;
      }
      this.chunks.length = 0;
    }
    return this.spool;
  }
  close(): void {
    if (this.spool !== undefined) fs.closeSync(this.spool);
  }
}

/**
 * A stream read to its end: in memory or spooled. Small enough, it is read as text (unless it is plain
 * JSON past streamJsonFrom); larger, streamed (gzip inflated to a spool first).
 */
async function fromStream(taken: Taken, name: string, opts: OpenOptions, maxBytes: number, streamFrom: number, textOpts: LoadOptions): Promise<LoadedInput> {
  const { spool, total } = taken;
  if (spool === undefined) return asText(Buffer.concat(taken.chunks, total), name, opts, maxBytes, textOpts);
  if (total <= Math.min(streamFrom, maxBytes)) {
    if (streamsIfJson(opts, total) && !isGzip(firstBytes(spool))) {
      const input = await scannedIfJson(spool, name, opts);
      if (input) return input;
    }
    return asText(readBack(spool, total), name, opts, maxBytes, textOpts);
  }
  if (isGzip(firstBytes(spool))) return scanned(await inflateToSpool(fs.createReadStream("", { fd: spool, start: 0, autoClose: true }), name, maxBytes), name, opts);
  return scanned(spool, name, opts);
}

/** A stream's bytes, small enough, read as text (gzip that inflates past that is streamed after all). */
async function asText(bytes: Buffer, name: string, opts: OpenOptions, maxBytes: number, textOpts: LoadOptions): Promise<LoadedInput> {
  try {
    return loadBytes(bytes, name, textOpts);
  } catch (e) {
    if (!(e instanceof TooLargeError && isGzip(bytes))) throw e;
    return scanned(await inflateToSpool(nodeStream().Readable.from([bytes]), name, maxBytes), name, opts);
  }
}

/** A spool's bytes, read back whole, and the spool closed. */
function readBack(spool: number, total: number): Buffer {
  const bytes = Buffer.allocUnsafe(total);
  for (let off = 0; off < total; ) off += fs.readSync(spool, bytes, off, total - off, off) || total;
  fs.closeSync(spool);
  return bytes;
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

/** Writes all of `b` at `position` of a spool. */
function writeAll(fd: number, b: Uint8Array, name: string, position: number): void {
  try {
    for (let off = 0; off < b.length; ) off += fs.writeSync(fd, b, off, b.length - off, position + off);
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
