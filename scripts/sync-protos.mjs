#!/usr/bin/env node
// Copies the import closure of scripts/proto-roots.txt out of the npm package
// @grpc/grpc-js-xds (which ships Envoy's v3 API, xds/udpa, protoc-gen-validate and googleapis
// under deps/) into proto/, patches validate.proto, and writes proto/MANIFEST.json.
// Maintainers only: needs the npm registry. `npm run gen` then regenerates src/gen from proto/.
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

  fs.rmSync(protoDir, { recursive: true, force: true });
  const files = [];
  for (const [rel, { dir, abs }] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
    let text = fs.readFileSync(abs, "utf8");
    const patched = rel === "validate/validate.proto";
    if (patched) text = patchValidate(text);
    fs.mkdirSync(path.dirname(path.join(protoDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(protoDir, rel), text);
    files.push({ path: rel, from: dir, sha256: crypto.createHash("sha256").update(text).digest("hex"), ...(patched ? { patched: true } : {}) });
  }
  const manifest = {
    source: `${PKG}@${VERSION}`,
    integrity: INTEGRITY,
    includeDirs: INCLUDE_DIRS.map((d) => `deps/${d}`),
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
