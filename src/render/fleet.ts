// The fleet's reports: `tls-check DIR` as one table for the mesh (the summary first, then every row that
// is not OK, or every row of a small fleet), and `check DIR` as the fleet's summary then the findings.
import { mdInline } from "./sanitize.js";
import { renderListing, type OutputFormat } from "./table.js";
import { block, narrowerThan, wrapProse } from "./wrap.js";
import { renderCheck } from "./findings.js";
import { portModeText, type Status } from "../analyses/tlscheck.js";
import { clientModeText } from "../model/upstream.js";
import type { FleetReport, FleetRow } from "../analyses/fleet.js";
import type { FleetFailure } from "../fleetdoc.js";
import type { Finding } from "../findings/types.js";
import { grouped } from "./tlscheck.js";

const STATUS_MARK: Record<Status, string> = { OK: "✓", CONFLICT: "✗", PLAINTEXT: "!", UNKNOWN: "?" };

/** A fleet of up to this many rows is shown whole; a larger one shows the rows that are not OK. */
export const FLEET_ALL_ROWS = 40;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function summaryLine(doc: Pick<FleetReport, "summary" | "proxies">): string {
  const s = doc.summary;
  const counts = (["CONFLICT", "UNKNOWN", "PLAINTEXT", "OK"] as const).map((k) => `${s.byStatus[k]} ${k}`).join(", ");
  const servers = doc.proxies.filter((p) => p.ports.length).length;
  return `${plural(s.proxies, "proxy", "proxies")} (${servers} take inbound connections), ${plural(s.pairs, "client → server pair")}, ${plural(s.rows, "client cluster")} paired: ${counts}${s.outside ? `; ${plural(s.outside, "cluster")} reach no proxy of these dumps` : ""}`;
}

function failures(failed: FleetFailure[], md: boolean): string[] {
  return failed.map((f) => (md ? `- not read: ${mdInline(f.message)}` : `not read: ${f.message}`));
}

export function renderFleetTls(doc: FleetReport & { failed: FleetFailure[] }, format: "table" | "markdown"): string {
  const md = format === "markdown";
  const out: string[] = [];
  const head = summaryLine(doc);
  out.push(md ? `## ${mdInline(head)}\n` : wrapProse(head));
  out.push(...failures(doc.failed, md).map((l) => (md ? l : wrapProse(l))));
  const mesh = doc.proxies[0]?.mesh ?? "Envoy";
  const shown = doc.rows.length <= FLEET_ALL_ROWS ? doc.rows : doc.rows.filter((r) => r.status !== "OK");
  if (shown.length && !md && narrowerThan(TABLE_WIDTH)) {
    // A terminal too narrow for the table: one block per row, the reason wrapped under it at full width.
    out.push("");
    for (const r of shown) out.push(...card(r, mesh));
  } else if (shown.length) {
    out.push("");
    out.push(
      renderListing(
        format as OutputFormat,
        ["  CLIENT", "HOST:PORT", { title: "SENDS", wrap: true, drop: 1 }, "SERVER", { title: "SERVER PORT", wrap: true }, "STATUS", { title: "REASON", wrap: true }],
        shown.map((r) => [`${STATUS_MARK[r.status]} ${r.client}`, hostPort(r), `${clientModeText(r.clientMode, mesh)}\n${r.sends}`, serversText(r), `${r.serverPort} ${portModeText({ mode: r.serverMode }, mesh)}\n${r.chain}`, r.status, r.reason]),
      ),
    );
  }
  if (shown.length < doc.rows.length) out.push(`\n${plural(doc.rows.length - shown.length, "OK row")} not shown (-o json lists every row)`);
  const said = (n: string) => (md ? mdInline(n) : n);
  for (const { text, count } of grouped(doc.notes)) {
    const note = `note${count > 1 ? ` (${count} times)` : ""}: ${said(text)}`;
    out.push(md ? note : wrapProse(note));
  }
  return out.join("\n");
}

