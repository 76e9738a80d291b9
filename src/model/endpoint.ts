// Endpoints (EDS) with the metadata that auto mTLS keys on: envoy.transport_socket_match.
import type { LbEndpoint } from "../gen/types/envoy/config/endpoint/v3/endpoint_components.js";
import type { ClusterLoadAssignment } from "../gen/types/envoy/config/endpoint/v3/endpoint.js";
import type { LoadedInput, ResourceRecord } from "../load/dump.js";
import { addressOf, formatAddr } from "./listener.js";

export const TRANSPORT_SOCKET_MATCH_KEY = "envoy.transport_socket_match";

export interface EndpointModel {
  cluster: string;
  address: string;
  health: string;
  locality: string;
  /** The endpoint's envoy.transport_socket_match metadata (locality metadata under it), e.g. {tlsMode: "istio"}. */
  socketMatch: Record<string, unknown>;
  weight?: number;
}

function socketMatchOf(md: LbEndpoint["metadata"]): Record<string, unknown> {
  const v = md?.filterMetadata?.[TRANSPORT_SOCKET_MATCH_KEY];
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function endpointsOf(cla: ClusterLoadAssignment, fallbackName: string): EndpointModel[] {
  const out: EndpointModel[] = [];
  for (const loc of cla.endpoints ?? []) {
    const locality = [loc.locality?.region, loc.locality?.zone, loc.locality?.subZone].filter(Boolean).join("/");
    const locMatch = socketMatchOf(loc.metadata);
    for (const e of loc.lbEndpoints ?? []) {
      out.push({
        cluster: cla.clusterName ?? fallbackName,
        address: e.endpoint ? formatAddr(addressOf(e.endpoint.address)) : e.endpointName ? `named:${e.endpointName}` : "-",
        health: e.healthStatus ?? "UNKNOWN",
        locality,
        socketMatch: { ...locMatch, ...socketMatchOf(e.metadata) },
        ...(e.loadBalancingWeight !== undefined ? { weight: e.loadBalancingWeight } : {}),
      });
    }
  }
  return out;
}

const cache = new WeakMap<ResourceRecord, readonly EndpointModel[]>();

/** The endpoints an EDS resource lists; made once per record and kept when the record lets its decoded value go (release). */
export function endpointModels(rec: ResourceRecord): readonly EndpointModel[] {
  let eps = cache.get(rec);
  if (!eps) cache.set(rec, (eps = endpointsOf(rec.value as ClusterLoadAssignment, rec.name)));
  return eps;
}

/** The endpoints endpointModels kept for an EDS resource, else made for this caller alone (one that reads each resource once keeps none). */
const endpointsIn = (rec: ResourceRecord): readonly EndpointModel[] => cache.get(rec) ?? endpointsOf(rec.value as ClusterLoadAssignment, rec.name);

/** Endpoints of a cluster from the dump's EDS section, or undefined when the dump has none for it. */
export function endpointsForCluster(input: LoadedInput, clusterName: string, edsServiceName?: string): readonly EndpointModel[] | undefined {
  const rec = endpointRecordFor(input, clusterName, edsServiceName);
  return rec ? endpointsIn(rec) : undefined;
}

/** A cluster's endpoints: from the dump's EDS when it has them, else the cluster's own load_assignment (STATIC, STRICT_DNS, LOGICAL_DNS). */
export function clusterEndpoints(input: LoadedInput, c: { name: string; edsServiceName?: string; ownEndpoints?: readonly EndpointModel[] }): readonly EndpointModel[] | undefined {
  return endpointsForCluster(input, c.name, c.edsServiceName) ?? c.ownEndpoints;
}

/** The EDS record of a cluster: by its EDS service name, else by its own name. */
export function endpointRecordFor(input: LoadedInput, clusterName: string, edsServiceName?: string): ResourceRecord | undefined {
  return input.byName("endpoint", edsServiceName || clusterName) ?? input.byName("endpoint", clusterName);
}

/** Every endpoint of the dump; `release` lets each streamed EDS resource go once its endpoints are read (a listing). */
export function allEndpoints(input: LoadedInput, o: { release?: boolean } = {}): EndpointModel[] {
  return input.endpoints.flatMap((r) => {
    const eps = endpointsIn(r);
    if (o.release) r.release();
    return eps;
  });
}
