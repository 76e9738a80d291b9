// The page's worker: reads dumps and answers questions with the same library the command line runs
// (the loader's core, the analyses, the renderers), off the page's thread so a big dump never freezes
// it. Gzip is inflated here by the browser's DecompressionStream (the page's edge); the core never
// sees a Node built-in. Only plain data crosses to the page.
import { InputError } from "../diag.js";
import { loadBytes, loadText, MAX_TEXT_BYTES, type LoadedInput } from "../load/core.js";
import { useWasmSkip } from "../load/json-scan.js";
import { diffDocument, explainDocument, listenersDocument, overviewDocument, tlsCheckDocument } from "../documents.js";
import { diffOptionValues, explainOptions, OptionError } from "../analyses/options.js";
import { plainDocument, renderDocument } from "../render/output.js";
import { renderExplain } from "../render/explain.js";
import { renderOverview } from "../render/findings.js";
import { renderTlsCheck } from "../render/tlscheck.js";
import { renderDiff } from "../render/diff.js";
import { escapeTerminal } from "../render/sanitize.js";
import { startProgress, stopProgress } from "../progress.js";
import type { Answer, FromWorker, Loaded, Question, ToWorker } from "./protocol.js";

const inputs: (LoadedInput | undefined)[] = [undefined, undefined];

// The page's Content-Security-Policy allows its one script and nothing compiled from it: the scanner's
// WebAssembly skip loop would need 'wasm-unsafe-eval' (and its refusal is a violation the browser
// reports), so the page scans with the JavaScript loop, which gives the same answers.
useWasmSkip(false);

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(m, transfer);

/** The progress line the loader and the analyses write, as a message (the terminal's control codes dropped). */
function progressTo(id: number): void {
  startProgress((text) => {
    // eslint-disable-next-line no-control-regex
    const t = text.replace(/\r|\u001b\[K/g, "");
    if (t) post({ type: "progress", text: t, id });
  });
}

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Gzip inflated by the browser, at most `max` bytes (an InputError past it, as the command line says). */
async function inflate(bytes: Uint8Array, name: string, max = MAX_TEXT_BYTES): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > max) {
        await reader.cancel();
        throw new InputError(name, `gzip data inflates to more than ${Math.round(max / 2 ** 20)} MiB: refused`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(name, `is gzip data that does not inflate: ${(e as Error).message}`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The ports a person may ask about: the overview's (each port other hosts reach) and every listener's or chain's. */
function portsOf(input: LoadedInput): number[] {
  const ports = new Set<number>();
  try {
    for (const r of listenersDocument(input).listeners) {
      const p = r.match?.destinationPort ?? Number(r.address.split(":").pop());
      if (Number.isInteger(p) && p > 0 && p < 65536) ports.add(p);
    }
  } catch {
    // A dump whose listeners cannot be listed still answers questions; it just suggests no port.
  }
  return [...ports].sort((a, b) => a - b);
}

function summaryOf(input: LoadedInput): string {
  const n = (k: keyof LoadedInput) => (Array.isArray(input[k]) ? (input[k] as unknown[]).length : 0);
  return `${n("listeners")} listeners, ${n("clusters")} clusters, ${n("routes")} route configurations, ${n("endpoints")} endpoint assignments, ${n("secrets")} secrets`;
}

async function load(m: Extract<ToWorker, { type: "load" }>): Promise<Loaded> {
  let input: LoadedInput;
  if (m.bytes) {
    let bytes: Uint8Array = new Uint8Array(m.bytes);
    if (isGzip(bytes)) bytes = await inflate(bytes, m.name);
    input = loadBytes(bytes, m.name);
  } else input = loadText(m.text ?? "", m.name);
  inputs[m.slot] = input;
  return { file: input.file, ports: portsOf(input), summary: summaryOf(input) };
}

const EXPLAIN_FIELDS = ["port", "client", "sni", "alpn", "address", "host", "path"] as const;

function ask(q: Question): Answer {
  const [first, second] = inputs;
  if (!first) throw new InputError("Dump", "is empty: paste a dump, open a file or drop one here");
  if (second && q.view === "tls-check") {
    const doc = tlsCheckDocument(first, second, {});
    return { view: "tls-check", ...both(doc, renderTlsCheck) };
  }
  if (second && q.view === "diff") {
    const doc = diffDocument(first, second, diffOptionValues({ impact: true }, "field"));
    return { view: "diff", ...both(doc, renderDiff) };
  }
  if (!q.port) {
    const given = EXPLAIN_FIELDS.filter((k) => k !== "port" && q[k]);
    if (given.length) throw new OptionError(given[0]!, `${given[0]} explains a connection: it needs a port (without a port, the page gives the overview)`);
    const doc = overviewDocument(first, {});
    return { view: "overview", ...both(doc, renderOverview) };
  }
  const options = explainOptions(
    {
      port: q.port,
      client: q.client || undefined,
      sni: q.sni || undefined,
      alpn: q.alpn ? q.alpn.split(",").map((s) => s.trim()).filter(Boolean) : undefined,
      address: q.address || undefined,
      host: q.host || undefined,
      path: q.path || undefined,
    },
    "field",
  );
  const doc = explainDocument(first, options);
  return { view: "explain", ...both(doc, renderExplain) };
}

/** The table text and the Markdown, each exactly as `-o table` and `-o markdown` print them; the document as `-o json` gives it. */
function both<D extends object>(doc: D, human: (d: D, f: "table" | "markdown") => string): { table: string; markdown: string; doc: D } {
  // As the command line prints it: control characters shown escaped, one line break at the end.
  const md = escapeTerminal(renderDocument(doc, "markdown", human));
  return { table: escapeTerminal(renderDocument(doc, "table", human)), markdown: md.endsWith("\n") ? md : `${md}\n`, doc: plainDocument(doc) };
}

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  const t0 = performance.now();
  progressTo(m.id);
  try {
    if (m.type === "load") {
      const loaded = await load(m);
      post({ type: "loaded", slot: m.slot, loaded, id: m.id, ms: Math.round(performance.now() - t0) });
    } else if (m.type === "clear") {
      inputs[m.slot] = undefined;
    } else {
      const answer = ask(m.question);
      post({ type: "answer", answer, id: m.id, ms: Math.round(performance.now() - t0) });
    }
  } catch (e) {
    const bad = e instanceof InputError;
    const message = e instanceof InputError ? e.format() : `envoy-explain: a bug: ${(e as Error)?.stack ?? String(e)}`;
    if (m.type === "load") inputs[m.slot] = undefined;
    post({ type: "error", message, bad, id: m.id });
  } finally {
    stopProgress();
  }
};
