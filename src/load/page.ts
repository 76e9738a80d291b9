// A page people paste: a bug report, a blog post, a docs page, a terminal session. Its code blocks are
// found line by line, in one pass: Markdown fences (``` and ~~~), Hugo and Liquid shortcodes
// ({{< text bash json >}}, {% highlight json %}), the output of each command after a shell prompt
// ($ kubectl …, [root@host ~]# istioctl …, user@host:~$ …), and JSON that starts a line in the prose
// between them. Each block is read on its own (core.ts); the blocks are numbered in page order as the
// notes (and --block) number them. Several JSON documents one after another (contour cli's
// DiscoveryResponses, with its log lines between them) are found the same way, each by its brackets.
// Plain JavaScript, linear in the text.

export interface Block {
  /** 1-based line of the block's first line (its content, after the fence or prompt line). */
  line: number;
  /** Where the block is in the text: [start, end), start at a line's start. */
  start: number;
  end: number;
  /** The fence's or shortcode's words ("json", "bash json", "yaml"), when it is fenced. */
  lang?: string;
  /** The command whose output the block is (the prompt line before it), when there is one. */
  command?: string;
}

/** A fence that opens a block: Markdown's (``` or ~~~, the closing one as long or longer), Hugo's and Liquid's shortcodes. */
const MD_FENCE = /^([ \t]*)(`{3,}|~{3,})[ \t]*([^`\n]*?)[ \t]*$/;
const HUGO_OPEN = /^[ \t]*\{\{([<%])[ \t]*(text|highlight|code)\b([^\n]*?)[>%]\}\}[ \t]*$/;
const LIQUID_OPEN = /^[ \t]*\{%[ \t]*highlight\b([^\n%]*)%\}[ \t]*$/;

/**
 * A shell prompt and its command: `$ cmd`, `user@host:~/dir$ cmd`, `[root@host ~]# cmd`, `PS C:\> cmd`,
 * `❯ cmd`; inside a fence also `% cmd` (zsh). The command is what follows the prompt.
 */
const PROMPTS = [
  /^[ \t]*\$[ \t]+(\S.*)$/,
  /^[ \t]*(?:\([^)\n]{1,40}\)[ \t]*)?[\w.-]{1,64}@[\w.-]{1,64}(?::[^\s$#]{0,200})?[ \t]*[$#][ \t]+(\S.*)$/,
  /^[ \t]*\[[^\]\n]{0,100}@[^\]\n]{0,100}\][$#][ \t]*(\S.*)$/,
  /^[ \t]*PS [A-Za-z]:\\[^>\n]{0,200}>[ \t]*(\S.*)$/,
  /^[ \t]*[❯➜][ \t]+(\S.*)$/,
];
const ZSH_PROMPT = /^[ \t]*%[ \t]+(\S.*)$/;

/** The longest command kept for a note (a line can be any length): longer ones end in "…". */
const MAX_COMMAND = 1000;

function promptCommand(line: string, fenced: boolean): string | undefined {
  // Outside a fence a prompt stands at most four spaces in (a Markdown list item's), so that indented
  // text in a document (a YAML block scalar) is not read as one.
  if (!fenced && /^(?: {5,}|\t)/.test(line)) return undefined;
  for (const re of fenced ? [...PROMPTS, ZSH_PROMPT] : PROMPTS) {
    const m = re.exec(line);
    if (m) {
      const command = m[1]!.trimEnd();
      return command.length > MAX_COMMAND ? `${command.slice(0, MAX_COMMAND)}…` : command;
    }
  }
  return undefined;
}

/**
 * Whether a line starts JSON: a "{" or "[" first on the line, followed by what JSON has there ("{" by a
 * key, "}" or a comment, "[" by a value or "]"), so that a shell prompt ("[root@host ~]#") or a Markdown
 * link does not.
 */
