// The analysis behind `envoy-explain DUMP --log LINE`: read an access-log line with the dump's own
// format (else Istio's or Envoy's), replay the connection and request it records through the explain
// engine, and say whether the dump reproduces what the line logged, and if not, why.
import type { LoadedInput } from "../load/dump.js";
import { InputError } from "../diag.js";
import { accessLogFormats, parseAccessLogLine } from "../load/accesslog.js";
import { explainConnection, proxyIps, type ConnectionRequest, type ExplainResult, type OutcomeCode } from "../explain/explain.js";
import { presetClient, sidecarAlpn, type ClientSpec } from "../explain/clients.js";
import { flagText, normaliseFlags } from "../explain/logflags.js";
import { parseIp } from "../explain/ip.js";

export interface LogReplayOptions {
  /** The destination port, for formats that do not log %DOWNSTREAM_LOCAL_ADDRESS% (Envoy's default). */
  port?: number;
  /** The destination address, likewise. */
  address?: string;
}

export type LogResult = ExplainResult & {
  log: { line: number; format: string; fields: Record<string, string> };
  logged: { responseCode?: number; responseFlags: string[]; details?: string; cluster?: string; outcome?: OutcomeCode | null };
  /** What the replay took that the line does not carry (transport, ALPN, client certificate, …), and why. */
  assumed: string[];
  reproduces: boolean;
  reason: string;
};

/** Fields by their command in upper case (header names are case-insensitive); "-" and "" are absent. */
class Fields {
  private readonly byKey = new Map<string, string>();
  constructor(fields: Record<string, string>) {
    for (const k of Object.keys(fields)) {
      const key = k.toUpperCase();
      if (!this.byKey.has(key)) this.byKey.set(key, fields[k]!);
    }
  }
  get(...keys: string[]): string | undefined {
    for (const k of keys) {
      const v = this.byKey.get(k);
      if (v !== undefined && v !== "-" && v !== "") return v;
    }
    return undefined;
  }
}

/** "10.0.0.1:80", "[::1]:80", "tcp://10.0.0.1:80" → ip and port. */
function parseHostPort(v: string | undefined): { ip: string; port: number } | undefined {
  if (!v) return undefined;
  const s = v.startsWith("tcp://") ? v.slice(6) : v;
  let ip: string;
  let port: string;
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 0 || s[close + 1] !== ":") return undefined;
    ip = s.slice(1, close);
    port = s.slice(close + 2);
  } else {
    const colon = s.lastIndexOf(":");
    if (colon < 0 || s.indexOf(":") !== colon) return undefined;
    ip = s.slice(0, colon);
    port = s.slice(colon + 1);
  }
  if (!/^\d{1,5}$/.test(port)) return undefined;
  const n = Number(port);
  if (n < 1 || n > 65535 || !parseIp(ip)) return undefined;
  return { ip, port: n };
}

/** Istio's SNI between sidecars: outbound_.PORT_.SUBSET_.HOST. */
const ISTIO_SNI = /^outbound_\.\d+_\.[^.]*_\.\S+$/;

function checkOptions(input: LoadedInput, o: LogReplayOptions): void {
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535)) throw new InputError(input.file, `--port ${String(o.port)}: a port is 1-65535`);
  if (o.address !== undefined && !parseIp(o.address)) throw new InputError(input.file, `--address ${o.address}: not an IP address`);
}

/** What the line logged, as an explain outcome where the configuration decides it (null: decided at run time, not by the config). */
function loggedOutcome(flags: string[], details: string | undefined, http: boolean): OutcomeCode | null | undefined {
  const has = (f: string) => flags.includes(f);
  const d = details ?? "";
  if (d === "filter_chain_not_found" || (has("NR") && !http)) return "NO_FILTER_CHAIN";
  if (has("NR") || d === "route_not_found" || d === "route_configuration_not_found") return "NO_ROUTE";
  if (has("NC") || d === "cluster_not_found") return "NO_CLUSTER";
  if (has("UH") || d === "no_healthy_upstream") return "NO_ENDPOINTS";
  if (flags.length) return null;
  if (d === "direct_response") return undefined; // a redirect or direct response: checked against the route's action
  if (d.startsWith("http1.") || d.startsWith("http2.") || d.startsWith("codec_error")) return null;
  if (d && d !== "via_upstream") return null;
  return undefined; // served (via_upstream), or nothing said: the replay must route it where the line did
}

