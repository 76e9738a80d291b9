#!/usr/bin/env node
// Writes the JSON Schemas (draft 2020-12) of every command's JSON/YAML document into schema/.
// One source for the parts they share (warnings, transports, rows); the files are committed and
// shipped, and `npm run schemas:check` (in CI) says when they differ from what this writes.
// Objects allow fields added later (additionalProperties); what is listed is what `version` 1 promises.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BASE = "urn:envoy-explain:schema";

const str = { type: "string" };
const int = { type: "integer" };
const bool = { type: "boolean" };
const strs = { type: "array", items: str };
const nullable = (s) => ({ anyOf: [s, { type: "null" }] });
const obj = (properties, required = Object.keys(properties)) => ({ type: "object", properties, required });

const defs = {
  warning: obj(
    {
      severity: { enum: ["error", "warning", "note"] },
      code: str,
      file: str,
      path: str,
      line: int,
      column: int,
      message: str,
      count: int,
    },
    ["severity", "code", "file", "message"],
  ),
  transport: {
    oneOf: [
      obj({ kind: { const: "plaintext" }, wrappers: strs }, ["kind"]),
      obj(
        {
          kind: { const: "tls" },
          requireClientCertificate: bool,
          alpn: strs,
          certificates: strs,
          trustedCa: strs,
          subjectAltNames: strs,
          sni: str,
          minVersion: str,
          maxVersion: str,
          quic: { const: true },
          wrappers: strs,
        },
        ["kind", "requireClientCertificate", "alpn", "certificates", "trustedCa", "subjectAltNames"],
      ),
      obj({ kind: { const: "other" }, name: str, type: str }, ["kind", "name"]),
    ],
  },
  sends: obj(
    {
      transport: { enum: ["tls", "raw_buffer"] },
      alpn: strs,
      sni: str,
      clientCertificate: bool,
      mode: str,
      via: str,
      certificates: strs,
      subjectAltNames: strs,
    },
    ["transport", "alpn", "sni", "clientCertificate", "mode"],
  ),
};
defs.upstream = obj({
  cluster: str,
  mode: str,
  endpoints: { type: "array", items: obj({ endpoint: str, socketMatch: { type: "object" }, sends: { $ref: "#/$defs/sends" } }) },
  edsInDump: bool,
  notes: strs,
});
defs.explainResult = obj(
  {
    client: obj({ preset: str, description: str, sends: obj({ transport: str, alpn: strs, sni: str, clientCertificate: bool }) }),
    connection: obj({ destination: str, source: str, directSource: str, assumptions: strs }),
    accepted: nullable(obj({ listener: str, address: str, how: str })),
    capture: obj({ mesh: str, captures: bool, direction: nullable({ enum: ["inbound", "outbound"] }), why: str }),
    handoff: nullable(obj({ from: str, to: nullable(str), reason: str })),
    listenerFilters: { type: "array", items: obj({ name: str, ran: bool, effect: str, implicit: str }, ["name", "ran", "effect"]) },
    attributes: nullable(obj({ destination: str, serverName: str, transportProtocol: str, applicationProtocols: strs, sourceIp: str, sourcePort: int, directSourceIp: str })),
    listener: nullable(obj({ name: str, address: str, state: str, fromV2: bool })),
    rejected: nullable(str),
    matching: nullable(
      obj(
        {
          mode: str,
          steps: { type: "array", items: obj({ level: str, connection: str, chose: nullable(str), remaining: int }) },
          matcherTrace: strs,
          usedDefault: bool,
        },
        ["mode", "steps", "usedDefault"],
      ),
    ),
    filterChain: nullable(
      obj(
        { index: int, name: str, isDefault: bool, terminatesTls: bool, requiresClientCertificate: bool, match: str, transport: str, terminal: str },
        ["index", "isDefault", "terminatesTls", "requiresClientCertificate", "match", "transport", "terminal"],
      ),
    ),
    candidates: {
      type: "array",
      items: obj(
        { index: int, name: str, match: str, transport: str, terminal: str, verdict: { enum: ["selected", "eliminated", "ambiguous", "not-evaluated"] }, level: str, reason: str },
        ["index", "match", "transport", "terminal", "verdict", "reason"],
      ),
    },
    next: nullable({ type: "object" }),
    route: nullable(obj({ kind: { enum: ["no-route-config", "rejected", "no-virtual-host", "match-tree", "tls-redirect", "no-route", "route"] }, request: obj({ host: str, path: str }), clusterNotFoundResponseCode: str, domains: strs, domainCount: int, matches: strs, routeCount: int, matchHeaders: strs }, ["kind", "request"])),
    upstream: nullable({ $ref: "#/$defs/upstream" }),
    outcome: obj(
      {
        code: { $ref: "#/$defs/outcomeCode" },
        ok: bool,
        summary: str,
        clientSees: str,
        envoySide: str,
        afterChain: str,
        // What this proxy writes to its access log for a failing outcome (to grep logs for).
        accessLog: obj({ responseCode: int, responseFlags: strs, details: str, note: str }, ["responseFlags"]),
      },
      ["code", "ok", "summary", "clientSees"],
    ),
    why: str,
    incomplete: str,
    // Envoy itself reports that the listener the connection goes to does not listen: rejected (error_state) or still warming.
    notListening: obj({ listener: str, state: { enum: ["error", "warming"] } }),
    hints: strs,
  },
  ["client", "connection", "accepted", "capture", "handoff", "listenerFilters", "attributes", "listener", "rejected", "matching", "filterChain", "candidates", "outcome", "hints"],
);
defs.outcomeCode = {
  enum: [
    "INCOMPLETE_INPUT",
    "NO_LISTENER",
    "LISTENER_REJECTED",
    "NO_FILTER_CHAIN",
    "AMBIGUOUS_FILTER_CHAIN",
    "NO_NETWORK_FILTERS",
    "PLAINTEXT_INTO_TLS",
    "CLIENT_CERT_REQUIRED",
    "TLS_TERMINATED",
    "MTLS_TERMINATED",
    "TLS_INTO_PLAINTEXT_HTTP",
    "TLS_PASSTHROUGH",
    "PLAINTEXT_HTTP",
    "PLAINTEXT_TCP",
    "BLACKHOLE",
    "NO_ROUTE",
    "NO_CLUSTER",
    "NO_ENDPOINTS",
    "HTTPS_REDIRECT",
    "OTHER",
  ],
};
defs.listenerRow = obj(
  {
    listener: str,
    address: str,
    state: str,
    bindToPort: bool,
    listenerFilters: strs,
    chain: str,
    index: int,
    name: str,
    isDefault: bool,
    match: nullable({ type: "object" }),
    matchText: str,
    tls: str,
    type: { enum: ["HTTP", "TCP", "NONE"] },
    transport: { $ref: "#/$defs/transport" },
    terminal: str,
    // A listener Envoy rejected and never accepted (state "error"): its error; nothing listens there.
    error: str,
    // A listener whose latest update Envoy rejected: its error; the row is the version it still serves.
    updateRejected: str,
  },
  ["listener", "address", "state", "bindToPort", "listenerFilters", "chain", "index", "isDefault", "match", "matchText", "tls", "type", "transport", "terminal"],
);
defs.clusterRow = obj({
  name: str,
  istio: nullable(obj({ direction: str, port: int, subset: str, host: str })),
  type: str,
  state: str,
  transport: { $ref: "#/$defs/transport" },
  transportSocketMatches: { type: "array", items: obj({ name: str, match: { type: "object" }, transport: { $ref: "#/$defs/transport" } }) },
});
defs.routeRow = obj({ routeConfig: str, virtualHost: str, domains: strs, index: int, match: str, action: str, requireTls: str }, ["routeConfig", "virtualHost", "domains", "index", "match", "action"]);
defs.endpointRow = obj({ cluster: str, address: str, health: str, locality: str, socketMatch: { type: "object" }, weight: int }, ["cluster", "address", "health", "locality", "socketMatch"]);
defs.secretRow = obj(
  {
    name: str,
    state: str,
    type: { enum: ["tls_certificate", "validation_context", "session_ticket_keys", "generic_secret", "unknown"] },
    source: str,
    certificates: { type: "array", items: { type: "object" } },
    versionInfo: str,
    lastUpdated: str,
  },
  ["name", "state", "type", "source", "certificates"],
);

