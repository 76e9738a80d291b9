// Text -> JSON value: JSON.parse first (the fast path for real dumps), then the tolerant reader
// for pasted dumps, then YAML (istioctl -o yaml). YAML is read with bounded work: nesting past
// MAX_YAML_DEPTH is refused before the parser (which recurses) sees it, errors are not formatted with
// their context (one per character of a line of brackets made that quadratic), alias expansion is
// bounded, and the parser's warnings never reach the process (a library prints nothing).
import YAML from "yaml";
import { InputError, type Diagnostics } from "../diag.js";
import { MAX_PROBLEMS, parseTolerant, type TolerantProblem, type TolerantResult } from "./tolerant-json.js";

export interface ParsedText {
  value: unknown;
  syntax: "json" | "json-repaired" | "yaml";
  /** Where the input stopped early (truncated or unreadable past this point), if it did. */
  cut?: { kind: "truncated" | "syntax"; path: string; line: number; column: number; reason: string };
  /** Places where content was elided by a marker such as "...snip...". */
  elided: { path: string; line: number; column: number }[];
  /** The line where the JSON starts, when it was found inside other text (Markdown, a bug report). */
  embeddedAt?: number;
  /** The column where it starts on that line (1-based). */
  embeddedColumn?: number;
}

/** Lines of Markdown and site generators around a pasted dump: fences, Hugo and Liquid shortcodes. */
const WRAPPER_LINE = /^[ \t]*(?:`{3,}|~{3,}|\{\{[<%].*[%>]\}\}|\{%.*%\})[^\n]*$/gm;

const HTML_ENTITIES: Record<string, string> = { "#91": "[", "#93": "]", "#123": "{", "#125": "}", "#34": '"', quot: '"', lt: "<", gt: ">", amp: "&" };
Object.setPrototypeOf(HTML_ENTITIES, null);

/** A Python dict or list printed with repr(): single-quoted keys, True/False/None. */
function looksPythonRepr(text: string): boolean {
  return /[{,[]\s*'[^'\n]*'\s*:/.test(text) && (/:\s*(?:True|False|None)\b/.test(text) || !/"[^"\n]*"\s*:/.test(text));
}

/**
 * What a text that is neither JSON nor a dump pasted into text looks like, when it is something people
 * give in place of a dump, from its first non-empty lines: the admin's /clusters text
 * (cluster::host::stat::value lines), or a table (istioctl proxy-config's default output, or this
 * tool's: a line of column names, mostly upper case, two or more spaces apart).
 */
function notADump(text: string): string | undefined {
  const lines = text
    .slice(0, 4096)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 6);
  const statLine = (l: string) => /^[^\s:]+::[^\s:]/.test(l) && l.split("::").length >= 3;
  const head = lines.slice(0, 5);
  if (head.length >= 2 && head.filter(statLine).length >= head.length - 1) {
    return "looks like the admin's /clusters text output (cluster::host::stat::value lines), not a dump: ask for /clusters?format=json, or /config_dump";
  }
  for (const line of lines) {
    const letters = line.replace(/[^A-Za-z]/g, "");
    const upper = letters.replace(/[^A-Z]/g, "").length;
    if (/^[A-Za-z][A-Za-z0-9 ()[\]/_.-]*$/.test(line) && / {2,}\S/.test(line) && upper >= 0.7 * letters.length) {
      const columns = line.split(/ {2,}/).slice(0, 6).map((c) => c.slice(0, 30));
      return `looks like a table (columns ${columns.join(", ")}), not a dump: istioctl proxy-config prints one unless asked for -o json; give the dump itself (istioctl proxy-config all <pod> -o json, or the admin /config_dump)`;
    }
  }
  return undefined;
}

/** A template (Jinja, Helm, Go templates) in place of the config it renders, named by its first expression. */
function templateError(file: string, expr: string, what: "action" | "expression", line: number, column: number): InputError {
  return new InputError(file, `a template, not a config: ${JSON.stringify(expr)} is a template ${what} (Go templates, Helm, Jinja): render the template first (a running Envoy's config is in its /config_dump)`, line, column);
}

/** The first line that is not blank, a comment or a document marker is a YAML key (`name:`) or list item (`- `). */
export function looksLikeYaml(text: string): boolean {
  for (const line of text.split("\n", 200)) {
    const l = line.replace(/^\uFEFF/, "").trimEnd();
    if (!l.trim() || /^\s*#/.test(l) || /^(?:---|\.\.\.)\s*$/.test(l) || /^%YAML/.test(l)) continue;
    return /^(?:-(?:\s|$)|(?:[A-Za-z_@$][\w@$.\/-]*|"[^"\n]*"|'[^'\n]*'):(?:\s|$))/.test(l);
  }
  return false;
}

/**
 * The text as read when JSON.parse refuses it: fences and shortcodes around a dump pasted into Markdown
 * or a docs page blanked (positions kept), and a page's HTML escapes decoded (lines kept). Done again
 * by the locator (locate.ts) rather than kept: the input's text is all it holds.
 */
export function prepareText(text: string): { text: string; entities: boolean } {
  if (WRAPPER_LINE.test(text)) text = text.replace(WRAPPER_LINE, (line) => " ".repeat(line.length));
  WRAPPER_LINE.lastIndex = 0;
  // A dump copied out of a web page keeps the page's HTML escapes (&#91; for "[", &quot;, &lt;…).
  const entities = /&(?:#9[13]|#123|#125|#34|quot|lt|gt|amp);/.test(text);
  if (entities) text = text.replace(/&(#9[13]|#123|#125|#34|quot|lt|gt|amp);/g, (_m, e: string) => HTML_ENTITIES[e] ?? _m);
  return { text, entities };
}

/**
 * jsonBlock: text that read as YAML held no config; look for a JSON block in it instead. jsonError:
 * JSON.parse already refused the text (with this error), so it is not asked again.
 */
export function parseText(text: string, file: string, diags: Diagnostics, opts: { jsonBlock?: boolean; jsonError?: unknown } = {}): ParsedText {
  try {
    if (opts.jsonError !== undefined) throw opts.jsonError;
    return { value: JSON.parse(text), syntax: "json", elided: [] };
  } catch (jsonError) {
    if (looksPythonRepr(text)) {
      throw new InputError(file, "looks like a Python repr (single-quoted keys, True/False/None), not JSON: print it with json.dumps(), or save the dump itself");
    }
    const prepared = prepareText(text);
    text = prepared.text;
    if (prepared.entities) diags.note("html-entities", "HTML character references (&#91; &quot; …) read as the characters they stand for");
    // A template whose output is JSON (Istio's envoy_bootstrap.json, Helm): its actions stand outside strings.
    // (YAML is checked by its parser: a block scalar may hold a line that starts with "{{".)
    const yamlish = !opts.jsonBlock && !/^\s*[{[]/.test(text) && looksLikeYaml(text);
    const action = yamlish ? null : /^[ \t]*(\{\{(?![<%])[^\n]*)$|:[ \t]*(\{\{(?![<%])[^}\n]*\}\})/m.exec(text);
    if (action) {
      const at = action.index + action[0].indexOf("{{");
      const line = text.slice(0, at).split("\n").length;
      const expr = (action[1] ?? action[2] ?? "").trim().slice(0, 60);
      throw templateError(file, expr, "action", line, at - text.lastIndexOf("\n", at - 1));
    }
    // YAML that starts like YAML (a key or a list item) is read as YAML first: its block scalars may hold
    // lines that open with [ or { (an access log format "[%START_TIME%] …", an inline JWKS), which are
    // no JSON block. If it is not valid YAML, it may still be text around a JSON block.
    let yamlError: InputError | undefined;
    if (yamlish) {
      try {
        return parseYaml(text, file);
      } catch (e) {
        if (!(e instanceof InputError) || !/^not valid YAML/.test(e.message)) throw e;
        yamlError = e;
      }
    }
    // JSON that starts the text, or a JSON block inside pasted text (a line that opens with { or [):
    // the tolerant reader. Anything else is taken as YAML (istioctl -o yaml).
    if (/^\s*[{[]/.test(text) || /^[ \t]*[{[]/m.test(text)) {
      const r = parseTolerant(text);
      if (r && typeof r.value === "object" && r.value !== null) return fromTolerant(r.value, r.problems, r.more, diags);
      throw yamlError ?? new InputError(file, `not JSON: ${jsonMessage(jsonError)}`, ...jsonPosition(text, jsonError));
    }
    if (yamlError) throw yamlError;
    const what = notADump(text);
    if (what) throw new InputError(file, what);
    return parseYaml(text, file);
  }
}

function fromTolerant(value: unknown, problems: TolerantProblem[], more: TolerantResult["more"], diags: Diagnostics): ParsedText {
  const out: ParsedText = { value, syntax: "json-repaired", elided: [] };
  let comments = more.comment ?? 0;
  for (const p of problems) {
    const where = { path: p.path, line: p.line, column: p.column };
    switch (p.code) {
      case "truncated":
      case "syntax":
        // Reported once by the loader, with what was read before it.
        out.cut = { kind: p.code, path: p.path, line: p.line, column: p.column, reason: p.message };
        break;
      case "elided":
        out.elided.push(where);
        diags.warn("elided", p.message, where);
        break;
      case "comment":
        comments++;
        break;
      case "surrounding-text":
        if (p.message.includes("before")) {
          out.embeddedAt = p.line;
          out.embeddedColumn = p.column;
        }
        diags.note(p.code, p.message, where);
        break;
      default:
        diags.note(p.code, p.message, where);
    }
  }
  if (comments) diags.note("comment", `${comments} comment(s) ignored`);
  // Past the problems kept with their place, the rest are counted on the first of their kind.
  for (const code of ["trailing-comma", "missing-comma"] as const) {
    const extra = more[code];
    const first = extra ? diags.list.find((d) => d.code === code) : undefined;
    if (first) first.count = (first.count ?? 1) + extra!;
  }
  if (more.elided) {
    // Elisions past those located: any resource may hold one, so each is taken as elided in part.
    out.elided.push({ path: "$", line: problems.find((p) => p.code === "elided")?.line ?? 1, column: 1 });
    diags.warn("elided", `${more.elided} more elisions than the ${MAX_PROBLEMS} located: every resource is taken as elided in part`);
  }
  return out;
}

/** YAML nested deeper than this is refused before it is parsed: the yaml package recurses once per level, and Envoy refuses config nested more than 100 messages deep. */
export const MAX_YAML_DEPTH = 500;
/** The most aliased nodes one document may expand to (the yaml package's resource-exhaustion check). */
const MAX_ALIAS_COUNT = 1000;

/**
 * Where YAML text is nested deeper than MAX_YAML_DEPTH, from a linear scan: flow collections ([ and {
 * outside quotes and comments) and block nesting (indentation levels, and list items on one line).
 */
function tooDeep(text: string): { line: number; column: number } | undefined {
  let flow = 0;
  const indents: number[] = [];
  let line = 1;
  for (let i = 0; i < text.length; ) {
    const nl = text.indexOf("\n", i);
    const end = nl < 0 ? text.length : nl;
    // Block nesting: each indentation deeper than the one before opens a level; "- - -" opens one per dash.
    let k = i;
    while (k < end && text.charCodeAt(k) === 0x20) k++;
    if (k < end && text[k] !== "#" && flow === 0) {
      const indent = k - i;
      while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
      let dashes = 0;
      for (let d = k; d + 1 < end && text[d] === "-" && (text[d + 1] === " " || text[d + 1] === "\t"); d += 2) {
        dashes++;
        while (d + 2 < end && text[d + 2] === " ") d++;
      }
      if (indents.length + dashes > MAX_YAML_DEPTH) return { line, column: k - i + 1 };
    }
    // Flow nesting, outside quoted text and comments.
    let quote = 0;
    for (let c = k; c < end; c++) {
      const ch = text.charCodeAt(c);
      if (quote) {
        if (ch === 0x5c && quote === 0x22) c++;
        else if (ch === quote) quote = 0;
        continue;
      }
      if (ch === 0x22 || ch === 0x27) quote = ch;
      else if (ch === 0x23 && (c === i || text.charCodeAt(c - 1) === 0x20 || text.charCodeAt(c - 1) === 0x09)) break;
      else if (ch === 0x5b || ch === 0x7b) {
        if (++flow > MAX_YAML_DEPTH) return { line, column: c - i + 1 };
      } else if ((ch === 0x5d || ch === 0x7d) && flow > 0) flow--;
    }
    i = end + 1;
    line++;
  }
  return undefined;
}

/** Runs the yaml package with stack traces off: each of its errors is an Error, and a line of thousands of them cost a trace each. */
function untraced<T>(work: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return work();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function parseYaml(text: string, file: string): ParsedText {
  const deep = tooDeep(text);
  if (deep) throw new InputError(file, `not valid YAML: nested deeper than ${MAX_YAML_DEPTH} levels (Envoy refuses config nested more than 100 messages deep)`, deep.line, deep.column);
  const lineCounter = new YAML.LineCounter();
  // prettyErrors off: a message with its line's context costs the line's length, once per error.
  // logLevel "error": the package's warnings (a collection used as a key) would go to process.emitWarning.
  const docs = untraced(() => YAML.parseAllDocuments(text, { uniqueKeys: false, lineCounter, prettyErrors: false, logLevel: "error" }));
  const list = Array.isArray(docs) ? docs : [docs];
  const at = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset));
  for (const d of list) {
    const err = d.errors[0];
    if (err) {
      const pos = at(err.pos?.[0]);
      // The parser recurses per level of nesting: past its stack, the input is too deep (a library's caller may have little stack).
      const said = /Maximum call stack|too much recursion/i.test(err.message) ? "nested too deeply to read (the parser ran out of stack)" : err.message.split("\n")[0];
      throw new InputError(file, `not valid YAML: ${said}`, pos?.line, pos?.col);
    }
    // `address: {{ listener.address }}` parses as a mapping whose key is a mapping: a template (Jinja,
    // Helm, Go templates), which no config has, so it is said as one instead of read as nonsense.
    // An alias inside the node its anchor names (`&a {x: *a}`) makes a value that contains itself, which
    // no JSON has and whose reading would never end: refused, at the alias. Anchors are met in document
    // order, as an alias resolves to the last one of its name before it.
    let template: [number, number] | undefined;
    let cycle: YAML.Alias | undefined;
    const anchors = new Map<string, unknown>();
    const anchored = (_: unknown, node: YAML.Scalar | YAML.YAMLMap | YAML.YAMLSeq) => {
      if (node.anchor) anchors.set(node.anchor, node);
      return undefined;
    };
    YAML.visit(d, {
      Pair(_, pair) {
        if (!YAML.isCollection(pair.key)) return undefined;
        template = (pair.key as { range?: [number, number] }).range;
        return YAML.visit.BREAK;
      },
      Map: anchored,
      Seq: anchored,
      Scalar: anchored,
      Alias(_, node, path) {
        const target = anchors.get(node.source);
        if (target === undefined || !path.includes(target as YAML.Node)) return undefined;
        cycle = node;
        return YAML.visit.BREAK;
      },
    });
    if (cycle) {
      const pos = at(cycle.range?.[0]);
      throw new InputError(file, `not valid YAML: the alias *${cycle.source} is inside the value its anchor &${cycle.source} names: a value that contains itself`, pos?.line, pos?.col);
    }
    if (template) {
      const start = text[template[0] - 1] === "{" ? template[0] - 1 : template[0];
      const pos = lineCounter.linePos(start);
      const expr = text.slice(start, text.indexOf("\n", start) < 0 ? undefined : text.indexOf("\n", start)).trim().slice(0, 60);
      throw templateError(file, expr, "expression", pos.line, pos.col);
    }
  }
  const values = list.map((d) => toJS(d, file, lineCounter)).filter((v) => v !== null && v !== undefined);
  if (values.length === 0) throw new InputError(file, "YAML holds no document");
  const value = values.length === 1 ? values[0] : values.flatMap((v) => (Array.isArray(v) ? v : [v]));
  if (typeof value !== "object") throw new InputError(file, "not JSON or YAML describing Envoy config (a bare scalar)");
  return { value, syntax: "yaml", elided: [] };
}

/**
 * A YAML document's value. Its aliases are the input's to get wrong: one to an anchor that is not there,
 * or so many that expanding them would exhaust memory (a "billion laughs"), is an InputError at the
 * alias's line, as is nesting the stack cannot hold.
 */
function toJS(d: YAML.Document.Parsed, file: string, lineCounter: YAML.LineCounter): unknown {
  try {
    return untraced(() => d.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
  } catch (e) {
    if (!(e instanceof Error) || e instanceof InputError) throw e;
    const message = e.message;
    const unresolved = /Unresolved alias[^:]*: ?(.*)$/.exec(message);
    let where: { line: number; col: number } | undefined;
    YAML.visit(d, {
      Alias(_, node) {
        if (unresolved && node.source !== unresolved[1]) return undefined;
        const start = node.range?.[0];
        if (start !== undefined) where = lineCounter.linePos(start);
        return YAML.visit.BREAK;
      },
    });
    if (unresolved) throw new InputError(file, `not valid YAML: the alias *${unresolved[1]} names no anchor before it (&${unresolved[1]})`, where?.line, where?.col);
    if (/alias count|resource exhaustion/i.test(message)) throw new InputError(file, `not valid YAML: its aliases expand to more than ${MAX_ALIAS_COUNT} nodes (a "billion laughs"): refused`, where?.line, where?.col);
    if (e instanceof RangeError) throw new InputError(file, "not valid YAML: nested too deeply to read");
    throw e;
  }
}

function jsonMessage(e: unknown): string {
  return (e as Error).message.replace(/^Unexpected token/, "unexpected token").replace(/\s+$/, "");
}

function jsonPosition(text: string, e: unknown): [number?, number?] {
  const m = /position (\d+)/.exec((e as Error).message);
  if (!m) return [];
  const at = Number(m[1]);
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  return [line, at - before.lastIndexOf("\n")];
}