/** The clusters the replay may send to: the route's (every weighted cluster counts), and the upstream's or the TCP proxy's. */
function clustersOfResult(r: ExplainResult): string[] {
  const out: string[] = [];
  const rt = r.route;
  if (rt?.kind === "route") {
    const a = rt.action as { kind: string; cluster?: string; clusters?: { name: string }[] };
    if (a.kind === "cluster" && a.cluster) out.push(a.cluster);
    if (a.kind === "weighted") for (const c of a.clusters ?? []) out.push(c.name);
  }
  const t = r.filterChain?.terminal ?? "";
  const one = r.upstream ? r.upstream.cluster : t.startsWith("TCP → ") ? t.slice(6).replace(/ \(\d+\)(,.*)?$/, "") : undefined;
  if (one && !out.includes(one)) out.push(one);
  return out;
}

function describeLogged(code: number | undefined, flags: string[], details: string | undefined, cluster: string | undefined): string {
  const parts = [code !== undefined ? String(code) : "no response code", flags.length ? flags.map(flagText).join(",") : "no flags", details ? `(${details})` : ""].filter(Boolean);
  return `${parts.join(" ")}${cluster ? ` for ${cluster}` : ""}`;
}

function where(r: ExplainResult): string {
  const req = r.route?.request;
  return req ? `${req.host}${req.path}` : r.connection.destination;
}

/**
 * Replays each line (numbered from 1; blank ones skipped) and says whether the dump reproduces it.
 * Throws an InputError for bad options, for a line no format fits, and for a line that gives no
 * destination port when --port does not either.
 */
export function replayLogLines(input: LoadedInput, lines: string[], o: LogReplayOptions): LogResult[] {
  checkOptions(input, o);
  const formats = accessLogFormats(input);
  const out: LogResult[] = [];
  const own = new Set(proxyIps(input).ips);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (!raw.trim()) continue;
    let parsed;
    try {
      parsed = parseAccessLogLine(raw, formats, input.file);
    } catch (e) {
      if (e instanceof InputError) throw new InputError(e.file, e.message, i + 1);
      throw e;
    }
    out.push(replayOne(input, i + 1, parsed.format, parsed.fields, o, own));
  }
  return out;
}

