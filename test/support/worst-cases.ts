// Inputs shared by a unit test (which checks the answer) and its time guard in scripts/guards.ts (which
// times it): each written once, here.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const T = (t: string) => `type.googleapis.com/${t}`;

/** A hand-made v3 listener bound to 0.0.0.0:PORT whose chains each proxy TCP to a cluster of their name, as JSON text. */
export function handMadeListener(chains: { name: string; match?: Record<string, unknown> }[], extra: Record<string, unknown> = {}, port = 443): string {
  const tcp = (name: string) => [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": T("envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"), stat_prefix: name, cluster: name } }];
  return JSON.stringify({
    "@type": T("envoy.config.listener.v3.Listener"),
    name: "hand",
    address: { socket_address: { address: "0.0.0.0", port_value: port } },
    filter_chains: chains.map((c) => ({ name: c.name, ...(c.match ? { filter_chain_match: c.match } : {}), filters: tcp(c.name) })),
    ...extra,
  });
}

/** A ClustersConfigDump of `n` Istio-shaped EDS clusters with auto mTLS (as the bench generates them), as JSON text. */
export function istioClustersDump(n: number): string {
  const cluster = (i: number) => ({
    version_info: "1",
    cluster: {
      "@type": T("envoy.config.cluster.v3.Cluster"),
      name: `outbound|9080||svc-${i}.ns.svc.cluster.local`,
      type: "EDS",
      eds_cluster_config: { eds_config: { ads: {}, resource_api_version: "V3" }, service_name: `outbound|9080||svc-${i}.ns.svc.cluster.local` },
      connect_timeout: "10s",
      transport_socket_matches: [
        { name: "tlsMode-istio", match: { tlsMode: "istio" }, transport_socket: { name: "envoy.transport_sockets.tls", typed_config: { "@type": T("envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"), common_tls_context: { alpn_protocols: ["istio-peer-exchange", "istio"], tls_certificate_sds_secret_configs: [{ name: "default", sds_config: { ads: {}, resource_api_version: "V3" } }] }, sni: `outbound_.9080_._.svc-${i}.ns.svc.cluster.local` } } },
        { name: "tlsMode-disabled", match: {}, transport_socket: { name: "envoy.transport_sockets.raw_buffer", typed_config: { "@type": T("envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer") } } },
      ],
    },
  });
  return `{"configs":[{"@type":"${T("envoy.admin.v3.ClustersConfigDump")}","dynamic_active_clusters":[${Array.from({ length: n }, (_, i) => JSON.stringify(cluster(i))).join(",")}]}]}`;
}

/**
 * A dump of at least `mb` MB: a bundled sample (Istio 1.3, PERMISSIVE) with its clusters repeated under
 * new names, written to a new temporary folder (the caller removes it). Its path.
 */
export function repeatedSampleFile(mb: number): string {
  const base = JSON.parse(fs.readFileSync(path.join(ROOT, "samples/istio-1.3-permissive.json"), "utf8"));
  const section = base.configs.find((c: { "@type": string }) => /ClustersConfigDump/.test(c["@type"]));
  const seed = section.dynamic_active_clusters as { cluster: { name: string } }[];
  const more: unknown[] = [];
  const one = JSON.stringify(seed).length;
  for (let i = 0; more.length * (one / seed.length) < (mb + 0.5) * 2 ** 20; i++) for (const c of seed) more.push({ ...c, cluster: { ...c.cluster, name: `${c.cluster.name}-copy${i}` } });
  section.dynamic_active_clusters = [...seed, ...more];
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-big-")), "big-config_dump.json");
  fs.writeFileSync(file, JSON.stringify(base, null, 1));
  return file;
}
