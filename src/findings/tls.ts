// Findings about what the proxy's ports accept and what its clusters send, proven by replaying
// connections through the explain engine (the same replays as tls-check).
import { inboundPorts, portModeWithReplays, runTlsCheck } from "../analyses/tlscheck.js";
import { captureModel } from "../explain/capture.js";
import type { ExplainResult } from "../explain/explain.js";
import { finding, type Analyzer, type Finding } from "./types.js";
import { chainsForPort } from "../model/listener.js";
import type { LoadedInput } from "../load/dump.js";

/** The ALPN values the port's mTLS chains (those that require a client certificate) ask for. */
function meshAlpn(input: LoadedInput, port: number): string[] {
  const out = new Set<string>();
  for (const { chain } of chainsForPort(input, port)) {
    if (chain.transport.kind === "tls" && chain.transport.requireClientCertificate) for (const a of chain.match.applicationProtocols ?? []) out.add(a);
  }
  return [...out];
}

function chainName(r: ExplainResult): string | undefined {
  if (!r.filterChain) return undefined;
  return r.filterChain.index < 0 ? "default chain" : `#${r.filterChain.index}${r.filterChain.name ? ` ${r.filterChain.name}` : ""}`;
}

/**
 * PERMISSIVE_TLS_TRAP: the port takes plaintext and the mesh's mTLS, and a TLS client without the
 * mesh's ALPN (curl --cert: ALPN h2,http/1.1) does not reach a TLS chain: it lands on the plaintext
 * chain (Istio ≤1.7) or on none (1.8 on).
 */
export const permissiveTlsTrap: Analyzer = {
  name: "permissive-tls-trap",
  codes: ["PERMISSIVE_TLS_TRAP"],
  run({ input }) {
    const out: Finding[] = [];
    const mesh = captureModel(input).mesh;
    for (const port of inboundPorts(input)) {
      const { mode, replays } = portModeWithReplays(input, port);
      if (mode.mode !== "PERMISSIVE") continue;
      const r = replays.curlMtls;
      // A TLS client that reaches a TLS chain (the port has one for any ALPN) is not trapped.
      if (r.filterChain?.terminatesTls || r.outcome.code === "TLS_PASSTHROUGH") continue;
      const lands = r.filterChain ? `lands on the plaintext chain ${chainName(r)} (${r.outcome.code}: ${r.outcome.clientSees})` : `matches no chain (${r.outcome.code}: ${r.outcome.clientSees})`;
      const wants = meshAlpn(input, port).join(",");
      const listener = r.listener?.name ?? r.accepted?.listener;
      out.push(
        finding(input, "PERMISSIVE_TLS_TRAP", {
          message: `port ${port} takes plaintext and ${mesh === "Istio" ? "Istio" : "mesh"} mTLS (${mode.detail}); a TLS client that offers none of the ALPN values its mTLS chain asks for (${wants || "the mesh's"}), such as curl --cert offering h2,http/1.1, ${lands}`,
          resource: { kind: "port", name: String(port) },
          ...(listener ? { path: input.byName("listener", listener)?.path } : {}),
          evidence: {
            client: r.client.preset,
            port,
            outcome: r.outcome.code,
            ...(listener ? { listener } : {}),
            ...(chainName(r) ? { chain: chainName(r)! } : {}),
            shows: `${r.client.description}: ${r.outcome.summary}`,
          },
        }),
      );
    }
    return out;
  },
};

/** TLS_MODE_CONFLICT: with a client and a server dump, every client cluster whose connections the server refuses (tls-check's CONFLICT rows). */
export const tlsModeConflict: Analyzer = {
  name: "tls-mode-conflict",
  codes: ["TLS_MODE_CONFLICT"],
  run({ input, server }) {
    if (!server) return [];
    const report = runTlsCheck(input, server, {});
    return report.rows
      .filter((row) => row.status === "CONFLICT")
      .map((row) =>
        finding(input, "TLS_MODE_CONFLICT", {
          message: `${row.cluster ?? `${row.host}:${row.port}`} in ${input.file} sends ${row.client.sends}; ${server.identity?.app ?? server.file} (${server.file}) port ${row.server.port} (${row.server.mode}) refuses it: ${row.reason}`,
          resource: { kind: "cluster", name: row.cluster ?? `${row.host}:${row.port}` },
          ...(row.cluster ? { path: input.byName("cluster", row.cluster)?.path } : {}),
          evidence: {
            client: `cluster ${row.cluster ?? row.host}`,
            port: row.server.port,
            outcome: row.server.outcome,
            chain: row.server.chain,
            shows: `replayed against ${server.file}: ${row.server.outcome} (${row.reason})`,
          },
        }),
      );
  },
};
