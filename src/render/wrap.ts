// Text that fits the terminal: its width (or COLUMNS), prose wrapped under its indentation, cell
// text wrapped at words. Light: the CLI uses it before any table is drawn.

/** The terminal's width when writing to one (or COLUMNS when set); undefined when piped. */
export function terminalWidth(): number | undefined {
  const env = Number(process.env.COLUMNS);
  if (Number.isInteger(env) && env > 20) return env;
  return process.stdout.isTTY ? process.stdout.columns : undefined;
}

/**
 * Prose that fits the terminal (or COLUMNS): lines longer than the width wrap at spaces, continuing
 * under their own indentation, or under the value of a "Key        value" line. Box-drawn tables
 * are already fitted and left alone; piped output without COLUMNS is unchanged.
 */
export function wrapProse(text: string, width = terminalWidth()): string {
  if (!width) return text;
  return text
    .split("\n")
    .flatMap((line) => {
      if (line.length <= width || /^[│┌├└]/.test(line)) return [line];
      const kv = /^(\S[^ ]*(?: [^ ]+)?\s{2,})/.exec(line);
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

/** Lines of at most `width` characters, broken at spaces; a word longer than a line is split, or shortened in the middle. */
export function wrapWords(text: string, width: number, longWord: "split" | "ellipsis"): string[] {
  // Lists (ALPN, SANs) may also break after their commas: the pieces of one word join without a space.
  const tokens = text.split(" ").flatMap((x) => (x.length > width && x.includes(",") ? x.split(/(?<=,)/).map((t, i) => ({ t, glue: i > 0 })) : [{ t: x, glue: false }]));
  const lines: string[] = [];
  let cur = "";
  for (const { t, glue } of tokens) {
    let w = t;
    if (w.length > width && longWord === "ellipsis") w = `${w.slice(0, Math.ceil((width - 1) / 2))}…${w.slice(w.length - Math.floor((width - 1) / 2))}`;
    while (w.length > width) {
      if (cur) lines.push(cur), (cur = "");
      lines.push(w.slice(0, width));
      w = w.slice(width);
    }
    const sep = glue ? "" : " ";
    if (!cur) cur = w;
    else if (cur.length + sep.length + w.length <= width) cur += `${sep}${w}`;
    else lines.push(cur), (cur = w);
  }
  if (cur || !lines.length) lines.push(cur);
  return lines;
}
