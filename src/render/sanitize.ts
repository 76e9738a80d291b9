// Text from a dump is data: before it reaches a terminal, a Markdown renderer or a JSON reader it
// is escaped here, so no name, SNI or error message can move the cursor, retitle a window, hide
// text with bidi overrides, close a code fence or add a heading to a bug report.

/**
 * Characters that act on a terminal or hide text: C0 controls but newline and tab, DEL, C1
 * controls, bidi embeddings, overrides and isolates, zero-width and line/paragraph separators, BOM.
 */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
const NAMED: Record<string, string> = { "\r": "\\r", "\u000b": "\\v", "\f": "\\f", "\b": "\\b", "\u0000": "\\0" };
// Looked up with names from the dump: no prototype, so "constructor" or "__proto__" find nothing.
Object.setPrototypeOf(NAMED, null);

function visible(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u${n.toString(16).padStart(4, "0")}`;
}

/** Text for a terminal: every control and invisible character shown as an escape (`\x1b`, `\r`, `\u202e`). */
export function escapeTerminal(text: string): string {
  return text.replace(INVISIBLE, visible);
}

const INVISIBLE_OR_BREAK = new RegExp(`[\t\n${INVISIBLE.source.slice(1, -1)}]`, "g");
/** Whether escapeLine changes the text (one test, no copy). */
export const NEEDS_LINE_ESCAPE = new RegExp(INVISIBLE_OR_BREAK.source);
const BREAKS: Record<string, string> = { "\n": "\\n", "\t": "\\t" };
Object.setPrototypeOf(BREAKS, null);

/**
 * One line of text for a terminal, as a name or a warning must be: as escapeTerminal, and line breaks
 * and tabs shown as `\n` and `\t` too, so that no name draws a row of a table or a `warning:` line of its own.
 */
export function escapeLine(text: string): string {
  return text.replace(INVISIBLE_OR_BREAK, (c) => BREAKS[c] ?? visible(c));
}

/** JSON text with the characters JSON.stringify leaves raw (DEL, C1, bidi, separators) written as \u escapes: same value, nothing hidden. */
export function escapeJsonText(json: string): string {
  return json.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A value inside a line of Markdown: no emphasis, code, links, images, HTML or table breaks; one line. */
export function mdInline(text: string): string {
  return escapeTerminal(text)
    .replace(/[\\`*[\]<>|~&#!]/g, (c) => `\\${c}`)
    // "_" makes emphasis only at a word's edge: PLAINTEXT_TCP stays as it is, _this_ does not.
    .replace(/_+/g, (run, at: number, all: string) => (/[A-Za-z0-9]/.test(all[at - 1] ?? "") && /[A-Za-z0-9]/.test(all[at + run.length] ?? "") ? run : run.replace(/_/g, "\\_")))
    .replace(/\r?\n/g, " ");
}

/**
 * A Markdown table cell: as mdInline, its lines joined by "; ". CommonMark has no line break inside a
 * table cell (GitHub's <br> is HTML, which CommonMark renderers may strip or show as text), and the
 * output does not say it targets GitHub.
 */
export function mdCell(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => mdInline(l))
    .filter((l, i, all) => l !== "" || all.length === 1)
    .join("; ");
}

/** A fenced code block that no backtick run inside can close. */
export function mdFence(content: string, lang = ""): string {
  // A loop, not Math.max(...runs): a name of a million backticks is a million runs.
  let longest = 0;
  for (const m of content.matchAll(/`+/g)) if (m[0].length > longest) longest = m[0].length;
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${escapeTerminal(content)}\n${fence}`;
}

/** A Mermaid label: quoted, with quotes, brackets, pipes, backticks and line breaks as Mermaid entity codes. */
export function mermaidLabel(text: string): string {
  // Inside a quoted label only these can end it, end the statement or be read as markup; brackets are plain text there.
  const body = escapeTerminal(text).replace(/["#<>|`;]/g, (c) => `#${c.charCodeAt(0)};`).replace(/\r?\n/g, " ");
  return `"${body}"`;
}
