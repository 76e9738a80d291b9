// A one-pass byte scanner for JSON too large to hold as one string (V8 holds at most 512 MiB).
//
// It reads a seekable file in chunks and follows the JSON structure without building it. Containers
// near the top (the dump, its `configs`, each section, each section's lists) are tracked: their
// children are recorded as byte spans. When a tracked container closes:
//   - a list of resources (a config dump section's list, `resources`, a top-level list) is left as an
//     empty array whose element spans are kept aside, each with a hint of what the scan saw in it
//     (names, `@type`, versions; for listener lists also where each field of the listener is, so all
//     but its chains can be read alone): the loader parses an element only when it needs it, and what
//     it does not keep costs no memory;
//   - a container that holds such a list, and any other container larger than `assembleAbove`, is
//     built from its children (each small child parsed with JSON.parse on its span); a smaller one is
//     parsed whole by its parent.
// Anything deeper than the tracked levels, and any container inside a resource that leaves no hint, is
// skipped byte by byte (strings and nesting only, in skipNested); the frames are an explicit stack, so
// nesting costs no recursion. The result is the value JSON.parse
// would give, except for the lists of spans; a value JSON.parse refuses inside valid structure is
// scanned again so only the bad part is lost.
//
// Plain JavaScript over bytes (Uint8Array, TextDecoder): where the bytes come from is a ByteSource, a
// file descriptor at the command line's edge (scan.ts), a Blob or an ArrayBuffer in a browser.
import { childPath } from "../diag.js";
import { SKIP_WASM } from "../gen/skip-wasm.js";
import { canonicalKey } from "./keys.js";

export interface Span {
  start: number;
  end: number;
  /** The element already built (a cut-off one). */
  value?: unknown;
  /** What the scanner saw of the element without parsing it: its names, types and versions, and the same of the objects inside it (one level down; two for deepHints lists). */
  hint?: Record<string, unknown>;
}

/** Where each field of a hinted object is in the file: its keys (as written) and value spans, in order. */
export interface HintFields {
  keys: string[];
  starts: number[];
  ends: number[];
}

/** Scalars a resource list element's hint keeps: enough to name and place the resource without parsing it (keys in canonicalKey form, as the loader matches them). */
const HINT_KEYS = new Set(["name", "cluster_name", "@type", "version_info", "last_updated"].map(canonicalKey));

const hintKeyCache = new Map<string, boolean>();
/** Whether a key (as written) is one of HINT_KEYS; keys repeat, so each is looked at once. */
function isHintKey(k: string): boolean {
  let yes = hintKeyCache.get(k);
  if (yes === undefined) {
    yes = HINT_KEYS.has(canonicalKey(k));
    if (hintKeyCache.size < 10_000) hintKeyCache.set(k, yes);
  }
  return yes;
}

/** SpanReader keeps this many windows, each up to this size (a read of n bytes reads a window of 16n, at least 4 KiB). */
const WINDOW = 1 << 20;
const WINDOWS = 4;

/** Bytes to scan and read again: a regular file, a spool file the input was copied to, a buffer in memory. */
export interface ByteSource {
  /** How many bytes there are. */
  readonly size: number;
  /** Reads up to `length` bytes from `position` into `into` at `offset`; how many were read (0 at the end). */
  read(into: Uint8Array, offset: number, length: number, position: number): number;
  close(): void;
}

