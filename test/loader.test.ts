// The loader: every real dump in test/corpus loads, pasted and cut dumps keep what is
// complete, bad input fails clearly, hostile keys pollute nothing, and the walker agrees with
// protobufjs's spec-compliant ProtoJSON reader.
import { setRevealSecrets } from "../src/redacted.js";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import protojson from "protobufjs/ext/protojson.js";
import YAML from "yaml";
import { InputError } from "../src/diag.js";
import { loadFile, loadText, RESOURCE_KINDS, type LoadedInput } from "../src/load/dump.js";
import { lookupMessage, T } from "../src/load/schema.js";
import { listenerModel, peekListener } from "../src/model/listener.js";
import { decideRoute } from "../src/explain/route.js";
import type { RouteConfiguration } from "../src/gen/types/envoy/config/route/v3/route.js";
import { ISTIO_IO_ROUTES_PAGE } from "./support/pasted.js";

const CORPUS = path.resolve(import.meta.dirname, "corpus/istio");
const SAMPLES = path.resolve(import.meta.dirname, "../samples");

function touchAll(input: LoadedInput): number {
  let n = 0;
  for (const k of RESOURCE_KINDS) for (const r of input.resources[k]) (r.value, n++);
  return n;
}

const corpusFiles = fs.existsSync(CORPUS) ? fs.readdirSync(CORPUS).filter((f) => /\.(json|yaml)$/.test(f)) : [];

test("the corpus is present (test/corpus/istio)", () => {
  assert.ok(corpusFiles.length >= 12, `found ${corpusFiles.length} corpus files`);
});

for (const f of corpusFiles) {
  test(`corpus loads with no errors: ${f}`, () => {
    const input = loadFile(path.join(CORPUS, f));
    assert.ok(touchAll(input) > 0, "some resources");
    // Istio's own filter configs (alpn, authn, mixer, stats, metadata exchange) are decoded too: no warning at all.
    const bad = input.diags.list.filter((d) => d.severity !== "note");
    assert.equal(bad.map((d) => `${d.code}: ${d.message} @ ${d.path}`), []);
  });
}

