// The fleet diff as text and Markdown: the mesh-wide summary first (counts, inbound ports whose mTLS
// mode changed, connections whose outcome changed, proxies added and removed, names two dumps share,
// dumps that could not be read), then each changed proxy's diff as `diff` prints it for one pair
// (renderDiff itself, under a heading that names the proxy). Unchanged proxies are counted here and
// listed only in -o json and -o yaml.
import { mdInline } from "./sanitize.js";
import { wrapProse } from "./wrap.js";
import { renderListing, type OutputFormat } from "./table.js";
import { renderDiff } from "./diff.js";
import type { FleetDiffReport, FleetProxy } from "../analyses/fleetdiff.js";

/** A column of names or files: never wrapped, even at a space. */
const NAME = (title: string) => ({ title, wrap: false });
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One changed proxy: a heading with its name, the files, then renderDiff's report without its own heading. */
function proxySection(p: FleetProxy, md: boolean, format: OutputFormat): string {
  const t = (v: string) => (md ? mdInline(v) : v);
  const files = `${p.before ?? ""} → ${p.after ?? ""}`;
  const names = p.by === "file" && p.names ? ` (paired by file: named ${p.names.before ?? "?"} before, ${p.names.after ?? "?"} after)` : "";
  const out: string[] = [md ? `\n## ${t(p.proxy)}\n\n${t(files)}${t(names)}\n` : `\n${wrapProse(`proxy ${p.proxy}: ${files}${names}`)}`];
  const summary = p.summary ?? [];
  const changes = p.changes ?? [];
  if (!changes.length && !p.impact?.length) {
    // Only a port's mode changed (its changes were --ignore'd): the summary, which renderDiff leaves out then.
    for (const s of summary) out.push(`${md ? "- **" : "  * "}${t(s)}${md ? "**" : ""}`);
    return out.join("\n");
  }
  // This section's heading says the two files: renderDiff's own is left out.
  out.push(renderDiff({ before: p.before ?? "", after: p.after ?? "", summary, changes, ...(p.impact ? { impact: p.impact } : {}) }, format, { heading: false }));
  return out.join("\n");
}

export function renderFleetDiff(r: FleetDiffReport, format: OutputFormat): string {
  const md = format === "markdown";
  const t = (v: string) => (md ? mdInline(v) : v);
  const out: string[] = [];
  const c = r.counts;
  const title = `fleet diff: ${r.before || "(no dumps)"} → ${r.after || "(no dumps)"}`;
  out.push(md ? `## ${t(title)}\n` : title);
  const line = (s: string) => out.push(md ? `- ${t(s)}` : `  ${s}`);
  line(`${plural(c.compared, "proxy", "proxies")} compared: ${c.changed} changed, ${c.unchanged} unchanged`);
  line(`${c.added} added, ${c.removed} removed`);
  if (r.failed.length) line(`${plural(r.failed.length, "dump")} could not be read (below): a proxy whose other dump is one of them shows as added or removed`);
  if (r.collisions.length) line(`${plural(r.collisions.length, "name")} given by two or more dumps of one side: those proxies are paired by file (below)`);
  const section = (mdTitle: string, textTitle: string) => out.push(md ? `\n### ${t(mdTitle)}\n` : `\n${textTitle}`);

  section("Inbound ports whose mTLS mode changed", "inbound ports whose mTLS mode changed");
  out.push(r.modeChanges.length ? renderListing(format, [NAME("PROXY"), "PORT", "BEFORE", "AFTER"], r.modeChanges.map((m) => [m.proxy, m.port, m.before, m.after])) : md ? "none" : "  none");
  if (r.impact) {
    section("Impact: connections whose outcome changed", "impact (explain presets on every inbound port, before → after)");
    const i = r.impact;
    const text = i.connections ? `${plural(i.connections, "connection")} changed outcome, on ${plural(i.proxies.length, "proxy", "proxies")}: ${i.proxies.join(", ")}` : "no connection outcome changed";
    out.push(md ? t(text) : `  ${text}`);
  }
  const listed = (status: "added" | "removed") => {
    const ps = r.proxies.filter((p) => p.status === status);
    if (!ps.length) return;
    section(`${status === "added" ? "Added" : "Removed"} proxies (${ps.length})`, `${status} (${ps.length})`);
    out.push(renderListing(format, [NAME("PROXY"), NAME("FILE")], ps.map((p) => [p.proxy, (status === "added" ? p.after : p.before) ?? ""])));
  };
  listed("added");
  listed("removed");
  if (r.collisions.length) {
    section("Names given by more than one dump (paired by file)", "names given by more than one dump (those proxies are paired by file)");
    out.push(renderListing(format, ["SIDE", NAME("NAME"), NAME("FILE")], r.collisions.flatMap((x) => x.files.map((f) => [x.side, x.name, f]))));
  }
  if (r.failed.length) {
    section("Dumps that could not be read", "dumps that could not be read");
    out.push(renderListing(format, ["SIDE", NAME("FILE"), { title: "WHY", wrap: true }], r.failed.map((f) => [f.side, f.file, f.message])));
  }
  for (const p of r.proxies) if (p.status === "changed") out.push(proxySection(p, md, format));
  return out.join("\n");
}
