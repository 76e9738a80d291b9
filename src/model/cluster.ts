// The cluster model: how this proxy connects upstream (plaintext, TLS, mTLS, auto mTLS).
import type { Cluster } from "../gen/types/envoy/config/cluster/v3/cluster.js";
import type { ResourceRecord } from "../load/dump.js";
import { summariseTransport, type TransportSummary } from "./tls.js";
import { endpointsOf, type EndpointModel } from "./endpoint.js";

export interface IstioClusterName {
  direction: string;
  port: number;
  subset: string;
  host: string;
}

export interface ClusterModel {
  record: ResourceRecord;
  name: string;
  istio?: IstioClusterName;
  type: string;
  transport: TransportSummary;
  /** Auto mTLS and friends: tried in order against each endpoint's envoy.transport_socket_match metadata. */
  socketMatches: { name: string; match: Record<string, unknown>; transport: TransportSummary }[];
  edsServiceName?: string;
  /** The endpoints of its own load_assignment (STATIC, STRICT_DNS, LOGICAL_DNS), when it has one. */
  ownEndpoints?: readonly EndpointModel[];
}

/** `outbound|9080|v1|details.default.svc.cluster.local`, `inbound|80||`. */
export function parseIstioClusterName(name: string): IstioClusterName | undefined {
  const m = /^(inbound|outbound|inbound-vip)\|(\d*)\|([^|]*)\|(.*)$/.exec(name);
  if (!m) return undefined;
  return { direction: m[1]!, port: Number(m[2] || 0), subset: m[3]!, host: m[4]! };
}

/** Made once per record, and kept when the record lets its decoded value go (release). */
const cache = new WeakMap<ResourceRecord, ClusterModel>();

export function clusterModel(rec: ResourceRecord): ClusterModel {
  let m = cache.get(rec);
  if (m) return m;
  const c = rec.value as Cluster;
  const name = c.name ?? rec.name;
  const istio = parseIstioClusterName(name);
  m = {
    record: rec,
    name,
    ...(istio ? { istio } : {}),
    type: c.clusterType?.name ?? c.type ?? "STATIC", // proto3 JSON omits the default (STATIC)
    transport: summariseTransport(c.transportSocket, "upstream"),
    socketMatches: (c.transportSocketMatches ?? []).map((t) => ({
      name: t.name ?? "",
      match: (t.match as Record<string, unknown> | undefined) ?? {},
      transport: summariseTransport(t.transportSocket, "upstream"),
    })),
    ...(c.edsClusterConfig?.serviceName ? { edsServiceName: c.edsClusterConfig.serviceName } : {}),
    ...(c.loadAssignment ? { ownEndpoints: endpointsOf(c.loadAssignment, name) } : {}),
  };
  cache.set(rec, m);
  return m;
}