/** Bytes in memory as a ByteSource. */
export class MemorySource implements ByteSource {
  readonly size: number;
  private readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.size = bytes.length;
  }
  read(into: Uint8Array, offset: number, length: number, position: number): number {
    const n = Math.max(0, Math.min(length, this.size - position));
    into.set(this.bytes.subarray(position, position + n), offset);
    return n;
  }
  close(): void {}
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** A few texts searched for again and again (mayContain's), as bytes. */
const encodedTexts = new Map<string, Uint8Array>();
function encoded(text: string): Uint8Array {
  let bytes = encodedTexts.get(text);
  if (!bytes) {
    bytes = encoder.encode(text);
    if (encodedTexts.size < 256) encodedTexts.set(text, bytes);
  }
  return bytes;
}

/** Where `needle` first occurs in `hay`, or -1. */
function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0) return 0;
  const first = needle[0]!;
  const last = hay.length - needle.length;
  for (let i = hay.indexOf(first); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

/** Random access to the bytes being scanned (a ByteSource), with a few windows kept. */
export class SpanReader {
  readonly source: ByteSource;
  readonly size: number;
  constructor(source: ByteSource) {
    this.source = source;
    this.size = source.size;
  }
  private closed = false;
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.source.close();
  }
  /** Whether the bytes from start to end hold any of these texts (one pass, a chunk at a time). */
  contains(start: number, end: number, ...texts: string[]): boolean {
    const needles = texts.map(encoded);
    const longest = Math.max(1, ...needles.map((n) => n.length));
    const chunk = Math.max(8 << 20, 2 * longest);
    for (let at = start; at < end; at += chunk - longest + 1) {
      const buf = this.bytes(at, Math.min(end, at + chunk));
      if (needles.some((n) => indexOfBytes(buf, n) !== -1)) return true;
      if (at + chunk >= end) break;
    }
    return false;
  }
  /**
   * Whether the bytes from start to end, read as text, may match a pattern (of ASCII: a key, an
   * escape): tested in one piece up to 32 MiB; a longer span may (a match could straddle any split).
   */
  mayMatch(start: number, end: number, pattern: RegExp): boolean {
    if (end - start > 32 << 20) return true;
    return pattern.test(utf8.decode(this.bytes(start, end)));
  }
  /** Parses spans that follow one another, read from the file in one piece; undefined for one that is not JSON. */
  parseEach(spans: { start: number; end: number }[]): unknown[] {
    if (!spans.length) return [];
    const base = spans[0]!.start;
    const buf = this.bytes(base, spans[spans.length - 1]!.end);
    return spans.map((s) => {
      try {
        return JSON.parse(utf8.decode(buf.subarray(s.start - base, s.end - base)));
      } catch {
        return undefined;
      }
    });
  }
  /** The last few windows read: resources used one after another (a list's elements) are read from the file once per window, not once each. */
  private windows: { start: number; buf: Uint8Array }[] = [];
  private bytes(start: number, end: number): Uint8Array {
    if (this.closed) throw new Error("the streamed input was closed");
    for (const w of this.windows) if (start >= w.start && end <= w.start + w.buf.length) return w.buf.subarray(start - w.start, end - w.start);
    if (end - start >= WINDOW) return this.readRange(start, end);
    // Sized to the read: elements parsed one after another share a window, and a few small fields of a
    // large resource (a listener's outline around its chains) do not pull in the resource.
    const size = Math.min(WINDOW, Math.max(4096, 16 * (end - start)));
    const buf = this.readRange(start, Math.min(this.size, start + size));
    this.windows.unshift({ start, buf });
    if (this.windows.length > WINDOWS) this.windows.pop();
    return buf.subarray(0, Math.min(end - start, buf.length));
  }
  private readRange(start: number, end: number): Uint8Array {
    const buf = new Uint8Array(end - start);
    let off = 0;
    while (off < buf.length) {
      const n = this.source.read(buf, off, buf.length - off, start + off);
      if (n === 0) break;
      off += n;
    }
    return off === buf.length ? buf : buf.subarray(0, off);
  }
  byteAt(offset: number): number {
    const b = new Uint8Array(1);
    return this.source.read(b, 0, 1, offset) === 1 ? b[0]! : -1;
  }
  text(start: number, end: number): string {
    return utf8.decode(this.bytes(start, end));
  }
  parse(span: Span): unknown {
    return JSON.parse(this.text(span.start, span.end));
  }
  /** Where the last position() stopped counting: warnings come in file order, so each count goes on from there. */
  private counted = { offset: 0, line: 1, lineStart: 0 };
  /** 1-based line and column of a byte offset (counted on demand: only for messages). */
  position(offset: number): { line: number; column: number } {
    if (offset < this.counted.offset) this.counted = { offset: 0, line: 1, lineStart: 0 };
    let { line, lineStart } = this.counted;
    const chunk = 8 << 20;
    for (let at = this.counted.offset; at < offset; at += chunk) {
      const buf = this.bytes(at, Math.min(offset, at + chunk));
      for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) {
        line++;
        lineStart = at + i + 1;
      }
    }
    this.counted = { offset, line, lineStart };
    return { line, column: offset - lineStart + 1 };
  }
}

export interface ScanResult {
  value: unknown;
  /** Lists left empty in `value`, with the spans of their elements. */
  lazy: Map<unknown[], Span[]>;
  /** Where each field of a hint object is, for the hints of deepHints lists. */
  fields: Map<object, HintFields>;
  /** Offsets of values whose structure held but whose text is not JSON (a bad literal or escape): left out. */
  invalid: number[];
  /** Where the input stopped being JSON, when it did: what was complete before it is in `value`. */
  cut?: { kind: "truncated" | "syntax"; offset: number; path: string; reason: string };
}

/** Containers at these depths (the root is 0) record their children. Deep enough for the resource wrappers of egctl's {ns: {name: dump}}. */
const TRACK_DEPTH = 6;

export interface ScanOptions {
  /** Containers larger than this are built from their children; smaller ones are parsed whole. */
  assembleAbove?: number;
  /** Keys of lists whose elements are resources (in canonicalKey form: snake_case and camelCase alike), left as spans. */
  resourceLists: ReadonlySet<string>;
  /** Resource lists whose elements leave hints three levels down, not two (v3 dynamic_listeners wrap each listener in a state: active_state.listener), with where each field of those objects is. */
  deepHints?: ReadonlySet<string>;
  chunkSize?: number;
  onProgress?: (bytes: number) => void;
  /** Scan only these bytes (a value that JSON.parse refused, scanned again to keep what is valid in it). */
  range?: { start: number; end: number; key?: string; level: number };
}

/** The reason given when there is nothing but white space. */
export const EMPTY_INPUT = "the input is empty";

/** How many times a refused value is scanned again, one level of containers further in each time. */
const MAX_RESCAN = 8;

const NONE = Symbol("none");