test("Istio's own filter configs are decoded: istio_authn's policy, the mixer attributes, istio.alpn's overrides", () => {
  const v13 = loadFile(path.join(CORPUS, "v14-describe-productpage-v1-7bbd79f8fd-k6j79.json"));
  const text = JSON.stringify(v13.listeners.map((r) => r.value));
  assert.match(text, /"@type":"type\.googleapis\.com\/istio\.envoy\.config\.filter\.http\.authn\.v2alpha1\.FilterConfig","policy":\{"peers":\[\{"mtls":\{"mode":"PERMISSIVE"\}\}\]\}/);
  assert.match(text, /"mixerAttributes":\{"attributes":\{"[a-z.]+":\{"stringValue":/, "mixer configs decoded to camelCase");
  const head = loadFile(path.join(CORPUS, "head-authz-configdump.yaml"));
  const h = JSON.stringify(head.listeners.map((r) => r.value));
  assert.match(h, /"alpnOverride":\[\{"alpnOverride":\["istio-http\/1\.0","istio","http\/1\.0"\]\},\{"upstreamProtocol":"HTTP11"/);
  assert.is(head.diags.list.filter((d) => d.code === "unknown-type").length, 0);
});

test("v2 dump: filter-chain tls_context becomes a TLS transport socket, and the listener says it was upgraded", () => {
  const input = loadFile(path.join(CORPUS, "v14-describe-productpage-v1-7bbd79f8fd-k6j79.json"));
  assert.is(input.api, "v2");
  const l = listenerModel(input.listeners.find((r) => r.name === "172.30.150.216_9080")!);
  assert.ok(l.fromV2);
  assert.is(l.bindToPort, false, "deprecated_v1.bind_to_port: false");
  const tls = l.chains[0]!.transport;
  assert.is(tls.kind, "tls");
  if (tls.kind === "tls") {
    assert.ok(tls.requireClientCertificate);
    assert.equal(tls.certificates, ["file:/etc/certs/cert-chain.pem"]);
  }
  assert.is(l.chains[1]!.transport.kind, "plaintext");
  assert.ok(l.record.upgrades.some((u) => /tls_context -> transport_socket/.test(u)));
});

test("v3 wrappers around v2 bodies (Istio 1.6) read as v3", () => {
  const input = loadFile(path.join(CORPUS, "v16-writer-configdump.json"));
  assert.is(input.api, "v3-wrapping-v2");
  touchAll(input);
  assert.ok(input.listeners.every((r) => r.fromV2));
});

test("istioctl proxy-config listener -o json (camelCase array) is read", () => {
  const input = loadFile(path.join(CORPUS, "v16-writer-listenerdump.json"));
  assert.is(input.format, "istioctl_list");
  assert.is(input.listeners.length, 4);
  const names = input.listeners.map((r) => listenerModel(r).name);
  assert.ok(names.includes("172.21.134.116_443"), names.join(","));
});

test("YAML (istioctl -o yaml) gives the same resources as JSON", () => {
  const json = fs.readFileSync(path.join(SAMPLES, "modern-permissive.json"), "utf8");
  const fromYaml = loadText(YAML.stringify(JSON.parse(json)), "x.yaml");
  const fromJson = loadText(json, "x.json");
  assert.is(fromYaml.syntax, "yaml");
  assert.equal(fromYaml.listeners.map((r) => r.value), fromJson.listeners.map((r) => r.value));
});

test("camelCase and snake_case spellings normalise to the same v3 JSON", () => {
  const snake = JSON.parse(fs.readFileSync(path.join(SAMPLES, "modern-strict.json"), "utf8"));
  const camel = JSON.parse(JSON.stringify(snake).replace(/"([a-z0-9]+(?:_[a-z0-9]+)+)":/g, (_m, k: string) => `"${k.replace(/_([a-z0-9])/g, (_x, c: string) => c.toUpperCase())}":`));
  const a = loadText(JSON.stringify(snake), "a.json");
  const b = loadText(JSON.stringify(camel), "b.json");
  assert.equal(a.listeners.map((r) => r.value), b.listeners.map((r) => r.value));
});

/** The walked value with every masked field's real value (the oracle knows nothing of masking). */
function revealed(v: unknown): unknown {
  setRevealSecrets(true);
  try {
    return JSON.parse(JSON.stringify(v));
  } finally {
    setRevealSecrets(false);
  }
}

test("walker agrees with protobufjs ProtoJSON (the oracle) on v3 resources", () => {
  const files = ["modern-permissive.json", "modern-portlevel.json", "gateway-mutual.json"].map((f) => path.join(SAMPLES, f));
  files.push(path.join(CORPUS, "head-proxyconfig-config_dump.json"));
  let compared = 0;
  for (const f of files) {
    const input = loadFile(f);
    for (const kind of ["listener", "cluster", "route", "endpoint", "secret"] as const) {
      const type = lookupMessage({ listener: T.Listener, cluster: T.Cluster, route: T.RouteConfiguration, endpoint: T.ClusterLoadAssignment, secret: T.Secret }[kind])!;
      for (const r of input.resources[kind]) {
        const raw = { ...(r.raw as Record<string, unknown>) };
        delete raw["@type"];
        let oracle: unknown;
        try {
          oracle = protojson.toJson(type, protojson.fromJson(type, raw));
        } catch (e) {
          if (/no such type/.test((e as Error).message)) continue; // unknown @type inside: the oracle cannot read it at all
          throw e;
        }
        assert.equal(stripDefaults(revealed(r.value)), stripDefaults(oracle), `${path.basename(f)} ${kind} ${r.name}`);
        compared++;
      }
    }
  }
  assert.ok(compared >= 8, `compared ${compared} resources`);
});

/** protojson writes Any payloads with the same fields; drop empty containers both sides keep differently. */
function stripDefaults(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDefaults);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = stripDefaults((v as Record<string, unknown>)[k]);
      if (Array.isArray(x) && x.length === 0) continue;
      out[k] = x;
    }
    return out;
  }
  return v;
}

test("Durations, wrappers and int64 are canonicalised", () => {
  const l = {
    name: "x",
    address: { socket_address: { address: "0.0.0.0", port_value: "8080" } },
    listener_filters_timeout: { seconds: 1, nanos: 500000000 },
    per_connection_buffer_limit_bytes: { value: 32768 },
    filter_chains: [{ filters: [{ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: "s", cluster: "c", idle_timeout: "3600.000s" } }] }],
  };
  const v = loadText(JSON.stringify(l), "x.json").listeners[0]!.value as Record<string, any>;
  assert.is(v.listenerFiltersTimeout, "1.500s");
  assert.is(v.perConnectionBufferLimitBytes, 32768);
  assert.is(v.address.socketAddress.portValue, 8080);
  assert.is(v.filterChains[0].filters[0].typedConfig.idleTimeout, "3600s");
});

test("unknown @type is kept opaque with a warning that names the place", () => {
  const l = { name: "x", address: { socket_address: { address: "0.0.0.0", port_value: 1 } }, filter_chains: [{ filters: [{ name: "istio.stats", typed_config: { "@type": "type.googleapis.com/example.private.Filter", foo: 1 } }] }] };
  const input = loadText(JSON.stringify(l), "x.json");
  const v = input.listeners[0]!.value as Record<string, any>;
  assert.equal(v.filterChains[0].filters[0].typedConfig, { "@type": "type.googleapis.com/example.private.Filter", foo: 1 });
  const d = input.diags.list.find((x) => x.code === "unknown-type")!;
  assert.is(d.path, "$.filter_chains[0].filters[0].typed_config");
});

test("misspelled fields are warnings with their JSON path", () => {
  const input = loadText(JSON.stringify({ name: "x", address: { socket_address: { address: "0.0.0.0", port_value: 1 } }, filter_chainz: [] , filter_chains: [{ filter_chain_match: { destination_prot: 80 } }] }), "x.json");
  touchAll(input);
  const paths = input.diags.list.filter((d) => d.code === "unknown-field").map((d) => d.path);
  assert.equal(paths, ["$.filter_chainz", "$.filter_chains[0].filter_chain_match.destination_prot"]);
});

test("hostile keys (__proto__, constructor) pollute nothing", () => {
  const text = `{"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ListenersConfigDump","__proto__":{"polluted":1},"static_listeners":[{"listener":{"name":"x","constructor":{"prototype":{"polluted":2}},"__proto__":{"polluted":3},"address":{"socket_address":{"address":"0.0.0.0","port_value":1}},"metadata":{"filter_metadata":{"__proto__":{"polluted":4}}},"filter_chains":[{"filters":[]}]}}]}]}`;
  for (const t of [text, text.slice(0, -3)]) {
    const input = loadText(t, "evil.json");
    touchAll(input);
    listenerModel(input.listeners[0]!);
    assert.is(({} as Record<string, unknown>).polluted, undefined);
    assert.is((Object.prototype as Record<string, unknown>).polluted, undefined);
  }
});

test("bad input: a clear error naming the file (and the place), never a crash", () => {
  const cases: [string, string | Buffer, RegExp][] = [
    ["empty.json", "", /is empty/],
    ["blank.json", "  \n\n", /is empty/],
    ["binary.pb", Buffer.from([0x0a, 0x00, 0x12, 0x34, 0x00, 0xff]), /binary data/],
    ["notjson.json", "hello: [unclosed", /not valid YAML|not JSON/],
    ["wrong.json", JSON.stringify({ kind: "Deployment", spec: {} }), /not an Envoy config dump/],
    ["list.json", JSON.stringify([1, 2, 3]), /not an Envoy config dump/],
    ["scalar.json", "42", /not an Envoy config dump|bare scalar/],
    ["broken.json", '{"configs": [ @@@ ]}', /cut off before any complete resource|not JSON/],
    // Envoy's own configs/*.template.yaml (Jinja) and Helm charts: template expressions parse as mappings keyed by mappings.
    ["jinja.yaml", "static_resources:\n  listeners:\n  {% for l in listeners %}\n  - address:\n      socket_address:\n        address: {{ l.address }}\n  {% endfor %}\n", /:6:18: a template, not a config: "\{\{ l\.address \}\}" is a template expression/],
    ["helm.yaml", "listener:\n  port: {{ .Values.port }}\n", /:2:9: a template, not a config/],
    // The mesh's configuration in place of the proxy's (Istio's own analyzer test data): said as such.
    ["envoyfilter.yaml", "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata:\n  name: f\nspec:\n  configPatches: []\n---\napiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata:\n  name: d\n", /Kubernetes objects \(EnvoyFilter, DestinationRule\): the mesh's configuration, not what Envoy runs/],
    ["ecds.json", JSON.stringify({ ecdsFilters: [{ ecdsFilter: { name: "x" } }] }), /filters sent by ECDS \(istioctl proxy-config ecds\)/],
    // A name and a type that is no cluster discovery type: not a cluster (a package.json read by mistake).
    ["package.json", JSON.stringify({ name: "app", version: "1.0.0", type: "module", main: "index.js" }), /not an Envoy config dump.*top-level keys: name, version, type/],
    // Istio's tools/packaging/common/envoy_bootstrap.json: Go template actions between JSON lines, and a value.
    ["bootstrap.json", '{\n  "application_log_config": {\n    "log_format": {\n{{- if .log_json }}\n      "json_format": {}\n{{- end }}\n    }\n  }\n}\n', /:4:1: a template, not a config: "\{\{- if \.log_json \}\}" is a template action/],
    ["value.json", '{"node": {"id": "x"}, "admin": {"address": {"socket_address": {"port_value": {{ .Values.port }} }}}}', /:1:78: a template, not a config: "\{\{ \.Values\.port \}\}"/],
  ];
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "ee-bad-"));
  for (const [name, body, re] of cases) {
    const p = path.join(dir, name);
    fs.writeFileSync(p, body);
    try {
      loadFile(p);
      assert.unreachable(`${name} loaded`);
    } catch (e) {
      assert.instance(e, InputError, name);
      assert.match((e as InputError).format(), re);
      assert.ok((e as InputError).format().startsWith(p), "names the file");
    }
  }
  try {
    loadFile(path.join(dir, "missing.json"));
    assert.unreachable();
  } catch (e) {
    assert.match((e as InputError).message, /no such file/);
  }
});

