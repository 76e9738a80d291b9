// Tables for the terminal (aligned columns, as kubectl and istioctl print them) and for Markdown.
import { mdCell } from "./sanitize.js";
import { longestWord, terminalWidth, wrapWords } from "./wrap.js";
export { wrapProse } from "./wrap.js";

/** A column of a table. A bare title wraps at spaces like descriptive text: a word (a name) is never split. */
export interface Column {
  title: string;
  /** Wraps at spaces (and after a list's commas) to fit the terminal; never narrower than its longest word, which is never split. false: never wraps at all. */
  wrap?: boolean;
  /** When the terminal is too narrow for every column, this one is left out: the highest first. Absent: always shown. */
  drop?: number;
}
export type Head = string | Column;

let wide = false;
/** `-o wide`: every column, whatever the terminal's width. */
export function setWideOutput(on: boolean): void {
  wide = on;
}

/** A line of a cell longer than this runs past its column instead of widening the column for every row: output stays in proportion to the input. */
export const OVERFLOW = 256;
const GAP = 3;
/** Descriptive text this narrow still reads: columns are left out (`drop`) before text narrows further. */
const MIN_TEXT = 24;
/** Narrower than this, descriptive text is no longer read: the lines run long instead. */
const FLOOR_TEXT = 12;

const columnsOf = (head: Head[]): Column[] => head.map((h) => (typeof h === "string" ? { title: h, wrap: true } : h));

export function markdownTable(head: Head[], rows: (string | number)[][]): string {
  const esc = (s: string | number) => mdCell(String(s));
  const titles = columnsOf(head).map((c) => c.title);
  return [`| ${titles.map(esc).join(" | ")} |`, `| ${titles.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${titles.map((_, i) => esc(r[i] ?? "")).join(" | ")} |`)].join("\n");
}

/** What the renderers print: JSON and YAML are the documents themselves (src/render/output.ts). */
export type OutputFormat = "table" | "json" | "yaml" | "markdown";

/**
 * A table as kubectl and istioctl print one: aligned columns, no boxes, linear in the number of rows.
 * A cell's extra lines continue under it. A name is never shortened or split: on a terminal (or with
 * COLUMNS) the columns wrap at spaces to fit, never narrower than their longest word; when even that
 * is too wide the columns marked `drop` are left out (not with `-o wide`), and then the lines run
 * long. Piped output keeps every column and every character, each row on its lines.
 */
export function columns(head: Head[], rows: (string | number)[][], width = terminalWidth()): string {
  const cols = columnsOf(head);
  let cells = rows.map((r) => cols.map((_, i) => String(r[i] ?? "").split("\n")));
  // A column is as wide as its header and its lines up to OVERFLOW. Descriptive text would like its
  // longest line, and narrows no further than its longest word (up to OVERFLOW), so that no word runs past it.
  const natural = cols.map((c) => c.title.length);
  const longest = natural.slice();
  const word = cols.map(() => 1);
  for (const r of cells) {
    for (let i = 0; i < cols.length; i++) {
      for (const l of r[i]!) {
        if (l.length > longest[i]!) longest[i] = l.length;
        if (l.length > natural[i]! && l.length <= OVERFLOW) natural[i] = l.length;
        // Only a width to fit needs the longest words (piped output keeps every line as it is).
        if (width && cols[i]!.wrap && l.length > word[i]!) word[i] = Math.max(word[i]!, Math.min(longestWord(l), OVERFLOW));
      }
    }
  }
  // No narrower than its title and its longest word; the last column's long words run past it harmlessly (nothing follows).
  const floor = (i: number, last = false) => Math.min(longest[i]!, Math.max(FLOOR_TEXT, cols[i]!.title.length, last ? 0 : word[i]!));
  /** The width these columns need: names and values whole, descriptive text at least MIN_TEXT wide (or its longest word). */
  const need = (ix: number[]) => ix.reduce((s, i) => s + (cols[i]!.wrap ? Math.max(floor(i, i === ix[ix.length - 1]), Math.min(longest[i]!, MIN_TEXT)) : natural[i]!), 0) + GAP * (ix.length - 1);
  let shown = cols.map((_, i) => i);
  const widths = natural.slice();
  if (width) {
    if (!wide) {
      const droppable = shown.filter((i) => cols[i]!.drop !== undefined).sort((a, b) => cols[b]!.drop! - cols[a]!.drop! || b - a);
      for (const d of droppable) {
        if (need(shown) <= width) break;
        shown = shown.filter((i) => i !== d);
      }
    }
    // The room the names and values leave goes to the descriptive columns: the smallest wants first, the rest shared.
    const texts = shown.filter((i) => cols[i]!.wrap).sort((a, b) => longest[a]! - longest[b]!);
    let room = width - shown.filter((i) => !cols[i]!.wrap).reduce((s, i) => s + natural[i]!, 0) - GAP * (shown.length - 1);
    texts.forEach((i, k) => {
      const share = Math.floor(room / (texts.length - k));
      widths[i] = Math.max(Math.min(longest[i]!, share), floor(i, i === shown[shown.length - 1]));
      room -= widths[i]!;
    });
    cells = cells.map((r) => r.map((c, i) => (cols[i]!.wrap && c.some((l) => l.length > widths[i]!) ? c.flatMap((l) => wrapWords(l, widths[i]!)) : c)));
  }
  const lastShown = shown[shown.length - 1]!;
  const line = (parts: (string | undefined)[]) => {
    let s = "";
    for (const i of shown) {
      const p = parts[i] ?? "";
      // A cell wider than its column (a name past OVERFLOW, or one that cannot fit) runs on: never cut.
      s += i === lastShown ? p : p.length >= widths[i]! ? `${p}${" ".repeat(GAP)}` : p.padEnd(widths[i]! + GAP);
    }
    return s.trimEnd();
  };
  const out = [line(cols.map((c) => c.title))];
  for (const r of cells) {
    let height = 1;
    for (const i of shown) if (r[i]!.length > height) height = r[i]!.length;
    for (let k = 0; k < height; k++) out.push(line(r.map((c) => c[k])));
  }
  if (shown.length < cols.length) {
    const hidden = cols.filter((_, i) => !shown.includes(i)).map((c) => c.title.trim());
    out.push(`(not shown at this width: ${hidden.join(", ")}; ${need(cols.map((_, i) => i))} columns show every one)`);
  }
  return out.join("\n");
}

/** A table in the chosen format: aligned columns for a terminal, a table for Markdown. */
export function renderListing(format: OutputFormat, head: Head[], rows: (string | number)[][]): string {
  return format === "markdown" ? markdownTable(head, rows) : columns(head, rows);
}

