// tls-check's report as a table: per host:port, what the client sends, what the server does, and why.
import { mdInline } from "./sanitize.js";
import { renderListing, type OutputFormat } from "./table.js";
import { blocks, narrowerThan } from "./wrap.js";
import { portModeText, type Status, type TlsCheckReport } from "../analyses/tlscheck.js";
import { clientModeText } from "../model/upstream.js";

/**
 * Each row starts with the mark of its status, as explain's verdicts and the findings do: ✓ works,
 * ✗ fails, ! works with a caveat (no encryption on this hop), ? cannot tell. A mark that starts a
 * line is what the command line colours, the same in every command.
 */
const STATUS_MARK: Record<Status, string> = { OK: "✓", CONFLICT: "✗", PLAINTEXT: "!", UNKNOWN: "?" };

/** Below this many columns the table squeezes the reason: each row is a block instead. */
const TABLE_WIDTH = 120;

export function renderTlsCheck(report: TlsCheckReport, format: OutputFormat): string {
  const out: string[] = [];
  const subset = (r: TlsCheckReport["rows"][number]) => (r.cluster && r.cluster.split("|")[2] ? ` (${r.cluster.split("|")[2]})` : "");
  const serverText = (r: TlsCheckReport["rows"][number]) => portModeText(report.serverPorts.find((p) => p.port === r.server.port) ?? { mode: r.server.mode }, report.mesh);
  if (report.rows.length && format !== "markdown" && narrowerThan(TABLE_WIDTH)) {
    // A terminal too narrow for the table: a block per row, the reason wrapped under it at full width.
    out.push(
      blocks(
        report.rows.map((r) => [
          `${STATUS_MARK[r.status]} ${r.status}  ${r.host}:${r.port}${subset(r)}`,
          [`client ${clientModeText(r.client.mode, report.mesh)}: sends ${r.client.sends}`, `server port ${r.server.port} ${serverText(r)}: chain ${r.server.chain}`, r.reason],
        ]),
      ),
    );
  } else if (report.rows.length) {
    out.push(
      renderListing(
        format,
        // The reason says what the client sends: on a narrow terminal the CLIENT column is the one left out.
        ["  HOST:PORT", { title: "CLIENT", wrap: true, drop: 1 }, { title: "SERVER", wrap: true }, "STATUS", { title: "REASON", wrap: true }],
        report.rows.map((r) => [`${STATUS_MARK[r.status]} ${r.host}:${r.port}${subset(r)}`, `${clientModeText(r.client.mode, report.mesh)}\n${r.client.sends}`, `${serverText(r)}\n${r.server.chain}`, r.status, r.reason]),
      ),
    );
  }
  if (report.serverPorts.length && !report.rows.length) {
    out.push("Server: what each inbound port accepts");
    out.push(renderListing(format, ["PORT", "MODE (from the chains)", "ACCEPTS"], report.serverPorts.map((p) => [p.port, portModeText(p, report.mesh), p.detail])));
  }
  const said = (n: string) => (format === "markdown" ? mdInline(n) : n);
  if (report.clientClusters.length && !report.rows.length) {
    // A note said of several clusters is said once, under the table, with how many it is about; a
    // cluster's cell refers to it by number.
    const shared = numberShared(report.clientClusters.flatMap((c) => [...new Set(c.notes)]));
    const sends = (c: TlsCheckReport["clientClusters"][number]) => [...c.sends, ...[...new Set(c.notes)].map((n) => (shared.has(n) ? `note [${shared.get(n)!.number}]` : `note: ${n}`))];
    out.push("Client: what each outbound cluster sends");
    if (format !== "markdown" && narrowerThan(TABLE_WIDTH)) {
      // A terminal too narrow for the table (a cluster's name takes most of it): a block per cluster, what it sends under it.
      out.push(blocks(report.clientClusters.map((c) => [`${c.cluster}  ${clientModeText(c.mode, report.mesh)}`, sends(c)])));
    } else {
      out.push(renderListing(format, ["CLUSTER", "MODE", { title: "SENDS", wrap: true }], report.clientClusters.map((c) => [c.cluster, clientModeText(c.mode, report.mesh), sends(c).join("\n")])));
    }
    for (const [n, { number, count }] of shared) out.push(`note [${number}] (${count} clusters): ${said(n)}`);
  }
  for (const { text, count } of grouped(report.notes)) out.push(`note${count > 1 ? ` (${count} times)` : ""}: ${said(text)}`);
  return out.join("\n");
}

/** Notes in the order first said, each once, with how often it was said. Linear in the notes. */
export function grouped(notes: string[]): { text: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const n of notes) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([text, count]) => ({ text, count }));
}

/** The notes said more than once, numbered in the order first said. */
function numberShared(notes: string[]): Map<string, { number: number; count: number }> {
  const shared = new Map<string, { number: number; count: number }>();
  for (const g of grouped(notes)) if (g.count > 1) shared.set(g.text, { number: shared.size + 1, count: g.count });
  return shared;
}
