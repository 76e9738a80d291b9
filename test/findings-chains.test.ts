// UNREACHABLE_CHAIN and TLS_INSPECTOR_MISSING (src/findings/chains.ts): on real dumps (Kuma's
// generator output, Istio of several eras, Envoy examples, Consul, OSM, Envoy Gateway, Higress…), and
// on small hand-made listeners (named so) that pin each cause. Every finding's evidence is a replay.
import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadFile, loadText, type LoadedInput } from "../src/load/dump.js";
import { listenerModel } from "../src/model/listener.js";
import { lookupClassic, validateListener } from "../src/explain/fcm.js";
import { chainAnalyzers, tlsInspectorMissing, unreachableChain } from "../src/findings/chains.js";
import type { Finding } from "../src/findings/types.js";
import { handMadeListener } from "./support/worst-cases.js";

const root = path.resolve(import.meta.dirname, "..");
const now = new Date("2026-01-01T00:00:00Z");
const run = (input: LoadedInput): Finding[] => chainAnalyzers.flatMap((a) => a.run({ input, now }));

const TLS_INSPECTOR = { name: "envoy.filters.listener.tls_inspector", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector" } };
const HTTP_INSPECTOR = { name: "envoy.filters.listener.http_inspector", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector" } };
const ORIGINAL_DST = { name: "envoy.filters.listener.original_dst", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst" } };

type Chain = { name: string; match?: Record<string, unknown> };
/** A hand-made listener (v3, bound to 0.0.0.0:PORT), as a whole dump. */
function handMade(chains: Chain[], extra: Record<string, unknown> = {}, port = 443): LoadedInput {
  return loadText(handMadeListener(chains, extra, port), "hand.json");
}

const codes = (fs: Finding[]) => fs.map((f) => `${f.code} ${f.resource.name}`).sort();

// ---------------------------------------------------------------------------------------------
// Real dumps.

function realFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of fs.readdirSync(d).sort()) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (/\.(json|ya?ml|gz|golden)$/.test(f)) out.push(p);
    }
  };
  walk(path.join(root, "samples"));
  walk(path.join(root, "test/corpus/istio"));
  return out;
}

// The only findings on every bundled real dump: Kuma listeners whose chains ask for transport tls and SNI
// with no tls_inspector (Kuma's generator output and a policy plugin's fixture). Nothing else is unreachable.
const EXPECTED: Record<string, string[]> = {
  "samples/real/findings-chains/kuma-meshmetric-provided_tls.listeners.golden.yaml": ["TLS_INSPECTOR_MISSING system_meshmetric_prometheus_default-backend"],
  "samples/real/findings/kuma-meshtimeout-zone_egress_sni.listener.golden.yaml": ["TLS_INSPECTOR_MISSING self_zoneegress_dp_ze-port"],
};

test("real dumps (samples/, samples/real/**, test/corpus/istio): no false positives; every chain of every Istio era is reachable", () => {
  let files = 0;
  for (const f of realFiles()) {
    let input: LoadedInput;
    try {
      input = loadFile(f);
    } catch {
      continue; // several proxies in one file (the CLI asks which): not a dump these analyzers take alone
    }
    files++;
    const rel = path.relative(root, f);
    assert.equal(codes(run(input)), EXPECTED[rel] ?? [], rel);
  }
  assert.ok(files > 40, `read ${files} files`);
});

