// Progress for work that takes more than a couple of seconds: one line on stderr, rewritten in
// place, only when stderr is a terminal (the CLI starts it; piped, it is never started). The work is
// synchronous, so the line is written from the hot paths themselves, at most every 250 ms.

type Sink = (text: string) => void;

let sink: Sink | undefined;
let clock: () => number = Date.now;
let started = 0;
let last = 0;
let shown = false;

/** Starts reporting to `write` (a terminal's stderr). */
export function startProgress(write: Sink, now: () => number = Date.now): void {
  sink = write;
  clock = now;
  started = now();
  last = 0;
  shown = false;
}

/** Stops reporting and clears the line if anything was shown. */
export function stopProgress(): void {
  if (sink && shown) sink("\r\u001b[K");
  sink = undefined;
  shown = false;
}

/** Where the work is: shown once it has run for 2 s, then at most every 250 ms. Cheap when not started. */
export function progress(phase: string, done?: number, total?: number): void {
  if (!sink) return;
  const now = clock();
  if (now - started < 2000 || now - last < 250) return;
  last = now;
  shown = true;
  const count = done !== undefined ? ` ${done}${total ? `/${total}` : ""}` : "";
  sink(`\r\u001b[K${phase}${count} (${Math.round((now - started) / 1000)} s)`);
}
