#!/usr/bin/env node
// The envoy-explain command: runs the CLI on the process's arguments and streams, and sets the exit code.
import vm from "node:vm";
import { hideBin } from "yargs/helpers";
import { stopProgress } from "./progress.js";
import { startTimings, timed, timingsReport } from "./timings.js";
import { VERSION } from "./version.js";

// ENVOY_EXPLAIN_TIMINGS=1: where the time went (start-up, then each phase: read, scan, parse, decode…), as
// one JSON line on stderr at exit, for the benchmark (scripts/bench.mjs) and for a slow dump. Never otherwise.
if (process.env.ENVOY_EXPLAIN_TIMINGS === "1") {
  startTimings();
  process.on("exit", () => {
    try {
      process.stderr.write(`${JSON.stringify({ timings: timingsReport() })}\n`);
    } catch {
      // stderr gone (a closed pipe): nothing to tell.
    }
  });
}

// A reader that went away (`| head -1`) is not an error: stop quietly, with success.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

// Interrupted (Ctrl-C, kill) while a progress line is on the terminal: the line is cleared, then the
// process ends by the same signal, as the shell expects (exit status 130, 143).
//
// A JavaScript handler runs only when the thread is free, and the long work is synchronous. So the CLI
// runs its synchronous stretches through `interruptible`, where Node's SIGINT watchdog (vm's
// breakOnSigint) stops them at once, and the SIGINT handler below takes the waits in between (stdin, a
// worker's scan): Ctrl-C ends the work as promptly as without a handler, but for the synchronous work the
// loader does after a wait of its own (parsing what stdin gave), which it ends when that is done. The SIGINT handler goes in at
// the start (one added inside an interruptible stretch would take SIGINT from the watchdog); the SIGTERM
// handler once a line has come up (before, the default ends the process at once), and it takes effect
// when the thread is next free. Neither is removed before the end: a signal caught while the thread was
// busy is not lost.
const INTERRUPTS = ["SIGINT", "SIGTERM"] as const;
function die(signal: NodeJS.Signals): never {
  stopProgress();
  for (const s of INTERRUPTS) process.removeListener(s, interrupted);
  // No listener left: the signal's default ends the process, here.
  process.kill(process.pid, signal);
  process.exit(signal === "SIGINT" ? 130 : 143);
}
function interrupted(signal: NodeJS.Signals): void {
  die(signal);
}
function progressShown(shown: boolean): void {
  if (shown && !process.listeners("SIGTERM").includes(interrupted)) process.on("SIGTERM", interrupted);
}
if (process.stderr.isTTY) process.on("SIGINT", interrupted);

const WORK = Symbol.for("envoy-explain.interruptible");
const runWork = new vm.Script("globalThis[Symbol.for('envoy-explain.interruptible')]()", { filename: "envoy-explain:interruptible" });
/**
 * Runs synchronous work so that SIGINT stops it at once (the line cleared, the process ended by the signal).
 * It is the command's work (reading its inputs, the analyses, rendering): timed as "analyse" but for the
 * finer phases the loader and the renderer mark inside it.
 */
function interruptible<T>(work: () => T): T {
  const g = globalThis as unknown as Record<symbol, (() => unknown) | undefined>;
  const outer = g[WORK];
  g[WORK] = () => timed("analyse", work);
  try {
    return runWork.runInThisContext({ breakOnSigint: true }) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") die("SIGINT");
    throw e;
  } finally {
    g[WORK] = outer;
  }
}

// `--version` alone (what scripts and package managers ask) is answered without loading the command
// line's parser and commands; with anything else it is yargs' as always.
if (process.argv.length === 3 && process.argv[2] === "--version") process.stdout.write(`${VERSION}\n`);
else {
  const { runCli, STDIN } = await import("./cli.js");
  const code = await runCli(
    hideBin(process.argv).map((a) => (a === "-" ? STDIN : a)),
    { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), isTTY: process.stdout.isTTY === true, stderrIsTTY: process.stderr.isTTY === true, onProgress: progressShown, interruptible },
  );
  process.exitCode = code;
}
