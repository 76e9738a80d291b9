// A forgiving JSON reader for dumps pasted into bug reports. It is used only when JSON.parse
// fails. It accepts // and /* */ comments, trailing commas, missing commas between members,
// elision markers ("...snip...", "...", "…", "<snip>") and text before and after the JSON.
// When the input ends early, or breaks in a way it cannot repair, it keeps everything read so
// far: containers are closed where they stood and remembered as incomplete, so callers can drop
// the one resource that was cut and keep the rest.

import { childPath } from "../diag.js";

export interface TolerantProblem {
  code: "elided" | "comment" | "trailing-comma" | "missing-comma" | "truncated" | "syntax" | "surrounding-text";
  message: string;
  line: number;
  column: number;
  path: string;
}

export interface TolerantResult {
  value: unknown;
  /** The problems found, at most MAX_PROBLEMS of each code (the rest only counted in `more`). */
  problems: TolerantProblem[];
  /** How many problems of a code were found past the first MAX_PROBLEMS (memory stays bounded however many a text holds). */
  more: Partial<Record<TolerantProblem["code"], number>>;
  /** Objects and arrays that were cut off (the ancestors of the point where reading stopped). */
  incomplete: WeakSet<object>;
  /** Objects and arrays that had content elided by a snip marker. */
  elided: WeakSet<object>;
}

class Stop extends Error {}

/** Deeper nesting than this stops the reader (Envoy's parser refuses far less: 100 nested messages). */
export const MAX_NESTING = 512;

/** The problems of one code kept with their place; past this many they are counted only. */
export const MAX_PROBLEMS = 1000;

const ELISION = /^(?:\.\.\.|…|。{2,}[^\n,\]}"]*|<"?(?:snip|clipped|omitted|truncated|elided|cut)[^>\n]*>|\[snip[^\]\n]*\]|\(snip[^)\n]*\)|\(truncated[^)\n]*\))/i;

/**
 * An elision swallowed closing brackets: a "{" stands where a property name was due. The objects
 * cut short are closed, and reading resumes at the nearest enclosing list, where "{" starts the
 * next element.
 */
class Resume extends Error {}

export function parseTolerant(text: string): TolerantResult | undefined {
  const p = new Parser(text);
  return p.run();
}

class Parser {
  private i = 0;
  private readonly problems: TolerantProblem[] = [];
  private readonly kept = new Map<TolerantProblem["code"], number>();
  private readonly more: TolerantResult["more"] = {};
  private readonly incomplete = new WeakSet<object>();
  private readonly elided = new WeakSet<object>();
  private lineStarts?: number[];
  private stopped = false;

  private readonly s: string;
  constructor(s: string) {
    this.s = s;
  }

  run(): TolerantResult | undefined {
    const start = this.findStart();
    if (start < 0) return undefined;
    if (start > 0 && this.s.slice(0, start).trim()) {
      this.problem("surrounding-text", "text before the JSON was ignored", "$", start);
    }
    this.i = start;
    let value: unknown;
    try {
      value = this.value("$");
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      return undefined; // nothing at all could be read
    }
    if (!this.stopped) {
      this.ws("$");
      if (this.i < this.s.length && this.s.slice(this.i).trim()) {
        this.problem("surrounding-text", "text after the JSON was ignored", "$", this.i);
      }
    }
    return { value, problems: this.problems, more: this.more, incomplete: this.incomplete, elided: this.elided };
  }

