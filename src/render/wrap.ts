// Text that fits the terminal: its width (or COLUMNS), prose wrapped under its indentation, cell
// text wrapped at words. Light: the CLI uses it before any table is drawn.

let width: number | undefined;
/** The edge (the CLI) sets it: COLUMNS, or the terminal's columns when stdout is one; unset: piped, or the page. */
export function setTerminalWidth(w: number | undefined): void {
  width = w;
}
/** The terminal's width when writing to one (or COLUMNS when set); undefined when piped. */
export function terminalWidth(): number | undefined {
  return width;
}

/**
 * A line of a table (columns()): two gaps of three spaces between words, or an indented line with one
 * (a cell's continuation). Prose has none, a "Key        value" line one, not indented.
 */
const TABLE_ROW = /\S {3,}\S.*\S {3,}\S|^ {3,}\S.*\S {3,}\S/;

/**
 * Prose that fits the terminal (or COLUMNS): lines longer than the width wrap at spaces, continuing
 * under their own indentation, or under the value of a "Key        value" line (indented too:
 * "  filter     …"). A line that fits is left as it is (a table's rows are fitted already); a word
 * is never split; piped output without COLUMNS is unchanged.
 */
export function wrapProse(text: string, width = terminalWidth()): string {
  if (!width) return text;
  return text
    .split("\n")
    .flatMap((line) => {
      // A table's row that runs long (a name wider than the terminal) stays a row: the terminal shows it whole.
      if (line.length <= width || TABLE_ROW.test(line)) return [line];
      const kv = /^( *\S[^ ]*(?: [^ ]+)?\s{2,})/.exec(line);
      const indent = /^[✓✗] /.test(line) ? 2 : kv && kv[1]!.length < width / 2 ? kv[1]!.length : (/^\s*/.exec(line)![0].length + (/^\s*(•|-|\d+\.|fix:)\s/.test(line) ? 4 : 0));
      const pad = " ".repeat(Math.min(indent, Math.floor(width / 2)));
      const out: string[] = [];
      let cur = "";
      for (const word of line.trimStart().split(" ")) {
        const lead = out.length || cur ? "" : line.slice(0, line.length - line.trimStart().length);
        if (!cur) cur = lead + word;
        else if (cur.length + 1 + word.length <= width) cur += ` ${word}`;
        else {
          out.push(cur);
          cur = pad + word;
        }
      }
      if (cur) out.push(cur);
      return out;
    })
    .join("\n");
}

/**
 * Lines of at most `width` characters, broken at spaces (and after the commas of a list); a word
 * longer than a line (a name) is never split or shortened: it has a line of its own, whole.
 */
export function wrapWords(text: string, width: number): string[] {
  // Lists (ALPN, SANs) may also break after their commas: the pieces of one word join without a space.
  const tokens = text.split(" ").flatMap((x) => (x.length > width && x.includes(",") ? x.split(/(?<=,)/).map((t, i) => ({ t, glue: i > 0 })) : [{ t: x, glue: false }]));
  const lines: string[] = [];
  let cur = "";
  for (const { t, glue } of tokens) {
    const sep = glue ? "" : " ";
    if (!cur) cur = t;
    else if (cur.length + sep.length + t.length <= width) cur += `${sep}${t}`;
    else lines.push(cur), (cur = t);
  }
  if (cur || !lines.length) lines.push(cur);
  return lines;
}

/** The longest piece wrapWords cannot break: a word, or the longest item of a comma list. Linear. */
export function longestWord(text: string): number {
  let most = 0;
  for (const w of text.split(" ")) {
    if (w.length <= most) continue;
    if (!w.includes(",")) most = w.length;
    else for (const piece of w.split(/(?<=,)/)) if (piece.length > most) most = piece.length;
  }
  return most;
}

/** Whether the terminal is narrower than `tableWidth` (a table that needs that much is shown as blocks). Piped: never. */
export function narrowerThan(tableWidth: number): boolean {
  const w = terminalWidth();
  return w !== undefined && w < tableWidth;
}

const BLOCK_INDENT = "    ";

/**
 * A row of a table as a block for a narrow terminal: its head (wrapped, continuing indented), then each
 * line wrapped under it, indented, at the terminal's width. Words (names) are never split.
 */
export function block(head: string, lines: string[]): string[] {
  const w = terminalWidth() ?? 100;
  const under = (text: string) => wrapWords(text, w - BLOCK_INDENT.length).map((l) => BLOCK_INDENT + l);
  const [first = "", ...rest] = wrapWords(head, w);
  return [first, ...(rest.length ? under(rest.join(" ")) : []), ...lines.flatMap(under)];
}

/** Rows of a table as blocks (block()), a blank line between two. */
export function blocks(rows: [head: string, lines: string[]][]): string {
  return rows.map(([head, lines]) => block(head, lines).join("\n")).join("\n\n");
}