test("a dump cut before any complete resource is an error, even when section headers were read", () => {
  const text = fs.readFileSync(path.join(SAMPLES, "modern-strict.json"), "utf8").slice(0, 300);
  try {
    loadText(text, "cut.json");
    assert.unreachable("loaded");
  } catch (e) {
    assert.instance(e, InputError);
    assert.match((e as InputError).message, /cut off before any complete resource/);
  }
  assert.is(loadText(JSON.stringify({ configs: [{ "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump" }] }), "empty.json").listeners.length, 0, "an intact empty section is fine");
});

test("gzip input is read by its magic bytes", () => {
  const p = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "ee-gz-")), "dump.json.gz");
  fs.writeFileSync(p, zlib.gzipSync(fs.readFileSync(path.join(SAMPLES, "modern-strict.json"))));
  assert.is(loadFile(p).listeners.length, 2);
});

test("pasted dump: text around it, comments, trailing commas and ...snip... still load", () => {
  const body = fs.readFileSync(path.join(SAMPLES, "gateway-mutual.json"), "utf8");
  const pasted = `Here is my config dump (proxy on 1.20):\n\`\`\`json\n${body.replace('"dynamic_listeners": [', '"dynamic_listeners": [ // the two listeners\n').replace(/\n( *)"last_updated"/, '\n$1...snip...\n$1"last_updated"').replace(/}\n ]\n}\n?$/, "},\n ]\n}")}\`\`\`\nThanks!`;
  const input = loadText(pasted, "issue.md");
  assert.is(input.syntax, "json-repaired");
  assert.is(input.listeners.length, 2);
  assert.ok(input.diags.list.some((d) => d.code === "elided"));
});

