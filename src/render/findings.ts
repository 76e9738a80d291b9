// Findings and the overview as text and Markdown. A finding is a block, not a table row: its
// resource name and place stay whole on one line, and only the message and fix wrap.
import type { Finding } from "../findings/types.js";
import type { Overview } from "../findings/overview.js";
import { mdInline } from "./sanitize.js";
import { renderListing } from "./table.js";
import { wrapProse } from "./wrap.js";
import type { LogResult } from "../analyses/logreplay.js";
import { renderExplainResult } from "./explain.js";

const MARK: Record<Finding["severity"], string> = { error: "✗", warning: "!", info: "·" };

function place(f: Finding): string {
  return `${f.file}${f.line ? `:${f.line}${f.column ? `:${f.column}` : ""}` : ""}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "2 errors, 1 warning, 3 infos", or "no findings". */
function findingsSummary(list: Finding[]): string {
  if (!list.length) return "no findings";
  const n = (s: Finding["severity"]) => list.filter((f) => f.severity === s).length;
  return [n("error") && plural(n("error"), "error"), n("warning") && plural(n("warning"), "warning"), n("info") && `${n("info")} info`].filter(Boolean).join(", ");
}

function evidenceText(f: Finding): string | undefined {
  const e = f.evidence;
  if (!e) return undefined;
  const what = e.request ? `${e.client} ${e.request}` : e.client;
  return `${what}${e.port !== undefined ? ` on port ${e.port}` : ""} → ${e.outcome}${e.chain ? ` (chain ${e.chain}${e.listener ? ` of ${e.listener}` : ""})` : e.listener ? ` (${e.listener})` : ""}: ${e.shows}`;
}

function renderFindingList(list: Finding[], format: "table" | "markdown"): string {
  const md = format === "markdown";
  const out: string[] = [];
  for (const f of list) {
    if (md) {
      out.push(`- **${f.severity}** \`${f.code}\` ${mdInline(`${f.resource.kind} ${f.resource.name}`)} (${mdInline(place(f))})`);
      out.push(`  - ${mdInline(f.message)}`);
      const ev = evidenceText(f);
      if (ev) out.push(`  - shown by: ${mdInline(ev)}`);
      out.push(`  - fix: ${mdInline(f.fix)}`);
    } else {
      // The resource on a line of its own: a long name (an Istio cluster, a SPIFFE ID) stays whole under its indentation.
      out.push(`${MARK[f.severity]} ${f.severity.padEnd(8)}${f.code}`);
      out.push(`    ${f.resource.kind} ${f.resource.name}`);
      out.push(`    at ${place(f)}${f.path ? ` (${f.path})` : ""}`);
      out.push(`    ${f.message}`);
      const ev = evidenceText(f);
      if (ev) out.push(`    shown by: ${ev}`);
      out.push(`    fix: ${f.fix}`);
    }
  }
  return out.join("\n");
}

export function renderCheck(doc: { files: string[]; findings: Finding[] }, format: "table" | "markdown"): string {
  const md = format === "markdown";
  const head = `${doc.files.join(", ")}: ${findingsSummary(doc.findings)}`;
  const text = [md ? `## ${mdInline(head)}\n` : head, ...(doc.findings.length ? ["", renderFindingList(doc.findings, format)] : [])].join("\n");
  return md ? text : wrapProse(text);
}

function yes(b: boolean): string {
  return b ? "yes" : "no";
}