// A finding (src/findings/types.ts): its code is one of the catalogue's (src/findings/messages.yaml).
defs.finding = obj(
  {
    code: { type: "string", pattern: "^[A-Z][A-Z0-9_]*$" },
    severity: { enum: ["error", "warning", "info"] },
    message: str,
    resource: obj({ kind: str, name: str }),
    file: str,
    path: str,
    line: int,
    column: int,
    fix: str,
    evidence: obj({ client: str, port: int, request: str, outcome: str, listener: str, chain: str, shows: str }, ["client", "outcome", "shows"]),
  },
  ["code", "severity", "message", "resource", "file", "fix"],
);
const portAccepts = obj({ plaintext: bool, meshMtls: bool, otherMtls: bool, tlsPassthrough: bool });

const doc = (name, title, properties, required) => ({
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: `${BASE}:${name}:1`,
  title,
  ...obj({ version: { const: 1 }, ...properties, warnings: { type: "array", items: { $ref: "#/$defs/warning" } } }, ["version", ...required, "warnings"]),
  $defs: defs,
});
const list = (item) => ({ type: "array", items: { $ref: `#/$defs/${item}` } });

const documents = {
  explain: doc("explain", "envoy-explain <dump> --port N -o json", { file: str, results: { type: "array", items: { $ref: "#/$defs/explainResult" } } }, ["file", "results"]),
  listeners: doc("listeners", "envoy-explain listeners -o json", { file: str, listeners: list("listenerRow") }, ["file", "listeners"]),
  clusters: doc("clusters", "envoy-explain clusters -o json", { file: str, clusters: list("clusterRow") }, ["file", "clusters"]),
  routes: doc("routes", "envoy-explain routes -o json", { file: str, routes: list("routeRow"), withoutRoutes: strs }, ["file", "routes", "withoutRoutes"]),
  endpoints: doc("endpoints", "envoy-explain endpoints -o json", { file: str, edsInDump: bool, endpoints: list("endpointRow"), withoutEndpoints: strs }, ["file", "edsInDump", "endpoints", "withoutEndpoints"]),
  secrets: doc("secrets", "envoy-explain secrets -o json", { file: str, secrets: list("secretRow") }, ["file", "secrets"]),
  all: doc(
    "all",
    "envoy-explain all -o json",
    { file: str, listeners: list("listenerRow"), clusters: list("clusterRow"), routes: list("routeRow"), endpoints: list("endpointRow"), secrets: list("secretRow") },
    ["file", "listeners", "clusters", "routes", "endpoints", "secrets"],
  ),
  "tls-check": doc(
    "tls-check",
    "envoy-explain tls-check -o json",
    {
      client: nullable(str),
      server: nullable(str),
      rows: {
        type: "array",
        items: obj(
          {
            host: str,
            port: int,
            cluster: str,
            client: obj({ mode: str, sends: str, endpoint: str, notes: strs }, ["mode", "sends", "notes"]),
            server: obj({ port: int, mode: str, chain: str, outcome: str }),
            status: { enum: ["OK", "CONFLICT", "PLAINTEXT", "UNKNOWN"] },
            reason: str,
          },
          ["host", "port", "client", "server", "status", "reason"],
        ),
      },
      serverPorts: {
        type: "array",
        items: obj({ port: int, mode: { enum: ["STRICT", "PERMISSIVE", "DISABLE", "CUSTOM"] }, accepts: portAccepts, detail: str }),
      },
      clientClusters: { type: "array", items: obj({ cluster: str, mode: str, sends: strs, notes: strs }) },
      notes: strs,
      // The server's mesh (else the client's): the modes are Istio's words; the table says them plainly elsewhere.
      mesh: { enum: ["Istio", "Open Service Mesh", "Kuma", "Consul", "Cilium", "Envoy"] },
    },
    ["client", "server", "rows", "serverPorts", "clientClusters", "notes"],
  ),
  overview: doc(
    "overview",
    "envoy-explain <dump> -o json (no --port)",
    {
      file: str,
      proxy: obj(
        {
          mesh: { enum: ["Istio", "Open Service Mesh", "Kuma", "Consul", "Cilium", "Envoy"] },
          meshVersion: str,
          envoyVersion: str,
          role: { enum: ["sidecar", "gateway", "waypoint", "plain Envoy"] },
          id: str,
          workload: str,
          namespace: str,
          ips: strs,
          traffic: obj({ captures: bool, how: str }),
          resources: obj({ listeners: int, clusters: int, routes: int, endpoints: int, secrets: int }),
        },
        ["mesh", "role", "ips", "traffic", "resources"],
      ),
      ports: {
        type: "array",
        items: obj({
          port: int,
          mode: { enum: ["STRICT", "PERMISSIVE", "DISABLE", "CUSTOM"] },
          modeText: str,
          accepts: portAccepts,
          detail: str,
          replays: { type: "array", items: obj({ client: str, outcome: str, chain: nullable(str), listener: nullable(str) }) },
        }),
      },
      noPorts: str,
      outbound: obj({ clusters: int, mtls: int, tls: int, plaintext: int, auto: int, other: int }),
      findings: list("finding"),
    },
    ["file", "proxy", "ports", "outbound", "findings"],
  ),
  log: doc(
    "log",
    "envoy-explain <dump> --log LINE -o json",
    {
      file: str,
      results: {
        type: "array",
        items: {
          allOf: [
            { $ref: "#/$defs/explainResult" },
            obj(
              {
                log: obj({ line: int, format: str, fields: { type: "object", additionalProperties: str } }),
                logged: obj({ responseCode: int, responseFlags: strs, details: str, cluster: str, outcome: nullable({ $ref: "#/$defs/outcomeCode" }) }, ["responseFlags"]),
                assumed: strs,
                reproduces: bool,
                reason: str,
              },
              ["log", "logged", "assumed", "reproduces", "reason"],
            ),
          ],
        },
      },
    },
    ["file", "results"],
  ),
  check: doc("check", "envoy-explain check <dump>… -o json", { files: strs, findings: list("finding") }, ["files", "findings"]),
  diff: doc(
    "diff",
    "envoy-explain diff -o json",
    {
      before: str,
      after: str,
      summary: strs,
      changes: {
        type: "array",
        items: obj(
          { kind: { enum: ["listener", "cluster", "route", "endpoint", "secret", "bootstrap"] }, name: str, path: str, change: { enum: ["added", "removed", "modified", "reordered"] }, before: {}, after: {}, meaning: str },
          ["kind", "name", "path", "change", "meaning"],
        ),
      },
      impact: { type: "array", items: obj({ port: int, client: str, before: str, after: str }) },
    },
    ["before", "after", "summary", "changes"],
  ),
};

