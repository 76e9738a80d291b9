// The byte scanner at the command line's edge: a file descriptor as the bytes a SpanReader reads (a
// regular file, or the spool a stream was copied to), and the scan on a worker thread, so that a command
// reading two inputs scans both at once. The scanner itself is plain JavaScript (json-scan.ts).
import fs from "node:fs";
import { workerThreads } from "../lazy-node.js";
import { SpanReader as BytesReader, type ByteSource, type ScanOptions, type ScanResult } from "./json-scan.js";

export * from "./json-scan.js";

/** A file descriptor's bytes (the descriptor is closed with the source). */
export class FileSource implements ByteSource {
  readonly fd: number;
  readonly size: number;
  constructor(fd: number, size: number) {
    this.fd = fd;
    this.size = size;
  }
  read(into: Uint8Array, offset: number, length: number, position: number): number {
    return fs.readSync(this.fd, into, offset, length, position);
  }
  close(): void {
    fs.closeSync(this.fd);
  }
}

/** A SpanReader over a file descriptor: `new SpanReader(fd, size)`. */
export class SpanReader extends BytesReader {
  constructor(fd: number, size: number) {
    super(new FileSource(fd, size));
  }
}

/** The file descriptor a reader reads, for a worker thread to read it too. */
function fdOf(reader: BytesReader): number {
  if (!(reader.source instanceof FileSource)) throw new Error("a worker thread scans a file descriptor's bytes only");
  return reader.source.fd;
}

/**
 * scanJson on a worker thread, so that two inputs are scanned at once. The bundle runs its own
 * scan-worker.js; the sources (tests, development) run scan-worker.ts through tsx. Progress is relayed.
 */
export async function scanJsonInWorker(reader: BytesReader, opts: ScanOptions, signal?: AbortSignal): Promise<ScanResult> {
  const here = import.meta.url;
  const { onProgress, ...cloneable } = opts;
  const workerData = { fd: fdOf(reader), size: reader.size, opts: cloneable };
  const worker = here.endsWith(".ts")
    ? new (workerThreads().Worker)(`import("tsx/esm/api").then((a) => { a.register(); return import(${JSON.stringify(new URL("./scan-worker.ts", here).href)}); })`, { eval: true, workerData })
    : new (workerThreads().Worker)(new URL(here.includes("/chunks/") ? "../scan-worker.js" : "./scan-worker.js", here), { workerData });
  return new Promise<ScanResult>((resolve, reject) => {
    let done = false;
    // Not wanted any more (the command's other input failed): the thread stops now, not when it is through.
    signal?.addEventListener(
      "abort",
      () => {
        done = true;
        void worker.terminate();
        reject(signal.reason ?? new Error("aborted"));
      },
      { once: true },
    );
    worker.on("message", (m: { progress?: number; result?: ScanResult }) => {
      if (m.progress !== undefined) onProgress?.(m.progress);
      if (m.result) {
        done = true;
        resolve(m.result);
      }
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (!done) reject(new Error(`the scanning thread stopped (exit ${code}) before it finished`));
    });
  });
}
