// Where a JSON path ($.configs[2].dynamic_listeners[0].active_state.listener.filterChains[3]) is in the
// input's text, as a 1-based line and column, for findings that point at the file (SARIF, code scanning).
//
// Nothing is kept for it but a reference to what the loader already held (the text, or the bytes, or
// the file to read again): the work is done only when asked, for many paths at once.
//   - JSON (and a JSON block pasted into other text): one linear pass over the text, iterative, with
//     the asked paths as a trie. Only containers on an asked path are followed key by key; any other
//     value is skipped by its brackets and strings alone; the pass stops once every path is settled
//     (found, or the container that would hold it closed). The position is that of the value's first
//     character (the "{" of a listener, the "[" of a list, the first character of a scalar).
//   - YAML: the `yaml` package's document, with a LineCounter; the position of the value's node (for a
//     block mapping, its first key).
//   - A streamed input: the spans of the resources the scanner left in the file; a path inside one is
//     found by the same pass over that resource's bytes alone. A path outside every such resource
//     (the dump's sections themselves) is not located.
// Keys are compared as the loader reads them: underscores and case ignored (filter_chains is
// filterChains), and a hidden_envoy_deprecated_ key stands for the field it hides. A path that is not
// found whole gives the deepest prefix of it that is.
import YAML from "yaml";
import { canonicalKey, HIDDEN } from "./keys.js";
import { prepareText } from "./parse.js";
import type { SpanReader } from "./json-scan.js";

export interface Position {
  line: number;
  column: number;
}

/** What the loader keeps of a text input: the text itself, or how to have it again. */
export interface TextSource {
  /** The text as loaded (before prepareText), or undefined when it can no longer be had (the file changed). */
  text: () => string | undefined;
  syntax: "json" | "json-repaired" | "yaml";
  /** Where the JSON starts inside other text (a pasted page), 1-based. */
  embedded?: { line: number; column: number };
}

/** A list of resources a streamed input left in the file: its path, and where each element's bytes are. */
export interface StreamedList {
  path: string;
  starts: Float64Array;
  ends: Float64Array;
}

type Seg = string | number;

/**
 * A path's segments: keys in canonical form (underscores and case dropped), indexes as numbers.
 * Undefined for text that is not a path as childPath spells them ($, .key, ["key"], [i]).
 */
export function pathSegments(path: string): Seg[] | undefined {
  if (!path.startsWith("$")) return undefined;
  const out: Seg[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === ".") {
      const m = /^[A-Za-z_$@][\w$@-]*/.exec(path.slice(i + 1, i + 1 + 256));
      if (!m) return undefined;
      out.push(canonicalKey(m[0]));
      i += 1 + m[0].length;
    } else if (c === "[") {
      if (path[i + 1] === '"') {
        // A JSON string: its end is the first unescaped quote followed by "]".
        let q = i + 2;
        for (;;) {
          q = path.indexOf('"', q);
          if (q < 0) return undefined;
          let bs = 0;
          for (let b = q - 1; path[b] === "\\"; b--) bs++;
          if (bs % 2 === 0 && path[q + 1] === "]") break;
          q++;
        }
        let key: string;
        try {
          key = JSON.parse(path.slice(i + 1, q + 1)) as string;
        } catch {
          return undefined;
        }
        out.push(canonicalKey(key));
        i = q + 2;
      } else {
        const m = /^\[(\d+)\]/.exec(path.slice(i, i + 24));
        if (!m) return undefined;
        out.push(Number(m[1]));
        i += m[0].length;
      }
    } else return undefined;
  }
  return out;
}

/** A node of the trie of asked paths: one per distinct prefix. */
class Node {
  readonly children = new Map<Seg, Node>();
  /** How many asked paths end here. */
  targets = 0;
  /** Asked paths in this subtree not yet settled (found, or their container closed). */
  remaining = 0;
  /** Where the value at this prefix starts, once found. */
  at = -1;
  readonly parent?: Node;
  constructor(parent?: Node) {
    this.parent = parent;
  }
  child(seg: Seg): Node {
    let n = this.children.get(seg);
    if (!n) this.children.set(seg, (n = new Node(this)));
    return n;
  }
  /** The child for a key as written in the input. */
  childForKey(raw: string): Node | undefined {
    if (this.children.size === 0) return undefined;
    const c = canonicalKey(raw);
    return this.children.get(c) ?? (c.startsWith(HIDDEN) ? this.children.get(c.slice(HIDDEN.length)) : undefined);
  }
  /** Found at `at`: the paths that end here are settled. */
  found(at: number): void {
    this.at = at;
    if (this.targets) this.settle(this.targets);
  }
  /** Its value ended: no path below it can be found any more. */
  closed(): void {
    if (this.remaining) this.settle(this.remaining);
  }
  private settle(n: number): void {
    for (let p: Node | undefined = this; p; p = p.parent) p.remaining -= n;
  }
}

