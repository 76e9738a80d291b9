// Explain's results as text and Markdown: the verdicts first, then the detail of the row worth reading.
import { mdFence, mdInline, mermaidLabel } from "./sanitize.js";
import type { ExplainDocument } from "../documents.js";
import type { ExplainResult } from "../explain/explain.js";
import { renderListing, wrapProse, type OutputFormat } from "./table.js";
import { actionText } from "../model/route.js";
import { clientModeText, sendsText } from "../model/upstream.js";
import { mostInteresting } from "./pick.js";

const sends = (r: ExplainResult) => {
  const s = r.client.sends;
  return s.transport === "tls" ? `TLS, ALPN ${s.alpn.join(",") || "none"}${s.sni ? `, SNI ${s.sni}` : ""}${s.clientCertificate ? ", cert" : ""}` : "plaintext";
};
/** The answer in one line: client → listener #chain (kind) → what the client sees. */
function verdictLine(r: ExplainResult): string {
  const where = r.listener ? `${r.listener.name} ${r.filterChain ? `${r.filterChain.isDefault ? "default chain" : `#${r.filterChain.index}`} (${r.filterChain.transport})` : r.rejected ? "(rejected by Envoy)" : "(no chain)"}` : (r.accepted?.listener ?? "no listener");
  return `${r.outcome.ok ? "✓" : "✗"} ${r.client.preset} → ${where} → ${r.outcome.code}: ${r.outcome.clientSees}`;
}

/** The verdicts first, one line per client, with the one change that would fix a failure. */
function verdicts(results: ExplainResult[], md: boolean): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(md ? `- ${mdInline(verdictLine(r))}` : verdictLine(r));
    const fix = !r.outcome.ok ? (r.incomplete ?? r.hints[0]) : undefined;
    if (fix) lines.push(md ? `  - fix: ${mdInline(fix)}` : `    fix: ${fix}`);
  }
  return lines.join("\n");
}

/** Explain as text or Markdown; on a terminal (or with COLUMNS) the prose wraps to its width. */
export function renderExplain(doc: ExplainDocument, format: OutputFormat): string {
  const text = renderExplainText(doc, format);
  return format === "markdown" ? text : wrapProse(text);
}

function renderExplainText(doc: ExplainDocument, format: OutputFormat): string {
  const { results } = doc;
  const input = { file: doc.file };
  const out: string[] = [];
  const md = format === "markdown";
  const h = (t: string) => (md ? `\n### ${mdInline(t)}\n` : `\n${t}`);
  out.push(md ? `## ${mdInline(`${input.file}: ${results[0]!.connection.destination}`)}\n` : `${input.file}: ${results[0]!.connection.destination}`);
  out.push(verdicts(results, md));
  if (results.length > 1) {
    // The verdict lines are every client's answer, said once: the detail follows for the row worth
    // reading (under a heading, so that in Markdown the verdict list and the detail's lists stay apart).
    const pick = mostInteresting(results);
    out.push(h(`Detail: ${pick.client.preset}`));
    out.push(renderExplainResult(pick, format));
  } else {
    // In Markdown a heading keeps the verdict list and the detail's list apart (CommonMark would join them into one loose list).
    out.push(md ? h(`Detail: ${results[0]!.client.preset}`) : "");
    out.push(renderExplainResult(results[0]!, format));
  }
  return out.join("\n");
}

