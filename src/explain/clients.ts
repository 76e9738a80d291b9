// What each kind of client puts on the wire (shared/reference/istio-generation.md §2.2).
import type { LoadedInput } from "../load/dump.js";
import { chainsForPort, portIsHttp } from "../model/listener.js";
import { captureModel } from "./capture.js";

export interface ClientSpec {
  preset: string;
  description: string;
  /** "tls" when the client starts with a TLS ClientHello, "raw_buffer" for plaintext bytes. */
  transport: "tls" | "raw_buffer";
  /** ALPN offered in the ClientHello (TLS only), in the client's order. */
  alpn: string[];
  sni: string;
  clientCert: boolean;
  /** For plaintext clients: what http_inspector would detect ("http/1.1", "h2c", "http/1.0"), or null for non-HTTP bytes. */
  plaintextProtocol: string | null;
  /** For the outcome: does the client expect to speak HTTP? */
  speaksHttp: boolean;
  /** curl, openssl or a proxy: decides how errors are described. */
  tool: "curl" | "openssl" | "envoy";
}

export { PRESET_HELP, PRESET_NAMES, type PresetName } from "./presets.js";
import { PRESET_HELP, type PresetName } from "./presets.js";

export interface SidecarAlpn {
  alpn: string[];
  why: string;
  /** The SNI the mesh's sidecar sends to this port (Open Service Mesh: the service's name, as the port's chain asks for). */
  sni?: string;
  /** A mesh other than Istio whose sidecar this is. */
  mesh?: string;
  /** Whether it carries HTTP (when its ALPN does not say). */
  speaksHttp?: boolean;
}

/** The ALPN an Istio sidecar of this dump's era sends, for an HTTP or a TCP destination. */
export function sidecarAlpn(input: LoadedInput, http: boolean): SidecarAlpn {
  const fromV2 = input.olderApi;
  const ver = input.identity?.istioVersion;
  const m = /^1\.(\d+)/.exec(ver ?? "");
  const minor = m ? Number(m[1]) : undefined;
  const era = minor !== undefined ? `Istio ${ver}` : fromV2 ? "a v2 (Istio ≤1.4 era) dump" : "a v3 dump (Istio ≥1.10 assumed)";
  if ((minor !== undefined && minor < 5) || (minor === undefined && fromV2)) {
    return { alpn: ["istio"], why: `${era}: sidecars offer ALPN istio` };
  }
  if (http) {
    if (minor !== undefined && minor < 10) return { alpn: ["istio-http/1.1", "istio"], why: `${era}: an HTTP/1.1 request through istio.alpn` };
    return { alpn: ["istio-http/1.1", "istio", "http/1.1"], why: `${era}: an HTTP/1.1 request through istio.alpn` };
  }
  return { alpn: ["istio-peer-exchange", "istio"], why: `${era}: a TCP connection with metadata exchange` };
}

/**
 * What the dump's own mesh sidecar sends to `port`: Istio's by era and protocol; Open Service Mesh's
 * sidecar offers ALPN osm and the service's name as SNI, which its inbound chains match; Consul's offers
 * no ALPN, Kuma's ALPN kuma (their inbound chains match neither: the mesh certificate is what matters).
 */
export function meshSidecar(input: LoadedInput, port: number): SidecarAlpn {
  const http = portIsHttp(input, port);
  const mesh = captureModel(input).mesh;
  // Consul's upstream TLS contexts offer no ALPN (its golden clusters): a mesh certificate is what its public listener asks for.
  if (mesh === "Consul") return { alpn: [], mesh, speaksHttp: http, why: "Consul: TLS with its mesh certificate, no ALPN" };
  // Kuma's upstream TLS contexts offer ALPN kuma (its golden clusters); its inbound chains match no ALPN or SNI.
  if (mesh === "Kuma") return { alpn: ["kuma"], mesh, speaksHttp: http, why: "Kuma: ALPN kuma, a mesh certificate" };
  if (mesh !== "Open Service Mesh") return sidecarAlpn(input, http);
  const sni = serverNameForPort(input, port);
  return { alpn: ["osm"], ...(sni ? { sni } : {}), mesh: "Open Service Mesh", speaksHttp: http, why: `Open Service Mesh: ALPN osm${sni ? `, SNI ${sni}, the name this port's inbound chain asks for` : ""}` };
}

/** The first server name an inbound chain for `port` asks for (outbound listeners left out). */
function serverNameForPort(input: LoadedInput, port: number): string | undefined {
  for (const { peek, chain } of chainsForPort(input, port)) {
    const name = peek.direction === "OUTBOUND" ? undefined : chain.match.serverNames?.find((n) => !n.startsWith("*"));
    if (name) return name;
  }
  return undefined;
}

export function presetClient(name: PresetName, opts: { sni?: string; sidecar?: SidecarAlpn }): ClientSpec {
  const sni = opts.sni ?? "";
  switch (name) {
    case "plaintext":
      return { preset: name, description: PRESET_HELP[name], transport: "raw_buffer", alpn: [], sni: "", clientCert: false, plaintextProtocol: "http/1.1", speaksHttp: true, tool: "curl" };
    case "curl-tls":
      return { preset: name, description: PRESET_HELP[name], transport: "tls", alpn: ["h2", "http/1.1"], sni, clientCert: false, plaintextProtocol: null, speaksHttp: true, tool: "curl" };
    case "curl-mtls":
      return { preset: name, description: PRESET_HELP[name], transport: "tls", alpn: ["h2", "http/1.1"], sni, clientCert: true, plaintextProtocol: null, speaksHttp: true, tool: "curl" };
    case "openssl":
      return { preset: name, description: PRESET_HELP[name], transport: "tls", alpn: [], sni, clientCert: false, plaintextProtocol: null, speaksHttp: false, tool: "openssl" };
    case "istio-sidecar": {
      const s = opts.sidecar ?? { alpn: ["istio-peer-exchange", "istio"], why: "" };
      return {
        preset: name,
        // In another mesh's dump, the preset is that mesh's sidecar.
        description: s.mesh ? `${s.mesh}'s sidecar: mTLS with a mesh certificate (${s.why})` : `${PRESET_HELP[name]} (${s.why})`,
        transport: "tls",
        alpn: s.alpn,
        sni: opts.sni ?? s.sni ?? "",
        clientCert: true,
        plaintextProtocol: null,
        speaksHttp: s.speaksHttp ?? s.alpn.some((p) => p.startsWith("istio-http") || p === "h2" || p === "http/1.1"),
        tool: "envoy",
      };
    }
  }
}

/** A preset as it would connect to `port` of this dump's proxy: the sidecar's ALPN follows the dump's era and the port's protocol. */
export function clientForPort(input: LoadedInput, preset: PresetName, port: number, sni?: string): ClientSpec {
  return presetClient(preset, { ...(sni !== undefined ? { sni } : {}), ...(preset === "istio-sidecar" ? { sidecar: meshSidecar(input, port) } : {}) });
}