/** The trie of paths (each as segments), with the node each path ends at. */
function buildTrie(paths: Seg[][]): { root: Node; ends: Node[] } {
  const root = new Node();
  const ends = paths.map((segs) => {
    let n = root;
    for (const s of segs) n = n.child(s);
    n.targets++;
    for (let p: Node | undefined = n; p; p = p.parent) p.remaining++;
    return n;
  });
  return { root, ends };
}

/** The deepest node on a path's way that was found: the whole path, else its deepest prefix that exists. */
function deepestFound(end: Node): Node | undefined {
  for (let n: Node | undefined = end; n; n = n.parent) if (n.at >= 0) return n;
  return undefined;
}

// Character codes.
const QUOTE = 34,
  OPEN_OBJ = 123,
  CLOSE_OBJ = 125,
  OPEN_ARR = 91,
  CLOSE_ARR = 93,
  COMMA = 44,
  COLON = 58,
  SLASH = 47,
  HASH = 35,
  NL = 10;

/** The index just past the string that opens at `i` (the text's end if it never closes). */
function stringEnd(s: string, i: number): number {
  let k = i + 1;
  for (;;) {
    const q = s.indexOf('"', k);
    if (q < 0) return s.length;
    let bs = 0;
    for (let b = q - 1; b > i && s.charCodeAt(b) === 92; b--) bs++;
    if (bs % 2 === 0) return q + 1;
    k = q + 1;
  }
}

/** Past a comment that starts at `i` ("//", "/*", "#": pasted dumps have them), or `i` when none does. */
function commentEnd(s: string, i: number, c: number): number {
  if (c === HASH || (c === SLASH && s.charCodeAt(i + 1) === SLASH)) {
    const e = s.indexOf("\n", i);
    return e < 0 ? s.length : e;
  }
  if (c === SLASH && s.charCodeAt(i + 1) === 42) {
    const e = s.indexOf("*/", i + 2);
    return e < 0 ? s.length : e + 2;
  }
  return i;
}

const isWs = (c: number) => c === 32 || c === NL || c === 13 || c === 9;
/** The characters a JSON value starts with. */
const startsValue = (c: number) => c === OPEN_OBJ || c === OPEN_ARR || c === QUOTE || c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110;

/**
 * Past an elision marker of a pasted dump ("...", "…", "<snip>", "[snip]", "(truncated)") and the rest
 * of its line, as the tolerant reader skips it (up to a bracket, comma or quote); `i` when none starts here.
 */
function elisionEnd(s: string, i: number, c: number): number {
  let k = i;
  if (c === 60 /* < */) {
    const e = s.indexOf(">", i);
    const nl = s.indexOf("\n", i);
    if (e < 0 || (nl >= 0 && nl < e)) return i;
    k = e + 1;
  } else if (c === OPEN_ARR || c === 40 /* ( */) {
    if (!/^[[(](?:snip|truncated)/i.test(s.slice(i, i + 12))) return i;
    const e = s.indexOf(c === OPEN_ARR ? "]" : ")", i);
    k = e < 0 ? s.length : e + 1;
  } else if (c !== 46 /* . */ && c !== 0x2026 && c !== 0x3002) return i;
  for (; k < s.length; k++) {
    const d = s.charCodeAt(k);
    if (d === NL || d === COMMA || d === CLOSE_ARR || d === CLOSE_OBJ || d === QUOTE) break;
  }
  return k;
}

/** Past the value that starts at `i`, whatever it holds: strings and brackets only, no path kept. */
function skipValue(s: string, i: number): number {
  const n = s.length;
  let c = s.charCodeAt(i);
  if (c === QUOTE) return stringEnd(s, i);
  if (c !== OPEN_OBJ && c !== OPEN_ARR) {
    // A number or a literal.
    while (i < n && !isWs(c) && c !== COMMA && c !== CLOSE_ARR && c !== CLOSE_OBJ) c = s.charCodeAt(++i);
    return i;
  }
  let depth = 0;
  while (i < n) {
    c = s.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(s, i);
      continue;
    }
    if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
    else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      if (--depth === 0) return i + 1;
    } else if (c === SLASH || c === HASH) {
      const e = commentEnd(s, i, c);
      if (e > i) {
        i = e;
        continue;
      }
    }
    i++;
  }
  return n;
}

