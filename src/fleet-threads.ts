// The fleet's steps on worker threads (fleet-worker.ts), one per core: 1,000 dumps are read and indexed
// two at a time on this 2-core machine while this thread only pairs and collects. A thread that dies
// fails the command (a bug, exit 3); a dump that cannot be read fails alone (its InputError).
import os from "node:os";
import { workerThreads } from "./lazy-node.js";
import { InputError } from "./diag.js";
import type { OpenOptions } from "./load/open.js";
import type { FleetMember, FleetSteps, IndexedMember } from "./fleetdoc.js";
import type { ReplayAnswer } from "./analyses/fleet.js";
import type { FleetJob } from "./fleet-worker.js";

/** A fleet member the threads can read: a file, or a pod's dump fetched to `path` (named by `file`, pod/NAME.NS). */
export interface ThreadMember extends FleetMember {
  path?: string;
}

type Worker = import("node:worker_threads").Worker;
type Pending = { resolve(v: unknown): void; reject(e: unknown): void };

/** How many threads: one per core the process may use, at most `max`. */
export function threadCount(max = 8): number {
  const n = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(max, n));
}

/**
 * A thread's young generation, in MiB: most of what a dump's reading makes dies when the dump is done,
 * and a young generation that holds a dump's worth collects it in a few scavenges instead of many (V8's
 * default is 16 MiB of semi-space).
 */
const YOUNG_MB = 96;

function startWorker(): Worker {
  const here = import.meta.url;
  const W = workerThreads().Worker;
  const resourceLimits = { maxYoungGenerationSizeMb: YOUNG_MB };
  return here.endsWith(".ts")
    ? new W(`import("tsx/esm/api").then((a) => { a.register(); return import(${JSON.stringify(new URL("./fleet-worker.ts", here).href)}); })`, { eval: true, resourceLimits })
    : new W(new URL(here.includes("/chunks/") ? "../fleet-worker.js" : "./fleet-worker.js", here), { resourceLimits });
}

/** Steps that run on `threads` worker threads; each thread takes one job at a time. */
export function threadSteps(load: OpenOptions, threads = threadCount()): FleetSteps & { concurrency: number } {
  const workers: Worker[] = [];
  const idle: Worker[] = [];
  const waiting: ((w: Worker) => void)[] = [];
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let failure: unknown;
  const take = (): Promise<Worker> => {
    if (failure) return Promise.reject(failure);
    const w = idle.pop();
    if (w) return Promise.resolve(w);
    if (workers.length < threads) {
      const nw = startWorker();
      nw.unref();
      nw.on("message", (m: { id: number; result?: unknown; inputError?: { file: string; message: string; line?: number; column?: number }; bug?: string }) => {
        const p = pending.get(m.id);
        pending.delete(m.id);
        give(nw);
        if (!p) return;
        if (m.inputError) p.reject(new InputError(m.inputError.file, m.inputError.message, m.inputError.line, m.inputError.column));
        else if (m.bug !== undefined) p.reject(new Error(`a fleet thread failed: ${m.bug}`));
        else p.resolve(m.result);
      });
      const die = (e: unknown) => {
        failure ??= e instanceof Error ? e : new Error(`a fleet thread stopped: ${String(e)}`);
        for (const p of pending.values()) p.reject(failure);
        pending.clear();
      };
      nw.on("error", die);
      nw.on("exit", (code) => {
        if (code !== 0 || pending.size) die(new Error(`a fleet thread exited with ${code}`));
      });
      workers.push(nw);
      return Promise.resolve(nw);
    }
    return new Promise((r) => waiting.push(r));
  };
  const give = (w: Worker) => {
    const next = waiting.shift();
    if (next) next(w);
    else idle.push(w);
  };
  const send = async <T>(job: Omit<FleetJob, "id">, m: ThreadMember): Promise<T> => {
    const w = await take();
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.ref();
      w.postMessage({ ...job, id, file: m.file, ...(m.path ? { path: m.path } : {}) } as FleetJob);
    }).finally(() => w.unref());
  };
  return {
    concurrency: threads,
    index: (m, o) => send<IndexedMember>({ op: "index", file: m.file, load, ...(o.findings ? { findings: o.findings.now ? { now: o.findings.now.toISOString() } : {} } : {}) } as Omit<FleetJob, "id">, m as ThreadMember),
    replay: (m, server, requests) => send<[string, ReplayAnswer][]>({ op: "replay", file: m.file, load, server, requests } as Omit<FleetJob, "id">, m as ThreadMember),
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
