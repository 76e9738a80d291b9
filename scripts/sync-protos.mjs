#!/usr/bin/env node
// Copies the import closure of scripts/proto-roots.txt out of the npm package
// @grpc/grpc-js-xds (which ships Envoy's v3 API, xds/udpa, protoc-gen-validate and googleapis
// under deps/) into proto/, patches validate.proto, and writes proto/MANIFEST.json.
// Maintainers only: needs the npm registry. `npm run gen` then regenerates src/gen from proto/.
// No package ships Istio's own filter configs of the 1.1-1.5 era: minimal copies written from the
// upstream definitions live in scripts/local-protos/ and are copied in too, named in the manifest.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PKG = "@grpc/grpc-js-xds";
const VERSION = "1.14.1";
const INTEGRITY =
  "sha512-F2mVXwEeMWw1znPUrp+8ykjsIOVnf7Rv+EyIvXOfz73w5tNolCnzokpLkE/d2Ehx30PJmZXqCQdMpx8DcBJohA==";
const INCLUDE_DIRS = ["envoy-api", "xds", "protoc-gen-validate", "googleapis"];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const protoDir = path.join(root, "proto");
const localDir = path.join(root, "scripts", "local-protos");
/** Where each local proto was written from (upstream repository and path; all Apache-2.0). */
const LOCAL_SOURCES = {
  "istio/envoy/config/filter/http/alpn/v2alpha1/config.proto": "github.com/istio/api envoy/config/filter/http/alpn/v2alpha1/config.proto (1.4+ form)",
  "istio/envoy/config/filter/http/authn/v2alpha1/config.proto": "github.com/istio/api envoy/config/filter/http/authn/v2alpha1/config.proto",
  "istio/authentication/v1alpha1/policy.proto": "github.com/istio/api authentication/v1alpha1/policy.proto",
  "istio/mixer/v1/attributes.proto": "github.com/istio/api mixer/v1/attributes.proto (Attributes only, gogoproto options dropped)",
  "istio/mixer/v1/config/client/client_config.proto": "github.com/istio/api mixer/v1/config/client/client_config.proto as of Istio 1.1-1.4 (api_spec and quota messages as Struct)",
  "istio/stats/config.proto": "github.com/istio/proxy source/extensions/filters/http/istio_stats/config.proto",
  "istio/metadata_exchange/metadata_exchange.proto": "github.com/istio/proxy source/extensions/filters/network/metadata_exchange/config/metadata_exchange.proto",
};

function readRoots() {
  return fs
    .readFileSync(path.join(root, "scripts", "proto-roots.txt"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}

function fetchPackage() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "xds-protos-"));
  const out = execFileSync("npm", ["pack", `${PKG}@${VERSION}`, "--json", "--pack-destination", tmp], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [info] = JSON.parse(out);
  if (info.integrity !== INTEGRITY) {
    throw new Error(`${PKG}@${VERSION}: integrity ${info.integrity} does not match the pinned ${INTEGRITY}`);
  }
  execFileSync("tar", ["xzf", path.join(tmp, info.filename), "-C", tmp]);
  return path.join(tmp, "package", "deps");
}

function importsOf(file) {
  const src = fs
    .readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "");
  return [...src.matchAll(/^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm)].map((m) => m[1]);
}

function main() {
  const deps = fetchPackage();
  const locate = (rel) => {
    if (Object.hasOwn(LOCAL_SOURCES, rel)) return { dir: "local", abs: path.join(localDir, rel) };
    for (const d of INCLUDE_DIRS) {
      const p = path.join(deps, d, rel);
      if (fs.existsSync(p)) return { dir: d, abs: p };
    }
    return null;
  };
  // Walk the closure. A file whose closure is incomplete (imports a file the package lacks)
  // is excluded together with everything that needs it.
  const found = new Map(); // rel -> {dir, abs, imports}
  const missing = new Map(); // rel -> reason
  const visit = (rel, from) => {
    if (rel.startsWith("google/protobuf/")) return true; // well-known types: bundled by protobufjs/buf
    if (found.has(rel)) return true;
    if (missing.has(rel)) return false;
    const loc = locate(rel);
    if (!loc) {
      missing.set(rel, `not in ${PKG}@${VERSION} (imported by ${from})`);
      return false;
    }
    const entry = { ...loc, imports: importsOf(loc.abs) };
    found.set(rel, entry);
    for (const imp of entry.imports) {
      if (!visit(imp, rel)) {
        found.delete(rel);
        missing.set(rel, `imports unavailable ${imp}`);
        return false;
      }
    }
    return true;
  };
  const roots = readRoots();
  for (const r of roots) if (!visit(r, "proto-roots.txt")) throw new Error(`root ${r}: ${missing.get(r)}`);

  // proto/README.md and proto/LICENSE are written by hand: kept across a sync.
  const kept = ["README.md", "LICENSE"].filter((f) => fs.existsSync(path.join(protoDir, f))).map((f) => [f, fs.readFileSync(path.join(protoDir, f))]);
  fs.rmSync(protoDir, { recursive: true, force: true });
  fs.mkdirSync(protoDir, { recursive: true });
  for (const [f, bytes] of kept) fs.writeFileSync(path.join(protoDir, f), bytes);
  const files = [];
  for (const [rel, { dir, abs }] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
    let text = fs.readFileSync(abs, "utf8");
    const patched = rel === "validate/validate.proto";
    if (patched) text = patchValidate(text);
    fs.mkdirSync(path.dirname(path.join(protoDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(protoDir, rel), text);
    files.push({
      path: rel,
      from: dir,
      sha256: crypto.createHash("sha256").update(text).digest("hex"),
      ...(patched ? { patched: true } : {}),
      ...(dir === "local" ? { source: LOCAL_SOURCES[rel] } : {}),
    });
  }
  const manifest = {
    source: `${PKG}@${VERSION}`,
    integrity: INTEGRITY,
    includeDirs: INCLUDE_DIRS.map((d) => `deps/${d}`),
    local: "scripts/local-protos: minimal copies of Istio's own filter configs (no package ships them); each file's source is named below",
    roots,
    patched: [{ path: "validate/validate.proto", why: "add StringRules.ignore_empty = 26 (the Envoy protos use it; protoc and buf reject them without it)" }],
    excluded: [...missing].map(([p, reason]) => ({ path: p, reason })),
    files,
  };
  fs.writeFileSync(path.join(protoDir, "MANIFEST.json"), JSON.stringify(manifest, null, 2) + "\n");
  console.log(`proto/: ${files.length} files from ${PKG}@${VERSION} (${missing.size} excluded)`);
}

function patchValidate(text) {
  if (/ignore_empty\s*=\s*26/.test(text)) return text;
  const at = text.indexOf("message StringRules {");
  if (at < 0) throw new Error("validate.proto: StringRules not found; the patch needs updating");
  const close = findClosingBrace(text, text.indexOf("{", at));
  return `${text.slice(0, close)}  // envoy-explain patch: present in upstream protoc-gen-validate, missing from this snapshot.\n  optional bool ignore_empty = 26;\n${text.slice(close)}`;
}

function findClosingBrace(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  throw new Error("unbalanced braces");
}

main();