// `diff DIR_BEFORE DIR_AFTER`: the fleet diff (src/analyses/fleetdiff.ts). A changed proxy carries its diff as `diff`'s
// document does (summary, impact, changes), without the values before and after.
const diffChange = documents.diff.properties.changes.items;
const fleetChange = obj(
  Object.fromEntries(Object.entries(diffChange.properties).filter(([k]) => k !== "before" && k !== "after")),
  diffChange.required,
);
documents["fleet-diff"] = doc(
  "fleet-diff",
  "envoy-explain diff DIR_BEFORE DIR_AFTER -o json",
  {
    before: str,
    after: str,
    counts: obj({ compared: int, changed: int, unchanged: int, added: int, removed: int }),
    modeChanges: { type: "array", items: obj({ proxy: str, port: int, before: str, after: str }) },
    impact: obj({ connections: int, proxies: strs }),
    collisions: { type: "array", items: obj({ side: { enum: ["before", "after"] }, name: str, files: strs }) },
    failed: { type: "array", items: obj({ side: { enum: ["before", "after"] }, file: str, message: str }) },
    proxies: {
      type: "array",
      items: obj(
        {
          proxy: str,
          by: { enum: ["name", "file"] },
          status: { enum: ["changed", "unchanged", "added", "removed"] },
          before: str,
          after: str,
          names: obj({ before: str, after: str }, []),
          summary: strs,
          impact: documents.diff.properties.impact,
          changes: { type: "array", items: fleetChange },
        },
        ["proxy", "by", "status"],
      ),
    },
  },
  ["before", "after", "counts", "modeChanges", "collisions", "failed", "proxies"],
);

