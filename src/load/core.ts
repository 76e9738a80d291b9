// The loader's core: any supported input, as text, bytes or a scanned stream, into one LoadedInput.
// Text is read whole when it is one document (JSON, YAML, a dump pasted with comments and elisions);
// a page (a bug report, a docs page, a terminal session) is read block by block, and the block that
// holds Envoy config is used; several JSON documents one after another (contour cli's responses) are
// one stream. The shapes of the value read are the recognizers' (recognizers/index.ts).
// Plain JavaScript: no Node built-in, so it runs unchanged in a browser's worker; files, stdin, gzip
// through zlib, the spool and worker threads are the command line's edge (dump.ts, read.ts, open.ts).
import { InputError } from "../diag.js";
import { progress } from "../progress.js";
import { timed } from "../timings.js";
import { looksLikeYaml, parseText, type ParsedText } from "./parse.js";
import { decodeText, emptyInput } from "./decode.js";
import { EMPTY_INPUT, scanJson, type ScanOptions, type ScanResult, type SpanReader } from "./json-scan.js";
import { LoadedInput, type LoadOptions } from "./input.js";
import { extract } from "./extract.js";
import { LISTENER_LISTS, RESOURCE_LISTS } from "./sections.js";
import { jsonDocuments, pageBlocks, type Block, type JsonDocument } from "./page.js";
import { xdsStream } from "./recognizers/xds-stream.js";
import type { TextSource } from "./locate.js";

export * from "./input.js";
export { resourceKind } from "./sections.js";
export { TooLargeError, MAX_TEXT_BYTES, DEFAULT_MAX_BYTES, parseSize } from "./decode.js";

/**
 * Text longer than this (in characters) is not kept for locate() when it can be had again: a regular
 * file is read again (and inflated) when locate is called, and a Buffer given to loadBytes is kept in
 * its place. Below it, the text itself is kept (a reference, never a copy), which costs nothing at
 * load and keeps the text alive as long as the input.
 */
export const KEEP_TEXT_CHARS = 16 * 2 ** 20;

/** A page's blocks read at most (a page of thousands of blocks is read up to here, and says so). */
const MAX_BLOCKS = 1000;

/** Bytes already read (a pipe, kubectl's output, a file a browser was given): gzip (with opts.inflate), UTF-16 and limits as for a file. */
export function loadBytes(bytes: Uint8Array, name: string, opts: LoadOptions = {}): LoadedInput {
  checkBlock(name, opts.block);
  const text = timed("read", () => decodeText(name, bytes, opts));
  // A large text: its bytes are kept for locate() in its place (as large or smaller: gzip, UTF-16), decoded again when asked (loadText keeps a small one).
  return loadText(text, name, opts, () => decodeText(name, bytes, opts));
}

/** `again`: how to have the text again for locate() (then a large text is not kept); by default the text is kept. */
export function loadText(text: string, file: string, opts: LoadOptions = {}, again?: () => string | undefined): LoadedInput {
  checkBlock(file, opts.block);
  try {
    return readText(text, file, opts, again && text.length > KEEP_TEXT_CHARS ? again : () => text);
  } catch (e) {
    // Nesting deeper than the stack (a library's caller has less of it than the command line): bad input, not a bug.
    if (e instanceof RangeError && /call stack|too much recursion/i.test(e.message)) {
      throw new InputError(file, "is nested too deeply to read (the reader ran out of stack); Envoy itself refuses config nested more than 100 messages deep");
    }
    throw e;
  }
}

/** The block option as the loader takes it (the CLI and the library check it first, in options.ts's words). */
function checkBlock(file: string, block: number | undefined): void {
  if (block !== undefined && !(Number.isInteger(block) && block >= 1)) throw new InputError(file, `block must be a whole number from 1 (the first code block), not ${String(block)}`);
}

/** One way to read part of a page (a block, or one JSON document of several), numbered as the notes number it. */
interface Candidate {
  /** Where it is, for notes: "line 61, text bash json, output of `istioctl …`". */
  where: string;
  line: number;
  read: () => LoadedInput;
}

