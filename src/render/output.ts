// Documents as text: JSON and YAML print the document itself (the same data in both), masked
// values masked unless --show-secrets; tables and Markdown come from each command's renderer, given
// the document with every string on one line and long names said once (longnames.ts). An output
// too large to build is an InputError that says so, never a crash.
import YAML from "yaml";
import { InputError } from "../diag.js";
import type { OutputFormat } from "../render/table.js";
import { forText, LongNames } from "./longnames.js";
import { escapeJsonText } from "./sanitize.js";

/**
 * The longest text an output may be: a little under the longest string V8 builds ((1 << 29) - 24
 * characters on 64-bit), so that what the command line adds (a line break) still fits.
 */
export const MAX_OUTPUT = 2 ** 29 - 24 - 2 ** 20;

const MiB = (n: number) => `${Math.ceil(n / 2 ** 20)} MiB`;

/** The output is more than a string can hold: exit 2 with what to ask for instead. */
export class OutputTooLarge extends InputError {
  constructor(file: string, format: OutputFormat, size?: number) {
    super(
      file,
      `the ${format === "table" ? "" : `-o ${format} `}output would be ${size ? `at least ${MiB(size)}` : `over ${MiB(MAX_OUTPUT)}`}, more than one text can hold (${MiB(MAX_OUTPUT)}): ask for less (explain: one client with --client; a listing: --name or --port)${format === "json" || format === "yaml" ? ", or -o table, which says each long name once" : ""}`,
    );
    this.name = "OutputTooLarge";
  }
}

function fileOf(doc: object): string {
  const d = doc as { file?: unknown; files?: unknown; before?: unknown; after?: unknown };
  if (typeof d.file === "string") return d.file;
  if (Array.isArray(d.files) && d.files.every((f) => typeof f === "string")) return d.files.join(", ");
  if (typeof d.before === "string" && typeof d.after === "string") return `${d.before} → ${d.after}`;
  return "<output>";
}

const isTooLong = (e: unknown) => e instanceof RangeError && /invalid (string|array) length/i.test(e.message);

/** Builds an output; one too large for a string is an OutputTooLarge, not a RangeError. */
function bounded(doc: object, format: OutputFormat, build: () => string): string {
  let text: string;
  try {
    text = build();
  } catch (e) {
    if (isTooLong(e)) throw new OutputTooLarge(fileOf(doc), format);
    throw e;
  }
  if (text.length > MAX_OUTPUT) throw new OutputTooLarge(fileOf(doc), format, text.length);
  return text;
}

/**
 * The least number of characters the document's JSON takes (its strings, keys and indentation),
 * counted without building it: a document that cannot fit is refused at once. Iterative.
 */
export function jsonSizeAtLeast(doc: unknown): number {
  let size = 0;
  const seen = new Set<object>();
  const stack: [unknown, number][] = [[doc, 0]];
  while (stack.length && size <= MAX_OUTPUT) {
    const [v, depth] = stack.pop()!;
    if (typeof v === "string") size += v.length + 2;
    else if (typeof v === "number" || typeof v === "boolean") size += 1;
    else if (v && typeof v === "object" && !seen.has(v)) {
      seen.add(v);
      const proto = Object.getPrototypeOf(v) as unknown;
      if (Array.isArray(v)) {
        for (const x of v) stack.push([x, depth + 1]);
        size += 2 + v.length * (2 * depth + 4);
      } else if (proto === Object.prototype || proto === null) {
        for (const k of Object.keys(v)) {
          size += k.length + 2 * depth + 6;
          stack.push([(v as Record<string, unknown>)[k], depth + 1]);
        }
        size += 2;
      }
    }
  }
  return size;
}

// Characters that serialize's JSON leaves raw and the command line shows escaped: in YAML such a string is double-quoted, where the escape means the same character.
// eslint-disable-next-line no-control-regex
const NEEDS_QUOTES = /[\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/;

/**
 * The document as plain data, as -o json gives it (masked values masked, no class instances): what
 * the library returns. One too large to turn into JSON is an OutputTooLarge, as on the command line.
 */
export function plainDocument<T extends object>(doc: T): T {
  const least = jsonSizeAtLeast(doc);
  if (least > MAX_OUTPUT) throw new OutputTooLarge(fileOf(doc), "json", least);
  return JSON.parse(bounded(doc, "json", () => JSON.stringify(doc))) as T;
}

export function serialize(doc: object, format: "json" | "yaml"): string {
  const least = jsonSizeAtLeast(doc);
  if (least > MAX_OUTPUT) throw new OutputTooLarge(fileOf(doc), format, least);
  return bounded(doc, format, () => {
    const json = JSON.stringify(doc, null, 2);
    if (json.length > MAX_OUTPUT) throw new OutputTooLarge(fileOf(doc), format, json.length);
    if (format === "json") return escapeJsonText(json);
    // Through JSON, so YAML shows exactly what JSON shows (masked values, no undefined, no functions).
    const y = new YAML.Document(JSON.parse(json) as unknown, { aliasDuplicateObjects: false });
    YAML.visit(y, {
      Scalar(_key, node) {
        if (typeof node.value === "string" && NEEDS_QUOTES.test(node.value)) node.type = "QUOTE_DOUBLE";
      },
    });
    return escapeJsonText(y.toString({ lineWidth: 0 }));
  });
}

/**
 * The text for `format`: the document for json/yaml, else what `human` renders from the document made
 * ready for text (every string on one line, long names once, listed at the end).
 */
export function renderDocument<D extends object>(doc: D, format: OutputFormat, human: (doc: D, format: "table" | "markdown") => string): string {
  if (format === "json" || format === "yaml") return serialize(doc, format);
  return bounded(doc, format, () => {
    const names = new LongNames();
    const text = human(forText(doc, names), format);
    return text + names.section(format);
  });
}
