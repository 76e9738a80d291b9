// Which of explain's results to detail: shared by the command line and the web page (which bundles
// this alone, not the renderers).
import type { ExplainResult } from "../explain/explain.js";

/** The row worth detailing: the first failure, mTLS curl first (the question users ask most). */
export function mostInteresting(results: ExplainResult[]): ExplainResult {
  const order = ["curl-mtls", "istio-sidecar", "plaintext", "curl-tls", "openssl", "custom"];
  const sorted = [...results].sort((a, b) => order.indexOf(a.client.preset) - order.indexOf(b.client.preset));
  return sorted.find((r) => !r.outcome.ok) ?? sorted[0]!;
}
