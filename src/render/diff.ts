// diff's report as text and Markdown: the mode summary, the impact, then the changes by kind.
import { mdInline } from "./sanitize.js";
import { renderListing, type OutputFormat } from "./table.js";
import type { Change, DiffReport } from "../analyses/diff.js";
import { terminalWidth, wrapProse, wrapWords } from "./wrap.js";

/** Below this many columns a change table squeezes its meaning into a sliver: each change is a block instead. */
const TABLE_WIDTH = 140;
const blocksFit = (): boolean => {
  const w = terminalWidth();
  return w !== undefined && w < TABLE_WIDTH;
};

/** One change as a block: the resource and the change, then where and what it means, wrapped under it (names whole). */
function changeBlock(c: Pick<Change, "name" | "path" | "change" | "meaning">): string {
  const width = terminalWidth() ?? 100;
  const indent = "    ";
  const under = (text: string) => wrapWords(text, width - indent.length).map((l) => indent + l);
  return [`${c.name}  ${c.change}`, ...under(`at ${c.path || "(the whole resource)"}`), ...under(c.meaning)].join("\n");
}

/** `heading: false` leaves out the two files' heading (the fleet diff says them in its own). */
export function renderDiff(r: DiffReport, format: OutputFormat, o: { heading?: boolean } = {}): string {
  const md = format === "markdown";
  const out: string[] = [];
  const t = (v: string) => (md ? mdInline(v) : v);
  if (o.heading !== false) out.push(md ? `## ${t(`${r.before} → ${r.after}`)}` : wrapProse(`${r.before} → ${r.after}`));
  if (!r.changes.length && !r.impact?.length) {
    out.push("no semantic changes");
    return out.join("\n");
  }
  for (const s of r.summary) out.push(`${md ? "- **" : "  * "}${t(s)}${md ? "**" : ""}`);
  const impact = () => {
    if (!r.impact) return;
    out.push(md ? "\n### Impact: connections whose outcome changed\n" : "\nimpact (explain presets on every inbound port, before → after)");
    out.push(r.impact.length ? renderListing(format, ["PORT", "CLIENT", { title: "BEFORE", wrap: true }, { title: "AFTER", wrap: true }], r.impact.map((i) => [i.port, i.client, i.before, i.after])) : "no connection outcome changed");
  };
  // The summary and the impact first (what a reader asks), then the changes by kind.
  impact();
  for (const kind of ["listener", "cluster", "route", "endpoint", "secret"] as const) {
    const cs = r.changes.filter((c) => c.kind === kind);
    if (!cs.length) continue;
    const table =
      !md && blocksFit()
        ? cs.map((c) => changeBlock(c)).join("\n")
        : renderListing(format, ["NAME", { title: "WHERE", wrap: true }, "CHANGE", { title: "MEANING", wrap: true }], cs.map((c) => [c.name, c.path || "(whole resource)", c.change, c.meaning]));
    // A heading, not <details>: the Markdown is CommonMark, which does not say it targets GitHub.
    out.push(md ? `\n### ${kind}s (${cs.length})\n` : `\n${kind}s (${cs.length} changes)`);
    out.push(table);
  }
  return out.join("\n");
}
