// Table-driven tests of Envoy's filter-chain matching, re-derived from Envoy's documented
// semantics and the cases its own tests name (shared/reference/envoy-matching.md §4-§5, §8).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadText } from "../src/load/dump.js";
import { listenerModel } from "../src/model/listener.js";
import { lookupClassic, validateListener, type MatchAttrs } from "../src/explain/fcm.js";
import { lookupMatcher, matcherPaths } from "../src/explain/matcher.js";

type Chain = { name: string; match?: Record<string, unknown> };

function listener(chains: Chain[], extra: Record<string, unknown> = {}) {
  const l = {
    name: "l",
    address: { socket_address: { address: "127.0.0.1", port_value: 1234 } },
    filter_chains: chains.map((c) => ({
      name: c.name,
      ...(c.match ? { filter_chain_match: c.match } : {}),
      filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: c.name, cluster: c.name } }],
    })),
    ...extra,
  };
  const input = loadText(JSON.stringify(l), "test.json");
  return listenerModel(input.listeners[0]!);
}

const conn = (over: Partial<MatchAttrs> = {}): MatchAttrs => ({
  dstIp: "127.0.0.1",
  dstPort: 1234,
  srcIp: "10.0.0.5",
  srcPort: 40000,
  directSrcIp: "10.0.0.5",
  sni: "",
  transport: "raw_buffer",
  alpn: [],
  ...over,
});

function pick(chains: Chain[], over: Partial<MatchAttrs>, extra?: Record<string, unknown>): string | null {
  const l = listener(chains, extra);
  assert.is(validateListener(l), undefined, "listener must be valid");
  const r = lookupClassic(l, conn(over));
  if (r.ambiguous) return "AMBIGUOUS";
  return r.chain ? (r.chain.isDefault ? `default:${r.chain.name ?? ""}` : r.chain.name!) : null;
}

