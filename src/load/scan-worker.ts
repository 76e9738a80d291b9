// The scanner on a worker thread: a command that reads two inputs scans one here while the main
// thread scans the other (2 cores: both at once). The file descriptor is the process's, shared with
// the thread; what comes back is the scan's result, cloned (objects, lists and the maps between them).
import { parentPort, workerData } from "node:worker_threads";
import { scanJson, SpanReader, type ScanOptions } from "./scan.js";

const { fd, size, opts } = workerData as { fd: number; size: number; opts: ScanOptions };
// The reader is not closed here: the descriptor stays the main thread's.
const result = scanJson(new SpanReader(fd, size), { ...opts, onProgress: (bytes) => parentPort!.postMessage({ progress: bytes }) });
parentPort!.postMessage({ result });
