// The core (what the page's worker runs) is free of Node built-ins, and the pieces written to make it
// so give what Node gave: net.isIP, X509Certificate's subject, issuer, serial, dates and SANs. Also
// the built page: one file, its CSP allowing exactly its own inline script and style and no network.
import { test } from "uvu";
import * as assert from "uvu/assert";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import zlib from "node:zlib";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isIP, parseIp } from "../src/explain/ip.js";
import { readCertificate } from "../src/model/x509.js";
import { parseCertificates } from "../src/model/secret.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(root, "src");

// ---- the import walk --------------------------------------------------------------------------------
/** Edge modules: they read files, spawn kubectl, inflate with zlib or run threads; the core never imports them (types aside). */
const EDGES = new Set(["cli.ts", "main.ts", "index.ts", "heavy.ts", "lazy-node.ts", "load/dump.ts", "load/open.ts", "load/pod.ts", "load/read.ts", "load/scan.ts", "load/scan-worker.ts"].map((f) => path.join(src, f)));
/**
 * Core modules still waiting for a change their owners make (the web build stands in for it meanwhile:
 * scripts/build.mjs, `define`): they are reported, not failed. Remove an entry
 * when its file is clean; the test says when.
 */
const PENDING = new Map<string, string>();
/** The core's roots: every module under these, and everything they import. */
const CORE_DIRS = ["load", "model", "explain", "analyses", "findings", "render"].map((d) => path.join(src, d));
const CORE_FILES = ["documents.ts", "diag.ts", "progress.ts", "redacted.ts", "version.ts", "web/worker.ts"].map((f) => path.join(src, f));

function listTs(dir: string): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith(".ts")) out.push(p);
    }
  }
  return out;
}

/** The module's code with comments and string/template contents blanked (so words in prose or messages do not count). */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/(^|[^:\\])\/\/.*$/gm, "$1")
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
}