// [case name, chains, connection, expected chain or null]
const cases: [string, Chain[], Partial<MatchAttrs>, string | null][] = [
  // MultipleFilterChainsWithMultipleRequirementsMatch: exact SNI commits; its ALPN fails; {} is never reached.
  ["SNI blackholed by configuration", [{ name: "empty" }, { name: "sni", match: { server_names: ["www.example.com", "server1.example.com"], transport_protocol: "tls", application_protocols: ["dummy", "h2"] } }], { sni: "server1.example.com", transport: "tls" }, null],
  ["same chain with matching ALPN", [{ name: "empty" }, { name: "sni", match: { server_names: ["www.example.com", "server1.example.com"], transport_protocol: "tls", application_protocols: ["dummy", "h2"] } }], { sni: "server1.example.com", transport: "tls", alpn: ["h2"] }, "sni"],
  ["other SNI goes to the empty chain", [{ name: "empty" }, { name: "sni", match: { server_names: ["www.example.com"] } }], { sni: "other.example.com", transport: "tls" }, "empty"],
  // Port-specific subtree shadows the catch-all (derived PortSubtreeShadowsCatchAll).
  ["port subtree shadows catch-all", [{ name: "p443", match: { destination_port: 1234, server_names: ["a.example.com"] } }, { name: "any" }], { sni: "b.example.com", transport: "tls" }, null],
  ["port-less chains used when no chain names the port", [{ name: "p80", match: { destination_port: 80 } }, { name: "any" }], {}, "any"],
  ["exact port beats unset", [{ name: "p", match: { destination_port: 1234 } }, { name: "any" }], {}, "p"],
  // Destination IP: longest prefix, committed.
  ["longest destination prefix wins", [{ name: "wide", match: { prefix_ranges: [{ address_prefix: "127.0.0.0", prefix_len: 8 }] } }, { name: "narrow", match: { prefix_ranges: [{ address_prefix: "127.0.0.1", prefix_len: 32 }] } }], {}, "narrow"],
  ["/32 commit: its later criteria fail, the /8 chain is not tried", [{ name: "wide", match: { prefix_ranges: [{ address_prefix: "127.0.0.0", prefix_len: 8 }] } }, { name: "narrow", match: { prefix_ranges: [{ address_prefix: "127.0.0.1", prefix_len: 32 }], transport_protocol: "tls" } }], {}, null],
  ["omitted prefix_len means /0", [{ name: "zero", match: { prefix_ranges: [{ address_prefix: "10.9.9.9" }] } }], { dstIp: "192.168.1.1" }, "zero"],
  ["host bits are masked", [{ name: "c", match: { prefix_ranges: [{ address_prefix: "127.0.0.77", prefix_len: 24 }] } }], { dstIp: "127.0.0.200" }, "c"],
  ["IPv4 connection does not match IPv6 ranges", [{ name: "v6", match: { prefix_ranges: [{ address_prefix: "::", prefix_len: 0 }] } }], {}, null],
  // Server names.
  ["wildcard does not match the bare domain", [{ name: "w", match: { server_names: ["*.example.com"] } }], { sni: "example.com", transport: "tls" }, null],
  ["wildcard matches any depth", [{ name: "w", match: { server_names: ["*.example.com"] } }], { sni: "a.b.example.com", transport: "tls" }, "w"],
  ["exact beats wildcard", [{ name: "w", match: { server_names: ["*.example.com"] } }, { name: "e", match: { server_names: ["www.example.com"] } }], { sni: "www.example.com", transport: "tls" }, "e"],
  ["longer wildcard beats shorter", [{ name: "com", match: { server_names: ["*.com"] } }, { name: "ex", match: { server_names: ["*.example.com"] } }], { sni: "www.example.com", transport: "tls" }, "ex"],
  ["SNI compared case-insensitively", [{ name: "e", match: { server_names: ["WWW.Example.com"] } }], { sni: "www.EXAMPLE.com", transport: "tls" }, "e"],
  ["no SNI goes to chains without server_names", [{ name: "e", match: { server_names: ["www.example.com"] } }, { name: "none" }], { transport: "tls" }, "none"],
  // Transport protocol.
  ["exact transport beats unset", [{ name: "tls", match: { transport_protocol: "tls" } }, { name: "any" }], { transport: "tls" }, "tls"],
  ["transport commit: raw_buffer chain is not a fallback for tls", [{ name: "raw", match: { transport_protocol: "raw_buffer" } }], { transport: "tls" }, null],
  // ALPN in the client's order (envoy-matching.md §8 item 4).
  ["client's first ALPN wins", [{ name: "h11", match: { application_protocols: ["http/1.1"] } }, { name: "h2", match: { application_protocols: ["h2"] } }], { transport: "tls", alpn: ["h2", "http/1.1"] }, "h2"],
  ["client order, not config order", [{ name: "h2", match: { application_protocols: ["h2"] } }, { name: "h11", match: { application_protocols: ["http/1.1"] } }], { transport: "tls", alpn: ["http/1.1", "h2"] }, "h11"],
  ["ALPN miss falls to chains without ALPN", [{ name: "istio", match: { application_protocols: ["istio"] } }, { name: "plain" }], { transport: "tls", alpn: ["h2", "http/1.1"] }, "plain"],
  // MultipleFilterChainsWithSourceTypeMatch.
  ["local client: ALPN commits to an EXTERNAL-only branch", [{ name: "foo", match: { source_type: "SAME_IP_OR_LOOPBACK" } }, { name: "bar", match: { application_protocols: ["http/1.1"], source_type: "EXTERNAL" } }, { name: "baz", match: { source_type: "ANY" } }], { srcIp: "127.0.0.1", transport: "tls", alpn: ["h2", "http/1.1"] }, null],
  ["local client without ALPN gets the local chain", [{ name: "foo", match: { source_type: "SAME_IP_OR_LOOPBACK" } }, { name: "baz", match: { source_type: "EXTERNAL" } }], { srcIp: "127.0.0.1" }, "foo"],
  ["same IP as destination counts as local", [{ name: "local", match: { source_type: "SAME_IP_OR_LOOPBACK" } }, { name: "ext", match: { source_type: "EXTERNAL" } }], { srcIp: "127.0.0.1", dstIp: "127.0.0.1" }, "local"],
  ["127.0.0.2 is external unless it is the destination", [{ name: "local", match: { source_type: "SAME_IP_OR_LOOPBACK" } }, { name: "ext", match: { source_type: "EXTERNAL" } }], { srcIp: "127.0.0.2" }, "ext"],
  ["ANY only when the connection's own type has no entries", [{ name: "local", match: { source_type: "SAME_IP_OR_LOOPBACK" } }, { name: "any", match: {} }], { srcIp: "10.1.1.1" }, "any"],
  // Source IP and port.
  ["longest source prefix, then exact port", [{ name: "p", match: { source_prefix_ranges: [{ address_prefix: "10.0.0.0", prefix_len: 8 }], source_ports: [40000] } }, { name: "any", match: { source_prefix_ranges: [{ address_prefix: "10.0.0.0", prefix_len: 8 }] } }], {}, "p"],
  ["source port miss inside the chosen prefix is final", [{ name: "p", match: { source_prefix_ranges: [{ address_prefix: "10.0.0.0", prefix_len: 24 }], source_ports: [1] } }, { name: "wide", match: { source_prefix_ranges: [{ address_prefix: "10.0.0.0", prefix_len: 8 }] } }], {}, null],
  ["direct source before source type", [{ name: "d", match: { direct_source_prefix_ranges: [{ address_prefix: "10.0.0.5", prefix_len: 32 }] } }, { name: "any" }], {}, "d"],
];