test("real: Kuma's MeshMetric Prometheus listener (generator output) has a transport-tls chain and no tls_inspector: TLS_INSPECTOR_MISSING, replayed through explain", () => {
  const input = loadFile(path.join(root, "samples/real/findings-chains/kuma-meshmetric-provided_tls.listeners.golden.yaml"));
  const fs = run(input);
  assert.is(fs.length, 1);
  const f = fs[0]!;
  assert.is(f.code, "TLS_INSPECTOR_MISSING");
  assert.equal(f.resource, { kind: "listener", name: "system_meshmetric_prometheus_default-backend" });
  assert.match(f.message, /#0 \(transport tls\)/);
  assert.is(f.path, input.byName("listener", "system_meshmetric_prometheus_default-backend")!.path);
  // A TLS client to 192.168.0.1:5670 is seen as raw_buffer and lands on the other chain, #1 (the catch-all that terminates TLS).
  assert.is(f.evidence!.port, 5670);
  assert.is(f.evidence!.chain, "#1");
  assert.match(f.evidence!.shows, /Envoy sees transport raw_buffer/);
  assert.not.match(f.evidence!.chain!, /#0/);
  // Not both: chain #0 is not also UNREACHABLE_CHAIN.
  assert.equal(unreachableChain.run({ input, now }), []);
});

test("real: Kuma zone egress (policy fixture): both SNI chains named in one TLS_INSPECTOR_MISSING, the replay with the first chain's SNI matches no chain", () => {
  const input = loadFile(path.join(root, "samples/real/findings/kuma-meshtimeout-zone_egress_sni.listener.golden.yaml"));
  const [f] = tlsInspectorMissing.run({ input, now });
  assert.ok(f);
  assert.match(f!.message, /2 chains #0 "mes-http".*#1 "mes-tcp"/);
  assert.match(f!.evidence!.client, /SNI sni\.extsvc\.default\.zone-1\.aws-aurora\.8443/);
  assert.is(f!.evidence!.outcome, "NO_FILTER_CHAIN");
});

test("real: the QUIC listener (UDP) matches SNI without a tls_inspector, as QUIC should: nothing reported; its TCP twin has one", () => {
  const input = loadFile(path.join(root, "samples/real/findings/envoy-gateway-xds-ir-http3.listeners.yaml"));
  assert.equal(run(input), []);
});

test("real: Istio 1.3/1.4 (v2) listeners with SNI-less TLS chains rely on the tls_inspector old Envoys add: not reported", () => {
  for (const f of ["samples/istio-1.3-permissive.json", "samples/istio-1.1-strict.json", "samples/client-productpage-1.4-v2.json"]) {
    const input = loadFile(path.join(root, f));
    assert.equal(run(input), [], f);
  }
});

// ---------------------------------------------------------------------------------------------
// Hand-made listeners, one per cause.

test("hand-made: a port-specific chain hides the port-less one on a bound listener; with original_dst (any port) it is reachable", () => {
  const chains = [{ name: "sni443", match: { destination_port: 443, server_names: ["a.example.com"] } }, { name: "catchall" }];
  const bound = run(handMade(chains, { listener_filters: [TLS_INSPECTOR] }));
  assert.equal(codes(bound), ["UNREACHABLE_CHAIN hand #1 catchall"]);
  const f = bound[0]!;
  assert.is(f.path, "$.filterChains[1]");
  assert.match(f.message, /port-specific subtree hides it/);
  assert.is(f.evidence!.port, 443);
  assert.match(f.evidence!.outcome, /no filter chain/);
  // The replay itself: the connection the chain asks for (port 443, no SNI) is not given to it.
  const input = handMade(chains, { listener_filters: [TLS_INSPECTOR] });
  const l = listenerModel(input.listeners[0]!);
  const r = lookupClassic(l, { dstIp: "10.0.0.1", dstPort: 443, srcIp: "192.0.2.10", srcPort: 40000, directSrcIp: "192.0.2.10", sni: "", transport: "raw_buffer", alpn: [] });
  assert.is(r.chain, undefined);
  assert.equal(run(handMade(chains, { listener_filters: [ORIGINAL_DST, TLS_INSPECTOR] })), []);
});

test("hand-made: more specific prefix ranges cover the whole range of a chain: unreachable; a range with a gap left: reachable", () => {
  const hidden = run(handMade([{ name: "wide", match: { prefix_ranges: [{ address_prefix: "10.0.0.0", prefix_len: 8 }] } }, { name: "low", match: { prefix_ranges: [{ address_prefix: "10.0.0.0", prefix_len: 9 }] } }, { name: "high", match: { prefix_ranges: [{ address_prefix: "10.128.0.0", prefix_len: 9 }] } }]));
  assert.equal(codes(hidden), ["UNREACHABLE_CHAIN hand #0 wide"]);
  assert.match(hidden[0]!.message, /more specific destination ranges hide it/);
  assert.match(hidden[0]!.evidence!.outcome, /chain #1 "low"/);
  const gap = run(handMade([{ name: "wide", match: { prefix_ranges: [{ address_prefix: "10.0.0.0", prefix_len: 8 }] } }, { name: "low", match: { prefix_ranges: [{ address_prefix: "10.0.0.0", prefix_len: 9 }] } }]));
  assert.equal(gap, []);
});

test("hand-made: ALPN on raw_buffer is unreachable unless http_inspector can set it (http/1.1, h2c: Istio's plaintext HTTP chains)", () => {
  const istioAlpn = run(handMade([{ name: "plain-istio", match: { transport_protocol: "raw_buffer", application_protocols: ["istio"] } }, { name: "plain", match: { transport_protocol: "raw_buffer" } }], { listener_filters: [TLS_INSPECTOR, HTTP_INSPECTOR] }));
  assert.equal(codes(istioAlpn), ["UNREACHABLE_CHAIN hand #0 plain-istio"]);
  assert.match(istioAlpn[0]!.message, /ALPN istio on transport raw_buffer/);
  assert.match(istioAlpn[0]!.evidence!.outcome, /chain #1 "plain"/);
  const http = [{ name: "plain-http", match: { transport_protocol: "raw_buffer", application_protocols: ["http/1.1", "h2c"] } }, { name: "plain", match: { transport_protocol: "raw_buffer" } }];
  assert.equal(run(handMade(http, { listener_filters: [TLS_INSPECTOR, HTTP_INSPECTOR] })), []);
  const noInspector = run(handMade(http, { listener_filters: [TLS_INSPECTOR] }));
  assert.equal(codes(noInspector), ["UNREACHABLE_CHAIN hand #0 plain-http"]);
  assert.match(noInspector[0]!.message, /runs no http_inspector/);
});

test("hand-made: SNI chains with no tls_inspector (v3, Envoy ≥1.20): TLS_INSPECTOR_MISSING, not also UNREACHABLE_CHAIN; an old Envoy adds one", () => {
  const chains = [{ name: "a", match: { server_names: ["a.example.com"] } }, { name: "any" }];
  const v3 = run(handMade(chains));
  assert.equal(codes(v3), ["TLS_INSPECTOR_MISSING hand"]);
  assert.match(v3[0]!.evidence!.client, /curl-tls: TLS, SNI a\.example\.com/);
  assert.is(v3[0]!.evidence!.chain, '#1 "any"');
  // The same listener as a v2 resource (Envoy < 1.17 era): Envoy injects tls_inspector, so the chain is reachable.
  const v2 = loadText(
    JSON.stringify({
      "@type": "type.googleapis.com/envoy.api.v2.Listener",
      name: "hand",
      address: { socket_address: { address: "0.0.0.0", port_value: 443 } },
      filter_chains: chains.map((c) => ({ ...(c.match ? { filter_chain_match: c.match } : {}), filters: [{ name: "envoy.tcp_proxy", config: { stat_prefix: c.name, cluster: c.name } }] })),
    }),
    "v2.json",
  );
  assert.ok(listenerModel(v2.listeners[0]!).implicitTlsInspector);
  assert.equal(run(v2), []);
});

test("hand-made: tls_inspector disabled for the chain's port (filter_disabled): UNREACHABLE_CHAIN naming filter_disabled", () => {
  const disabled = { ...TLS_INSPECTOR, filter_disabled: { destination_port_range: { start: 443, end: 444 } } };
  const fs = run(handMade([{ name: "a", match: { server_names: ["a.example.com"] } }, { name: "any" }], { listener_filters: [disabled] }));
  assert.equal(codes(fs), ["UNREACHABLE_CHAIN hand #0 a"]);
  assert.match(fs[0]!.message, /disabled for destination port 443 \(filter_disabled\)/);
});

test("hand-made: the search tries the chain's other values: a second server name reaches it (no report)", () => {
  // SNI a.example.com commits to {0,1}, then transport tls commits to #1; b.example.com reaches #0 alone.
  const fs = run(handMade([{ name: "two", match: { server_names: ["a.example.com", "b.example.com"] } }, { name: "one", match: { server_names: ["a.example.com"], transport_protocol: "tls" } }], { listener_filters: [TLS_INSPECTOR] }));
  assert.equal(fs, []);
});

test("hand-made: an exact duplicate is Envoy's config error (validateListener), not a finding", () => {
  const input = handMade([{ name: "x", match: { destination_port: 443 } }, { name: "y", match: { destination_port: 443 } }]);
  assert.match(validateListener(listenerModel(input.listeners[0]!))!, /same matching rules/);
  assert.equal(run(input), []);
});

test("hand-made: matcher API: a chain no action names is unreachable; the named ones are not", () => {
  const action = (n: string) => ({ action: { name: "n", typed_config: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: n } } });
  const input = handMade([{ name: "web" }, { name: "db" }, { name: "orphan", match: { destination_port: 443 } }], {
    filter_chain_matcher: {
      matcher_tree: {
        input: { name: "port", typed_config: { "@type": "type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.DestinationPortInput" } },
        exact_match_map: { map: { "443": action("web") } },
      },
      on_no_match: action("db"),
    },
  });
  const fs = run(input);
  assert.equal(codes(fs), ["UNREACHABLE_CHAIN hand #2 orphan"]);
  assert.match(fs[0]!.message, /names it in no action/);
  assert.match(fs[0]!.evidence!.outcome, /chain #0 "web"/);
});

test("hand-made: 2,000 port chains and a hidden catch-all: one finding (its time: scripts/guards.ts)", () => {
  const chains: Chain[] = Array.from({ length: 2000 }, (_, i) => ({ name: `p${i}`, match: { destination_port: 10000 + i, prefix_ranges: [{ address_prefix: "10.0.0.0", prefix_len: 8 }] } }));
  chains.push({ name: "catchall" });
  const fs = run(handMade(chains, { listener_filters: [ORIGINAL_DST] }, 15006));
  assert.equal(fs, []);
  const bound = run(handMade([...chains.slice(0, 1999), { name: "p-own", match: { destination_port: 15006 } }, { name: "catchall" }], {}, 15006));
  assert.equal(codes(bound), ["UNREACHABLE_CHAIN hand #2000 catchall"]);
});

test.run();