// `tls-check DIR` and `check DIR`: the fleet (src/analyses/fleet.ts, src/fleetdoc.ts).
const status = { enum: ["OK", "CONFLICT", "PLAINTEXT", "UNKNOWN"] };
const fleetProxies = {
  type: "array",
  items: obj({ name: str, file: str, role: str, mesh: str, ips: strs, ports: { type: "array", items: obj({ port: int, mode: str }) }, clusters: int, noPort: str }, ["name", "file", "role", "mesh", "ips", "ports", "clusters"]),
};
const fleetSummary = obj({ proxies: int, pairs: int, rows: int, byStatus: obj({ OK: int, CONFLICT: int, PLAINTEXT: int, UNKNOWN: int }), outside: int, replays: int });
const fleetFailed = { type: "array", items: obj({ file: str, message: str }) };
documents["fleet-tls-check"] = doc(
  "fleet-tls-check",
  "envoy-explain tls-check DIR -o json",
  {
    files: strs,
    proxies: fleetProxies,
    summary: fleetSummary,
    rows: {
      type: "array",
      items: obj({
        client: str,
        cluster: str,
        host: str,
        port: int,
        clientMode: str,
        sends: str,
        server: str,
        serverPort: int,
        serverMode: str,
        chain: str,
        outcome: str,
        status,
        reason: str,
        servers: { type: "array", items: obj({ name: str, status, by: { enum: ["eds", "host", "sni", "name"] }, endpoints: strs }) },
      }),
    },
    notes: strs,
    failed: fleetFailed,
  },
  ["files", "proxies", "summary", "rows", "notes", "failed"],
);
documents["fleet-check"] = doc(
  "fleet-check",
  "envoy-explain check DIR -o json",
  { files: strs, proxies: fleetProxies, summary: fleetSummary, findings: list("finding"), failed: fleetFailed },
  ["files", "proxies", "summary", "findings", "failed"],
);

const check = process.argv.includes("--check");
const dir = path.join(root, "schema");
fs.mkdirSync(dir, { recursive: true });
let stale = 0;
for (const [name, schema] of Object.entries(documents)) {
  const file = path.join(dir, `${name}.json`);
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  if (check) {
    if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) {
      console.error(`schema/${name}.json differs from what scripts/schemas.mjs writes`);
      stale++;
    }
  } else fs.writeFileSync(file, text);
}
process.exit(stale ? 1 : 0);
