// diff's report as text and Markdown: the mode summary, the impact, then the changes by kind.
import { mdInline } from "./sanitize.js";
import { renderListing, type OutputFormat } from "./table.js";
import type { DiffReport } from "../analyses/diff.js";
import { block, narrowerThan, wrapProse } from "./wrap.js";

/** Below this many columns a change table squeezes its meaning into a sliver: each change is a block instead. */
const TABLE_WIDTH = 140;

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
      !md && narrowerThan(TABLE_WIDTH)
        ? cs.flatMap((c) => block(`${c.name}  ${c.change}`, [`at ${c.path || "(the whole resource)"}`, c.meaning])).join("\n")
        : renderListing(format, ["NAME", { title: "WHERE", wrap: true }, "CHANGE", { title: "MEANING", wrap: true }], cs.map((c) => [c.name, c.path || "(whole resource)", c.change, c.meaning]));
    // A heading, not <details>: the Markdown is CommonMark, which does not say it targets GitHub.
    out.push(md ? `\n### ${kind}s (${cs.length})\n` : `\n${kind}s (${cs.length} changes)`);
    out.push(table);
  }
  return out.join("\n");
}