function startsJson(text: string, lineStart: number, lineEnd: number): number {
  let i = lineStart;
  while (i < lineEnd && (text[i] === " " || text[i] === "\t")) i++;
  const c = text[i];
  if (c !== "{" && c !== "[") return -1;
  // The next character that is not white space, on this line or the next ones (at most 200 characters on).
  let k = i + 1;
  const limit = Math.min(text.length, i + 200);
  while (k < limit && /\s/.test(text[k]!)) k++;
  const next = text[k];
  if (next === undefined) return i;
  return (c === "{" ? next === '"' || next === "}" || next === "/" : /[[{"\]\-0-9tfn]/.test(next)) ? i : -1;
}

/** A line that may open a fence or be a prompt, found by one search of the whole text (most texts are no page). */
const PAGE_HINT = /^[ \t]*(?:`{3}|~{3}|\{\{[<%]|\{%[ \t]*highlight|\$[ \t]|\[[^\]\n]{0,100}@|PS [A-Za-z]:\\|[❯➜][ \t]|(?:\([^)\n]{1,40}\)[ \t]*)?[\w.-]{1,64}@)/m;

/**
 * The code blocks of a page, in order; undefined when the text is no page (no fence and no prompt
 * line): it is then read whole, as one document.
 */
export function pageBlocks(text: string): Block[] | undefined {
  if (!PAGE_HINT.test(text)) return undefined;
  const blocks: Block[] = [];
  let isPage = false;
  let fence: { kind: "md"; char: string; len: number; lang: string } | { kind: "hugo"; closer: RegExp; lang: string } | { kind: "liquid"; lang: string } | undefined;
  // The block being read: from a fence or a prompt to the next, or from JSON in the prose.
  let open: { start: number; line: number; lang?: string; command?: string } | undefined;
  const close = (end: number) => {
    if (open && /\S/.test(text.slice(open.start, end))) blocks.push({ ...open, end });
    open = undefined;
  };
  let lineNo = 0;
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    const next = nl < 0 ? text.length + 1 : nl + 1;
    lineNo++;
    const line = text.slice(start, end).replace(/\r$/, "");
    if (fence) {
      let closes = false;
      if (fence.kind === "md") {
        const m = MD_FENCE.exec(line);
        closes = !!m && m[2]![0] === fence.char && m[2]!.length >= fence.len && m[3] === "";
      } else if (fence.kind === "hugo") closes = fence.closer.test(line);
      else closes = /^[ \t]*\{%[ \t]*endhighlight[ \t]*%\}[ \t]*$/.test(line);
      if (closes) {
        close(start);
        fence = undefined;
      } else {
        const command = promptCommand(line, true);
        if (command !== undefined) {
          close(start);
          open = { start: Math.min(next, text.length), line: lineNo + 1, lang: fence.lang, command };
        } else if (!open) open = { start, line: lineNo, lang: fence.lang };
      }
    } else {
      const md = MD_FENCE.exec(line);
      const hugo = md ? null : HUGO_OPEN.exec(line);
      const liquid = md || hugo ? null : LIQUID_OPEN.exec(line);
      const command = md || hugo || liquid ? undefined : promptCommand(line, false);
      if (md || hugo || liquid) {
        isPage = true;
        close(start);
        fence = md
          ? { kind: "md", char: md[2]![0]!, len: md[2]!.length, lang: md[3]!.trim() }
          : hugo
            ? { kind: "hugo", closer: new RegExp(`^[ \\t]*\\{\\{[<%][ \\t]*/[ \\t]*${hugo[2]!}[ \\t]*[>%]\\}\\}[ \\t]*$`), lang: hugo[3]!.trim() }
            : { kind: "liquid", lang: liquid![1]!.trim() };
      } else if (command !== undefined) {
        isPage = true;
        close(start);
        open = { start: Math.min(next, text.length), line: lineNo + 1, command };
      } else if (!open && startsJson(text, start, end) >= 0) {
        open = { start, line: lineNo };
      }
    }
    start = next;
  }
  close(text.length);
  return isPage ? blocks : undefined;
}

/** A JSON document found in a block: where it is, and its 1-based line and column. */
export interface JsonDocument {
  start: number;
  end: number;
  line: number;
  column: number;
}

/**
 * The JSON documents in text[from, to): each value that starts a line, to its closing bracket, one after
 * another, whatever lines stand between them (a command's log lines). One pass over the text, counting
 * brackets in the documents and in the text around them alike (strings skipped, on one line as JSON's
 * are), so that a value nested in another (a dump's sections, when the dump's own first line is not JSON
 * but a comment follows it) is never taken for a document of its own. `tail`: where a last one starts
 * that the text ends inside. Stops after `max` documents.
 */
export function jsonDocuments(text: string, from: number, to: number, max = 10_000): { docs: JsonDocument[]; tail?: number } {
  const docs: JsonDocument[] = [];
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < from; i = text.indexOf("\n", i + 1)) line++;
  let depth = 0;
  let doc = -1;
  let docLine = 0;
  let docColumn = 0;
  // The end of the current line, found once per line (a string ends on its own line).
  let lineEnd = -1;
  const startLine = (at: number): number => {
    lineEnd = text.indexOf("\n", at);
    if (lineEnd < 0 || lineEnd > to) lineEnd = to;
    if (depth !== 0) return at;
    const s = startsJson(text, at, lineEnd);
    if (s < 0) return at;
    doc = s;
    docLine = line;
    docColumn = s - at + 1;
    return s;
  };
  let i = startLine(from);
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      line++;
      i = startLine(i + 1) - 1;
    } else if (c === 0x22) {
      // A string, closed on this line (an escaped quote does not close it); unclosed, it is only a character.
      let q = i + 1;
      for (; q < lineEnd; q++) {
        const d = text.charCodeAt(q);
        if (d === 0x5c) q++;
        else if (d === 0x22) break;
      }
      if (q < lineEnd) i = q;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (depth > 0) depth--;
      if (depth === 0 && doc >= 0) {
        docs.push({ start: doc, end: i + 1, line: docLine, column: docColumn });
        doc = -1;
        if (docs.length >= max) break;
      }
    }
  }
  return doc >= 0 ? { docs, tail: doc } : { docs };
}