for (const [name, chains, over, want] of cases) {
  test(`classic: ${name}`, () => {
    assert.is(pick(chains, over), want);
  });
}

test("classic: default chain when nothing matches; its own match is ignored", () => {
  const got = pick([{ name: "tls", match: { transport_protocol: "tls" } }], {}, {
    default_filter_chain: { name: "dflt", filter_chain_match: { transport_protocol: "tls" }, filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "d", cluster: "d" } }] },
  });
  assert.is(got, "default:dflt");
});

test("classic: explicit 0.0.0.0/0 beside an unset range is reported as ambiguous (envoy#34299)", () => {
  assert.is(pick([{ name: "explicit", match: { prefix_ranges: [{ address_prefix: "0.0.0.0", prefix_len: 0 }] } }, { name: "unset" }], {}), "AMBIGUOUS");
});

test("classic: every eliminated chain says at which level and why", () => {
  const l = listener([{ name: "p80", match: { destination_port: 1234, transport_protocol: "tls" } }, { name: "any" }]);
  const r = lookupClassic(l, conn());
  const byName = Object.fromEntries(r.verdicts.map((v) => [v.chain.name, v]));
  assert.is(byName.any!.level, "destination_port");
  assert.match(byName.any!.reason, /never falls back to port-less chains/);
  assert.is(byName.p80!.level, "transport_protocol");
  assert.equal(r.steps.map((s) => s.level), ["destination_port", "destination_ip", "server_names", "transport_protocol"]);
});

// Config Envoy rejects (envoy-matching.md §4.3), with Envoy's own messages.
const rejections: [string, Chain[], RegExp][] = [
  ["duplicate matches", [{ name: "a", match: { transport_protocol: "tls" } }, { name: "b", match: { transport_protocol: "tls" } }], /^error adding listener '127\.0\.0\.1:1234': filter chain 'b' has the same matching rules defined as 'a'$/],
  ["two chains without any match", [{ name: "a" }, { name: "b" }], /filter chain 'b' has the same matching rules defined as 'a'/],
  ["overlapping rules", [{ name: "a", match: { server_names: ["x.com", "y.com"] } }, { name: "b", match: { server_names: ["y.com"] } }], /multiple filter chains with overlapping matching rules are defined/],
  ["CIDRs that normalise equal overlap", [{ name: "a", match: { prefix_ranges: [{ address_prefix: "10.0.0.1", prefix_len: 24 }], transport_protocol: "tls" } }, { name: "b", match: { prefix_ranges: [{ address_prefix: "10.0.0.0", prefix_len: 24 }], transport_protocol: "tls", server_names: [] } }], /same matching rules|overlapping/],
  ["partial wildcard", [{ name: "a", match: { server_names: ["*w.example.com"] } }], /partial wildcards are not supported in "server_names"/],
  ["bare * wildcard", [{ name: "a", match: { server_names: ["*"] } }], /partial wildcards are not supported/],
  ["unimplemented address_suffix", [{ name: "a", match: { address_suffix: "x" } }], /filter chain 'a' contains unimplemented fields/],
];
for (const [name, chains, re] of rejections) {
  test(`config rejected: ${name}`, () => {
    const msg = validateListener(listener(chains));
    assert.ok(msg, "expected a rejection");
    assert.match(msg!, re);
  });
}

test("config accepted: [a,b] vs [b,a] ALPN are not proto-equal, and do overlap", () => {
  const msg = validateListener(listener([{ name: "a", match: { application_protocols: ["a", "b"] } }, { name: "b", match: { application_protocols: ["b", "a"] } }]));
  assert.match(msg!, /overlapping/);
});

test("config rejected: no filter chains at all", () => {
  assert.match(validateListener(listener([]))!, /no filter chains specified/);
});

// The matcher API (§5).
function matcherListener(matcher: unknown, chains: string[], extra: Record<string, unknown> = {}) {
  return listener(chains.map((name) => ({ name })), { filter_chain_matcher: matcher, ...extra });
}
const action = (name: string) => ({ action: { name: "n", typed_config: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: name } } });
const input = (t: string) => ({ name: "i", typed_config: { "@type": `type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.${t}` } });

test("matcher: exact map on destination port", () => {
  const l = matcherListener({ matcher_tree: { input: input("DestinationPortInput"), exact_match_map: { map: { "1234": action("a"), "80": action("b") } } } }, ["a", "b"]);
  assert.is(lookupMatcher(l, conn()).chain?.name, "a");
  assert.is(lookupMatcher(l, conn({ dstPort: 80 })).chain?.name, "b");
});

test("matcher: action naming a missing chain closes the connection, the default chain is not used", () => {
  const l = matcherListener({ matcher_tree: { input: input("DestinationPortInput"), exact_match_map: { map: { "1234": action("none") } } } }, ["a"], {
    default_filter_chain: { name: "d", filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "d", cluster: "d" } }] },
  });
  const r = lookupMatcher(l, conn());
  assert.is(r.chain, undefined);
  assert.is(r.missingChainName, "none");
});