/** One connection in full: the client, the listener, the decision path, the outcome, the route and the upstream. */
export function renderExplainResult(r: ExplainResult, format: OutputFormat): string {
  const md = format === "markdown";
  const lines: string[] = [];
  // In Markdown every value from the dump is escaped; labels are ours.
  const t = (v: string) => (md ? mdInline(v) : v);
  const kv = (k: string, v: string) => lines.push(md ? `- **${k.trim()}:** ${mdInline(v)}` : `${k.padEnd(12)} ${v}`);
  // Said first: an answer from partial input is no answer.
  if (r.incomplete) lines.push(md ? `**Incomplete input:** ${t(r.incomplete)}\n` : `INCOMPLETE INPUT: ${r.incomplete}\n`);
  kv("Client", `${r.client.preset}: ${r.client.description}`);
  kv("Connects to", r.connection.destination);
  // A listener without an address (a CiliumEnvoyConfig's: Cilium assigns its port) has none to show.
  if (r.accepted) kv("Accepted by", `${r.accepted.listener}${r.accepted.address === "-" ? "" : ` (${r.accepted.address})`}: ${r.accepted.how}`);
  for (const f of r.listenerFilters) kv("  filter", `${f.name.replace(/^envoy\.(filters\.)?listener\./, "")}${f.implicit ? ` [implicit: ${f.implicit}]` : ""}: ${f.effect}`);
  if (r.handoff) kv("Hand-off", r.handoff.reason);
  if (r.attributes) {
    const a = r.attributes;
    kv("Seen as", `destination ${a.destination}, transport ${a.transportProtocol}, SNI ${a.serverName || "(none)"}, ALPN ${a.applicationProtocols.join(",") || "(none)"}, source ${a.sourceIp}:${a.sourcePort}`);
  }
  if (r.listener && r.listener.name !== r.accepted?.listener) kv("Listener", `${r.listener.name} (${r.listener.address})`);
  if (r.why) lines.push(md ? `\n**Why:** ${t(r.why)}` : `\nWhy: ${r.why}`);
  if (r.rejected) kv("Rejected", r.rejected);
  if (r.matching?.steps.length) {
    lines.push(md ? "\n**Decision path** (Envoy commits to the most specific branch at each level and never backtracks):\n" : "\nDecision path (Envoy commits to the most specific branch at each level and never backtracks):");
    // Levels where no chain restricts the value change nothing: one line names them.
    let prev = -1;
    const idle: string[] = [];
    for (const s of r.matching.steps) {
      const narrowed = s.remaining !== prev || s.chose === null || !/^any /.test(s.chose);
      prev = s.remaining;
      if (!narrowed) idle.push(s.level);
      else lines.push(`${md ? "1." : "  "} ${t(`${s.level}: ${s.connection} → ${s.chose ?? "nothing matches"} (${s.remaining} left)`)}`);
    }
    if (idle.length) lines.push(`${md ? "-" : "  "} no chain left restricts ${t(idle.join(", "))}`);
  }
  if (r.matching?.matcherTrace?.length) {
    const trace = r.matching.matcherTrace.map((x) => `  ${x}`).join("\n");
    lines.push(md ? `\n**filter_chain_matcher:**\n${mdFence(trace)}` : `\nfilter_chain_matcher:\n${trace}`);
  }
  if (r.candidates.length) {
    lines.push(md ? "\n**Filter chains:**\n" : "\nFilter chains:");
    lines.push(
      renderListing(
        format,
        ["#", { title: "MATCH", wrap: true, drop: 2 }, { title: "TLS", wrap: true, drop: 1 }, { title: "THEN", wrap: true, drop: 3 }, { title: "VERDICT", wrap: true }],
        r.candidates.map((c) => [`${c.index < 0 ? "default" : c.index}${c.name ? ` ${c.name}` : ""}`, c.match, c.transport, c.terminal, `${c.verdict}${c.level ? ` at ${c.level}` : ""}: ${c.reason}`]),
      ),
    );
  }
  lines.push("");
  kv("Outcome", `${r.outcome.code}: ${r.outcome.summary}`);
  if (r.next?.clientCertificate && r.next.clientCertificate !== "none") kv("Client cert", r.next.clientCertificate);
  kv("Client sees", r.outcome.clientSees);
  const al = r.outcome.accessLog;
  // The access-log line says what a log shows; the Envoy side is said besides only where it is about something else (a state, a stat).
  if (r.outcome.envoySide && !(al && /access log|response flag/i.test(r.outcome.envoySide))) kv("Envoy side", r.outcome.envoySide);
  if (al) {
    const logged = [al.responseCode !== undefined ? String(al.responseCode) : "", al.responseFlags.join(","), al.details ?? ""].filter(Boolean).join(" ");
    kv("Access log", `${logged || "no response code or flag"}${al.note ? ` (${al.note})` : ""}`);
  }
  if (r.route) {
    const d = r.route;
    const where = `Host ${d.request.host}, path ${d.request.path}`;
    if (d.kind === "route") kv("Route", `${where} → ${d.routeConfig} / virtual host ${d.virtualHost} / route ${d.routeIndex}${d.routeName ? ` "${d.routeName}"` : ""} (${d.match}) → ${actionText(d.action)}`);
    else if (d.kind === "no-route-config") kv("Route", `${where}: route configuration ${d.name} is not in this dump`);
    else kv("Route", `${where} → ${d.routeConfig}${"virtualHost" in d ? ` / ${d.virtualHost}` : ""}: ${d.kind}`);
  }
  if (r.upstream) {
    const u = r.upstream;
    const per = u.endpoints.map((e) => `${e.endpoint}: ${sendsText(e.sends)}`).join("; ");
    // The mode is a DestinationRule word: said for Istio; elsewhere only auto selection needs saying, as the per-endpoint text names the rest.
    const mode = r.capture.mesh === "Istio" || u.mode === "AUTO" ? ` [${clientModeText(u.mode, r.capture.mesh)}]` : "";
    kv("Upstream", `${u.cluster}${mode} ${per}${u.notes.length ? ` (${u.notes.join("; ")})` : ""}`);
  }
  if (r.hints.length) {
    lines.push(md ? "\n**What would change it:**\n" : "\nWhat would change it:");
    for (const hnt of r.hints) lines.push(`${md ? "-" : "  •"} ${t(hnt)}`);
  }
  if (r.connection.assumptions.length) {
    lines.push(md ? "\n**Assumed:**\n" : "\nAssumed:");
    for (const a of r.connection.assumptions) lines.push(`${md ? "-" : "  •"} ${t(a)}`);
  }
  if (md) lines.push("", mermaid(r));
  return lines.join("\n");
}