class Frame {
  readonly isObj: boolean;
  readonly start: number;
  /** Object: 0 key or close, 1 colon, 2 value, 3 comma or close. Array: 2 value or close, 3 comma or close. */
  state: number;
  keyStart = 0;
  keyEnd = 0;
  valueStart = 0;
  readonly keySpans: number[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly built: unknown[] = [];
  /** A list of resources (the top-level list, or one under a resource-list key): its elements are left as spans. */
  readonly resourceList: boolean;
  /** Inside an element of a resource list: parsed from the element's span when used, never built here. */
  readonly inResource: boolean;
  /** A list of resources is inside (so this container is built from its children, never parsed whole). */
  holdsList = false;
  /** 0: an object element of a resource list; 1, 2: an object that far inside one; -1: neither. Such objects leave a hint. */
  readonly hintLevel: number;
  /** How many levels of a resource-list element leave hints: 2 (the element and the resource in it), or 3, with each field's span, for the lists given as deepHints. */
  readonly hintLevels: number;
  /** The hints of this frame's children, aligned with `starts` (hint frames only). */
  readonly hints: (Record<string, unknown> | undefined)[] = [];
  constructor(isObj: boolean, start: number, resourceList: boolean, inResource: boolean, hintLevel: number, hintLevels: number) {
    this.isObj = isObj;
    this.start = start;
    this.state = isObj ? 0 : 2;
    this.resourceList = resourceList;
    this.inResource = inResource;
    this.hintLevel = hintLevel;
    this.hintLevels = hintLevels;
  }
}

class ScanError extends Error {
  readonly offset: number;
  readonly kind: "truncated" | "syntax";
  constructor(kind: "truncated" | "syntax", offset: number, message: string) {
    super(message);
    this.kind = kind;
    this.offset = offset;
  }
}

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDelim = (c: number) => c === 0x2c || c === 0x7d || c === 0x5d || isWs(c);

/** Where skipNested stopped: the nesting left open, and whether it stopped inside a string (after a backslash). */
export interface SkipState {
  depth: number;
  open: boolean;
  escape: boolean;
}

/**
 * Four bytes at a time where the bytes are plain (SWAR): a pretty-printed dump is 40% indentation and
 * most of the rest is string contents, and a 32-bit word read through a DataView tells at once that it
 * holds no quote and no backslash, or only spaces. Exact: a word that may hold either is read byte by
 * byte as before. `view` is the DataView over the same bytes as `buf` (viewOf).
 */
let viewBuf: Uint8Array | undefined;
let view: DataView = new DataView(new ArrayBuffer(4));
function viewOf(buf: Uint8Array): DataView {
  if (buf !== viewBuf) {
    viewBuf = buf;
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  return view;
}

/** From i (inside a string), the first index whose 4-byte word may hold a quote or a backslash (at most n - 4). */
function plainRun(dv: DataView, i: number, n: number): number {
  const n4 = n - 4;
  while (i <= n4) {
    const v = dv.getUint32(i, true);
    const q = v ^ 0x22222222;
    const b = v ^ 0x5c5c5c5c;
    if ((((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b)) & 0x80808080) break;
    i += 4;
  }
  return i;
}

/** From i (after a space), the first index whose 4-byte word is not four spaces. */
function spaceRun(dv: DataView, i: number, n: number): number {
  const n4 = n - 4;
  while (i <= n4 && dv.getUint32(i, true) === 0x20202020) i += 4;
  return i;
}

/**
 * The skip loop in WebAssembly (skip.wat, 32 bytes at a time with SIMD), over a chunk buffer that is
 * the module's memory. Where WebAssembly does not run (or a page's policy refuses it), the JavaScript
 * loop below does the same.
 */
interface WasmSkip {
  /** The chunk buffer: the instance's memory. */
  bytes: Uint8Array;
  skip(i: number, n: number, depth: number): number;
  depth: { value: number };
  open: { value: number };
  escape: { value: number };
}

/** What the scan uses of the WebAssembly API (the lib this project compiles with declares none; Node and browsers have it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Instance: new (m: object, imports: object) => { exports: unknown };
}

let skipModule: object | null | undefined;
let wasmAllowed = true;

/** Whether scans use the WebAssembly skip loop where it runs (tests compare it with the JavaScript one). */
export function useWasmSkip(on: boolean): void {
  wasmAllowed = on;
}

/** An instance of the module with its memory. */
interface WasmInstance {
  memory: { buffer: ArrayBuffer };
  exports: Omit<WasmSkip, "bytes">;
}

/**
 * Instances a scan has given back, kept for the next one: each holds a chunk's worth of memory (8 MiB,
 * zeroed when made), and a fleet scans a thousand dumps in a thread one after another.
 */
const idleWasm: WasmInstance[] = [];

/** A WebAssembly skip loop with a chunk buffer of `size` bytes (used through withWasm, which gives it back), or undefined where WebAssembly does not run. */
function takeWasm(size: number): (WasmSkip & { instance: WasmInstance }) | undefined {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasmAllowed || !api || skipModule === null) return undefined;
  try {
    skipModule ??= new api.Module(Uint8Array.from(atob(SKIP_WASM), (c) => c.charCodeAt(0)));
  } catch {
    // Not allowed here (a page's policy) or not supported: the JavaScript loop from now on.
    skipModule = null;
    return undefined;
  }
  const at = idleWasm.findIndex((w) => w.memory.buffer.byteLength >= size);
  let instance = at >= 0 ? idleWasm.splice(at, 1)[0]! : undefined;
  if (!instance) {
    try {
      const memory = new api.Memory({ initial: Math.max(1, Math.ceil(size / 65536)) });
      instance = { memory, exports: new api.Instance(skipModule, { env: { memory } }).exports as WasmInstance["exports"] };
    } catch {
      return undefined; // no memory for it now: this scan runs the JavaScript loop
    }
  }
  const e = instance.exports;
  return { instance, bytes: new Uint8Array(instance.memory.buffer, 0, size), skip: e.skip, depth: e.depth, open: e.open, escape: e.escape };
}

/** The scan running now, when its chunk buffer is a WebAssembly memory: skipNested hands its buffer's bytes to the module. */
let wasmBuf: Uint8Array | undefined;
let wasm: WasmSkip | undefined;

/**
 * Runs `work` with `w` (from takeWasm) as the running scan's skip loop, then gives it back. A scan inside
 * a scan (a refused value scanned again) has a buffer of its own: the outer one's comes back after.
 */
function withWasm<T>(w: (WasmSkip & { instance: WasmInstance }) | undefined, work: () => T): T {
  const outer = [wasmBuf, wasm] as const;
  [wasmBuf, wasm] = [w?.bytes, w];
  try {
    return work();
  } finally {
    [wasmBuf, wasm] = outer;
    if (w && idleWasm.length < 2) idleWasm.push(w.instance);
  }
}

/**
 * Skips the inside of a value nested `s.depth` deep, from buf[i] to just past the byte that closes it
 * (s.depth 0) or to n (the chunk's end: s.open when that is inside a string). Only strings and nesting
 * are followed: { and [, } and ] differ only in bit 0x20. The hot loop of the scan: in WebAssembly when
 * the buffer is its memory, else here.
 */
function skipNested(buf: Uint8Array, i: number, n: number, s: SkipState): number {
  if (buf === wasmBuf) {
    const w = wasm!;
    const end = w.skip(i, n, s.depth);
    if (end < n) {
      s.depth = 0;
      s.open = s.escape = false;
    } else {
      s.depth = w.depth.value;
      s.open = w.open.value === 1;
      s.escape = w.escape.value === 1;
    }
    return end;
  }
  return skipNestedJs(buf, i, n, s);
}

/** skipNested over `bytes` in WebAssembly (its own instance) or in JavaScript: for tests that compare the two. Undefined where WebAssembly does not run. */
export function skipBytes(how: "wasm" | "js", bytes: Uint8Array, i: number, s: SkipState): number | undefined {
  if (how === "js") return skipNestedJs(bytes, i, bytes.length, s);
  const w = takeWasm(bytes.length);
  if (!w) return undefined;
  w.bytes.set(bytes);
  // Past the end, closers: a loop that read past it would stop there.
  new Uint8Array(w.bytes.buffer).fill(0x7d, bytes.length);
  return withWasm(w, () => skipNested(w.bytes, i, bytes.length, s));
}

/** skipNested in JavaScript. */
function skipNestedJs(buf: Uint8Array, i: number, n: number, s: SkipState): number {
  let depth = s.depth;
  s.open = false;
  s.escape = false;
  const dv = viewOf(buf);
  for (; i < n; i++) {
    const c = buf[i]!;
    if (c === 0x20) {
      i = spaceRun(dv, i + 1, n) - 1;
      continue;
    }
    if (c === 0x22) {
      let j = plainRun(dv, i + 1, n);
      for (; j < n; j++) {
        const x = buf[j]!;
        if (x === 0x22) break;
        if (x === 0x5c && ++j === n) s.escape = true;
      }
      if (j >= n) {
        s.depth = depth;
        s.open = true;
        return n;
      }
      i = j;
      continue;
    }
    const b = c | 0x20;
    if (b === 0x7b) depth++;
    else if (b === 0x7d && --depth === 0) {
      s.depth = 0;
      return i + 1;
    }
  }
  s.depth = depth;
  return n;
}

/** Index of the first byte from i on that is not white space (n when the chunk ends first). */
function skipWs(buf: Uint8Array, i: number, n: number): number {
  if (i < n && buf[i] === 0x20) i = spaceRun(viewOf(buf), i, n);
  while (i < n) {
    const c = buf[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** skipContainer's state, reused: it is called for every nested container an element reader passes. */
const containerState: SkipState = { depth: 1, open: false, escape: false };

/** Index just past the byte that closes the container whose opening byte is at i - 1; -1 when the chunk ends first. */
function skipContainer(buf: Uint8Array, i: number, n: number): number {
  containerState.depth = 1;
  const end = skipNested(buf, i, n, containerState);
  return containerState.depth === 0 ? end : -1;
}

/** Index of the closing quote of the string whose opening quote is at i - 1; n or more when the chunk ends first. */
function stringEnd(buf: Uint8Array, i: number, n: number): number {
  for (i = plainRun(viewOf(buf), i, n); i < n; i++) {
    const x = buf[i]!;
    if (x === 0x22) return i;
    if (x === 0x5c) i++;
  }
  return n;
}

/** HINT_KEYS as bytes (each is ASCII: canonicalKey form, lower case without "_"). */
const HINT_KEY_BYTES: readonly Uint8Array[] = [...HINT_KEYS].map((k) => encoder.encode(k));

/**
 * Whether the key whose text is buf[a..b) (inside its quotes) is one of HINT_KEYS, from its bytes: 1 yes, 0 no,
 * -1 when only its decoded text can tell (an escape, a byte past ASCII or a control character before the
 * bytes already rule it out). canonicalKey drops "_" and lower-cases; on ASCII that is byte by byte.
 */
function hintKeyClass(buf: Uint8Array, a: number, b: number): number {
  let live = (1 << HINT_KEY_BYTES.length) - 1;
  let p = 0;
  for (let i = a; i < b; i++) {
    let c = buf[i]!;
    if (c === 0x5f) continue;
    if (c < 0x20 || c > 0x7e || c === 0x5c) return -1;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    for (let k = 0; k < HINT_KEY_BYTES.length; k++) {
      if (!(live & (1 << k))) continue;
      const want = HINT_KEY_BYTES[k]!;
      if (p >= want.length || want[p] !== c) live &= ~(1 << k);
    }
    // The bytes so far are ASCII and decode to themselves: whatever follows, the key's canonical form starts with them.
    if (!live) return 0;
    p++;
  }
  for (let k = 0; k < HINT_KEY_BYTES.length; k++) if (live & (1 << k) && HINT_KEY_BYTES[k]!.length === p) return 1;
  return 0;
}

/**
 * Keys and hint values decoded from plain ASCII bytes, kept by a hash of their bytes (checked byte for
 * byte): a dump repeats its keys, types, versions and times, and one string for each costs less to keep.
 */
const SLOTS = 4096;
const keySlots: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
const valueSlots: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);

/**
 * A string scalar's or key's value as JSON.parse reads it, from buf[a..b) (its quotes included), or a
 * number's; undefined when it is neither (or not JSON). What scanJson's scalarAt reads for bytes in the
 * chunk; plain ASCII keys and values come from keySlots and valueSlots.
 */
function scalarIn(buf: Uint8Array, a: number, b: number, key: boolean): string | number | undefined {
  if (b - a >= 2 && buf[a] === 0x22 && buf[b - 1] === 0x22) {
    let plain = true;
    let ascii = true;
    let hash = 0;
    for (let i = a + 1; i < b - 1; i++) {
      const c = buf[i]!;
      if (c === 0x5c || c < 0x20 || c === 0x22) {
        plain = false;
        break;
      }
      if (c > 0x7e) ascii = false;
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    if (plain) {
      if (!ascii || b - a > 130) return utf8.decode(buf.subarray(a + 1, b - 1));
      const slots = key ? keySlots : valueSlots;
      const slot = (hash ^ (hash >>> 15)) & (SLOTS - 1);
      const had = slots[slot];
      if (had !== undefined && had.length === b - a - 2) {
        let same = true;
        for (let i = 0; i < had.length; i++) {
          if (had.charCodeAt(i) !== buf[a + 1 + i]) {
            same = false;
            break;
          }
        }
        if (same) return had;
      }
      const text = utf8.decode(buf.subarray(a + 1, b - 1));
      slots[slot] = text;
      return text;
    }
  }
  try {
    const v: unknown = JSON.parse(utf8.decode(buf.subarray(a, b)));
    return typeof v === "string" || typeof v === "number" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A key's text as keyText reads it, from its bytes buf[a..b) in the chunk: "" when it is not a JSON string. */
function keyIn(buf: Uint8Array, a: number, b: number): string {
  const k = scalarIn(buf, a, b, true);
  return typeof k === "string" ? k : "";
}

/**
 * A resource list's element read in one go when all of it is in the chunk and it is plain JSON structure:
 * the hints, field spans and end the byte-level scan would give it, without a frame per object or a
 * switch per byte. Anything else (the chunk ends inside it, a syntax error, a key that must be decoded
 * to be compared) gives up, and the element is scanned byte by byte from its start as before; nothing
 * is kept of a try given up (its `pending` fields are dropped by the caller).
 */
class ElementReader {
  buf: Uint8Array;
  n = 0;
  /** The file offset of buf[0]. */
  base = 0;
  /** Where the last object read ended (in buf). */
  end = 0;
  /** The field spans of the hints read (deepHints lists), in the order the byte-level scan records them. */
  readonly pending: [Record<string, unknown>, HintFields][] = [];
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }
  /**
   * The hint of the object whose "{" is at i, a hint frame at `level` of `levels` at stack height `height`
   * (with its own frame); undefined when given up.
   */
  object(i: number, level: number, levels: number, height: number): Record<string, unknown> | undefined {
    const buf = this.buf;
    const n = this.n;
    // Null-prototype: a key from the dump is data, and assigning "__proto__" to it makes an own key.
    const h = Object.create(null) as Record<string, unknown>;
    const deep = levels === 3;
    const keys: string[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const nested = level < levels - 1 && height <= TRACK_DEPTH;
    i = skipWs(buf, i + 1, n);
    if (i >= n) return undefined;
    if (buf[i] !== 0x7d) {
      for (;;) {
        if (buf[i] !== 0x22) return undefined;
        const ks = i;
        const kq = stringEnd(buf, i + 1, n);
        if (kq >= n) return undefined;
        i = skipWs(buf, kq + 1, n);
        if (i >= n || buf[i] !== 0x3a) return undefined;
        i = skipWs(buf, i + 1, n);
        if (i >= n) return undefined;
        const vs = i;
        const c = buf[i]!;
        let child: Record<string, unknown> | undefined;
        let scalar = true;
        if (c === 0x7b && nested) {
          child = this.object(i, level + 1, levels, height + 1);
          if (!child) return undefined;
          i = this.end;
        } else if (c === 0x7b || c === 0x5b) {
          i = skipContainer(buf, i + 1, n);
          if (i < 0) return undefined;
          scalar = false;
        } else if (c === 0x22) {
          i = stringEnd(buf, i + 1, n) + 1;
          if (i > n) return undefined;
        } else if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
          while (i < n && !isDelim(buf[i]!)) i++;
          if (i >= n) return undefined;
        } else return undefined;
        const ve = i;
        // The hint as hintOf makes it: an inner object's hint, else a hint key's scalar.
        let k: string | undefined;
        if (deep) {
          k = keyIn(buf, ks, kq + 1);
          keys.push(k);
          starts.push(this.base + vs);
          ends.push(this.base + ve);
        }
        if (child) h[k ?? keyIn(buf, ks, kq + 1)] = child;
        else if (scalar && ve - vs < 4096) {
          const cls = hintKeyClass(buf, ks + 1, kq);
          if (cls === 1 || (cls === -1 && isHintKey((k ??= keyIn(buf, ks, kq + 1))))) {
            const v = scalarIn(buf, vs, ve, false);
            if (v !== undefined) h[k ?? keyIn(buf, ks, kq + 1)] = v;
          }
        }
        i = skipWs(buf, i, n);
        if (i >= n) return undefined;
        const d = buf[i]!;
        if (d === 0x7d) break;
        if (d !== 0x2c) return undefined;
        i = skipWs(buf, i + 1, n);
        if (i >= n) return undefined;
      }
    }
    this.end = i + 1;
    if (deep) this.pending.push([h, { keys, starts, ends }]);
    return h;
  }
}

export function scanJson(reader: SpanReader, opts: ScanOptions): ScanResult {
  const chunkSize = opts.chunkSize ?? 8 << 20;
  const w = takeWasm(chunkSize);
  return withWasm(w, () => scanChunks(reader, opts, w?.bytes ?? new Uint8Array(chunkSize)));
}

function scanChunks(reader: SpanReader, opts: ScanOptions, buf: Uint8Array): ScanResult {
  const chunkSize = buf.length;
  const assembleAbove = opts.assembleAbove ?? 8 << 20;
  const lazy = new Map<unknown[], Span[]>();
  const fields = new Map<object, HintFields>();
  const invalid: number[] = [];
  const stack: Frame[] = [];
  let result: unknown = NONE;

  /** A key of a frame's child; throws when its text is not a JSON string. */
  const key = (f: Frame, i: number): string => parseSpan(f.keySpans[2 * i]!, f.keySpans[2 * i + 1]!) as string;
  /** Builds a tracked container from its children (complete ones only, when the input stopped inside it). */
  const build = (f: Frame): unknown => {
    const valueOf = (i: number, k?: string) => {
      if (f.built[i] !== NONE) return f.built[i];
      const span = { start: f.starts[i]!, end: f.ends[i]! };
      try {
        return parseSpan(span.start, span.end);
      } catch (e) {
        // Valid structure, a bad token somewhere inside (tru, 01, "\x"): scan it again, building every
        // container, so only the bad value is left out.
        const level = (opts.range?.level ?? 0) + 1;
        const c = reader.byteAt(span.start);
        if (level > MAX_RESCAN || (c !== 0x7b && c !== 0x5b)) throw e;
        const sub = scanJson(reader, { ...opts, assembleAbove: 0, range: { ...span, level, ...(k !== undefined ? { key: k } : {}) } });
        for (const [list, spans] of sub.lazy) lazy.set(list, spans);
        for (const [h, at] of sub.fields) fields.set(h, at);
        invalid.push(...sub.invalid);
        if (sub.cut || sub.value === undefined) throw e;
        return sub.value;
      }
    };
    if (f.isObj) {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < f.starts.length; i++) {
        let k: string, v: unknown;
        try {
          k = key(f, i);
          v = valueOf(i, k);
        } catch {
          invalid.push(f.starts[i]!); // the structure held, a token did not (tru, 01, "\x"): left out
          continue;
        }
        // A key from the dump is data: defined, never assigned (a "__proto__" key stays a key).
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
      }
      return o;
    }
    if (f.resourceList) {
      const list: unknown[] = [];
      lazy.set(
        list,
        f.starts.map((s, i) => {
          const h = f.hints[i];
          return f.built[i] !== NONE ? { start: s, end: f.ends[i]!, value: f.built[i] } : h ? { start: s, end: f.ends[i]!, hint: h } : { start: s, end: f.ends[i]! };
        }),
      );
      return list;
    }
    const out: unknown[] = [];
    for (let i = 0; i < f.starts.length; i++) {
      try {
        out.push(valueOf(i));
      } catch {
        invalid.push(f.starts[i]!);
      }
    }
    return out;
  };
  /** A value of the innermost tracked frame ended at `end` (exclusive); `built` when it was assembled. */
  const childEnded = (end: number, built: unknown, hint?: Record<string, unknown>) => {
    const f = stack[stack.length - 1]!;
    if (f.isObj) f.keySpans.push(f.keyStart, f.keyEnd);
    f.starts.push(f.valueStart);
    f.ends.push(end);
    f.built.push(built);
    if (f.hintLevel >= 0 || f.resourceList) f.hints.push(hint);
    f.state = 3;
  };
  /** A span parsed: its text from the chunk in hand when it is there (nearly always for keys and scalars), else from the file. */
  const parseSpan = (start: number, end: number): unknown =>
    JSON.parse(start >= pos && end <= pos + chunkLen ? utf8.decode(buf.subarray(start - pos, end - pos)) : reader.text(start, end));
  /** A scalar's value (a string or a number), or undefined when the span is neither or not JSON: from the chunk in hand when it is there (scalarIn), else from the file. */
  const scalarAt = (start: number, end: number, key = false): string | number | undefined => {
    if (start >= pos && end <= pos + chunkLen) return scalarIn(buf, start - pos, end - pos, key);
    try {
      const v = parseSpan(start, end);
      return typeof v === "string" || typeof v === "number" ? v : undefined;
    } catch {
      return undefined;
    }
  };
  /** A key's text, or "" when it is not a JSON string. */
  const keyText = (start: number, end: number): string => {
    const k = scalarAt(start, end, true);
    return typeof k === "string" ? k : "";
  };
  /** An element's hint: its named scalars, its inner objects' hints, and where each field is (a bad token leaves its key out). */
  const hintOf = (f: Frame): Record<string, unknown> => {
    // Null-prototype: a key from the dump is data, and assigning "__proto__" to it makes an own key.
    const h = Object.create(null) as Record<string, unknown>;
    const keys: string[] = [];
    // Where each field is, for the lists that ask (kept for every element of every list, it slowed the scan).
    if (f.hintLevels === 3) fields.set(h, { keys, starts: f.starts, ends: f.ends });
    for (let i = 0; i < f.starts.length; i++) {
      const k = keyText(f.keySpans[2 * i]!, f.keySpans[2 * i + 1]!);
      keys.push(k);
      const v = f.hints[i] ?? (isHintKey(k) && f.ends[i]! - f.starts[i]! < 4096 ? scalarAt(f.starts[i]!, f.ends[i]!) : undefined);
      if (v !== undefined) h[k] = v;
    }
    return h;
  };
  const closeFrame = (end: number) => {
    const f = stack.pop()!;
    const parent = stack[stack.length - 1];
    // A resource is parsed from its span when it is used, whatever its size. A list of resources, and
    // every container around one, is built now whatever its size, so the list stays spans (parsed
    // whole by its parent, a small section would be parsed with all its resources); any other large
    // container is built now too.
    const buildNow = !parent || ((f.resourceList || f.holdsList || end - f.start > assembleAbove) && !f.inResource);
    if (buildNow && parent && (f.resourceList || f.holdsList)) parent.holdsList = true;
    const value = buildNow ? build(f) : NONE;
    if (stack.length === 0) result = value;
    else childEnded(end, value, f.hintLevel >= 0 ? hintOf(f) : undefined);
  };

  // Byte-level state, kept across chunks.
  const S_STRUCT = 0,
    S_STR = 1,
    S_SCALAR = 2,
    S_DEEP = 3,
    S_DONE = 4;
  let mode = S_STRUCT;
  let strIsKey = false;
  let strReturn = S_STRUCT;
  let escape = false;
  const skip: SkipState = { depth: 0, open: false, escape: false };
  let pos = opts.range?.start ?? 0;
  const end = opts.range?.end ?? Infinity;
  let chunkLen = 0;
  let cut: ScanResult["cut"];
  const elements = new ElementReader(buf);
  let sinceProgress = 0;

  const isResourceList = (k: string) => opts.resourceLists.has(canonicalKey(k));
  // The root of a rescan is a list of resources when its key says so; the root of the input, always.
  const rootList = opts.range?.key === undefined || isResourceList(opts.range.key);
  const startValue = (c: number, at: number): void => {
    const top = stack[stack.length - 1];
    if (top) top.valueStart = at;
    if (c === 0x7b || c === 0x5b) {
      const isObj = c === 0x7b;
      const inResource = !!top && (top.inResource || top.resourceList);
      const hintLevel = !isObj || !top ? -1 : top.resourceList ? 0 : top.hintLevel >= 0 && top.hintLevel < top.hintLevels - 1 ? top.hintLevel + 1 : -1;
      // Inside a resource only the objects that leave a hint are followed: the resource is parsed from
      // its span when used, so any other container in it is skipped like anything deeper.
      if (stack.length <= TRACK_DEPTH && !(inResource && hintLevel < 0)) {
        const listKey = !isObj && top?.isObj ? keyText(top.keyStart, top.keyEnd) : undefined;
        const resourceList = !isObj && (top ? listKey !== undefined && isResourceList(listKey) : rootList);
        const hintLevels = resourceList ? (listKey !== undefined && opts.deepHints?.has(canonicalKey(listKey)) ? 3 : 2) : (top?.hintLevels ?? 2);
        stack.push(new Frame(isObj, at, resourceList, inResource, hintLevel, hintLevels));
      } else {
        mode = S_DEEP;
        skip.depth = 1;
      }
      return;
    }
    if (!top) throw new ScanError("syntax", at, "expected { or [ at the start of the input");
    if (c === 0x22) {
      mode = S_STR;
      strIsKey = false;
      strReturn = S_STRUCT;
      return;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
      mode = S_SCALAR;
      return;
    }
    throw new ScanError("syntax", at, `unexpected character ${JSON.stringify(String.fromCharCode(c))}`);
  };

  try {
    let first = true;
    for (;;) {
      const n = end - pos <= 0 ? 0 : reader.source.read(buf, 0, Math.min(chunkSize, end - pos), pos);
      if (n === 0) break;
      chunkLen = n;
      let i = 0;
      // A byte-order mark before the JSON.
      if (first && n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
      first = false;
      while (i < n) {
        switch (mode) {
          case S_STR: {
            for (; i < n; i++) {
              const c = buf[i]!;
              if (escape) escape = false;
              else if (c === 0x5c) escape = true;
              else if (c === 0x22) break;
            }
            if (i === n) break;
            i++; // past the closing quote
            mode = strReturn;
            if (mode === S_STRUCT) {
              const f = stack[stack.length - 1]!;
              if (strIsKey) {
                f.keyEnd = pos + i;
                f.state = 1;
              } else childEnded(pos + i, NONE);
            }
            break;
          }
          case S_DEEP: {
            // Most of a dump is skipped here, in a function of its own (its state in locals, not in this closure's context).
            i = skipNested(buf, i, n, skip);
            if (skip.open) {
              // A string runs past the chunk: it goes on in S_STR.
              mode = S_STR;
              strReturn = S_DEEP;
              escape = skip.escape;
            } else if (skip.depth === 0) {
              mode = S_STRUCT;
              childEnded(pos + i, NONE);
            }
            break;
          }
          case S_SCALAR: {
            while (i < n && !isDelim(buf[i]!)) i++;
            if (i === n) break;
            mode = S_STRUCT;
            childEnded(pos + i, NONE);
            break;
          }
          case S_STRUCT: {
            // White space runs (a pretty-printed dump's indentation) in a loop of their own.
            if (isWs(buf[i]!)) {
              i = skipWs(buf, i + 1, n);
              if (i === n) break;
            }
            const c = buf[i]!;
            const at = pos + i;
            const f = stack[stack.length - 1];
            if (!f) {
              if (result !== NONE) {
                mode = S_DONE;
                break;
              }
              i++;
              startValue(c, at);
              break;
            }
            if (f.isObj) {
              if ((f.state === 0 || f.state === 3) && c === 0x7d) {
                if (f.state === 0 && f.starts.length) throw new ScanError("syntax", at, "a comma before }");
                i++;
                closeFrame(pos + i);
              } else if (f.state === 0 && c === 0x22) {
                f.keyStart = at;
                mode = S_STR;
                strIsKey = true;
                strReturn = S_STRUCT;
                i++;
              } else if (f.state === 1 && c === 0x3a) {
                f.state = 2;
                i++;
              } else if (f.state === 2) {
                i++;
                startValue(c, at);
              } else if (f.state === 3 && c === 0x2c) {
                f.state = 0;
                i++;
              } else throw new ScanError("syntax", at, `unexpected ${JSON.stringify(String.fromCharCode(c))} in an object`);
            } else {
              if ((f.state === 2 || f.state === 3) && c === 0x5d) {
                i++;
                closeFrame(pos + i);
              } else if (f.state === 2) {
                if (c === 0x7b && f.resourceList && stack.length <= TRACK_DEPTH) {
                  // A resource: read in one go when it is all in the chunk (what the switch would find, faster).
                  elements.n = n;
                  elements.base = pos;
                  const h = elements.object(i, 0, f.hintLevels, stack.length + 1);
                  if (h) {
                    for (const [hint, at] of elements.pending) fields.set(hint, at);
                    elements.pending.length = 0;
                    f.valueStart = at;
                    i = elements.end;
                    childEnded(pos + i, NONE, h);
                    break;
                  }
                  elements.pending.length = 0;
                }
                i++;
                startValue(c, at);
              } else if (f.state === 3 && c === 0x2c) {
                f.state = 2;
                i++;
              } else throw new ScanError("syntax", at, `unexpected ${JSON.stringify(String.fromCharCode(c))} in a list`);
            }
            break;
          }
          default: {
            // After the value: only whitespace may follow.
            for (; i < n; i++) if (!isWs(buf[i]!)) throw new ScanError("syntax", pos + i, "more after the end of the JSON value");
          }
        }
      }
      pos += n;
      sinceProgress += n;
      if (opts.onProgress && sinceProgress >= 64 << 20) {
        opts.onProgress(pos);
        sinceProgress = 0;
      }
    }
    if (result === NONE) {
      throw new ScanError("truncated", pos, stack.length ? "the input ends inside a value" : EMPTY_INPUT);
    }
  } catch (e) {
    if (!(e instanceof ScanError)) throw e;
    const path = pathOf(stack, keyText);
    cut = { kind: e.kind, offset: e.offset, path, reason: e.message };
    // Keep every complete child of the containers still open, from the innermost out.
    while (stack.length) {
      const f = stack.pop()!;
      const value = build(f);
      if (stack.length === 0) result = value;
      else {
        const p = stack[stack.length - 1]!;
        p.valueStart = f.start;
        childEnded(f.start, value);
      }
    }
  }
  return { value: result === NONE ? undefined : result, lazy, fields, invalid, ...(cut ? { cut } : {}) };
}

/** The JSON path of where the scanner stopped, from the tracked frames. */
function pathOf(stack: Frame[], keyText: (start: number, end: number) => string): string {
  let path = "$";
  for (const f of stack) {
    // Inside a value: its key or index. Between values (state 0 or 3), or after a key whose colon has not
    // come (damaged input can make a key of a value): the container itself.
    if (f.state === 2) path = childPath(path, f.isObj ? keyText(f.keyStart, f.keyEnd) || "?" : f.starts.length);
    else break;
  }
  return path;
}