/** Value imports (not `import type`), resolved to files. */
function imports(file: string, text: string): string[] {
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(?!type\s)(?:[^'";]*?\s+from\s+)?["']([^"']+)["']/gm;
  for (let m; (m = re.exec(text)); ) {
    const spec = m[2]!;
    if (/^\s*(import|export)\s+\{[^}]*\}\s+from/.test(m[0]) && /^\s*(import|export)\s+\{\s*(type\s+\w+\s*,?\s*)+\}/.test(m[0])) continue;
    out.push(spec.startsWith(".") ? path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts")) : spec);
  }
  const dyn = /import\(\s*["']([^"']+)["']\s*\)/g;
  for (let m; (m = dyn.exec(text)); ) out.push(m[1]!.startsWith(".") ? path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, ".ts")) : m[1]!);
  return out;
}

const NODE_GLOBALS = /\b(Buffer|process|require|__dirname|__filename|setImmediate|global)\s*[.(\[]|\bimport\.meta\.(url|dirname|filename|resolve)\b/;

test("the core (load's core, model, explain, analyses, findings, render) imports no Node built-in and uses no Node-only global", () => {
  const seen = new Set<string>();
  const queue = [...CORE_DIRS.flatMap(listTs), ...CORE_FILES].filter((f) => !EDGES.has(f) && !f.includes(`${path.sep}gen${path.sep}`));
  const problems: string[] = [];
  const pendingSeen = new Set<string>();
  while (queue.length) {
    const f = queue.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const text = fs.readFileSync(f, "utf8");
    const code = codeOnly(text);
    const rel = path.relative(root, f);
    const bad: string[] = [];
    for (const spec of imports(f, text)) {
      if (/^node:|^(fs|path|os|net|zlib|crypto|child_process|worker_threads|stream|module|url|util|buffer)(\/|$)/.test(spec)) bad.push(`imports ${spec}`);
      else if (EDGES.has(spec)) bad.push(`imports the edge module ${path.relative(root, spec)}`);
      else if (spec.startsWith(src)) queue.push(spec);
    }
    const g = NODE_GLOBALS.exec(code);
    if (g) bad.push(`uses ${g[0]}`);
    if (!bad.length) continue;
    if (PENDING.has(f)) pendingSeen.add(f);
    else problems.push(`${rel}: ${bad.join(", ")}`);
  }
  assert.ok(seen.size > 60, `walked ${seen.size} modules`);
  assert.ok(seen.has(path.join(src, "load/core.ts")) && seen.has(path.join(src, "render/explain.ts")) && seen.has(path.join(src, "model/secret.ts")));
  for (const [f, why] of PENDING) {
    if (!pendingSeen.has(f)) console.log(`note: ${path.relative(root, f)} is free of Node now: remove it from PENDING in test/web-core.test.ts`);
    else console.log(`note: pending in ${path.relative(root, f)}: ${why}`);
  }
  assert.equal(problems, []);
});

test("the walk finds what it must: a core module importing node:fs, Buffer or an edge module would be reported", () => {
  const text = `import fs from "node:fs";\nimport { loadFile } from "./load/dump.js";\nimport type { X } from "node:net";\nconst b = Buffer.from("x");\n// process.env in a comment is fine\nconst s = "process.env in a string is fine";\n`;
  const specs = imports(path.join(src, "x.ts"), text);
  assert.ok(specs.includes("node:fs"));
  assert.ok(specs.includes(path.join(src, "load/dump.ts")));
  assert.not.ok(specs.includes("node:net"), "a type-only import is not a runtime import");
  const code = codeOnly(text);
  assert.equal(NODE_GLOBALS.exec(code)?.[0], "Buffer.");
  assert.not.ok(NODE_GLOBALS.test(codeOnly(`// process.env\nconst s = "process.env";`)));
});

// ---- net.isIP -------------------------------------------------------------------------------------
test("isIP is Node's net.isIP on addresses, near-addresses and junk", () => {
  const cases = ["1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", " 1.2.3.4", "::", "::1", "::0", "::ffff:10.0.0.1", "fe80::1%eth0", "2001:db8::10", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1::2::3", "[::1]", "gggg::1", "::ffff:256.1.1.1", "", "abc", "10.0.0.1/8", "2001:DB8:0:0:0:0:0:1", "1:2:3:4:5:6:1.2.3.4", "x".repeat(200)];
  for (const c of cases) assert.is(isIP(c), net.isIP(c), c);
  assert.equal(parseIp("[2001:db8::10]"), { family: 6, value: 0x20010db8000000000000000000000010n });
  assert.equal(parseIp("::ffff:10.0.0.1"), { family: 4, value: 0x0a000001n });
});

test("isIP takes linear time on long near-addresses: none is an address, as Node says (its time: scripts/guards.ts)", () => {
  for (let i = 0; i < 200; i++) {
    const s = `${"1:".repeat(60)}:${"a".repeat(i % 7)}`;
    assert.is(isIP(s), net.isIP(s), s);
    assert.is(isIP(s), 0);
  }
});

// ---- X.509 ----------------------------------------------------------------------------------------
/** Every certificate PEM in a dump's text: inline strings and base64 inline bytes. */
function pemsIn(text: string): string[] {
  const out = new Set<string>();
  const stack: unknown[] = [JSON.parse(text)];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") {
      const s = /^LS0tLS1CRUdJTi/.test(v) ? Buffer.from(v, "base64").toString("utf8") : v;
      for (const m of s.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) out.add(m);
    } else if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === "object") stack.push(...Object.values(v));
  }
  return [...out];
}

const CERT_FILES = [
  "samples/real/istio/deathstarbench-geo-1.18.2.config_dump.json.gz",
  "samples/real/findings/istio-secret-istio.config_dump.json",
  "samples/real/findings/istio-secret-spire.config_dump.json",
  "test/corpus/istio/head-secret-istio-config_dump.json",
];

test("readCertificate gives Node's X509Certificate subject, issuer, serial, dates and SANs on the real certificates in the samples", () => {
  let n = 0;
  for (const f of CERT_FILES) {
    const raw = fs.readFileSync(path.join(root, f));
    const text = (f.endsWith(".gz") ? zlib.gunzipSync(raw) : raw).toString("utf8");
    const pems = pemsIn(text);
    assert.ok(pems.length > 0, `${f} holds certificates`);
    for (const pem of pems) {
      const node = new crypto.X509Certificate(pem);
      const ours = readCertificate(pem);
      assert.is(ours.subject, node.subject ?? "", `${f}: subject`);
      assert.is(ours.issuer, node.issuer ?? "", `${f}: issuer`);
      assert.is(ours.serialNumber, node.serialNumber, `${f}: serial`);
      assert.is(ours.notBefore.toISOString(), new Date(node.validFrom).toISOString(), `${f}: notBefore`);
      assert.is(ours.notAfter.toISOString(), new Date(node.validTo).toISOString(), `${f}: notAfter`);
      assert.is(ours.subjectAltName, node.subjectAltName ?? "", `${f}: SANs`);
      n++;
    }
  }
  assert.ok(n >= 4, `${n} certificates compared`);
});

test("readCertificate matches Node on certificates with names Node escapes, an IPv6 SAN and a two-valued RDN (made here with openssl's shapes by Node's own key pair)", () => {
  // No certificate of ours needs escaping; this one is built in DER by hand from the parts RFC 5280 names.
  const der = (tag: number, ...parts: Uint8Array[]) => {
    const body = Buffer.concat(parts);
    const len = body.length < 128 ? Buffer.from([body.length]) : body.length < 256 ? Buffer.from([0x81, body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 255]);
    return Buffer.concat([Buffer.from([tag]), len, body]);
  };
  const oidBytes = (s: string) => {
    const p = s.split(".").map(Number);
    const out = [40 * p[0]! + p[1]!];
    for (const x of p.slice(2)) {
      const bytes = [x & 0x7f];
      for (let v = x >> 7; v; v >>= 7) bytes.unshift((v & 0x7f) | 0x80);
      out.push(...bytes);
    }
    return der(0x06, Buffer.from(out));
  };
  const atv = (o: string, v: string) => der(0x30, oidBytes(o), der(0x0c, Buffer.from(v, "utf8")));
  const nameDer = der(0x30, der(0x31, atv("2.5.4.3", "a,b+c \"q\" <x>;"), atv("2.5.4.10", "Org")), der(0x31, atv("2.5.4.11", " lead#")), der(0x31, atv("1.2.3.4", "x")));
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const sigAlg = der(0x30, oidBytes("1.2.840.10045.4.3.2"));
  const san = der(0x30, der(0x82, Buffer.from("a.example")), der(0x86, Buffer.from("spiffe://td/ns/x/sa/y")), der(0x87, Buffer.from([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])), der(0x87, Buffer.from([10, 0, 0, 1])));
  const ext = der(0xa3, der(0x30, der(0x30, oidBytes("2.5.29.17"), der(0x04, san))));
  const tbs = der(0x30, der(0xa0, der(0x02, Buffer.from([2]))), der(0x02, Buffer.from([0x00, 0x8f, 0x01])), sigAlg, nameDer, der(0x30, der(0x17, Buffer.from("240101000000Z")), der(0x18, Buffer.from("20510101000000Z"))), nameDer, spki, ext);
  const sig = crypto.sign("sha256", tbs, privateKey);
  const cert = der(0x30, tbs, sigAlg, der(0x03, Buffer.concat([Buffer.from([0]), sig])));
  const pem = `-----BEGIN CERTIFICATE-----\n${cert.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`;
  const node = new crypto.X509Certificate(pem);
  const ours = readCertificate(pem);
  assert.is(ours.subject, node.subject);
  assert.is(ours.issuer, node.issuer);
  assert.is(ours.serialNumber, node.serialNumber);
  assert.is(ours.notBefore.toISOString(), new Date(node.validFrom).toISOString());
  assert.is(ours.notAfter.toISOString(), new Date(node.validTo).toISOString());
  assert.is(ours.subjectAltName, node.subjectAltName);
});

test("a block that is not a certificate is no certificate (the secrets listing says unreadable), and a truncated one throws rather than reading past its end", () => {
  assert.equal(parseCertificates("-----BEGIN CERTIFICATE-----\nMIIBIjAN\n-----END CERTIFICATE-----"), []);
  assert.throws(() => readCertificate(new Uint8Array([0x30, 0x82, 0xff, 0xff, 0x30])));
  assert.throws(() => readCertificate(new Uint8Array([0x30, 0x03, 0x02, 0x05, 0x00])));
});

// ---- the built page ---------------------------------------------------------------------------------
const PAGE = path.join(root, "dist/web/index.html");

test("the build writes one self-contained page whose CSP allows exactly its inline script and style, and no network", () => {
  assert.ok(fs.existsSync(PAGE), "npm test builds dist/ first (scripts/build.mjs)");
  const html = fs.readFileSync(PAGE, "utf8");
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "";
  const directives = new Map(csp.split(/;\s*/).map((d) => [d.split(" ")[0]!, d.split(" ").slice(1).join(" ")]));
  assert.is(directives.get("default-src"), "'none'");
  assert.is(directives.get("connect-src"), "'none'");
  assert.is(directives.get("worker-src"), "blob:");
  for (const d of ["img-src", "font-src", "form-action", "base-uri", "object-src"]) assert.is(directives.get(d), "'none'", d);
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  assert.is(scripts.length, 1);
  assert.is(styles.length, 1);
  const hash = (s: string) => `'sha256-${crypto.createHash("sha256").update(s, "utf8").digest("base64")}'`;
  assert.is(directives.get("script-src"), hash(scripts[0]!));
  assert.is(directives.get("style-src"), hash(styles[0]!));
  // Nothing is loaded from anywhere: no src=, href= or url( in the markup outside the script.
  const markup = html.replace(/<script>[\s\S]*?<\/script>/, "");
  assert.not.match(markup, /\s(src|href)=/);
  assert.not.match(markup, /url\(/);
  assert.not.match(scripts[0]!, /<\/script/i);
  assert.ok(!/unsafe-inline|unsafe-eval|https?:/.test(csp), csp);
});

test("`envoy-explain web` prints the page's path; a stray argument is a usage error (exit 2)", () => {
  const bin = path.join(root, "bin/envoy-explain.js");
  const r = spawnSync(process.execPath, [bin, "web"], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  const printed = r.stdout.trim();
  assert.ok(path.isAbsolute(printed), printed);
  assert.is(fs.realpathSync(printed), fs.realpathSync(PAGE));
  const bad = spawnSync(process.execPath, [bin, "web", "--opne"], { encoding: "utf8" });
  assert.is(bad.status, 2, bad.stdout + bad.stderr);
});

test.run();
