// Access-log input: formats from the dump and built in, the line matcher, the replay and its verdict,
// on real log lines (samples/real/accesslog/SOURCES.md), and the access-log evidence of outcomes.
import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadFile, loadText } from "../src/load/dump.js";
import { accessLogFormats, parseAccessLogLine, tokenizeFormat, ISTIO_TEXT_FORMAT, MAX_LOG_LINE } from "../src/load/accesslog.js";
import { replayLogLines } from "../src/analyses/logreplay.js";
import { runExplain } from "../src/analyses/explain.js";
import { normaliseFlags } from "../src/explain/logflags.js";
import { InputError } from "../src/diag.js";

const SAMPLES = path.resolve(import.meta.dirname, "../samples");
const REAL = path.join(SAMPLES, "real/accesslog");
const lines = (f: string) => fs.readFileSync(path.join(REAL, f), "utf8").split("\n").filter((l) => l.trim());
const ISTIO_IO = lines("istio-io-access-log.log"); // [0]: sleep (outbound), [1]: httpbin (inbound)
const ENVOY_DOCS = lines("envoy-docs-default-format.log");
const EG = path.join(SAMPLES, "real/envoy-gateway/xds-ir-accesslog.listeners.yaml");

test("the tokeniser splits Envoy's command operators: sub-commands, a length, %% and a stray %", () => {
  const t = tokenizeFormat("%%a %REQ(X?Y):10% 5% %START_TIME(%s.%3f)% %BYTES_SENT%");
  assert.equal(t, [
    { lit: "%a " },
    { field: "REQ(X?Y)", command: "REQ", sub: "X?Y" },
    { lit: " 5% " },
    { field: "START_TIME(%s.%3f)", command: "START_TIME", sub: "%s.%3f" },
    { lit: " " },
    { field: "BYTES_SENT", command: "BYTES_SENT" },
  ]);
  const fields = tokenizeFormat(ISTIO_TEXT_FORMAT).filter((x) => "field" in x);
  assert.is(fields.length, 24);
});

test("the dump's own formats come first, deduplicated, then the built-in ones (Envoy's default folded into the dump's identical one)", () => {
  const f = accessLogFormats(loadFile(EG));
  assert.is(f[0]!.name, "dump: first-listener access log");
  assert.is(f[0]!.kind, "text");
  assert.ok(f[0]!.source.startsWith("[%START_TIME%]"));
  assert.is(f[1]!.name, "dump: first-listener access log (JSON)");
  assert.equal(Object.keys(JSON.parse(f[1]!.source)).sort(), ["method", "path", "protocol", "response_code", "start_time"]);
  // The dump's text format is Envoy's default: the built-in one is not listed twice.
  assert.not.ok(f.some((x) => x.name === "Envoy default"));
  assert.equal(f.filter((x) => !x.name.startsWith("dump:")).map((x) => x.name).slice(0, 2), ["Istio text", "Istio text (1.7–1.8)"]);
  // A dump with no access log: only the built-in ones, Envoy's default last.
  const bare = accessLogFormats(loadFile(path.join(SAMPLES, "modern-strict.json")));
  assert.is(bare[bare.length - 1]!.name, "Envoy default");
});

test("real Istio text lines (istio.io docs, Istio 1.9+) split into their fields, addresses and SNI included", () => {
  const formats = accessLogFormats(loadFile(path.join(SAMPLES, "modern-strict.json")));
  const out = parseAccessLogLine(ISTIO_IO[0]!, formats, "log");
  assert.is(out.format, "Istio text");
  assert.is(Object.getPrototypeOf(out.fields), null);
  assert.is(out.fields["RESPONSE_CODE"], "418");
  assert.is(out.fields["RESPONSE_CODE_DETAILS"], "via_upstream");
  assert.is(out.fields["REQ(USER-AGENT)"], "curl/7.73.0-DEV");
  assert.is(out.fields["UPSTREAM_CLUSTER_RAW"], "outbound|8000||httpbin.foo.svc.cluster.local");
  assert.is(out.fields["DOWNSTREAM_LOCAL_ADDRESS"], "10.0.45.184:8000");
  const inbound = parseAccessLogLine(ISTIO_IO[1]!, formats, "log");
  assert.is(inbound.fields["REQUESTED_SERVER_NAME"], "outbound_.8000_._.httpbin.foo.svc.cluster.local");
  assert.is(inbound.fields["UPSTREAM_CLUSTER_RAW"], "inbound|8000||");
  assert.is(inbound.fields["ROUTE_NAME"], "default");
});