/**
 * One pass over JSON text from `from` (where its root value is, or white space before it), marking
 * where each node of the trie is found. Tolerant as the pasted-dump reader is: comments, missing and
 * trailing commas, elision markers; it never fails, it stops at the end of the text or of the root.
 */
function scanJsonText(s: string, from: number, root: Node): void {
  const n = s.length;
  // The containers on an asked path that enclose the reader: their node, kind, and next element index.
  const nodes: Node[] = [];
  const isObj: boolean[] = [];
  const count: number[] = [];
  let i = from;
  const skipGap = (): void => {
    while (i < n) {
      const c = s.charCodeAt(i);
      if (isWs(c)) i++;
      else if (c === SLASH || c === HASH) {
        const e = commentEnd(s, i, c);
        if (e === i) return;
        i = e;
      } else return;
    }
  };
  /** The value at `i` is the node's: found; followed into when a container with asked paths below. */
  const enter = (node: Node): void => {
    node.found(i);
    const c = s.charCodeAt(i);
    if (node.remaining > 0 && node.children.size > 0 && (c === OPEN_OBJ || c === OPEN_ARR)) {
      nodes.push(node);
      isObj.push(c === OPEN_OBJ);
      count.push(0);
      i++;
      return;
    }
    i = skipValue(s, i);
    node.closed();
  };
  const close = (): void => {
    nodes.pop()!.closed();
    isObj.pop();
    count.pop();
  };
  skipGap();
  if (i >= n) return;
  enter(root);
  while (nodes.length && root.remaining > 0) {
    skipGap();
    if (i >= n) break;
    const c = s.charCodeAt(i);
    const top = nodes.length - 1;
    if (c === COMMA) {
      i++;
      continue;
    }
    if (isObj[top]) {
      if (c === CLOSE_OBJ) {
        i++;
        close();
      } else if (c === QUOTE) {
        const end = stringEnd(s, i);
        let key = s.slice(i + 1, end - 1);
        if (key.includes("\\")) {
          try {
            key = JSON.parse(s.slice(i, end)) as string;
          } catch {
            // Left as written.
          }
        }
        i = end;
        skipGap();
        if (s.charCodeAt(i) !== COLON) continue; // not a property name: the tolerant reader stops here too
        i++;
        skipGap();
        if (i >= n) break;
        const child = nodes[top]!.childForKey(key);
        if (child && child.remaining > 0) enter(child);
        else i = skipValue(s, i);
      } else if ((c === OPEN_OBJ || c === OPEN_ARR) && isObj.includes(false)) {
        // A "{" where a property name was due: closing brackets were elided, and the next element of the
        // nearest enclosing list starts here (as the tolerant reader resumes).
        while (isObj[nodes.length - 1]) close();
      } else {
        const e = elisionEnd(s, i, c);
        i = e > i ? e : i + 1;
      }
    } else if (c === CLOSE_ARR) {
      i++;
      close();
    } else if (startsValue(c) && !(c === OPEN_ARR && elisionEnd(s, i, c) > i)) {
      const child = nodes[top]!.children.get(count[top]!++);
      if (child && child.remaining > 0) enter(child);
      else i = skipValue(s, i);
    } else {
      const e = elisionEnd(s, i, c);
      i = e > i ? e : i + 1;
    }
  }
}

