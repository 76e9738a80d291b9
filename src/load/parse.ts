// Text -> JSON value: JSON.parse first (the fast path for real dumps), then the tolerant reader
// for pasted dumps, then YAML (istioctl -o yaml).
import YAML from "yaml";
import { InputError, type Diagnostics } from "../diag.js";
import { parseTolerant, type TolerantProblem } from "./tolerant-json.js";

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
function looksLikeYaml(text: string): boolean {
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

/** jsonBlock: text that read as YAML held no config; look for a JSON block in it instead. */
export function parseText(text: string, file: string, diags: Diagnostics, opts: { jsonBlock?: boolean } = {}): ParsedText {
  try {
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
      if (r && typeof r.value === "object" && r.value !== null) return fromTolerant(r.value, r.problems, diags);
      throw yamlError ?? new InputError(file, `not JSON: ${jsonMessage(jsonError)}`, ...jsonPosition(text, jsonError));
    }
    if (yamlError) throw yamlError;
    const what = notADump(text);
    if (what) throw new InputError(file, what);
    return parseYaml(text, file);
  }
}

function fromTolerant(value: unknown, problems: TolerantProblem[], diags: Diagnostics): ParsedText {
  const out: ParsedText = { value, syntax: "json-repaired", elided: [] };
  let comments = 0;
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
  return out;
}

function parseYaml(text: string, file: string): ParsedText {
  const lineCounter = new YAML.LineCounter();
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: false, lineCounter });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) {
    const err = d.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      throw new InputError(file, `not valid YAML: ${err.message.split("\n")[0]}`, pos?.line, pos?.col);
    }
    // `address: {{ listener.address }}` parses as a mapping whose key is a mapping: a template (Jinja,
    // Helm, Go templates), which no config has, so it is said as one instead of read as nonsense.
    let template: [number, number] | undefined;
    YAML.visit(d, {
      Pair(_, pair) {
        if (!YAML.isCollection(pair.key)) return undefined;
        template = (pair.key as { range?: [number, number] }).range;
        return YAML.visit.BREAK;
      },
    });
    if (template) {
      const start = text[template[0] - 1] === "{" ? template[0] - 1 : template[0];
      const pos = lineCounter.linePos(start);
      const expr = text.slice(start, text.indexOf("\n", start) < 0 ? undefined : text.indexOf("\n", start)).trim().slice(0, 60);
      throw templateError(file, expr, "expression", pos.line, pos.col);
    }
  }
  const values = list.map((d) => d.toJS({ maxAliasCount: 1000 })).filter((v) => v !== null && v !== undefined);
  if (values.length === 0) throw new InputError(file, "YAML holds no document");
  const value = values.length === 1 ? values[0] : values.flatMap((v) => (Array.isArray(v) ? v : [v]));
  if (typeof value !== "object") throw new InputError(file, "not JSON or YAML describing Envoy config (a bare scalar)");
  return { value, syntax: "yaml", elided: [] };
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
