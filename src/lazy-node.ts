// Node's built-in modules that only some inputs and commands use (gzip, a stream to spool, a live pod,
// a second thread, fingerprints and certificates), loaded when first used: imported up front, every
// command paid for loading them at start-up (about 4 ms), `--help` included.
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

export const zlib = (): typeof import("node:zlib") => load("node:zlib");
export const nodeStream = (): typeof import("node:stream") => load("node:stream");
export const streamPromises = (): typeof import("node:stream/promises") => load("node:stream/promises");
export const childProcess = (): typeof import("node:child_process") => load("node:child_process");
export const workerThreads = (): typeof import("node:worker_threads") => load("node:worker_threads");
export const crypto = (): typeof import("node:crypto") => load("node:crypto");