/** The table needs about this many columns to give the reason room; a narrower terminal gets blocks. */
const TABLE_WIDTH = 160;

/** One row as a block: the verdict and the two proxies, what the client sends, the reason. */
function card(r: FleetRow, mesh: string): string[] {
  const others = r.servers.filter((s) => s.name !== r.server);
  const mode = clientModeText(r.clientMode, mesh);
  return [
    ...block(`${STATUS_MARK[r.status]} ${r.status}  ${r.client} → ${r.server}, port ${r.serverPort} (${portModeText({ mode: r.serverMode }, mesh)}, chain ${r.chain})`, [
      `${r.cluster}${r.cluster.includes(r.host) ? "" : ` (${r.host}:${r.port})`} sends ${r.sends}${r.sends.startsWith(mode) ? "" : ` (${mode})`}`,
      ...(others.length ? [`also reaches ${others.map((s) => `${s.name} (${s.status})`).join(", ")}`] : []),
      r.reason,
    ]),
    "",
  ];
}

function hostPort(r: FleetRow): string {
  const subset = r.cluster.split("|")[2];
  return `${r.host}:${r.port}${subset ? ` (${subset})` : ""}`;
}

/** The server whose answer the row gives, and how many others the cluster reaches (with their statuses when they differ). */
function serversText(r: FleetRow): string {
  const others = r.servers.filter((s) => s.name !== r.server);
  if (!others.length) return r.server;
  const differ = others.filter((s) => s.status !== r.status);
  return [r.server, `and ${plural(others.length, "other")}${differ.length ? `: ${differ.map((s) => `${s.name} ${s.status}`).join(", ")}` : ` (${r.status})`}`].join("\n");
}

/** A fleet with up to this many findings lists each; past it, one row per code (-o json and -o sarif list each). */
export const FLEET_ALL_FINDINGS = 40;

export function renderFleetCheck(doc: Pick<FleetReport, "summary" | "proxies"> & { files: string[]; findings: Finding[]; failed: FleetFailure[] }, format: "table" | "markdown"): string {
  const md = format === "markdown";
  const head = summaryLine(doc);
  const dumps = plural(doc.proxies.length, "dump");
  if (doc.findings.length <= FLEET_ALL_FINDINGS) {
    const text = [md ? `## ${mdInline(head)}\n` : head, ...failures(doc.failed, md), "", renderCheck({ files: [dumps], findings: doc.findings }, format)].join("\n");
    return md ? text : wrapProse(text);
  }
  // Many findings: one row per code, most severe first, with how many dumps have it and the first of them.
  const byCode = new Map<string, { level: string; count: number; files: string[]; first: Finding }>();
  for (const f of doc.findings) {
    const g = byCode.get(f.code);
    if (!g) byCode.set(f.code, { level: f.severity, count: 1, files: [f.file], first: f });
    else {
      g.count++;
      if (g.files[g.files.length - 1] !== f.file && !g.files.includes(f.file)) g.files.push(f.file);
    }
  }
  const rows = [...byCode].map(([code, g]) => [`${LEVEL_MARK[g.level] ?? ""} ${g.level}`, code, g.count, g.files.length, `${g.first.file}: ${g.first.message}`]);
  const table = renderListing(format, [{ title: "LEVEL" }, { title: "CODE" }, { title: "FINDINGS" }, { title: "DUMPS" }, { title: "FIRST", wrap: true }], rows);
  const intro = `${dumps}: ${plural(doc.findings.length, "finding")} of ${plural(byCode.size, "kind")}; each is listed by -o json or -o sarif, or by check on one dump`;
  const text = [md ? `## ${mdInline(head)}\n` : head, ...failures(doc.failed, md), "", md ? mdInline(intro) : intro, "", table].join("\n");
  return md ? text : wrapProse(text);
}

const LEVEL_MARK: Record<string, string> = { error: "✗", warning: "!", info: "i" };
