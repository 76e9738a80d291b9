// A fleet thread: reads a dump and indexes it, or reads a server's dump again and replays the fleet's
// connections on it (fleetdoc.ts's steps, run here so that both cores work). One request at a time; what
// goes back is plain data. A dump that cannot be read comes back as its InputError's parts.
import fs from "node:fs";
import { parentPort } from "node:worker_threads";
import { InputError } from "./diag.js";
import { loadBytes } from "./load/dump.js";
import { shareDecodedResources } from "./load/input.js";
import { openInput, type OpenOptions } from "./load/open.js";
import { indexLoaded, replayLoaded } from "./fleetdoc.js";
import type { ReplayRequest, ServerPorts } from "./analyses/fleet.js";

export type FleetJob =
  | { id: number; op: "index"; file: string; path?: string; load: OpenOptions; findings?: { now?: string } }
  | { id: number; op: "replay"; file: string; path?: string; load: OpenOptions; server: ServerPorts; requests: ReplayRequest[] };

// A fleet's thread reads dumps of one mesh: equal resources are decoded once.
shareDecodedResources();

parentPort!.on("message", async (job: FleetJob) => {
  try {
    // A pod's dump was fetched to `path`: read from there, named as the pod.
    const input = job.path ? loadBytes(fs.readFileSync(job.path), job.file, job.load) : await openInput(job.file, job.load);
    let result: unknown;
    try {
      result =
        job.op === "index"
          ? indexLoaded(input, job.findings ? { findings: job.findings.now ? { now: new Date(job.findings.now) } : {} } : {})
          : replayLoaded(input, job.server, job.requests);
    } finally {
      input.close();
    }
    parentPort!.postMessage({ id: job.id, result });
  } catch (e) {
    if (e instanceof InputError) parentPort!.postMessage({ id: job.id, inputError: { file: e.file, message: e.message, line: e.line, column: e.column } });
    else parentPort!.postMessage({ id: job.id, bug: (e as Error)?.stack ?? String(e) });
  }
});
