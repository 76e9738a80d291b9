// Envoy's access-log vocabulary both ways: its response flags (short and long names, from
// source/common/stream_info/utility.cc and envoy/stream_info/stream_info.h), and, for every failing
// explain outcome, what this proxy writes to its access log for it: response code, flags and
// RESPONSE_CODE_DETAILS (envoy/stream_info/stream_info.h ResponseCodeDetailValues), so a user can grep
// their logs for it.
import type { ExplainResult, OutcomeCode } from "./explain.js";
import { clusterNotFoundStatus } from "../model/route.js";

export interface AccessLogEvidence {
  /** %RESPONSE_CODE%; left out where Envoy sends no HTTP response (it logs 0). */
  responseCode?: number;
  /** %RESPONSE_FLAGS% short names. */
  responseFlags: string[];
  /** %RESPONSE_CODE_DETAILS%. */
  details?: string;
  note?: string;
}

/** Envoy's response flags: short name → long name (%RESPONSE_FLAGS_LONG%). */
export const RESPONSE_FLAGS: ReadonlyMap<string, string> = new Map([
  ["LH", "FailedLocalHealthCheck"],
  ["UH", "NoHealthyUpstream"],
  ["UT", "UpstreamRequestTimeout"],
  ["LR", "LocalReset"],
  ["UR", "UpstreamRemoteReset"],
  ["UF", "UpstreamConnectionFailure"],
  ["UC", "UpstreamConnectionTermination"],
  ["UO", "UpstreamOverflow"],
  ["NR", "NoRouteFound"],
  ["DI", "DelayInjected"],
  ["FI", "FaultInjected"],
  ["RL", "RateLimited"],
  ["UAEX", "UnauthorizedExternalService"],
  ["RLSE", "RateLimitServiceError"],
  ["DC", "DownstreamConnectionTermination"],
  ["URX", "UpstreamRetryLimitExceeded"],
  ["SI", "StreamIdleTimeout"],
  ["IH", "InvalidEnvoyRequestHeaders"],
  ["DPE", "DownstreamProtocolError"],
  ["UMSDR", "UpstreamMaxStreamDurationReached"],
  ["RFCF", "ResponseFromCacheFilter"],
  ["NFCF", "NoFilterConfigFound"],
  ["DT", "DurationTimeout"],
  ["UPE", "UpstreamProtocolError"],
  ["NC", "NoClusterFound"],
  ["OM", "OverloadManagerTerminated"],
  ["DF", "DnsResolutionFailed"],
  ["DO", "DropOverload"],
  ["DR", "DownstreamRemoteReset"],
  ["UDO", "UnconditionalDropOverload"],
]);

const LONG_TO_SHORT: ReadonlyMap<string, string> = new Map([...RESPONSE_FLAGS].map(([s, l]) => [l.toLowerCase(), s]));

/** A logged flags value ("UH,URX", "-", "NoRouteFound") as short names; unknown names are kept as written. */
export function normaliseFlags(v: string | undefined): string[] {
  if (v === undefined || v === "" || v === "-") return [];
  return v
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean)
    .slice(0, 64)
    .map((f) => (RESPONSE_FLAGS.has(f) ? f : (LONG_TO_SHORT.get(f.toLowerCase()) ?? f)));
}

/** A flag's long name, for text ("NR (NoRouteFound)"). */
export function flagText(f: string): string {
  const long = RESPONSE_FLAGS.get(f);
  return long ? `${f} (${long})` : f;
}

function isHttp(r: Pick<ExplainResult, "filterChain" | "route">): boolean {
  return r.route !== null || (r.filterChain?.terminal.startsWith("HTTP") ?? false);
}

/** How a connection-level failure shows in the log. */
const CONN = "a connection-level entry (response code 0, no request): only where the listener or its TCP proxy has an access_log";

/**
 * What this proxy writes to its access log for a failing outcome. HTTP outcomes are logged by the
 * connection manager's access_log; connection-level ones only by a listener's or a TCP proxy's own
 * access_log (Istio configures one on its listeners).
 */
