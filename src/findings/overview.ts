// `envoy-explain DUMP` with no --port: one screen about the proxy. What it is (mesh, version, role,
// how traffic reaches it), what each port other hosts reach accepts (the same replays as single-dump
// tls-check), what its clusters send, and the findings, most severe first. Plain data; render/ prints it.
import type { LoadedInput } from "../load/dump.js";
import { captureModel, proxyRole, type ProxyRole } from "../explain/capture.js";
import { clusterModel } from "../model/cluster.js";
import { clusterMode, type UpstreamMode } from "../model/upstream.js";
import { inboundPorts, portModeText, portModeWithReplays, whyNoPort, type PortMode } from "../analyses/tlscheck.js";
import type { ExplainResult } from "../explain/explain.js";
import { runFindings, type FindingsOptions } from "./index.js";
import type { Finding } from "./types.js";

export interface OverviewPort extends PortMode {
  /** The port's mode in the mesh's words ("PERMISSIVE" in Istio, "mTLS or plaintext" elsewhere). */
  modeText: string;
  /** The replays behind the mode: each client and where it ended. */
  replays: { client: string; outcome: string; chain: string | null; listener: string | null }[];
}

export interface Overview {
  proxy: {
    mesh: string;
    meshVersion?: string;
    envoyVersion?: string;
    role: ProxyRole;
    id?: string;
    workload?: string;
    namespace?: string;
    ips: string[];
    /** How connections reach it: captured by iptables (a sidecar) or only at its bound listeners. */
    traffic: { captures: boolean; how: string };
    resources: { listeners: number; clusters: number; routes: number; endpoints: number; secrets: number };
  };
  ports: OverviewPort[];
  /** When no port was found: why (no listeners, the inbound capture listener rejected, …). */
  noPorts?: string;
  /** What the clusters send (outbound), by mode: mTLS (mesh or other), TLS, plaintext, auto (per endpoint), other. */
  outbound: { clusters: number; mtls: number; tls: number; plaintext: number; auto: number; other: number };
  findings: Finding[];
}


function replayRow(r: ExplainResult): OverviewPort["replays"][number] {
  return {
    client: r.client.preset,
    outcome: r.outcome.code,
    chain: r.filterChain ? (r.filterChain.index < 0 ? "default" : `#${r.filterChain.index}${r.filterChain.name ? ` ${r.filterChain.name}` : ""}`) : null,
    listener: r.listener?.name ?? null,
  };
}

const MODE_GROUP: Record<UpstreamMode, keyof Omit<Overview["outbound"], "clusters">> = {
  DISABLE: "plaintext",
  SIMPLE: "tls",
  MUTUAL: "mtls",
  ISTIO_MUTUAL: "mtls",
  AUTO: "auto",
  OTHER: "other",
};

export function overview(input: LoadedInput, o: FindingsOptions = {}): Overview {
  const cm = captureModel(input);
  const id = input.identity;
  const ports = inboundPorts(input).map((p): OverviewPort => {
    const { mode, replays } = portModeWithReplays(input, p);
    return { ...mode, modeText: portModeText(mode, cm.mesh), replays: [replays.plaintext, replays.mesh, replays.curlMtls, replays.curlTls].map(replayRow) };
  });
  const outbound = { clusters: 0, mtls: 0, tls: 0, plaintext: 0, auto: 0, other: 0 };
  for (const rec of input.clusters) {
    const c = clusterModel(rec);
    if (c.istio && c.istio.direction !== "outbound") continue;
    outbound.clusters++;
    outbound[MODE_GROUP[clusterMode(c)]]++;
  }
  const count = (k: "listener" | "cluster" | "route" | "endpoint" | "secret") => input.resources[k].length;
  return {
    proxy: {
      mesh: cm.mesh,
      ...(id?.istioVersion ? { meshVersion: id.istioVersion } : {}),
      ...(id?.envoyVersion ? { envoyVersion: id.envoyVersion } : {}),
      role: proxyRole(input),
      ...(id?.nodeId ? { id: id.nodeId } : {}),
      ...(id?.podName || id?.app ? { workload: id.podName ?? id.app! } : {}),
      ...(id?.namespace ? { namespace: id.namespace } : {}),
      ips: id?.ips ?? [],
      traffic: { captures: cm.captures, how: cm.why },
      resources: { listeners: count("listener"), clusters: count("cluster"), routes: count("route"), endpoints: count("endpoint"), secrets: count("secret") },
    },
    ports,
    ...(ports.length ? {} : { noPorts: whyNoPort(input) }),
    outbound,
    findings: runFindings(input, o),
  };
}