export function renderOverview(doc: Overview & { file: string }, format: "table" | "markdown"): string {
  const md = format === "markdown";
  const p = doc.proxy;
  const t = (s: string) => (md ? mdInline(s) : s);
  const out: string[] = [];
  const what = [`${p.mesh === "Envoy" ? "Envoy" : `${p.mesh}${p.meshVersion ? ` ${p.meshVersion}` : ""}`} ${p.role}`, p.envoyVersion ? `(Envoy ${p.envoyVersion})` : ""].filter(Boolean).join(" ");
  const who = [p.workload && `${p.workload}${p.namespace ? `.${p.namespace}` : ""}`, p.ips.length ? p.ips.join(", ") : ""].filter(Boolean).join(", ");
  out.push(md ? `## ${t(`${doc.file}: ${what}`)}\n` : `${doc.file}: ${what}`);
  if (who) out.push(md ? `- **Workload:** ${t(who)}` : `Workload     ${who}`);
  out.push(md ? `- **Traffic:** ${t(p.traffic.how)}` : `Traffic      ${p.traffic.how}`);
  const r = p.resources;
  out.push(md ? `- **Holds:** ${r.listeners} listeners, ${r.clusters} clusters, ${r.routes} route configurations, ${r.endpoints} endpoint assignments, ${r.secrets} secrets` : `Holds        ${r.listeners} listeners, ${r.clusters} clusters, ${r.routes} route configurations, ${r.endpoints} endpoint assignments, ${r.secrets} secrets`);
  out.push("");
  if (doc.ports.length) {
    out.push(md ? "### Ports other hosts reach\n" : "Ports other hosts reach (each replayed: plaintext, the mesh's sidecar, curl --cert, curl over TLS)");
    out.push(
      renderListing(
        format,
        ["PORT", "MODE", "PLAINTEXT", "MESH MTLS", "OTHER MTLS", "TLS PASSTHROUGH"],
        doc.ports.map((x) => [x.port, x.modeText, yes(x.accepts.plaintext), yes(x.accepts.meshMtls), yes(x.accepts.otherMtls), yes(x.accepts.tlsPassthrough)]),
      ),
    );
  } else out.push(md ? `No port that other hosts reach was found${doc.noPorts ? `: ${t(doc.noPorts)}` : ""}.` : `Ports        none that other hosts reach${doc.noPorts ? `: ${doc.noPorts}` : ""}`);
  out.push("");
  const o = doc.outbound;
  const parts = [o.auto && `${o.auto} auto mTLS (by endpoint)`, o.mtls && `${o.mtls} mTLS`, o.tls && `${o.tls} TLS`, o.plaintext && `${o.plaintext} plaintext`, o.other && `${o.other} other`].filter(Boolean).join(", ");
  const ob = `${plural(o.clusters, "cluster")}${parts ? `: ${parts}` : ""}`;
  out.push(md ? `- **Outbound:** ${ob}` : `Outbound     ${ob}`);
  out.push("");
  out.push(md ? `### Findings: ${findingsSummary(doc.findings)}\n` : `Findings: ${findingsSummary(doc.findings)}`);
  // One screen: errors and warnings in full; info findings (unused clusters can be hundreds) by code, with a count.
  // At most three of a code in full; the rest of that code counted (check lists every one).
  const perCode = new Map<string, number>();
  const full: Finding[] = [];
  for (const f of doc.findings) {
    if (f.severity === "info") continue;
    const n = (perCode.get(f.code) ?? 0) + 1;
    perCode.set(f.code, n);
    if (n <= 3) full.push(f);
  }
  if (full.length) out.push(renderFindingList(full, format));
  for (const [code, n] of perCode) if (n > 3) out.push(md ? `- and ${n - 3} more \`${code}\`` : `  … and ${n - 3} more ${code}`);
  const info = new Map<string, Finding[]>();
  for (const f of doc.findings) if (f.severity === "info") info.set(f.code, [...(info.get(f.code) ?? []), f]);
  for (const [code, list] of info) {
    const names = list.map((f) => f.resource.name);
    const shown = names.slice(0, 3).join(", ");
    const more = names.length > 3 ? `, and ${names.length - 3} more` : "";
    out.push(md ? `- **info** \`${code}\` ×${list.length}: ${t(shown + more)}` : `${MARK.info} info    ${code} ×${list.length}: ${shown}${more}`);
  }
  if (!md && doc.findings.length) out.push("", `Every finding in full: envoy-explain check ${doc.file} (-o sarif for CI). One port in full: envoy-explain ${doc.file} --port N.`);
  const text = out.join("\n");
  return md ? text : wrapProse(text);
}

/** Each access-log line: whether the dump reproduces it (said first), what was logged, what was assumed, then the replay in full. */
export function renderLog(doc: { file: string; results: LogResult[] }, format: "table" | "markdown"): string {
  const md = format === "markdown";
  const t = (s: string) => (md ? mdInline(s) : s);
  const out: string[] = [];
  for (const r of doc.results) {
    const verdict = r.outcome.code === "INCOMPLETE_INPUT" ? "? the dump cannot tell" : r.reproduces ? "✓ the dump reproduces it" : "✗ the dump does not reproduce it";
    const head = `line ${r.log.line} (${r.log.format}): ${verdict}`;
    out.push(md ? `## ${t(head)}\n` : head);
    out.push(md ? `**Why:** ${t(r.reason)}\n` : `  ${r.reason}`);
    const l = r.logged;
    const logged = [l.responseCode !== undefined ? `${l.responseCode}` : "no response code", l.responseFlags.length ? `flags ${l.responseFlags.join(",")}` : "", l.details ? `details ${l.details}` : "", l.cluster ? `cluster ${l.cluster}` : ""].filter(Boolean).join(", ");
    out.push(md ? `- **Logged:** ${t(logged)}` : `Logged       ${logged}`);
    for (const a of r.assumed) out.push(md ? `- **Assumed:** ${t(a)}` : `Assumed      ${a}`);
    out.push("");
    out.push(renderExplainResult(r, format));
    out.push("");
  }
  const text = out.join("\n").trimEnd();
  return md ? text : wrapProse(text);
}
