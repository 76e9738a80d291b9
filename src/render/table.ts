// Tables for the terminal (cli-table3) and for Markdown.
import Table from "cli-table3";
import { mdCell } from "./sanitize.js";
import { terminalWidth, wrapWords } from "./wrap.js";
export { wrapProse } from "./wrap.js";

/** A cell of a boxed table holds one line of bounded length: a name with line breaks or megabytes of text cannot stall the table. */
const MAX_CELL = 600;
function boundedCell(c: string | number): string {
  const one = String(c).replace(/\r?\n/g, "\\n");
  return one.length <= MAX_CELL ? one : `${one.slice(0, MAX_CELL / 2)} … (${one.length - MAX_CELL} characters) … ${one.slice(-MAX_CELL / 2)}`;
}

/** A small boxed table (explain's matrix and chains). Listings, which can be long, use columns(). */
export function textTable(head: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map(boundedCell));
  const width = terminalWidth();
  const colWidths = width ? fitColumns([head, ...cells], width) : undefined;
  const t = new Table({ head, style: { head: [], border: [] }, wordWrap: true, ...(colWidths ? { colWidths } : {}) });
  for (const r of cells) t.push(colWidths ? r.map((c, i) => breakLongWords(c, colWidths[i]! - 2)) : r);
  return t.toString();
}

/**
 * cli-table3 wraps at word boundaries but cuts a word longer than its column short with "…".
 * Splitting only such words (cluster names, ALPN lists) keeps every character and leaves the
 * rest to wrap at spaces.
 */
function breakLongWords(cell: string, width: number): string {
  if (width < 1) return cell;
  return cell.replace(/\S+/g, (word) => (word.length <= width ? word : (word.match(new RegExp(`.{1,${width}}`, "g")) ?? [word]).join("\n")));
}


/**
 * Column widths (padding included) that fit `total` characters with the borders: every column gets
 * at least its longest word where that is possible (so no word that fits is split), and the room
 * left goes to the columns that want more, in proportion. undefined when the table fits as it is.
 */
export function fitColumns(table: string[][], total: number): number[] | undefined {
  const n = table[0]?.length ?? 0;
  if (!n) return undefined;
  const lines = (i: number) => table.flatMap((r) => String(r[i] ?? "").split("\n"));
  const natural = Array.from({ length: n }, (_, i) => Math.max(...lines(i).map((l) => l.length)) + 2);
  const available = total - (n + 1);
  if (natural.reduce((a, b) => a + b, 0) <= available) return undefined;
  const longestWord = Array.from({ length: n }, (_, i) => Math.max(1, ...lines(i).flatMap((l) => l.split(/\s+/)).map((w) => w.length)) + 2);
  const widths = natural.map((nat, i) => Math.min(nat, longestWord[i]!));
  let sum = widths.reduce((a, b) => a + b, 0);
  if (sum > available) {
    // Not even the longest words fit: narrow the widest columns (their long words will be split).
    while (sum > available) {
      const i = widths.indexOf(Math.max(...widths));
      if (widths[i]! <= 6) break;
      widths[i]!--;
      sum--;
    }
    return widths;
  }
  const extra = available - sum;
  const want = natural.map((nat, i) => nat - widths[i]!);
  const wanted = want.reduce((a, b) => a + b, 0);
  let given = 0;
  for (let i = 0; i < n; i++) {
    const add = wanted ? Math.floor((extra * want[i]!) / wanted) : 0;
    widths[i]! += add;
    given += add;
  }
  // What rounding left over goes to the columns that still want more, one by one.
  for (let i = 0; given < extra && i < n; i++) if (widths[i]! < natural[i]!) widths[i]!++, given++;
  return widths;
}

export function markdownTable(head: string[], rows: (string | number)[][]): string {
  const esc = (s: string | number) => mdCell(String(s));
  return [`| ${head.map(esc).join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}

/** What the renderers print: JSON and YAML are the documents themselves (src/render/output.ts). */
export type OutputFormat = "table" | "json" | "yaml" | "markdown";

export function renderTable(format: OutputFormat, head: string[], rows: (string | number)[][]): string {
  return format === "markdown" ? markdownTable(head, rows) : textTable(head, rows);
}

/**
 * A listing as kubectl and istioctl print one: aligned columns, no boxes, linear in the number of
 * rows. A cell's extra lines continue under it. Piped output keeps every character (no width unless
 * COLUMNS is set); on a terminal, the widest columns narrow until the listing fits, and a value
 * longer than its column is shortened in the middle with "…".
 */
export function columns(head: string[], rows: (string | number)[][]): string {
  const n = head.length;
  const last = n - 1;
  let cells = rows.map((r) => r.map((c) => String(c).split("\n")));
  const widths = head.map((h, i) => {
    let w = h.length;
    for (const r of cells) for (const l of r[i] ?? []) if (l.length > w) w = l.length;
    return w;
  });
  const gap = 3;
  const limit = terminalWidth();
  if (limit) {
    // The last column (the destination, the TLS, the reason) wraps at words and is never shortened;
    // the others narrow, widest first, until it has room.
    // A column narrows no further than 16 characters (or its header, or its widest value if shorter):
    // when even that does not fit, the lines run long rather than turn names into fragments.
    const floor = head.map((h, i) => Math.min(widths[i]!, Math.max(h.length, 16)));
    const room = () => limit - widths.slice(0, last).reduce((a, b) => a + b, 0) - gap * last;
    const want = Math.min(widths[last]!, 40);
    while (room() < want) {
      let widest = -1;
      for (let i = 0; i < last; i++) if (widths[i]! > floor[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
      if (widest < 0) break;
      widths[widest]! -= 1; // one at a time, so the widest columns end up sharing the room
    }
    const w = Math.max(room(), 24);
    if (widths[last]! > w) widths[last] = w;
    // Narrowed columns wrap at words; a single word longer than its column (a long name) is shortened in the middle.
    cells = cells.map((r) => r.map((c, i) => (c.some((l) => l.length > widths[i]!) ? c.flatMap((l) => wrapWords(l, widths[i]!, i === last ? "split" : "ellipsis")) : c)));
  }
  const fit = (v: string, w: number) => (v.length <= w ? v : w < 2 ? v.slice(0, w) : `${v.slice(0, Math.ceil((w - 1) / 2))}…${v.slice(v.length - Math.floor((w - 1) / 2))}`);
  const line = (parts: string[]) => parts.map((p, i) => (i === last ? p : fit(p, widths[i]!).padEnd(widths[i]! + gap))).join("").trimEnd();
  const out = [line(head)];
  for (const r of cells) {
    const height = Math.max(1, ...r.map((c) => c.length));
    for (let k = 0; k < height; k++) out.push(line(head.map((_, i) => r[i]?.[k] ?? "")));
  }
  return out.join("\n");
}


/** A listing in the chosen format: aligned columns for a terminal, a table for Markdown. */
export function renderListing(format: OutputFormat, head: string[], rows: (string | number)[][]): string {
  return format === "markdown" ? markdownTable(head, rows) : columns(head, rows);
}

