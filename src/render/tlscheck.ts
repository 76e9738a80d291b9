// tls-check's report as a table: per host:port, what the client sends, what the server does, and why.
import { mdInline } from "./sanitize.js";
import { renderListing, type OutputFormat } from "./table.js";
import { portModeText, type Status, type TlsCheckReport } from "../analyses/tlscheck.js";
import { clientModeText } from "../model/upstream.js";

/**
 * Each row starts with the mark of its status, as explain's verdicts and the findings do: ✓ works,
 * ✗ fails, ! works with a caveat (no encryption on this hop), ? cannot tell. A mark that starts a
 * line is what the command line colours, the same in every command.
 */
export const STATUS_MARK: Record<Status, string> = { OK: "✓", CONFLICT: "✗", PLAINTEXT: "!", UNKNOWN: "?" };

export function renderTlsCheck(report: TlsCheckReport, format: OutputFormat): string {
  const out: string[] = [];
  if (report.rows.length) {
    out.push(
      renderListing(
        format,
        // The reason says what the client sends: on a narrow terminal the CLIENT column is the one left out.
        ["  HOST:PORT", { title: "CLIENT", wrap: true, drop: 1 }, { title: "SERVER", wrap: true }, "STATUS", { title: "REASON", wrap: true }],
        report.rows.map((r) => [`${STATUS_MARK[r.status]} ${r.host}:${r.port}${r.cluster && r.cluster.split("|")[2] ? ` (${r.cluster.split("|")[2]})` : ""}`, `${clientModeText(r.client.mode, report.mesh)}\n${r.client.sends}`, `${portModeText(report.serverPorts.find((p) => p.port === r.server.port) ?? { mode: r.server.mode }, report.mesh)}\n${r.server.chain}`, r.status, r.reason]),
      ),
    );
  }
  if (report.serverPorts.length && !report.rows.length) {
    out.push("Server: what each inbound port accepts");
    out.push(renderListing(format, ["PORT", "MODE (from the chains)", "ACCEPTS"], report.serverPorts.map((p) => [p.port, portModeText(p, report.mesh), p.detail])));
  }
  if (report.clientClusters.length && !report.rows.length) {
    out.push("Client: what each outbound cluster sends");
    out.push(renderListing(format, ["CLUSTER", "MODE", "SENDS"], report.clientClusters.map((c) => [c.cluster, clientModeText(c.mode, report.mesh), [...c.sends, ...c.notes.map((n) => `note: ${n}`)].join("\n")])));
  }
  for (const n of report.notes) out.push(`note: ${format === "markdown" ? mdInline(n) : n}`);
  return out.join("\n");
}
