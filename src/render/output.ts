// Documents as text: JSON and YAML print the document itself (the same data in both), masked
// values masked unless --show-secrets; tables and Markdown come from each command's renderer.
import YAML from "yaml";
import type { OutputFormat } from "../render/table.js";

export function serialize(doc: object, format: "json" | "yaml"): string {
  const json = JSON.stringify(doc, null, 2);
  if (format === "json") return json;
  // Through JSON, so YAML shows exactly what JSON shows (masked values, no undefined, no functions).
  return YAML.stringify(JSON.parse(json) as unknown, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** The text for `format`: the document for json/yaml, else what `human` renders. */
export function renderDocument<D extends object>(doc: D, format: OutputFormat, human: (doc: D, format: "table" | "markdown") => string): string {
  return format === "json" || format === "yaml" ? serialize(doc, format) : human(doc, format);
}
