// Tables for the terminal (cli-table3) and for Markdown.
import Table from "cli-table3";
import { mdCell } from "../render/sanitize.js";

export function textTable(head: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
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

/** The terminal's width when writing to one (or COLUMNS when set); undefined when piped. */
function terminalWidth(): number | undefined {
  const env = Number(process.env.COLUMNS);
  if (Number.isInteger(env) && env > 20) return env;
  return process.stdout.isTTY ? process.stdout.columns : undefined;
}

/** Column widths that fit `total` characters: narrow columns keep their width, wide ones share the rest. */
export function fitColumns(table: string[][], total: number): number[] | undefined {
  const n = table[0]?.length ?? 0;
  if (!n) return undefined;
  const natural = Array.from({ length: n }, (_, i) => Math.max(...table.map((r) => Math.max(...String(r[i] ?? "").split("\n").map((l) => l.length)))) + 2);
  let available = total - (n + 1);
  if (natural.reduce((a, b) => a + b, 0) <= available) return undefined;
  // Columns narrower than an even share keep their width; the wide ones split the rest in proportion to need.
  const widths = new Array<number>(n).fill(0);
  let wide = natural.map((_, i) => i);
  for (let changed = true; changed; ) {
    changed = false;
    const share = available / wide.length;
    for (const i of wide) {
      if (natural[i]! <= share) {
        widths[i] = natural[i]!;
        available -= natural[i]!;
        changed = true;
      }
    }
    wide = wide.filter((i) => widths[i] === 0);
    if (!wide.length) break;
  }
  const need = wide.reduce((a, i) => a + natural[i]!, 0);
  for (const i of wide) widths[i] = Math.max(8, Math.floor((available * natural[i]!) / need));
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
