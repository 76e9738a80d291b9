// Tables for the terminal (cli-table3) and for Markdown.
import Table from "cli-table3";

export function textTable(head: string[], rows: (string | number)[][]): string {
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const t = new Table({ head, style: color ? { head: ["cyan"], border: ["grey"] } : { head: [], border: [] }, wordWrap: true });
  for (const r of rows) t.push(r.map((c) => String(c)));
  return t.toString();
}

export function markdownTable(head: string[], rows: (string | number)[][]): string {
  const esc = (s: string | number) => String(s).replace(/\|/g, "\\|").replace(/\n/g, "<br>");
  return [`| ${head.map(esc).join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}

export type OutputFormat = "table" | "json" | "markdown";

export function renderTable(format: OutputFormat, head: string[], rows: (string | number)[][]): string {
  return format === "markdown" ? markdownTable(head, rows) : textTable(head, rows);
}