function replayOne(input: LoadedInput, lineNo: number, format: string, raw: Record<string, string>, o: LogReplayOptions, own: Set<string>): LogResult {
  const f = new Fields(raw);
  const assumed: string[] = [];
  const local = parseHostPort(f.get("DOWNSTREAM_LOCAL_ADDRESS"));
  const remote = parseHostPort(f.get("DOWNSTREAM_REMOTE_ADDRESS", "DOWNSTREAM_PEER_ADDRESS", "DOWNSTREAM_DIRECT_REMOTE_ADDRESS"));
  const port = local?.port ?? o.port;
  const dstIp = local?.ip ?? o.address;
  if (port === undefined) {
    throw new InputError(input.file, `line ${lineNo} (${format}) does not log the address it came to (%DOWNSTREAM_LOCAL_ADDRESS%): give the port (--port, and --address)`, lineNo);
  }
  if (!local) assumed.push(`destination ${dstIp ?? "(the proxy's own)"}:${port}: given by the options, as the line does not log %DOWNSTREAM_LOCAL_ADDRESS%`);

  const method = f.get("REQ(:METHOD)");
  const protocol = f.get("PROTOCOL");
  const path = f.get("REQ(X-ENVOY-ORIGINAL-PATH?:PATH)", "REQ(:PATH)", "REQ(X-ENVOY-ORIGINAL-PATH)", "REQ_WITHOUT_QUERY(X-ENVOY-ORIGINAL-PATH?:PATH)", "REQ_WITHOUT_QUERY(:PATH)");
  const authority = f.get("REQ(:AUTHORITY)", "REQ(HOST)", "REQ(:AUTHORITY?HOST)", "REQ(HOST?:AUTHORITY)");
  const sni = f.get("REQUESTED_SERVER_NAME");
  const http = method !== undefined || (protocol?.startsWith("HTTP") ?? false);
  const cluster = f.get("UPSTREAM_CLUSTER_RAW", "UPSTREAM_CLUSTER");
  const codeText = f.get("RESPONSE_CODE");
  const responseCode = codeText !== undefined && /^\d+$/.test(codeText) && codeText !== "0" ? Number(codeText) : undefined;
  const flags = normaliseFlags(f.get("RESPONSE_FLAGS") ?? f.get("RESPONSE_FLAGS_LONG"));
  const details = f.get("RESPONSE_CODE_DETAILS");
  const utfr = f.get("UPSTREAM_TRANSPORT_FAILURE_REASON");
  const expected = loggedOutcome(flags, details, http);

  // Direction: the proxy's own IPs, else Istio's cluster names (inbound|…, outbound|…).
  let direction: "inbound" | "outbound" | undefined;
  if (dstIp && own.size) direction = own.has(dstIp) ? "inbound" : "outbound";
  else if (cluster?.startsWith("inbound|")) {
    direction = "inbound";
    assumed.push(`inbound: the upstream cluster ${cluster} is an inbound one (the dump does not say which IPs the proxy has)`);
  } else if (cluster?.startsWith("outbound|")) {
    direction = "outbound";
    assumed.push(`outbound: the upstream cluster ${cluster} is an outbound one (the dump does not say which IPs the proxy has)`);
  }

  // The client: what the line shows of it, the rest worked out.
  const plain = protocol === "HTTP/2" ? "h2c" : protocol === "HTTP/1.0" ? "http/1.0" : http ? "http/1.1" : null;
  let client: ClientSpec;
  const istioPeer = !!sni && ISTIO_SNI.test(sni);
  if (istioPeer) {
    const s = sidecarAlpn(input, http);
    client = { ...presetClient("istio-sidecar", { sni, sidecar: s }), preset: "log", description: "an Istio sidecar (from the line's SNI)", speaksHttp: http };
    assumed.push(`an Istio sidecar client with a mesh certificate: SNI ${sni} is what sidecars send; ALPN ${s.alpn.join(",")} (${s.why})`);
  } else if (sni) {
    const alpn = protocol === "HTTP/2" ? ["h2", "http/1.1"] : http ? ["http/1.1"] : [];
    client = { ...presetClient("curl-tls", { sni }), preset: "log", description: "the logged client (TLS, from its server name)", alpn, speaksHttp: http };
    assumed.push(`TLS: the line logs the server name ${sni}, which only a TLS ClientHello carries; ALPN ${alpn.join(",") || "none"}${http ? ` (${protocol ?? "HTTP"} was spoken)` : ""}`);
  } else {
    client = { ...presetClient("plaintext", {}), preset: "log", description: "the logged client (plaintext: no server name logged)", plaintextProtocol: plain, speaksHttp: http };
    assumed.push(`plaintext${plain ? ` ${plain}` : " TCP"}: the line logs no server name, so the client sent no TLS ClientHello with one`);
  }
  if (expected === "NO_FILTER_CHAIN") assumed.push("the line logs filter_chain_not_found: what the client sent matched no chain; the replay sends what the line shows");

  const base: ConnectionRequest = {
    client,
    dstPort: port,
    ...(dstIp ? { dstIp } : {}),
    ...(remote ? { srcIp: remote.ip, srcPort: remote.port } : {}),
    ...(direction ? { direction } : {}),
    ...(http && (authority !== undefined || path !== undefined) ? { http: { ...(authority !== undefined ? { host: authority } : {}), ...(path !== undefined ? { path } : {}) } } : {}),
  };
  let r = explainConnection(input, base);
  // An HTTP request served through a chain that requires a client certificate: the client had one.
  if (r.outcome.code === "CLIENT_CERT_REQUIRED" && http && expected !== "NO_FILTER_CHAIN") {
    assumed.push("a client certificate: the chain requires one and the line shows an HTTP request served through it");
    r = explainConnection(input, { ...base, client: { ...client, clientCert: true } });
  }

  const logged = { ...(responseCode !== undefined ? { responseCode } : {}), responseFlags: flags, ...(details ? { details } : {}), ...(cluster ? { cluster } : {}), outcome: expected ?? null };
  // An inbound line (its upstream cluster is an inbound one) to an address that is not this proxy's: another proxy wrote it.
  const elsewhere =
    cluster?.startsWith("inbound|") && dstIp && own.size && !own.has(dstIp)
      ? `the line is an inbound one (upstream cluster ${cluster}) to ${dstIp}, which is not this proxy's address (${[...own].join(", ")}): the line came from another proxy`
      : undefined;
  const judged = judge(r, { responseCode, flags, details, cluster, expected, http, utfr });
  const { reproduces } = judged;
  const reason = !reproduces && elsewhere ? `The dump does not reproduce this line: ${elsewhere}. Replayed here, ${r.outcome.code}: ${r.outcome.summary}.` : judged.reason;
  return { ...r, log: { line: lineNo, format, fields: raw }, logged, assumed, reproduces, reason };
}