function readText(text: string, file: string, opts: LoadOptions, whole: TextSource["text"]): LoadedInput {
  progress(`parsing ${file}`);
  let jsonError: unknown;
  try {
    const value: unknown = timed("parse", () => JSON.parse(text));
    if (opts.block !== undefined && opts.block > 1) throw new InputError(file, `holds one block (one JSON document): --block ${opts.block} is past it`);
    return extracted(new LoadedInput(file), { value, syntax: "json", elided: [] }, opts, { text: whole, syntax: "json" });
  } catch (e) {
    if (e instanceof InputError) throw e;
    jsonError = e;
  }
  const blocks = pageBlocks(text);
  if (!blocks) {
    // One document, read as such (JSON with every tolerance, or YAML). Several JSON documents one after
    // another (contour cli's output, two dumps pasted into a note) are looked for only when that reading
    // left text after its JSON, or failed: a dump read whole costs no second pass.
    let single: LoadedInput | undefined;
    let failed: InputError | undefined;
    try {
      single = readRegion(text, file, opts, whole, { jsonError });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      failed = e;
    }
    const textAfter = !single || single.diags.list.some((d) => d.code === "surrounding-text" && /after/.test(d.message));
    const candidates = textAfter ? candidatesOf(text, file, opts, whole, undefined) : [];
    if (candidates.length > 1) return readPage(file, opts, candidates);
    if (opts.block !== undefined && opts.block > 1) throw new InputError(file, `holds one block (one document): --block ${opts.block} is past it`);
    if (candidates.length === 1) return candidates[0]!.read();
    if (single) return single;
    throw failed!;
  }
  // YAML whose block scalars hold a fence or a prompt line is still one document when it reads as Envoy config.
  if (looksLikeYaml(text)) {
    try {
      const input = readRegion(text, file, opts, whole, { jsonError });
      if (holdsConfig(input) && (opts.block === undefined || opts.block === 1)) return input;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
  }
  const candidates = candidatesOf(text, file, opts, whole, blocks);
  // Fences or prompts around nothing: the text is read whole, as one document.
  if (!candidates.length) {
    if (opts.block !== undefined && opts.block > 1) throw new InputError(file, `--block ${opts.block}: the text holds no code block`);
    return readRegion(text, file, opts, whole, { jsonError });
  }
  return readPage(file, opts, candidates);
}

/** The blocks of a page, or the JSON documents of a text (or block) that holds several, as candidates in order. */
function candidatesOf(text: string, file: string, opts: LoadOptions, whole: TextSource["text"], blocks: Block[] | undefined): Candidate[] {
  const out: Candidate[] = [];
  const regions: (Block | undefined)[] = blocks ?? [undefined];
  for (const b of regions) {
    const start = b?.start ?? 0;
    const end = b?.end ?? text.length;
    const where = (line: number) => [`line ${line}`, b?.lang ? b.lang : "", b?.command !== undefined ? `output of \`${b.command}\`` : ""].filter(Boolean).join(", ");
    const { docs } = jsonDocuments(text, start, end);
    const values = docs.length >= 2 ? timed("parse", () => parseEach(text, docs)) : undefined;
    if (values && xdsStream.detect(values, undefined)) {
      // One stream: the responses (and the requests between them) read together.
      out.push({ where: where(docs[0]!.line), line: docs[0]!.line, read: () => documentsInput(file, opts, whole, docs, values) });
      continue;
    }
    if (values) {
      docs.forEach((d, i) => out.push({ where: where(d.line), line: d.line, read: () => documentsInput(file, opts, whole, [d], [values[i]]) }));
      continue;
    }
    if (!b) continue; // the whole text, one document: read as such by the caller
    const prefix = "\n".repeat(b.line - 1);
    const regionText = prefix + text.slice(start, end);
    const again: TextSource["text"] = () => {
      const t = whole();
      return t === undefined ? undefined : prefix + t.slice(start, end);
    };
    out.push({ where: where(b.line), line: b.line, read: () => readRegion(regionText, file, opts, again, { block: b }) });
  }
  return out;
}

/** Each document parsed, or undefined when one is not JSON (the block is then read as one, with every tolerance). */
function parseEach(text: string, docs: JsonDocument[]): unknown[] | undefined {
  const values: unknown[] = [];
  for (const d of docs) {
    try {
      values.push(JSON.parse(text.slice(d.start, d.end)));
    } catch {
      return undefined;
    }
  }
  return values;
}

/** JSON documents read as one input: one of them as itself, several (a stream) as one list, located document by document. */
function documentsInput(file: string, opts: LoadOptions, whole: TextSource["text"], docs: JsonDocument[], values: unknown[]): LoadedInput {
  const input = new LoadedInput(file);
  if (docs.length === 1) {
    const d = docs[0]!;
    return extracted(input, { value: values[0], syntax: "json", elided: [], embeddedAt: d.line, embeddedColumn: d.column }, opts, { text: whole, syntax: "json", embedded: { line: d.line, column: d.column } });
  }
  input.diags.note("documents", `${docs.length} JSON documents one after another (lines ${docs[0]!.line}-${docs[docs.length - 1]!.line}), read as one list`);
  return extracted(input, { value: values, syntax: "json", elided: [] }, opts, { text: whole, syntax: "json" }, docs.map((d) => ({ line: d.line, column: d.column })));
}

function extracted(input: LoadedInput, parsed: ParsedText, opts: LoadOptions, source: TextSource, documents?: { line: number; column: number }[]): LoadedInput {
  const done = timed("extract", () => extract(input, parsed, opts));
  done.attachText(source, documents);
  return done;
}

/**
 * One document as text (the whole input, or a block of a page with the lines before it blank, so that
 * lines are the page's): JSON, JSON with every tolerance for pasted dumps, or YAML. Text that starts like
 * YAML but holds no Envoy config as YAML ("Output:" over an indented JSON block pasted into a note) is
 * read again for its JSON block.
 */
function readRegion(text: string, file: string, opts: LoadOptions, again: TextSource["text"], how: { jsonError?: unknown; block?: Block }): LoadedInput {
  const input = new LoadedInput(file);
  const parsed = timed("parse", () => parseText(text, file, input.diags, how.jsonError !== undefined ? { jsonError: how.jsonError } : {}));
  const read = (into: LoadedInput, p: ParsedText): LoadedInput => {
    // A block of a page: an error names it by its line, as a JSON block inside other text does.
    if (how.block && p.embeddedAt === undefined) p = { ...p, embeddedAt: how.block.line, embeddedColumn: 1 };
    const done = timed("extract", () => extract(into, p, opts));
    done.attachText({ text: again, syntax: p.syntax, ...(p.embeddedAt && p.syntax !== "yaml" ? { embedded: { line: p.embeddedAt, column: p.embeddedColumn ?? 1 } } : {}) });
    return done;
  };
  if (parsed.syntax !== "yaml" || !/^[ \t]*[{[]/m.test(text)) return read(input, parsed);
  try {
    return read(input, parsed);
  } catch (e) {
    if (!(e instanceof InputError) || !/not an Envoy config dump/.test(e.message)) throw e;
    const retry = new LoadedInput(file);
    const block = timed("parse", () => parseText(text, file, retry.diags, { jsonBlock: true }));
    if (block.syntax === "yaml") throw e;
    try {
      return read(retry, block);
    } catch {
      throw e;
    }
  }
}

/** Whether an input read holds Envoy config (resources, a dump's sections, or listeners Envoy rejected). */
function holdsConfig(input: LoadedInput): boolean {
  return input.resourceCount() > 0 || input.sections.size > 0 || input.rejectedListeners.length > 0 || input.failedUpdates.length > 0;
}

/** What an error said, for a note about a block: its sentence without the block's own name. */
function reason(e: InputError): string {
  const m = e.message.replace(/^the (?:JSON|YAML) block at line \d+ \(the text around it ignored\) is /, "").replace(/^(?:JSON|YAML), but /, "");
  return `${m}${e.line ? ` (line ${e.line})` : ""}`;
}

/**
 * A page of several blocks: each read on its own; the one --block names, else the first that holds
 * Envoy config. The others are said in notes (-v), and those that hold config too in a warning.
 */
function readPage(file: string, opts: LoadOptions, candidates: Candidate[]): LoadedInput {
  const tried: { n: number; c: Candidate; input?: LoadedInput; why?: string }[] = [];
  const count = candidates.length;
  const want = opts.block;
  const tryOne = (c: Candidate, n: number) => {
    try {
      const input = c.read();
      return holdsConfig(input) ? { n, c, input } : { n, c, why: input.diags.list.find((d) => d.code === "empty")?.message ?? "holds no resources" };
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return { n, c, why: reason(e) };
    }
  };
  let chosen: (typeof tried)[number] | undefined;
  if (want !== undefined) {
    // Only the block asked for is read.
    const c = candidates[want - 1];
    if (!c) {
      const listed = candidates.slice(0, 20).map((x, i) => `${i + 1} at line ${x.line}`).join(", ");
      throw new InputError(file, count ? `--block ${want}: the page has ${count} block${count === 1 ? "" : "s"} (${listed}${count > 20 ? ", …" : ""})` : `--block ${want}: the text holds no code block`);
    }
    chosen = tryOne(c, want);
    if (!chosen.input) throw new InputError(file, `block ${want} (${c.where}) holds no Envoy config: ${chosen.why}`, c.line);
  } else {
    candidates.slice(0, MAX_BLOCKS).forEach((c, i) => tried.push(tryOne(c, i + 1)));
    chosen = tried.find((t) => t.input);
    if (!chosen) {
      if (tried.length === 1) return candidates[0]!.read(); // its own error, as a text of one block gives it
      const list = tried.map((t) => `block ${t.n} (${t.c.where}): ${t.why}`).join("; ");
      throw new InputError(file, `none of the ${count} blocks on this page holds Envoy config: ${list}`);
    }
  }
  const input = chosen.input!;
  input.block = chosen.n;
  input.diags.note("block", `read block ${chosen.n} of ${count} (${chosen.c.where})`, { line: chosen.c.line });
  for (const t of tried) {
    if (t === chosen || t.input || t.why === undefined) continue;
    input.diags.note("skipped-block", `block ${t.n} (${t.c.where}) skipped: ${t.why}`, { line: t.c.line });
  }
  if (count > MAX_BLOCKS) input.diags.note("skipped-block", `the page has ${count} blocks: those after block ${MAX_BLOCKS} were not read`);
  const others = tried.filter((t) => t.input && t !== chosen).map((t) => t.n);
  if (others.length) {
    input.diags.warn("several-blocks", `block${others.length === 1 ? "" : "s"} ${others.join(", ")} also hold${others.length === 1 ? "s" : ""} Envoy config: block ${chosen.n} (the first) is read; --block N reads another`);
  }
  return input;
}

/** What the loader asks the scanner for: the resource lists (listeners hinted deeper), and progress. */
export function streamScanOptions(reader: SpanReader, file: string, opts: { assembleAbove?: number } = {}): ScanOptions {
  return {
    resourceLists: RESOURCE_LISTS,
    deepHints: LISTENER_LISTS,
    ...(opts.assembleAbove !== undefined ? { assembleAbove: opts.assembleAbove } : {}),
    onProgress: (n) => progress(`reading ${file} (MiB)`, Math.round(n / 2 ** 20), Math.round(reader.size / 2 ** 20)),
  };
}

/**
 * An input too large for one string, or streamed by choice: scanned once from a seekable file (here,
 * or already on a worker thread with streamScanOptions), each resource parsed on its own when used.
 */
export function loadScanned(reader: SpanReader, file: string, opts: LoadOptions & { assembleAbove?: number } = {}, scanned?: ScanResult): LoadedInput {
  checkBlock(file, opts.block);
  if (opts.block !== undefined && opts.block > 1) throw new InputError(file, `is read as a stream (one JSON document): --block ${opts.block} is past it`);
  const input = new LoadedInput(file);
  input.attachSource(reader);
  const r = scanned ?? timed("scan", () => scanJson(reader, streamScanOptions(reader, file, opts)));
  const cut = r.cut ? { kind: r.cut.kind, path: r.cut.path, reason: r.cut.reason, ...reader.position(r.cut.offset) } : undefined;
  if (r.value === undefined && cut) {
    // Nothing at all was JSON: YAML, or a dump pasted into text, which only the text reader (up to 512 MiB) takes.
    if (cut.reason === EMPTY_INPUT) throw emptyInput(file);
    throw new InputError(file, `is not JSON (${cut.reason}): an input read as a stream (past 512 MiB) must be plain JSON, not YAML or a dump pasted into text`, cut.line, cut.column);
  }
  for (const at of r.invalid.slice(0, 20)) input.diags.warn("syntax", "not valid JSON: left out", reader.position(at));
  return timed("extract", () => extract(input, { value: r.value, syntax: "json", elided: [], ...(cut ? { cut } : {}) }, opts, { lazy: r.lazy, fields: r.fields, reader }));
}