/** Line and column (1-based, in UTF-16 units) of offsets in a text: one walk over its line breaks, up to the last. */
function lineColumns(s: string, offsets: number[]): Map<number, Position> {
  const out = new Map<number, Position>();
  const sorted = [...new Set(offsets)].sort((a, b) => a - b);
  let line = 1;
  let lineStart = 0;
  let next = s.indexOf("\n");
  for (const at of sorted) {
    while (next >= 0 && next < at) {
      line++;
      lineStart = next + 1;
      next = s.indexOf("\n", lineStart);
    }
    out.set(at, { line, column: at - lineStart + 1 });
  }
  return out;
}

/** The offset of a 1-based line and column. */
function offsetOf(s: string, pos: { line: number; column: number }): number {
  let at = 0;
  for (let l = 1; l < pos.line; l++) {
    const nl = s.indexOf("\n", at);
    if (nl < 0) return 0;
    at = nl + 1;
  }
  return at + pos.column - 1;
}

/** Positions of paths in JSON text whose root value is at `from` (or after white space from there). */
function locateInJson(s: string, from: number, asked: Seg[][]): (number | undefined)[] {
  const { root, ends } = buildTrie(asked);
  scanJsonText(s, from, root);
  return ends.map((e) => deepestFound(e)?.at);
}

/** Positions of paths in YAML text (several documents read as the loader reads them: one list of them all). */
function locateInYaml(s: string, asked: Seg[][]): (Position | undefined)[] {
  const lineCounter = new YAML.LineCounter();
  const docs = YAML.parseAllDocuments(s, { uniqueKeys: false, lineCounter });
  const list = (Array.isArray(docs) ? docs : [docs]).filter((d) => d.contents !== null && !(YAML.isScalar(d.contents) && d.contents.value === null));
  type YNode = YAML.Node | null | undefined;
  const deref = (node: YNode, doc: YAML.Document.Parsed): YNode => {
    for (let k = 0; k < 8 && YAML.isAlias(node); k++) node = node.resolve(doc) as YNode;
    return node;
  };
  // The root: one document's value, or the documents' values as one list (lists flattened), as parse.ts reads them.
  const roots: { node: YNode; doc: YAML.Document.Parsed }[] =
    list.length === 1 ? [{ node: list[0]!.contents, doc: list[0]! }] : list.flatMap((d) => (YAML.isSeq(d.contents) ? d.contents.items.map((node) => ({ node: node as YNode, doc: d })) : [{ node: d.contents, doc: d }]));
  const pos = (node: YNode, fallback?: YNode): Position | undefined => {
    const at = (node as { range?: [number, number, number] } | null | undefined)?.range?.[0] ?? (fallback as { range?: [number, number, number] } | null | undefined)?.range?.[0];
    if (at === undefined) return undefined;
    const p = lineCounter.linePos(at);
    return { line: p.line, column: p.col };
  };
  return asked.map((segs) => {
    let found: Position | undefined;
    let node: YNode;
    let doc: YAML.Document.Parsed;
    let k = 0;
    if (list.length === 1) {
      node = roots[0]!.node;
      doc = roots[0]!.doc;
    } else {
      if (!list.length) return undefined;
      // Several documents: the root is a list of them, located at the first.
      const first = segs[0];
      const r = typeof first === "number" ? roots[first] : undefined;
      found = pos(roots[0]!.node);
      if (!r) return found;
      node = r.node;
      doc = r.doc;
      k = 1;
    }
    node = deref(node, doc);
    found = pos(node) ?? found;
    for (; k < segs.length; k++) {
      const seg = segs[k]!;
      let next: YNode;
      let key: YNode;
      if (typeof seg === "number") {
        if (!YAML.isSeq(node)) break;
        next = node.items[seg] as YNode;
        if (next === undefined) break;
      } else {
        if (!YAML.isMap(node)) break;
        const pair = node.items.find((p) => {
          const kv = YAML.isScalar(p.key) ? p.key.value : p.key;
          if (typeof kv !== "string" && typeof kv !== "number") return false;
          const c = canonicalKey(String(kv));
          return c === seg || c === HIDDEN + seg;
        });
        if (!pair) break;
        next = pair.value as YNode;
        key = pair.key as YNode;
      }
      next = deref(next, doc);
      // A key with no value (`name:`) is located at its key.
      const p = pos(next, key);
      if (!p) break;
      found = p;
      node = next;
    }
    return found;
  });
}