test("dumps cut at many offsets keep every complete listener and say what was lost", () => {
  const text = fs.readFileSync(path.join(CORPUS, "head-authz-configdump.yaml"), "utf8");
  const full = loadText(text, "full.json");
  const names = full.listeners.map((r) => r.name);
  let previous = -1;
  for (let cut = 2000; cut < text.length; cut += Math.floor(text.length / 37)) {
    let input: LoadedInput;
    try {
      input = loadText(text.slice(0, cut), "cut.json");
    } catch (e) {
      assert.instance(e, InputError);
      assert.match((e as InputError).message, /cut off before any complete resource/);
      continue;
    }
    const got = input.listeners.map((r) => r.name);
    assert.equal(got, names.slice(0, got.length), "a prefix of the full list, in order");
    assert.ok(got.length >= previous, "more text never yields fewer listeners");
    previous = got.length;
    for (const r of input.listeners) assert.equal(r.value, full.listeners[names.indexOf(r.name)]!.value, `listener ${r.name} complete`);
    const w = input.diags.list.find((d) => d.code === "truncated");
    assert.ok(w && w.line && w.line > 0, "a truncation warning with a line");
  }
  assert.ok(previous > 5);
});

test("a Markdown file whose JSON block is not a dump says which block it read", () => {
  const text = "# Notes\n\nSome text.\n\n```json\n{\n  \"version\": 1,\n  \"results\": []\n}\n```\n";
  try {
    loadText(text, "notes.md");
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.instance(e, InputError);
    assert.match((e as InputError).message, /^the JSON block at line 6 \(the text around it ignored\) is not an Envoy config dump/);
  }
});