test("the real Envoy default-format line (Envoy's docs) is read with the format the Envoy Gateway dump configures", () => {
  const out = parseAccessLogLine(ENVOY_DOCS[0]!, accessLogFormats(loadFile(EG)), "log");
  assert.is(out.format, "dump: first-listener access log");
  assert.is(out.fields["REQ(:AUTHORITY)"], "locations");
  assert.is(out.fields["UPSTREAM_HOST"], "tcp://10.0.2.1:80");
  assert.is(out.fields["PROTOCOL"], "HTTP/2");
  // Without the dump's format, the built-in Envoy default reads it.
  const bare = accessLogFormats(loadFile(path.join(SAMPLES, "modern-strict.json")));
  assert.is(parseAccessLogLine(ENVOY_DOCS[0]!, bare, "log").format, "Envoy default");
  // An Istio line does not pass for Envoy's default: its bytes are not where the number fields are.
  assert.is(parseAccessLogLine(ISTIO_IO[0]!, bare, "log").format, "Istio text");
});

test("a line no format fits is refused with an InputError naming the formats tried", () => {
  const formats = accessLogFormats(loadFile(EG));
  try {
    parseAccessLogLine("127.0.0.6 - - [26/Aug/2021:14:21:14 +0000] \"GET /headers HTTP/1.1\" 200 567", formats, "my.log");
    assert.unreachable("should refuse");
  } catch (e) {
    assert.instance(e, InputError);
    assert.is((e as InputError).file, "my.log");
    for (const f of formats) assert.ok((e as Error).message.includes(f.name), f.name);
  }
  assert.throws(() => parseAccessLogLine("x".repeat(MAX_LOG_LINE + 1), formats, "my.log"), (e: unknown) => e instanceof InputError && /longer than/.test((e as Error).message));
});

test("matching is linear: a 64 KiB line full of near-misses is answered (its time: scripts/guards.ts)", () => {
  const formats = accessLogFormats(loadFile(path.join(SAMPLES, "modern-strict.json")));
  const evil = ('[x] "' + '" "'.repeat(20000)).slice(0, MAX_LOG_LINE);
  assert.throws(() => parseAccessLogLine(evil, formats, "log"), (e: unknown) => e instanceof InputError);
});

test("a credential header logged by the dump's format is kept only as [redacted]; JSON lines are read by key", () => {
  const dump = JSON.stringify({
    configs: [
      {
        "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
        static_listeners: [
          {
            listener: {
              "@type": "type.googleapis.com/envoy.config.listener.v3.Listener",
              name: "l",
              address: { socket_address: { address: "0.0.0.0", port_value: 8080 } },
              access_log: [
                { name: "envoy.access_loggers.stdout", typed_config: { "@type": "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog", log_format: { text_format_source: { inline_string: "%REQ(:AUTHORITY)% auth=%REQ(AUTHORIZATION)% %RESPONSE_CODE%\n" } } } },
                { name: "envoy.access_loggers.file", typed_config: { "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog", path: "/dev/stdout", log_format: { json_format: { code: "%RESPONSE_CODE%", who: { cookie: "%REQ(COOKIE)%" } } } } },
              ],
              filter_chains: [{ filters: [] }],
            },
          },
        ],
      },
    ],
  });
  const input = loadText(dump, "d.json");
  const formats = accessLogFormats(input);
  assert.equal(formats.slice(0, 2).map((f) => f.name), ["dump: l access log", "dump: l access log (JSON)"]);
  const t = parseAccessLogLine("example.com auth=Bearer abc.def 200", formats, "log");
  assert.is(t.fields["REQ(AUTHORIZATION)"], "[redacted]");
  assert.is(t.fields["REQ(:AUTHORITY)"], "example.com");
  const j = parseAccessLogLine('{"code":200,"who":{"cookie":"session=s3cr3t"}}', formats, "log");
  assert.is(j.format, "dump: l access log (JSON)");
  assert.is(j.fields["RESPONSE_CODE"], "200");
  assert.is(j.fields["REQ(COOKIE)"], "[redacted]");
  // A key the format does not write: not this format.
  assert.throws(() => parseAccessLogLine('{"code":200,"other":1}', formats, "log"), (e: unknown) => e instanceof InputError);
});

