// A live pod as input: the tool runs `kubectl exec` into the proxy's container. A stand-in kubectl
// on PATH records its arguments and answers as the real one would.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = path.resolve(import.meta.dirname, "..");
const BIN = path.join(root, "bin/envoy-explain.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-pod-"));
const log = path.join(tmp, "kubectl.log");
const sample = path.join(root, "samples/modern-permissive.json");

/** A kubectl that logs each call and behaves as MODE says: istio (pilot-agent), curl-only, notfound. */
fs.writeFileSync(
  path.join(tmp, "kubectl"),
  `#!/bin/sh
echo "$*" >> "${log}"
case "$KUBECTL_MODE:$*" in
  notfound:*) echo 'Error from server (NotFound): pods "nope" not found' >&2; exit 1 ;;
  istio:*pilot-agent*) cat "${sample}"; exit 0 ;;
  curl-only:*pilot-agent*) echo 'OCI runtime exec failed: exec failed: unable to start container process: exec: "pilot-agent": executable file not found in $PATH: unknown' >&2; echo 'command terminated with exit code 126' >&2; exit 126 ;;
  curl-only:*curl*localhost:19000/config_dump*) cat "${sample}"; exit 0 ;;
esac
echo "unexpected call: $*" >&2
exit 1
`,
  { mode: 0o755 },
);

function run(mode: string, ...args: string[]) {
  fs.rmSync(log, { force: true });
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, PATH: `${tmp}${path.delimiter}${process.env.PATH}`, KUBECTL_MODE: mode } });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
  return { ...r, calls };
}

test("pod/NAME.NAMESPACE: kubectl exec into istio-proxy runs pilot-agent, and its dump is explained", () => {
  const r = run("istio", "pod/productpage-v1-7bbd.default", "-p", "9080", "-c", "curl-mtls", "-o", "json", "--context", "kind-mesh");
  assert.is(r.status, 0, r.stderr);
  assert.is(r.calls.length, 1);
  assert.is(r.calls[0], "--context kind-mesh exec productpage-v1-7bbd -n default -c istio-proxy -- pilot-agent request GET config_dump?include_eds");
  const doc = JSON.parse(r.stdout);
  assert.is(doc.file, "pod/productpage-v1-7bbd.default");
  assert.ok(doc.results[0].outcome.code);
});

test("other meshes: no pilot-agent, so the admin port through curl (--container, --admin-port, -n)", () => {
  const r = run("curl-only", "listeners", "pod/web-0", "-n", "shop", "--container", "envoy", "--admin-port", "19000", "-o", "json");
  assert.is(r.status, 0, r.stderr);
  assert.is(r.calls.length, 2);
  assert.match(r.calls[1]!, /^exec web-0 -n shop -c envoy -- curl -sS --fail http:\/\/localhost:19000\/config_dump\?include_eds$/);
  assert.ok(JSON.parse(r.stdout).listeners.length > 0);
});

test("kubectl's error comes back as one line with exit 2", () => {
  const r = run("notfound", "pod/nope", "-p", "80");
  assert.is(r.status, 2);
  assert.is(r.stderr.trim(), 'envoy-explain: error: pod/nope: kubectl: Error from server (NotFound): pods "nope" not found');
});

test("kubectl missing from PATH is a clear exit 2", () => {
  const empty = path.join(tmp, "empty");
  fs.mkdirSync(empty, { recursive: true });
  const r = spawnSync(process.execPath, [BIN, "pod/x", "-p", "80"], { encoding: "utf8", env: { ...process.env, PATH: empty } });
  assert.is(r.status, 2);
  assert.match(r.stderr, /kubectl is not on PATH/);
});

test("diff pod/a.ns saved.json compares a live pod with a file", () => {
  const r = run("istio", "diff", "pod/reviews-v1.default", sample);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /no semantic changes/);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