test("the protobuf schema is built type by type: the types a listener leads to, every field of theirs resolving, not the whole schema nor whole packages", () => {
  // In a process of its own: other tests load other types.
  const script = `
    import protobuf from "protobufjs";
    import { lookupMessage, schemaRoot } from "./src/load/schema.ts";
    import { schemaTypeJson } from "./src/gen/schema.ts";
    const reached = new Set();
    const visit = (t) => {
      if (reached.has(t)) return;
      reached.add(t);
      for (const f of t.fieldsArray) {
        f.resolve(); // throws when the type is not loaded
        if (f.resolvedType instanceof protobuf.Type) visit(f.resolvedType);
      }
    };
    visit(lookupMessage("envoy.config.listener.v3.Listener"));
    let loaded = 0;
    const count = (ns) => { for (const c of ns.nestedArray) { if (c instanceof protobuf.Type) loaded++; if (c.nestedArray) count(c); } };
    count(schemaRoot());
    const core = schemaRoot().lookup("envoy.config.core.v3");
    let all = 0;
    const countJson = (o) => { if (o.fields) all++; for (const v of Object.values(o.nested ?? {})) countJson(v); };
    for (const j of schemaTypeJson) countJson(JSON.parse(j));
    console.log(JSON.stringify({ reached: reached.size, loaded, all, coreLoaded: core.nestedArray.length, grpcService: !!core.get("GrpcService"), jwt: !!schemaRoot().lookup("envoy.extensions.filters.http.jwt_authn.v3"), hcm: !!lookupMessage("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager") }));
  `;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: path.resolve(import.meta.dirname, ".."), encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { reached: number; loaded: number; all: number; coreLoaded: number; grpcService: boolean; jwt: boolean; hcm: boolean };
  assert.ok(out.reached > 20, JSON.stringify(out));
  // Every type reached is loaded; of the rest, only what shares a top-level type with them (nested types).
  assert.ok(out.loaded >= out.reached && out.loaded < out.all * 0.5, JSON.stringify(out));
  assert.ok(out.grpcService, "a type the listener's fields lead to (through its config sources) is loaded");
  assert.not.ok(out.jwt, "a package the listener's fields never lead to is not");
  assert.ok(out.hcm, "a type of another package (through a listener's typed_config) is loaded when asked for");
});