function byCode(code: OutcomeCode, http: boolean, r: Pick<ExplainResult, "filterChain" | "route">): AccessLogEvidence | undefined {
  switch (code) {
    case "NO_LISTENER":
      return { responseFlags: [], note: "nothing: the kernel refuses the connection before Envoy accepts it, so no access log has a line for it" };
    case "LISTENER_REJECTED":
      return { responseFlags: [], note: "nothing for this configuration: Envoy does not serve a listener it refuses (it keeps the previous version, or none)" };
    case "NO_FILTER_CHAIN":
      return { responseFlags: ["NR"], details: "filter_chain_not_found", note: `${CONN}; stat listener.<address>.no_filter_chain_match` };
    case "AMBIGUOUS_FILTER_CHAIN":
      return { responseFlags: [], note: "nothing for this configuration: Envoy refuses a listener whose filter chains have the same match (\"multiple filter chains with the same matching rules\")" };
    case "NO_NETWORK_FILTERS":
      return { responseFlags: [], note: `${CONN}, with no flags: Envoy closes the connection (no_filters)` };
    case "PLAINTEXT_INTO_TLS":
      return { responseFlags: [], note: `${CONN}, with no flags: the TLS handshake fails; %DOWNSTREAM_TRANSPORT_FAILURE_REASON% names the TLS error; stat ssl.connection_error` };
    case "CLIENT_CERT_REQUIRED":
      return { responseFlags: [], note: `${CONN}, with no flags: the TLS handshake fails; %DOWNSTREAM_TRANSPORT_FAILURE_REASON% names the TLS error (no peer certificate); stat ssl.fail_verify_no_cert` };
    case "TLS_INTO_PLAINTEXT_HTTP":
      return { responseCode: 400, responseFlags: ["DPE"], details: "http1.codec_error", note: "the connection manager cannot parse the TLS ClientHello as HTTP/1" };
    case "PLAINTEXT_HTTP":
      return { responseCode: 400, responseFlags: ["DPE"], details: "http1.codec_error", note: "the client's bytes are not HTTP" };
    case "BLACKHOLE":
      return http
        ? { responseCode: 502, responseFlags: [], details: "direct_response", note: "a route to BlackHoleCluster answers 502 itself; a tcp_proxy to it logs UH" }
        : { responseFlags: ["UH"], note: "upstream cluster BlackHoleCluster, which has no endpoints: the connection is closed" };
    case "NO_ROUTE":
      return { responseCode: 404, responseFlags: ["NR"], details: "route_not_found" };
    case "NO_CLUSTER":
      return http
        ? { responseCode: clusterNotFoundStatus(r.route?.kind === "route" ? r.route.clusterNotFoundResponseCode : undefined), responseFlags: ["NC"], details: "cluster_not_found" }
        : { responseFlags: ["NC"], note: `${CONN}: the TCP proxy's cluster does not exist` };
    case "NO_ENDPOINTS":
      return http ? { responseCode: 503, responseFlags: ["UH"], details: "no_healthy_upstream" } : { responseFlags: ["UH"], note: `${CONN}: the TCP proxy's cluster has no healthy endpoint` };
    case "HTTPS_REDIRECT": {
      // require_tls answers 301; a route's redirect its response_code.
      const route = r.route?.kind === "route" ? r.route.redirect : undefined;
      return { responseCode: route?.code ?? 301, responseFlags: [], details: "direct_response", note: route ? "the route's redirect: the router answers it itself" : "require_tls: the router answers the redirect itself" };
    }
    case "INCOMPLETE_INPUT":
      return { responseFlags: [], note: "unknown: the input does not hold what decides it" };
    case "OTHER":
      return { responseFlags: [], note: "not modelled" };
    default:
      return undefined;
  }
}

/** The outcome with its access-log evidence, for every outcome that fails; the outcome is otherwise unchanged. */
export function withAccessLog(r: ExplainResult): ExplainResult {
  const evidence = r.outcome.ok ? undefined : byCode(r.outcome.code, isHttp(r), r);
  return evidence ? { ...r, outcome: { ...r.outcome, accessLog: evidence } } : r;
}