test("replay: the Istio lines are not reproduced by a bookinfo dump without httpbin, and the reason says so first, and why", () => {
  const input = loadFile(path.join(SAMPLES, "modern-strict.json"));
  const [out, inb] = replayLogLines(input, ISTIO_IO, {});
  assert.is(out!.log.line, 1);
  assert.is(inb!.log.line, 2);
  assert.is(out!.log.format, "Istio text");
  assert.is(out!.logged.responseCode, 418);
  assert.is(out!.logged.cluster, "outbound|8000||httpbin.foo.svc.cluster.local");
  assert.is(out!.reproduces, false);
  assert.match(out!.reason, /^The dump does not reproduce this line: it logs 418 .* for outbound\|8000\|\|httpbin\.foo\.svc\.cluster\.local, but the dump routes 10\.0\.45\.184:8000 to PassthroughCluster/);
  assert.match(out!.reason, /the configuration changed since, or the line came from another proxy/);
  assert.is(out!.connection.destination, "10.0.45.184:8000");
  assert.is(out!.connection.source, "10.44.1.23:46520");
  // Inbound, SNI outbound_.…: an Istio sidecar with a certificate, ALPN of the dump's era.
  assert.is(inb!.client.sends.transport, "tls");
  assert.is(inb!.client.sends.clientCertificate, true);
  assert.is(inb!.client.sends.sni, "outbound_.8000_._.httpbin.foo.svc.cluster.local");
  assert.ok(inb!.assumed.some((a) => /Istio sidecar client/.test(a) && a.includes("istio-http/1.1")));
  assert.is(inb!.reproduces, false);
});

test("replay: the Envoy docs line through the Envoy Gateway dump's listener is reproduced (served by its routes); options are checked first", () => {
  const input = loadFile(EG);
  assert.throws(() => replayLogLines(input, ENVOY_DOCS, { port: 0 }), (e: unknown) => e instanceof InputError && /1-65535/.test((e as Error).message));
  assert.throws(() => replayLogLines(input, ENVOY_DOCS, { port: 70000 }), (e: unknown) => e instanceof InputError);
  assert.throws(() => replayLogLines(input, ENVOY_DOCS, { port: 10080, address: "not-an-ip" }), (e: unknown) => e instanceof InputError);
  // Envoy's default format logs no local address: the port must be given.
  assert.throws(() => replayLogLines(input, ENVOY_DOCS, {}), (e: unknown) => e instanceof InputError && (e as InputError).line === 1 && /--port/.test((e as Error).message));
  const [r] = replayLogLines(input, ["", ...ENVOY_DOCS], { port: 10080 });
  assert.is(r!.log.line, 2);
  assert.is(r!.accepted?.listener, "first-listener");
  assert.equal(r!.route?.request, { host: "locations", path: "/api/v1/locations" });
  assert.is(r!.outcome.ok, true);
  assert.is(r!.reproduces, true);
  assert.match(r!.reason, /^The dump reproduces this line: it logs 204 no flags/);
  assert.ok(r!.assumed.some((a) => /plaintext h2c/.test(a)), "HTTP/2 without a server name: h2c");
  // Another port: nothing listens, so the same line is not reproduced.
  const [other] = replayLogLines(input, ENVOY_DOCS, { port: 10081 });
  assert.is(other!.outcome.code, "NO_LISTENER");
  assert.is(other!.reproduces, false);
  assert.match(other!.reason, /^The dump does not reproduce this line: .*NO_LISTENER/);
});