test("a pasted resource cut short where nothing else is complete is used, marked partial (istio.io's proxy-config page: a route configuration ending in \"...\")", async () => {
  const pasted = ISTIO_IO_ROUTES_PAGE;
  const input = loadText(pasted, "proxy-cmd.md");
  assert.is(input.routes.length, 1);
  assert.equal(input.routes[0]!.partial, { line: 14, why: "cut off by the end of the input" });
  assert.ok(input.diags.list.some((d) => /route "9080" is cut off at line 14: used, as nothing in the input is complete/.test(d.message)), input.diags.list.map((d) => d.message).join("\n"));
  const rc = input.routes[0]!.value as RouteConfiguration;
  const hit = decideRoute(rc, "9080", { host: "reviews:9080", path: "/", headers: {}, tls: false });
  assert.ok(hit.kind === "route" && hit.action.kind === "cluster" && hit.action.cluster === "outbound|9080||reviews.default.svc.cluster.local");
  // Something complete beside it: the cut one is left out, as before.
  const two = loadText(`[{"name": "a", "virtualHosts": []}, {"name": "b", "virtualHosts": [`, "two.json");
  assert.equal(two.routes.map((r) => r.name), ["a"]);
});

test("Envoy 1.15-1.17 dumps (Istio 1.7-1.9): hidden_envoy_deprecated_* fields read as the fields they were", () => {
  // As istio.io's proxy-config page printed Istio 1.7's virtualOutbound (istioctl proxy-config listeners … -o json).
  const listener = {
    name: "virtualOutbound",
    address: { socketAddress: { address: "0.0.0.0", portValue: 15001 } },
    filterChains: [
      { filters: [{ name: "envoy.tcp_proxy", typedConfig: { "@type": "type.googleapis.com/envoy.config.filter.network.tcp_proxy.v2.TcpProxy", statPrefix: "PassthroughCluster", cluster: "PassthroughCluster" } }], name: "virtualOutbound-catchall-tcp" },
      {
        filterChainMatch: { serverNames: ["a.example.com"] },
        filters: [{ name: "envoy.tcp_proxy", typedConfig: { "@type": "type.googleapis.com/envoy.config.filter.network.tcp_proxy.v2.TcpProxy", statPrefix: "a", cluster: "a" } }],
        hidden_envoy_deprecated_tls_context: { common_tls_context: { alpn_protocols: ["h2"] }, require_client_certificate: true },
      },
    ],
    trafficDirection: "OUTBOUND",
    hiddenEnvoyDeprecatedUseOriginalDst: true,
  };
  const input = loadText(JSON.stringify([listener]), "pc-listeners.json");
  const l = listenerModel(input.listeners[0]!);
  assert.is(l.useOriginalDst, true);
  assert.is(l.chains[1]!.transport.kind, "tls");
  assert.ok(l.chains[1]!.transport.kind === "tls" && l.chains[1]!.transport.requireClientCertificate);
  assert.ok(input.listeners[0]!.upgrades.includes("hiddenEnvoyDeprecatedUseOriginalDst read as useOriginalDst"), input.listeners[0]!.upgrades.join("; "));
  assert.equal(input.diags.list.filter((d) => d.code === "unknown-field").map((d) => d.message), []);
  assert.ok(peekListener(input.listeners[0]!).capture, "a capture listener before decoding too");
});

test("enum values in lower case read as Envoy reads them (case_insensitive_enum_parsing: tried in upper case), others still warned", () => {
  const T = (t: string) => `type.googleapis.com/${t}`;
  const hcm = (codec: string) => ({ "@type": T("envoy.config.listener.v3.Listener"), name: `l-${codec}`, address: { socket_address: { address: "0.0.0.0", port_value: 80 } }, filter_chains: [{ filters: [{ name: "hcm", typed_config: { "@type": T("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"), stat_prefix: "x", codec_type: codec, route_config: { name: "r" }, http_filters: [{ name: "envoy.filters.http.router", typed_config: { "@type": T("envoy.extensions.filters.http.router.v3.Router") } }] } }] }] });
  const input = loadText(JSON.stringify({ resources: [hcm("auto"), hcm("Http2x")] }), "codecs.json");
  for (const rec of input.listeners) listenerModel(rec);
  const warned = input.diags.list.filter((d) => d.code === "unknown-enum").map((d) => d.message);
  assert.equal(warned, ['unknown value "Http2x" for enum envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.CodecType']);
});

test.run();