/** Locates paths in an input: its text, or a streamed input's resources in the file. */
export class Locator {
  private readonly source?: TextSource;
  private readonly reader?: SpanReader;
  private readonly lists: StreamedList[];
  constructor(from: { text: TextSource } | { reader: SpanReader; lists: StreamedList[] }) {
    if ("text" in from) {
      this.source = from.text;
      this.lists = [];
    } else {
      this.reader = from.reader;
      this.lists = from.lists;
    }
  }

  locateAll(paths: string[]): Map<string, Position> {
    const out = new Map<string, Position>();
    const uniq = [...new Set(paths)];
    const parsed: { path: string; segs: Seg[] }[] = [];
    for (const p of uniq) {
      const segs = pathSegments(p);
      if (segs) parsed.push({ path: p, segs });
    }
    if (!parsed.length) return out;
    try {
      if (this.source) this.inText(this.source, parsed, out);
      else if (this.reader) this.inStream(this.reader, parsed, out);
    } catch {
      // A file that cannot be read again, a streamed input already closed: nothing is located.
    }
    return out;
  }

  private inText(src: TextSource, asked: { path: string; segs: Seg[] }[], out: Map<string, Position>): void {
    const original = src.text();
    if (original === undefined) return;
    const prepared = src.syntax === "json" ? { text: original, entities: false } : prepareText(original);
    const s = prepared.text;
    let found: (Position | undefined)[];
    if (src.syntax === "yaml") found = locateInYaml(s, asked.map((a) => a.segs));
    else {
      const from = src.embedded ? offsetOf(s, src.embedded) : 0;
      const at = locateInJson(s, from, asked.map((a) => a.segs));
      const lc = lineColumns(s, at.filter((x): x is number => x !== undefined));
      found = at.map((o) => (o === undefined ? undefined : lc.get(o)));
    }
    // HTML escapes were decoded (lines kept, columns not): columns are counted again on the lines as written.
    if (prepared.entities) found = entityColumns(original, found);
    asked.forEach((a, i) => found[i] && out.set(a.path, found[i]!));
  }

  /**
   * A streamed input: a path inside a resource the scanner left in the file is found in that resource's
   * bytes alone; any other path in the file's skeleton (the file with each such resource read as "{}"),
   * which is what is left of a dump around its resources. Lines and columns are counted in the file's
   * bytes (as the scanner's positions are).
   */
  private inStream(reader: SpanReader, asked: { path: string; segs: Seg[] }[], out: Map<string, Position>): void {
    const lists = this.lists.map((l) => ({ ...l, segs: pathSegments(l.path) })).filter((l) => l.segs);
    // By element: the paths inside it, relative to it.
    const byElement = new Map<string, { start: number; end: number; asked: { path: string; rest: Seg[] }[] }>();
    const outside: { path: string; segs: Seg[] }[] = [];
    for (const a of asked) {
      let best: { list: (typeof lists)[number]; index: number } | undefined;
      for (const l of lists) {
        const ls = l.segs!;
        if (ls.length >= a.segs.length || (best && best.list.segs!.length >= ls.length)) continue;
        if (!ls.every((seg, k) => a.segs[k] === seg)) continue;
        const index = a.segs[ls.length];
        if (typeof index === "number" && index < l.starts.length) best = { list: l, index };
      }
      if (!best) {
        outside.push(a);
        continue;
      }
      const key = `${best.list.path}\u0000${best.index}`;
      let e = byElement.get(key);
      if (!e) byElement.set(key, (e = { start: best.list.starts[best.index]!, end: best.list.ends[best.index]!, asked: [] }));
      e.asked.push({ path: a.path, rest: a.segs.slice(best.list.segs!.length + 1) });
    }
    const fileOffsets = new Map<string, number>();
    for (const e of byElement.values()) {
      // An element too large to read as one piece here is located at its start.
      if (e.end - e.start > MAX_PIECE) {
        for (const a of e.asked) fileOffsets.set(a.path, e.start);
        continue;
      }
      const s = reader.text(e.start, e.end);
      const at = locateInJson(s, 0, e.asked.map((a) => a.rest));
      const bytes = utf8Offsets(s, at);
      e.asked.forEach((a, i) => fileOffsets.set(a.path, e.start + (bytes[i] ?? 0)));
    }
    if (outside.length) this.inSkeleton(reader, outside, fileOffsets);
    // In file order, so that the reader counts lines in one pass.
    for (const [path, at] of [...fileOffsets].sort((x, y) => x[1] - y[1])) out.set(path, reader.position(at));
  }

