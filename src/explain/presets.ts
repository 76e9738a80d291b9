// The client presets by name, with what each sends: light enough for the CLI's start-up (help, argument checks).

export const PRESET_NAMES = ["plaintext", "curl-tls", "curl-mtls", "openssl", "istio-sidecar"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const PRESET_HELP: Record<PresetName, string> = {
  plaintext: "plain TCP carrying an HTTP/1.1 request (curl http://…): no TLS, no ALPN",
  "curl-tls": "curl https://… without a client certificate: TLS, ALPN h2,http/1.1, SNI only with --sni",
  "curl-mtls": "curl --cert … --key … https://…: as curl-tls, with a client certificate (assumed trusted by the server)",
  openssl: "openssl s_client -connect …: TLS with no ALPN, SNI only with --sni, no certificate unless --client-cert",
  "istio-sidecar": "an Istio sidecar's mesh mTLS: TLS with the ALPN of the dump's Istio era, a mesh certificate",
};