interface Logged {
  responseCode: number | undefined;
  flags: string[];
  details: string | undefined;
  cluster: string | undefined;
  expected: OutcomeCode | null | undefined;
  http: boolean;
  utfr: string | undefined;
}

/** Does the replay end the way the line did? The reason says so first, and why. */
function judge(r: ExplainResult, l: Logged): { reproduces: boolean; reason: string } {
  const said = describeLogged(l.responseCode, l.flags, l.details, l.cluster);
  const got = r.outcome.code;
  const to = clustersOfResult(r);
  const routesTo = to.length ? to.join(" or ") : undefined;
  const notRepro = (why: string) => ({ reproduces: false, reason: `The dump does not reproduce this line: it logs ${said}, but ${why}: the configuration changed since, or the line came from another proxy.` });
  if (got === "INCOMPLETE_INPUT") return { reproduces: false, reason: `Cannot tell: ${r.outcome.summary}.` };

  // A failure the configuration decides: the replay must end in the same one.
  if (l.expected) {
    if (got !== l.expected) return notRepro(`the dump ends it with ${got} (${r.outcome.summary})`);
    if (l.expected === "NO_CLUSTER" && l.cluster && to.length && !to.includes(l.cluster)) return notRepro(`the dump's route names ${routesTo}, not ${l.cluster}`);
    return { reproduces: true, reason: `The dump reproduces this line: it logs ${said}, and the dump ends the same way (${got}): ${r.outcome.summary}.` };
  }
  if (l.details === "direct_response") {
    const act = r.route?.kind === "route" ? (r.route.action as { kind: string }).kind : undefined;
    if (got === "HTTPS_REDIRECT" || act === "redirect" || act === "direct_response") return { reproduces: true, reason: `The dump reproduces this line: it logs ${said}, and the dump's route answers itself (${got === "HTTPS_REDIRECT" ? "require_tls redirect" : act}).` };
    return notRepro(`the dump's answer is ${got} (${r.outcome.summary}), not a redirect or direct response`);
  }
  // Served, or failed after routing (at run time): the replay must route it to the logged cluster.
  const runtime = l.expected === null;
  const servedOk = r.outcome.ok || got === "PLAINTEXT_HTTP" || got === "TLS_TERMINATED" || got === "MTLS_TERMINATED";
  if (l.flags.includes("DPE") || (l.details ?? "").includes("codec_error")) {
    const httpChain = r.filterChain?.terminal.startsWith("HTTP") ?? false;
    return httpChain || got === "TLS_INTO_PLAINTEXT_HTTP"
      ? { reproduces: true, reason: `The dump reproduces this line: it logs ${said} (the client's bytes were not HTTP the connection manager could parse), and the dump hands the connection to an HTTP connection manager (${got}).` }
      : notRepro(`the dump does not hand this connection to an HTTP connection manager (${got}: ${r.outcome.summary})`);
  }
  if (!r.outcome.ok || !servedOk) return notRepro(`the dump ends it with ${got} (${r.outcome.summary})`);
  if (l.cluster && to.length && !to.includes(l.cluster)) {
    return notRepro(`the dump routes ${where(r)} to ${routesTo}${r.upstream ? ", which it holds" : ""}, not to ${l.cluster}`);
  }
  const when = runtime ? `; the failure itself (${l.flags.map(flagText).join(",") || l.details}${l.utfr ? `, upstream transport failure: ${l.utfr}` : ""}) happened at run time, which a dump does not show` : "";
  const toText = l.cluster ? ` to ${l.cluster}` : routesTo ? ` to ${routesTo}` : "";
  return { reproduces: true, reason: `The dump reproduces this line: it logs ${said}, and the dump routes ${where(r)}${toText} (${got})${when}.` };
}
