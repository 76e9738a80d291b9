// A document made ready for text (a table or Markdown): every string from it on one line (a name's
// line break or tab shown as \n or \t, so that it cannot draw a row or a line of its own), and a
// very long name said once, at the end, and referred to as ‹long name N› everywhere else, so that a
// name of megabytes that explain or diff mention many times is printed once and output stays in
// proportion to the input. Nothing is elided: the full name is in the list at the end.
import { escapeLine, mdFence, mdInline, NEEDS_LINE_ESCAPE } from "./sanitize.js";

/** A run of this many characters without a space or comma is a long name (no real Envoy, Istio or Kubernetes name comes near). */
export const LONG_NAME = 1024;

/** How a long name is referred to. */
const longNameRef = (n: number) => `‹long name ${n}›`;

const OPEN = new Set(["[", "=", "(", '"', "'", "{", "<"]);
const CLOSE = new Set(["]", '"', "'", ")", "}", ">", ":", ";", ".", "!", "?"]);
/** What a name may be glued to in a sentence or a path ("filterChains[NAME", "NAME:", "\"NAME\""), looked for this far from its ends. */
const AROUND = 64;

/** What ends a name in a sentence or a list: spaces and commas (an ALPN or SNI list stays a list of short names). */
const SEPARATOR = /[ ,\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;

/** The long names of one output, in the order they were met. */
export class LongNames {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  private readonly memo = new Map<string, string>();

  private add(name: string): number {
    let n = this.index.get(name);
    if (n === undefined) {
      this.names.push(name);
      n = this.names.length;
      this.index.set(name, n);
    }
    return n;
  }

  /** A run of LONG_NAME or more characters: the whole string (a name), or a part of a sentence or a path. */
  private refer(run: string, whole: boolean): string {
    const known = this.index.get(run);
    if (known !== undefined || whole) return longNameRef(known ?? this.add(run));
    // Inside a sentence or a path the name may carry what surrounds it: try it without that.
    // Where it may start: the run's start, after the first or the last opening character near it (a few tries, not one per character).
    let first = -1;
    let last = -1;
    for (let i = 0; i < AROUND; i++) {
      if (!OPEN.has(run[i]!)) continue;
      if (first < 0) first = i;
      last = i;
    }
    const starts = [0, ...(first >= 0 ? [first + 1] : []), ...(last > first ? [last + 1] : [])];
    let end = run.endsWith("'s") || run.endsWith("’s") ? run.length - 2 : run.length;
    while (end > run.length - AROUND && CLOSE.has(run[end - 1]!)) end--;
    const ends = end < run.length ? [run.length, end] : [run.length];
    // First what is known already (the name as a field holds it), then the shortest core.
    for (const s of starts) for (const e of ends) if (this.index.has(run.slice(s, e))) return `${run.slice(0, s)}${longNameRef(this.index.get(run.slice(s, e))!)}${run.slice(e)}`;
    const s = starts[starts.length - 1]!;
    return `${run.slice(0, s)}${longNameRef(this.add(run.slice(s, end)))}${run.slice(end)}`;
  }

  /** A string of the document as text: on one line, its long runs referred to. Linear in its length. */
  text(value: string): string {
    // Most strings are short and plain: returned as they are, after one test.
    if (value.length < LONG_NAME) return NEEDS_LINE_ESCAPE.test(value) ? oneLine(value) : value;
    // The same string (a name in every result) is looked at once.
    const done = this.memo.get(value);
    if (done !== undefined) return done;
    const t = oneLine(value);
    let out = "";
    let from = 0;
    let start = 0;
    SEPARATOR.lastIndex = 0;
    for (;;) {
      const m = SEPARATOR.exec(t);
      const end = m ? m.index : t.length;
      if (end - start >= LONG_NAME) {
        out += t.slice(from, start) + this.refer(t.slice(start, end), start === 0 && end === t.length);
        from = end;
      }
      if (!m) break;
      start = end + 1;
    }
    const result = from === 0 ? t : out + t.slice(from);
    this.memo.set(value, result);
    return result;
  }

  /** The list at the end of the output: each long name once, whole, on a line of its own. Empty when there is none. */
  section(format: "table" | "markdown"): string {
    if (!this.names.length) return "";
    if (format === "markdown") {
      const items = this.names.map((n, i) => `${mdInline(`${longNameRef(i + 1)}, ${n.length} characters:`)}\n\n${mdFence(n, "text")}`);
      return `\n\n### Long names\n\n${mdInline("Each is shown once, here; above, it is ‹long name N›.")}\n\n${items.join("\n\n")}`;
    }
    return `\n\nLong names (each shown once, here; above, it is ‹long name N›):\n${this.names.map((n, i) => `${longNameRef(i + 1)}, ${n.length} characters:\n${n}`).join("\n")}`;
  }
}

/**
 * A string shown on one line (escapeLine); one that held a line break or a tab (no real name does, a
 * hostile one may) is kept whole too, its spaces no-break spaces: a table or prose that wraps at spaces
 * cannot start a line with what followed its line break, as if it were a row or a warning of its own.
 */
function oneLine(value: string): string {
  const t = escapeLine(value);
  return t === value ? t : t.replace(/ /g, "\u00a0");
}

type Container = Record<string, unknown> | unknown[];
const isPlain = (v: unknown): v is Container => {
  if (Array.isArray(v)) return true;
  if (!v || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

interface Frame {
  src: Container;
  /** An object's keys; null for an array (walked by index). */
  keys: string[] | null;
  size: number;
  at: number;
  copy: Container | undefined;
  parent: Frame | undefined;
  key: string | number;
}

function setChild(f: Frame, key: string | number, value: unknown): void {
  if (!f.copy) {
    if (Array.isArray(f.src)) f.copy = f.src.slice();
    else {
      const c = Object.create(Object.getPrototypeOf(f.src) as object | null) as Record<string, unknown>;
      for (const k of f.keys!) Object.defineProperty(c, k, { value: f.src[k], enumerable: true, writable: true, configurable: true });
      f.copy = c;
    }
  }
  if (Array.isArray(f.copy)) f.copy[key as number] = value;
  else Object.defineProperty(f.copy, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The document with every string as `names.text` gives it: a copy of only what changed (plain objects
 * and arrays; class instances such as masked values are kept as they are). Iterative: any depth.
 */
export function forText<D>(doc: D, names: LongNames): D {
  if (!isPlain(doc)) return (typeof doc === "string" ? names.text(doc) : doc) as D;
  const seen = new Set<object>();
  const frame = (src: Container, parent: Frame | undefined, key: string | number): Frame => {
    seen.add(src);
    const keys = Array.isArray(src) ? null : Object.keys(src);
    return { src, keys, size: keys ? keys.length : (src as unknown[]).length, at: 0, copy: undefined, parent, key };
  };
  const stack: Frame[] = [frame(doc, undefined, "")];
  let result: unknown = doc;
  while (stack.length) {
    const f = stack[stack.length - 1]!;
    if (f.at < f.size) {
      const k = f.keys ? f.keys[f.at++]! : f.at++;
      const v = (f.src as Record<string | number, unknown>)[k];
      if (typeof v === "string") {
        const t = names.text(v);
        if (t !== v) setChild(f, k, t);
      } else if (v !== null && typeof v === "object" && isPlain(v) && !seen.has(v)) stack.push(frame(v, f, k));
      continue;
    }
    stack.pop();
    const out = f.copy ?? f.src;
    if (f.parent) {
      if (out !== f.src) setChild(f.parent, f.key, out);
    } else result = out;
  }
  return result as D;
}