  /**
   * The first '{' or '[' that starts a line and starts JSON (a shell prompt such as "[root@host ~]#"
   * does not), else the first one at all.
   */
  private findStart(): number {
    const re = /^[ \t]*([{[])/gm;
    for (let m = re.exec(this.s); m; m = re.exec(this.s)) {
      const at = m.index + m[0].length - 1;
      const next = /\S/.exec(this.s.slice(at + 1, at + 200));
      const c = next?.[0];
      // A comment may stand first in an object ({ // the dump's sections).
      if (c === undefined || (m[1] === "{" ? c === '"' || c === "}" || c === "/" : /[[{"\]\-0-9tfn]/.test(c))) return at;
    }
    return this.s.search(/[{[]/);
  }

  position(at: number): { line: number; column: number } {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let k = 0; k < this.s.length; k++) if (this.s.charCodeAt(k) === 10) this.lineStarts.push(k + 1);
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - this.lineStarts[lo]! + 1 };
  }

  private problem(code: TolerantProblem["code"], message: string, path: string, at = this.i): void {
    const n = this.kept.get(code) ?? 0;
    if (n >= MAX_PROBLEMS) {
      this.more[code] = (this.more[code] ?? 0) + 1;
      return;
    }
    this.kept.set(code, n + 1);
    this.problems.push({ code, message, path, ...this.position(at) });
  }

  /** Skips white space and comments. Returns true if an elision marker was skipped. */
  private ws(path: string): boolean {
    const s = this.s;
    let elided = false;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        this.i++;
      } else if (c === 47 && s.charCodeAt(this.i + 1) === 47) {
        const end = s.indexOf("\n", this.i);
        this.problem("comment", "comment ignored", path);
        this.i = end < 0 ? s.length : end;
      } else if (c === 35) {
        // "#" comments: pasted from YAML-minded docs.
        const end = s.indexOf("\n", this.i);
        this.problem("comment", "comment ignored", path);
        this.i = end < 0 ? s.length : end;
      } else if (c === 47 && s.charCodeAt(this.i + 1) === 42) {
        const end = s.indexOf("*/", this.i + 2);
        this.problem("comment", "comment ignored", path);
        this.i = end < 0 ? s.length : end + 2;
      } else if ((c === 46 || c === 0x2026 || c === 0x3002 || c === 60 || c === 91 || c === 40) && ELISION.test(s.slice(this.i, this.i + 40))) {
        // An elision marker: skip it, then to the end of the line, but stop before a closing bracket or comma.
        const at = this.i;
        let k = this.i + ELISION.exec(s.slice(this.i, this.i + 40))![0].length;
        while (k < s.length && s[k] !== "\n" && s[k] !== "," && s[k] !== "]" && s[k] !== "}" && s[k] !== '"') k++;
        this.problem("elided", `content elided ("${s.slice(at, k).trim()}"): what it stood for is unknown`, path, at);
        this.i = k;
        elided = true;
        this.pendingElision = true;
      } else {
        return elided;
      }
    }
  }

  private eof(path: string): never {
    this.problem("truncated", "the input ends here: everything after this point is missing", path, this.s.length);
    this.stopped = true;
    throw new Stop();
  }

  private fail(path: string, what: string): never {
    const ch = this.s[this.i];
    this.problem("syntax", `${what}, found ${JSON.stringify(ch)}: the rest of the input was not read`, path);
    this.stopped = true;
    throw new Stop();
  }

  private depth = 0;

  private value(path: string): unknown {
    this.ws(path);
    if (this.i >= this.s.length) this.eof(path);
    const c = this.s[this.i];
    if (c === "{" || c === "[") {
      if (this.depth >= MAX_NESTING) {
        this.problem("syntax", `nested deeper than ${MAX_NESTING} levels: the rest of the input was not read`, path);
        this.stopped = true;
        throw new Stop();
      }
      this.depth++;
      try {
        return c === "{" ? this.object(path) : this.array(path);
      } finally {
        this.depth--;
      }
    }
    if (c === '"') return this.string(path);
    if (c === "-" || (c! >= "0" && c! <= "9")) return this.number(path);
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
      if (word.startsWith(this.s.slice(this.i)) && this.i + word.length > this.s.length) this.eof(path);
    }
    return this.fail(path, "expected a JSON value");
  }

  private string(path: string): string {
    const s = this.s;
    const start = this.i;
    let k = start + 1;
    for (;;) {
      const q = s.indexOf('"', k);
      if (q < 0) this.eof(path);
      let bs = 0;
      for (let b = q - 1; b > start && s[b] === "\\"; b--) bs++;
      if (bs % 2 === 0) {
        this.i = q + 1;
        try {
          return JSON.parse(s.slice(start, q + 1)) as string;
        } catch {
          this.i = start;
          return this.fail(path, "bad string");
        }
      }
      k = q + 1;
    }
  }

  private number(path: string): number {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 64));
    if (!m) return this.fail(path, "bad number");
    this.i += m[0].length;
    if (this.i >= this.s.length) this.eof(path); // a number at the very end may itself be cut
    return Number(m[0]);
  }

  private object(path: string): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    this.i++; // {
    let first = true;
    try {
      for (;;) {
        if (this.ws(path)) this.elided.add(obj);
        if (this.i >= this.s.length) this.eof(path);
        const c = this.s[this.i];
        if (c === "}") {
          this.i++;
          return obj;
        }
        if (c === ",") {
          if (first) this.fail(path, "expected a property name");
          this.i++;
          if (this.ws(path)) this.elided.add(obj);
          if (this.s[this.i] === "}") {
            this.problem("trailing-comma", "trailing comma ignored", path);
            this.i++;
            return obj;
          }
        } else if (!first) {
          if (c === "{" && this.pendingElision && this.lists > 0) this.resume();
          if (c !== '"') this.fail(path, "expected ',' or '}'");
          this.problem("missing-comma", "missing ',' between properties assumed", path);
        }
        if (this.ws(path)) this.elided.add(obj);
        if (this.i >= this.s.length) this.eof(path);
        if (this.s[this.i] === "}") continue;
        if (this.s[this.i] === "{" && this.pendingElision && this.lists > 0) this.resume();
        if (this.s[this.i] !== '"') this.fail(path, "expected a property name");
        const key = this.string(path);
        this.pendingElision = false;
        // A string is a property name once its colon follows: before that, a problem is reported at the
        // object (damaged input can make a key of a value, a credential in a header for one).
        this.ws(path);
        if (this.i >= this.s.length) this.eof(path);
        if (this.s[this.i] !== ":") this.fail(path, "expected ':' after a property name");
        this.i++;
        const kpath = childPath(path, key);
        let v: unknown;
        try {
          v = this.value(kpath);
        } catch (e) {
          if (e instanceof Resume && this.cutShort !== undefined) setOwn(obj, key, this.cutShort);
          throw e;
        }
        setOwn(obj, key, v);
        first = false;
        if (this.stopped) {
          this.incomplete.add(obj); // v was a container that was cut off inside
          return obj;
        }
      }
    } catch (e) {
      if (e instanceof Resume) {
        this.incomplete.add(obj);
        this.elided.add(obj);
        this.cutShort = obj;
        throw e;
      }
      if (!(e instanceof Stop)) throw e;
      this.incomplete.add(obj); // cut off in this object's own syntax or in a scalar member (dropped)
      return obj;
    }
  }

  /** An elision marker was skipped and no property name has been read since: closing brackets may be missing. */
  private pendingElision = false;

  /** How many lists enclose the reader now: a Resume needs one to land in. */
  private lists = 0;
  /** The container a Resume cut short, handed up level by level to the list that takes the reading up again. */
  private cutShort: unknown;

  /** Closing brackets were elided: unwind to the list the next "{" belongs to. */
  private resume(): never {
    this.cutShort = undefined;
    throw new Resume();
  }

  /** Whether the "{" at the reader starts a next element of `arr` (its elements start with the same key). */
  private continues(arr: unknown[]): boolean {
    const next = this.peekFirstKey();
    const firstOf = arr[0] && typeof arr[0] === "object" && !Array.isArray(arr[0]) ? Object.keys(arr[0] as object)[0] : undefined;
    return next === undefined || firstOf === undefined || next === firstOf;
  }

  /** The first property name of the object starting at the reader (which stays where it is). */
  private peekFirstKey(): string | undefined {
    const m = /^\{\s*"((?:[^"\\]|\\.)*)"/.exec(this.s.slice(this.i, this.i + 400));
    return m ? m[1] : undefined;
  }

  private array(path: string): unknown[] {
    const arr: unknown[] = [];
    this.i++; // [
    let first = true;
    this.lists++;
    try {
      for (;;) {
        if (this.ws(childPath(path, arr.length))) this.elided.add(arr);
        if (this.i >= this.s.length) this.eof(childPath(path, arr.length));
        const c = this.s[this.i];
        if (c === "]") {
          this.i++;
          return arr;
        }
        if (c === ",") {
          if (first) {
            // "[ ..., x ]" after an elision marker: fine; otherwise an empty slot.
            if (!this.elided.has(arr)) this.fail(path, "expected a value");
          }
          this.i++;
          if (this.ws(childPath(path, arr.length))) this.elided.add(arr);
          if (this.s[this.i] === "]") {
            this.problem("trailing-comma", "trailing comma ignored", path);
            this.i++;
            return arr;
          }
          if (this.s[this.i] === ",") continue;
        } else if (!first) {
          if (!"{[\"-0123456789tfn".includes(c!)) this.fail(path, "expected ',' or ']'");
          this.problem("missing-comma", "missing ',' between elements assumed", path);
        }
        if (this.i >= this.s.length) this.eof(childPath(path, arr.length));
        if (this.s[this.i] === "]") continue;
        // After an elision, a "{" that starts no element of this list belongs to an outer one: this list was cut short too.
        if (this.pendingElision && this.s[this.i] === "{" && this.lists > 1 && !this.continues(arr)) this.resume();
        let v: unknown;
        try {
          v = this.value(childPath(path, arr.length));
        } catch (e) {
          if (!(e instanceof Resume)) throw e;
          if (this.cutShort !== undefined) arr.push(this.cutShort);
          this.cutShort = undefined;
          if (this.lists > 1 && !this.continues(arr)) {
            this.incomplete.add(arr);
            this.cutShort = arr;
            throw e;
          }
          // The element's closing brackets were elided: what it holds so far is kept, and the "{" starts the next.
          this.problem("elided", "closing brackets were elided: the element is kept as far as it goes, and the next one starts here", childPath(path, arr.length));
          this.elided.add(arr);
          first = false;
          continue;
        }
        arr.push(v);
        first = false;
        if (this.stopped) {
          this.incomplete.add(arr); // v was a container cut off inside: kept, and marked
          return arr;
        }
      }
    } catch (e) {
      if (e instanceof Resume) {
        if (this.cutShort === undefined) this.cutShort = arr;
        this.incomplete.add(arr);
        throw e;
      }
      if (!(e instanceof Stop)) throw e;
      this.incomplete.add(arr); // a scalar element cut off is dropped
      return arr;
    } finally {
      this.lists--;
    }
  }
}

/** Sets an own property even for "__proto__", without touching any prototype. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