/** The chains the diagram draws at one level; the rest are named below it. */
const DRAWN_PER_LEVEL = 3;
const chainId = (c: ExplainResult["candidates"][number]) => `${c.index < 0 ? "default" : `#${c.index}`}${c.name ? ` ${c.name}` : ""}`;

/** A flowchart of the decision path, for bug reports: every chain is drawn, or named in a line below it. */
export function mermaid(r: ExplainResult): string {
  const q = mermaidLabel;
  const drawn = new Set<ExplainResult["candidates"][number]>();
  const out = ["flowchart LR"];
  out.push(`  C[${q(`${r.client.preset}: ${sends(r)}`)}]`);
  let prev = "C";
  if (r.accepted) {
    out.push(`  L0[${q(`${r.accepted.listener} ${r.accepted.address}`)}]`, `  C --> L0`);
    prev = "L0";
  }
  if (r.handoff?.to) {
    out.push(`  L1[${q(r.handoff.to)}]`, `  ${prev} -->|use_original_dst| L1`);
    prev = "L1";
  }
  // A tree: the path the connection took, one node per level that narrowed the chains (levels no
  // chain restricts are skipped), and at each level the chains that branched off there.
  let lastRemaining = -1;
  (r.matching?.steps ?? []).forEach((s, i) => {
    const narrowed = s.remaining !== lastRemaining || s.chose === null || !/^any /.test(s.chose);
    lastRemaining = s.remaining;
    if (!narrowed) return;
    const id = `S${i}`;
    out.push(`  ${id}{${q(`${s.level}: ${s.connection}`)}}`, `  ${prev} -->|${q(s.chose ?? "nothing matches")}| ${id}`);
    r.candidates
      .filter((c) => c.verdict === "eliminated" && c.level === s.level)
      .slice(0, DRAWN_PER_LEVEL)
      .forEach((c, k) => {
        const cid = `${id}x${k}`;
        drawn.add(c);
        out.push(`  ${cid}[${q(`${chainId(c)} (${c.transport}): ${c.reason}`)}]`, `  ${id} -.->|${q("not taken")}| ${cid}`);
      });
    prev = id;
  });
  const chain = r.filterChain ? `chain ${r.filterChain.isDefault ? "default" : `#${r.filterChain.index}`}${r.filterChain.name ? ` ${r.filterChain.name}` : ""} (${r.filterChain.transport})` : undefined;
  if (chain) {
    out.push(`  K[${q(chain)}]`, `  ${prev} --> K`);
    prev = "K";
  }
  out.push(`  E[${q(`${r.outcome.code}: ${r.outcome.clientSees}`)}]`, `  ${prev} --> E`);
  // Every chain is drawn or named: those past DRAWN_PER_LEVEL at a level, and those no drawn level
  // eliminated (ambiguous, not evaluated, left at a level that narrowed nothing), in a line below.
  const chosen = r.filterChain ? (r.filterChain.isDefault ? -1 : r.filterChain.index) : undefined;
  const left = r.candidates.filter((c) => !drawn.has(c) && c.index !== chosen);
  const fence = mdFence(out.join("\n"), "mermaid");
  if (!left.length) return fence;
  const said = left.map((c) => `${chainId(c)} (${c.verdict}${c.level ? ` at ${c.level}` : ""})`).join(", ");
  return `${fence}\n\n${mdInline(`Not drawn (${left.length} of ${r.candidates.length} chains): ${said}.`)}`;
}