test("matcher: no match uses the default chain", () => {
  const l = matcherListener({ matcher_tree: { input: input("DestinationPortInput"), exact_match_map: { map: { "80": action("a") } } } }, ["a"], {
    default_filter_chain: { name: "d", filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "d", cluster: "d" } }] },
  });
  const r = lookupMatcher(l, conn());
  assert.ok(r.usedDefault);
  assert.is(r.chain?.name, "d");
});

test("matcher: exact map falls back to its own on_no_match after a nested miss", () => {
  const nested = { matcher_tree: { input: input("TransportProtocolInput"), exact_match_map: { map: { tls: action("tls") } } } };
  const l = matcherListener({ matcher_tree: { input: input("DestinationPortInput"), exact_match_map: { map: { "1234": { matcher: nested } } } }, on_no_match: action("fallback") }, ["tls", "fallback"]);
  assert.is(lookupMatcher(l, conn()).chain?.name, "fallback");
  assert.is(lookupMatcher(l, conn({ transport: "tls" })).chain?.name, "tls");
});

test("matcher: ALPN input is the quoted, joined list", () => {
  const l = matcherListener({ matcher_tree: { input: input("ApplicationProtocolInput"), exact_match_map: { map: { "'h2','http/1.1'": action("both") } } } }, ["both"]);
  assert.is(lookupMatcher(l, conn({ alpn: ["h2", "http/1.1"] })).chain?.name, "both");
  assert.is(lookupMatcher(l, conn({ alpn: ["http/1.1"] })).chain, undefined);
});

test("matcher: source type input only ever says local", () => {
  const l = matcherListener({ matcher_tree: { input: input("SourceTypeInput"), exact_match_map: { map: { local: action("local") } } }, on_no_match: action("external") }, ["local", "external"]);
  assert.is(lookupMatcher(l, conn({ srcIp: "127.0.0.1" })).chain?.name, "local");
  assert.is(lookupMatcher(l, conn()).chain?.name, "external");
});

test("matcher: IP range matcher tries longest first and skips a non-first exclusive range", () => {
  const ipm = (ranges: unknown[]) => ({
    matcher_tree: { input: input("SourceIPInput"), custom_match: { name: "ip", typed_config: { "@type": "type.googleapis.com/xds.type.matcher.v3.IPMatcher", range_matchers: ranges } } },
  });
  const deadEnd = { matcher: { matcher_tree: { input: input("TransportProtocolInput"), exact_match_map: { map: { tls: action("x") } } } } };
  const l = matcherListener(ipm([{ ranges: [{ address_prefix: "10.0.0.0", prefix_len: 8 }], on_match: action("wide") }, { ranges: [{ address_prefix: "10.0.0.0", prefix_len: 24 }], on_match: deadEnd }]), ["wide", "x"]);
  assert.is(lookupMatcher(l, conn()).chain?.name, "wide", "nested miss in /24 continues with /8");
  const l2 = matcherListener(ipm([{ ranges: [{ address_prefix: "10.0.0.0", prefix_len: 8 }], on_match: action("wide"), exclusive: true }, { ranges: [{ address_prefix: "10.0.0.0", prefix_len: 24 }], on_match: deadEnd }]), ["wide", "x"]);
  assert.is(lookupMatcher(l2, conn()).chain, undefined, "exclusive /8 is skipped when not the most specific");
});

test("matcher: the summary shows the conditions that lead to each chain", () => {
  const nested = { matcher_tree: { input: input("ServerNameInput"), exact_match_map: { map: { "a.example.com": action("a") } } } };
  const l = matcherListener({ matcher_tree: { input: input("DestinationPortInput"), exact_match_map: { map: { "443": { matcher: nested } } } }, on_no_match: action("b") }, ["a", "b", "c"]);
  const paths = matcherPaths(l.matcher);
  assert.equal(paths.get("a"), ["destination port = 443 & server name = a.example.com"]);
  assert.equal(paths.get("b"), ["otherwise"]);
  assert.is(paths.get("c"), undefined);
});

test("matcher: chains need unique names", () => {
  const m = { on_no_match: action("a") };
  assert.match(validateListener(listener([{ name: "" }], { filter_chain_matcher: m }))!, /"name" field is required when using a listener matcher/);
  assert.match(validateListener(listener([{ name: "a" }, { name: "a" }], { filter_chain_matcher: m }))!, /"name" field is duplicated with value 'a'/);
  assert.is(validateListener(listener([{ name: "a", match: { transport_protocol: "tls" } }, { name: "b", match: { transport_protocol: "tls" } }], { filter_chain_matcher: m })), undefined, "duplicate matches are allowed in matcher mode");
});

test.run();
