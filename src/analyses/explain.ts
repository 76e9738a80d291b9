// The explain analysis behind `envoy-explain <dump> --port N [--client …]`: which clients, then the engine.
import type { LoadedInput } from "../load/dump.js";
import { clientForPort, PRESET_NAMES, type ClientSpec, type PresetName } from "../explain/clients.js";
import { explainConnection, type ExplainResult } from "../explain/explain.js";

export interface ExplainOptions {
  port: number;
  client?: PresetName;
  address?: string;
  sni?: string;
  transport?: "tls" | "raw_buffer";
  alpn?: string[];
  clientCert?: boolean;
  sourceIp?: string;
  sourcePort?: number;
  directSourceIp?: string;
  listener?: string;
  /** Which capture listener takes a connection nothing binds (default: decided from the proxy's own IPs). */
  direction?: "inbound" | "outbound";
  /** Filter state for a filter_chain_matcher's FilterStateInput: key → value. */
  filterState?: Record<string, string>;
  detected?: boolean;
  host?: string;
  path?: string;
  headers?: Record<string, string>;
}

/** A preset client for this port, with the explicit flags applied over it. */
export function clientFor(input: LoadedInput, preset: PresetName, o: ExplainOptions): ClientSpec {
  const c = clientForPort(input, preset, o.port, o.sni);
  if (o.transport) c.transport = o.transport;
  if (o.alpn) c.alpn = o.alpn;
  if (o.clientCert !== undefined) c.clientCert = o.clientCert;
  if (o.sni !== undefined) c.sni = o.sni;
  if (c.transport === "raw_buffer") c.alpn = [];
  if (o.transport || o.alpn || o.clientCert !== undefined) c.description += " (with explicit overrides)";
  return c;
}

export function runExplain(input: LoadedInput, o: ExplainOptions): ExplainResult[] {
  const custom = o.transport !== undefined || o.alpn !== undefined;
  const presets: PresetName[] = o.client ? [o.client] : custom ? ["curl-tls"] : [...PRESET_NAMES];
  return presets.map((p) => {
    const client = clientFor(input, p, o);
    if (!o.client && custom) client.preset = "custom";
    return explainConnection(input, {
      client,
      dstPort: o.port,
      ...(o.address ? { dstIp: o.address } : {}),
      ...(o.sourceIp ? { srcIp: o.sourceIp } : {}),
      ...(o.sourcePort !== undefined ? { srcPort: o.sourcePort } : {}),
      ...(o.directSourceIp ? { directSrcIp: o.directSourceIp } : {}),
      ...(o.listener ? { listenerName: o.listener } : {}),
      ...(o.direction ? { direction: o.direction } : {}),
      ...(o.filterState ? { filterState: o.filterState } : {}),
      ...(o.host || o.path || o.headers ? { http: { ...(o.host ? { host: o.host } : {}), ...(o.path ? { path: o.path } : {}), ...(o.headers ? { headers: o.headers } : {}) } } : {}),
      ...(o.detected ? { detected: { transport: o.transport ?? "raw_buffer", alpn: o.alpn ?? [], sni: o.sni ?? "" } } : {}),
    });
  });
}