test("replay: a logged NR filter_chain_not_found is compared with the replay's chain lookup", () => {
  // The Istio 1.3 PERMISSIVE sidecar: a raw mTLS curl is served; this line claims no chain matched.
  const input = loadFile(path.join(SAMPLES, "istio-1.3-permissive.json"));
  const line = ISTIO_IO[1]!.replace('418 - via_upstream', '0 NR filter_chain_not_found').replace("10.44.1.27:80", "172.30.150.216:9080");
  const [r] = replayLogLines(input, [line], {});
  assert.is(r!.logged.outcome, "NO_FILTER_CHAIN");
  assert.equal(r!.logged.responseFlags, ["NR"]);
  assert.ok(r!.assumed.some((a) => /filter_chain_not_found/.test(a)));
  assert.is(r!.reproduces, r!.outcome.code === "NO_FILTER_CHAIN");
  if (!r!.reproduces) assert.match(r!.reason, /^The dump does not reproduce this line: it logs no response code NR \(NoRouteFound\) \(filter_chain_not_found\)/);
});

test("response flags are read by their short and long names", () => {
  assert.equal(normaliseFlags("UH,URX"), ["UH", "URX"]);
  assert.equal(normaliseFlags("NoRouteFound"), ["NR"]);
  assert.equal(normaliseFlags("-"), []);
});

test("outcome.accessLog: what the proxy logs for a failing outcome, and nothing for one that succeeds", () => {
  const strict = runExplain(loadFile(path.join(SAMPLES, "modern-strict.json")), { port: 8080, client: "plaintext" })[0]!;
  if (strict.outcome.code === "NO_FILTER_CHAIN") {
    assert.equal(strict.outcome.accessLog?.responseFlags, ["NR"]);
    assert.is(strict.outcome.accessLog?.details, "filter_chain_not_found");
  }
  assert.is(strict.outcome.ok, false);
  assert.ok(strict.outcome.accessLog, "a failing outcome has its access-log evidence");
  assert.ok(strict.outcome.envoySide === undefined || typeof strict.outcome.envoySide === "string");
  const eg = runExplain(loadFile(EG), { port: 10080, client: "plaintext" })[0]!;
  assert.is(eg.outcome.ok, true);
  assert.is(eg.outcome.accessLog, undefined);
});

test("an inbound line to an address that is not this proxy's says first that another proxy wrote it (istio.io's httpbin line against the bundled productpage dump)", () => {
  const [r] = replayLogLines(loadFile(path.join(SAMPLES, "istio-1.3-permissive.json")), [ISTIO_IO[1]!], {});
  assert.is(r!.reproduces, false);
  assert.match(r!.reason, /^The dump does not reproduce this line: the line is an inbound one \(upstream cluster inbound\|8000\|\|\) to 10\.44\.1\.27, which is not this proxy's address \(172\.30\.150\.216/);
  assert.match(r!.reason, /the line came from another proxy/);
});

test("Istio's JSON encoding: a real ingress gateway line (kyma-project/istio's docs) is read as Istio JSON, TLS from its server name, HTTP/2 from its protocol", () => {
  const [line] = lines("kyma-istio-ingress-json.log");
  const parsed = parseAccessLogLine(line!, accessLogFormats(loadFile(path.join(SAMPLES, "gateway-mutual.json"))), "kyma.log");
  assert.is(parsed.format, "Istio JSON");
  assert.is(parsed.fields["DOWNSTREAM_LOCAL_ADDRESS"], "10.42.0.9:8443");
  assert.is(parsed.fields["UPSTREAM_CLUSTER"] ?? parsed.fields["UPSTREAM_CLUSTER_RAW"], "outbound|8000||httpbin.test.svc.cluster.local");
  const [r] = replayLogLines(loadFile(path.join(SAMPLES, "gateway-mutual.json")), [line!], {});
  assert.is(r!.log.format, "Istio JSON");
  assert.is(r!.client.sends.transport, "tls");
  assert.is(r!.client.sends.sni, "httpbin.local.kyma.dev");
  assert.ok(r!.assumed.some((a) => /TLS: the line logs the server name httpbin\.local\.kyma\.dev/.test(a)), r!.assumed.join("; "));
  assert.is(r!.logged.responseCode, 200);
});

test.run();
