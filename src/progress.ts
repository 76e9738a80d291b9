// Progress for work that takes more than a couple of seconds: one line on stderr, rewritten in
// place, only when stderr is a terminal (the CLI starts it; piped, it is never started). The work is
// synchronous, so the line is written from the hot paths themselves, at most every 250 ms.

type Sink = (text: string) => void;
/** Told when a line comes up (true) and when it is cleared (false): the command's process clears it when interrupted meanwhile. */
export type ShownWatcher = (shown: boolean) => void;

let sink: Sink | undefined;
let watcher: ShownWatcher | undefined;
let clock: () => number = Date.now;
let started = 0;
let last = 0;
let shown = false;

/** Starts reporting to `write` (a terminal's stderr); `watch` hears when a line is up and when it is gone. */
export function startProgress(write: Sink, now: () => number = Date.now, watch?: ShownWatcher): void {
  sink = write;
  watcher = watch;
  clock = now;
  started = now();
  last = 0;
  shown = false;
}

/** Stops reporting and clears the line if anything was shown (also what an interrupted process calls, once). */
export function stopProgress(): void {
  const was = sink !== undefined && shown;
  if (was) sink!("\r\u001b[K");
  const w = watcher;
  sink = undefined;
  watcher = undefined;
  shown = false;
  if (was) w?.(false);
}

/** A line is on the terminal now, to be cleared. */
export function progressShown(): boolean {
  return sink !== undefined && shown;
}

/**
 * Where the work is: shown once it has run for 2 s, then at most every 250 ms. Cheap when not started;
 * a total that costs something to count is given as a function, called only when the line is written.
 */
export function progress(phase: string, done?: number, total?: number | (() => number)): void {
  if (!sink) return;
  const now = clock();
  if (now - started < 2000 || now - last < 250) return;
  last = now;
  const all = typeof total === "function" ? total() : total;
  const count = done !== undefined ? ` ${done}${all ? `/${all}` : ""}` : "";
  sink(`\r\u001b[K${phase}${count} (${Math.round((now - started) / 1000)} s)`);
  if (!shown) {
    shown = true;
    watcher?.(true);
  }
}