  /** Paths outside the resources left in the file, found in the file's skeleton: file offsets. */
  private inSkeleton(reader: SpanReader, asked: { path: string; segs: Seg[] }[], fileOffsets: Map<string, number>): void {
    const spans: [number, number][] = [];
    for (const l of this.lists) for (let i = 0; i < l.starts.length; i++) spans.push([l.starts[i]!, l.ends[i]!]);
    spans.sort((x, y) => x[0] - y[0]);
    let left = reader.size;
    for (const [a, b] of spans) left -= b - a;
    if (left > MAX_PIECE) return;
    // The skeleton in pieces: each gap between elements as read, then "{}" for the element after it.
    const parts: string[] = [];
    const pieceAt: number[] = []; // where each piece starts in the skeleton
    const pieceFrom: number[] = []; // and in the file
    let skel = 0;
    let from = 0;
    const piece = (text: string, fileAt: number) => {
      parts.push(text);
      pieceAt.push(skel);
      pieceFrom.push(fileAt);
      skel += text.length;
    };
    for (const [a, b] of spans) {
      if (a < from) continue;
      if (a > from) piece(reader.text(from, a), from);
      piece("{}", a);
      from = b;
    }
    if (from < reader.size) piece(reader.text(from, reader.size), from);
    const s = parts.join("");
    const at = locateInJson(s, 0, asked.map((a) => a.segs));
    asked.forEach((a, i) => {
      const o = at[i];
      if (o === undefined) return;
      // The piece it is in, and how many bytes into it.
      let lo = 0;
      let hi = pieceAt.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (pieceAt[mid]! <= o) lo = mid;
        else hi = mid - 1;
      }
      const inPiece = o - pieceAt[lo]!;
      fileOffsets.set(a.path, pieceFrom[lo]! + (utf8Offsets(parts[lo]!, [inPiece])[0] ?? 0));
    });
  }
}

/** Columns in text whose HTML escapes were decoded, counted again on the lines as written (one walk over the lines, up to the last). */
function entityColumns(original: string, found: (Position | undefined)[]): (Position | undefined)[] {
  const lines = [...new Set(found.filter((p): p is Position => p !== undefined).map((p) => p.line))].sort((a, b) => a - b);
  const starts = new Map<number, number>();
  let line = 1;
  let at = 0;
  for (const want of lines) {
    for (; line < want && at >= 0; line++) at = original.indexOf("\n", at) + 1 || -1;
    if (at < 0) break;
    starts.set(want, at);
  }
  return found.map((p) => {
    const start = p && starts.get(p.line);
    if (!p || start === undefined) return p;
    // Walk the written line, a character reference counting as the one character it stands for.
    let decoded = 1;
    let k = start;
    while (decoded < p.column && k < original.length && original.charCodeAt(k) !== NL) {
      const m = original.charCodeAt(k) === 38 ? /^&(?:#9[13]|#123|#125|#34|quot|lt|gt|amp);/.exec(original.slice(k, k + 6)) : null;
      k += m ? m[0].length : 1;
      decoded++;
    }
    return { line: p.line, column: k - start + 1 };
  });
}

/** The longest text read as one piece from a streamed input to locate in it. */
const MAX_PIECE = 256 * 2 ** 20;

/** UTF-8 byte offsets of character offsets in a text (one walk up to the last). */
function utf8Offsets(s: string, offsets: (number | undefined)[]): (number | undefined)[] {
  const order = offsets.map((o, i) => [o, i] as const).filter((x): x is readonly [number, number] => x[0] !== undefined).sort((x, y) => x[0] - y[0]);
  const out: (number | undefined)[] = offsets.map(() => undefined);
  let bytes = 0;
  let k = 0;
  for (const [o, i] of order) {
    for (; k < o && k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c < 0x80) bytes++;
      else if (c < 0x800) bytes += 2;
      else if (c >= 0xd800 && c < 0xdc00) {
        bytes += 4; // a surrogate pair: four bytes for the two
        k++;
      } else bytes += 3;
    }
    out[i] = bytes;
  }
  return out;
}
