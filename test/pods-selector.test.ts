// Live pods by label selector: listPods runs `kubectl get pods -l … [-n NS | -A] -o json`, readPodDumps
// fetches the dumps a few at a time. A stand-in kubectl (test/support/kubectl-pods.sh) on PATH records
// each call's arguments exactly and answers `get pods` with a list in kubectl's shape (written from
// Kubernetes' documented Pod shape: test/support/podlist.ts) and `exec` with a real dump from samples/.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { InputError } from "../src/diag.js";
import { checkPodSelection, labelSelectorProblem, listPods, PodOptionError, readPodDump, readPodDumps, type PodDump } from "../src/load/pod.js";
import { pod, podList } from "./support/podlist.js";

const root = path.resolve(import.meta.dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-pods-"));
const bin = path.join(tmp, "bin");
const log = path.join(tmp, "calls.log");
const events = path.join(tmp, "events.log");
const podsFile = path.join(tmp, "pods.json");
// Istio's own test data (samples/README.md): an admin config dump of productpage-v1.
const dump = path.join(root, "samples/istio-1.3-permissive.json");
const dumpBytes = fs.readFileSync(dump);

const ENV = ["PATH", "KUBECTL_LOG", "KUBECTL_PODS", "KUBECTL_DUMP", "KUBECTL_EVENTS", "KUBECTL_SLEEP", "KUBECTL_GET_ERROR", "KUBECTL_SLOW"] as const;
const saved = new Map<string, string | undefined>(ENV.map((k) => [k, process.env[k]]));

test.before(() => {
  fs.mkdirSync(bin);
  fs.copyFileSync(path.join(root, "test/support/kubectl-pods.sh"), path.join(bin, "kubectl"));
  fs.chmodSync(path.join(bin, "kubectl"), 0o755);
  process.env.PATH = `${bin}${path.delimiter}${saved.get("PATH") ?? ""}`;
  process.env.KUBECTL_LOG = log;
  process.env.KUBECTL_PODS = podsFile;
  process.env.KUBECTL_DUMP = dump;
  process.env.KUBECTL_EVENTS = events;
});
test.before.each(() => {
  for (const f of [log, events, podsFile]) fs.rmSync(f, { force: true });
  delete process.env.KUBECTL_SLEEP;
  delete process.env.KUBECTL_GET_ERROR;
  delete process.env.KUBECTL_SLOW;
});
test.after(() => {
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Each kubectl call's arguments, exactly as kubectl got them. */
function calls(): string[][] {
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => l.split("\x1f").slice(0, -1));
}

/** The most exec processes that ran at once, from the stand-in's start/end lines (appends are ordered in time). */
function mostAtOnce(): { most: number; starts: number } {
  let now = 0;
  let most = 0;
  let starts = 0;
  for (const l of fs.readFileSync(events, "utf8").split("\n").filter(Boolean)) {
    if (l.startsWith("start ")) starts++;
    now += l.startsWith("start ") ? 1 : -1;
    most = Math.max(most, now);
  }
  return { most, starts };
}

async function collect(it: AsyncIterable<PodDump>): Promise<PodDump[]> {
  const out: PodDump[] = [];
  for await (const r of it) out.push(r);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

const reviews = [
  pod({ name: "reviews-v1-5c9d7b8f4-k2x8q", namespace: "shop", app: "reviews" }),
  pod({ name: "reviews-v2-5c9d7b8f4-m4n7p", namespace: "shop", app: "reviews", proxy: "native" }),
  pod({ name: "reviews-v3-5c9d7b8f4-p9r2s", namespace: "shop", app: "reviews", phase: "Pending" }),
  pod({ name: "reviews-v4-5c9d7b8f4-t6w3z", namespace: "shop", app: "reviews", proxy: "none" }),
  pod({ name: "reviews-v5-5c9d7b8f4-b8c1d", namespace: "shop", app: "reviews", proxyState: { waiting: { reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container" } } }),
  pod({ name: "reviews-v6-5c9d7b8f4-f5g6h", namespace: "shop", app: "reviews", deleting: true }),
  pod({ name: "reviews-v7-5c9d7b8f4-j1k2l", namespace: "shop", app: "reviews", phase: "Succeeded" }),
];

test("listPods: -l and -n reach kubectl exactly; running pods with istio-proxy (sidecar or native sidecar) are kept, the rest skipped with why", async () => {
  fs.writeFileSync(podsFile, podList(reviews));
  const r = await listPods({ selector: "app in (reviews, ratings),!canary", namespace: "shop", context: "kind-mesh", kubeconfig: "/home/me/.kube/config" });
  assert.equal(calls(), [["--context", "kind-mesh", "--kubeconfig", "/home/me/.kube/config", "get", "pods", "-l", "app in (reviews, ratings),!canary", "-n", "shop", "-o", "json"]]);
  assert.equal(r.pods, [
    { pod: "reviews-v1-5c9d7b8f4-k2x8q", namespace: "shop" },
    { pod: "reviews-v2-5c9d7b8f4-m4n7p", namespace: "shop" },
  ]);
  assert.equal(r.skipped, [
    { pod: "reviews-v3-5c9d7b8f4-p9r2s", namespace: "shop", reason: "not-running", phase: "Pending" },
    { pod: "reviews-v4-5c9d7b8f4-t6w3z", namespace: "shop", reason: "no-proxy", container: "istio-proxy" },
    { pod: "reviews-v5-5c9d7b8f4-b8c1d", namespace: "shop", reason: "proxy-not-running", container: "istio-proxy", state: "waiting", why: "CrashLoopBackOff" },
    { pod: "reviews-v6-5c9d7b8f4-f5g6h", namespace: "shop", reason: "terminating" },
    { pod: "reviews-v7-5c9d7b8f4-j1k2l", namespace: "shop", reason: "not-running", phase: "Succeeded" },
  ]);
});

test("listPods: -A asks every namespace (no -n) and each pod keeps its own; another container name skips Istio's pods", async () => {
  fs.writeFileSync(podsFile, podList([pod({ name: "reviews-v1-5c9d7b8f4-k2x8q", namespace: "shop", app: "reviews" }), pod({ name: "ratings-v1-7d8e9f0a1-q3r4s", namespace: "rate", app: "ratings" })]));
  const all = await listPods({ selector: "version=v1", allNamespaces: true });
  assert.equal(calls(), [["get", "pods", "-l", "version=v1", "-A", "-o", "json"]]);
  assert.equal(all.pods, [
    { pod: "reviews-v1-5c9d7b8f4-k2x8q", namespace: "shop" },
    { pod: "ratings-v1-7d8e9f0a1-q3r4s", namespace: "rate" },
  ]);
  fs.rmSync(log);
  const envoy = await listPods({ container: "envoy" });
  assert.equal(calls(), [["get", "pods", "-o", "json"]]);
  assert.equal(envoy.pods, []);
  assert.equal(envoy.skipped.map((s) => s.reason === "no-proxy" && s.container), ["envoy", "envoy"]);
});

test("a bad selector (or namespace, or -n with -A) is refused before kubectl runs, with the same words from checkPodSelection", async () => {
  fs.writeFileSync(podsFile, podList(reviews));
  const bad: Array<[string, RegExp]> = [
    ["app=re views", /found "views" where "," or the end belongs/],
    ["app in (a", /found the end in the values of "app"/],
    ["app in a", /found "a" after in, where "\(" belongs/],
    ["a=b,", /after ",", where a label key belongs/],
    ["!k=v", /found "=" where "," or the end belongs/],
    ["_app!=x", /not a label key/],
    ["a/b/c=1", /not a label key/],
    ["app=-reviews", /not a label value/],
    ["replicas>two", /not an integer/],
    ["", /empty/],
  ];
  for (const [selector, why] of bad) {
    const e = await rejection(listPods({ selector, namespace: "shop" }));
    assert.instance(e, PodOptionError, selector);
    assert.instance(e, InputError);
    assert.is((e as PodOptionError).option, "selector");
    assert.match(e.message, why, selector);
    assert.ok(e.message.startsWith(`the label selector ${JSON.stringify(selector)} is not valid: `), e.message);
    assert.throws(() => checkPodSelection({ selector }), (x: Error) => x.message === e.message);
  }
  const ns = await rejection(listPods({ selector: "app=reviews", namespace: "Shop" }));
  assert.is((ns as PodOptionError).option, "namespace");
  assert.match(ns.message, /^the namespace "Shop" is not valid/);
  const both = await rejection(listPods({ selector: "app=reviews", namespace: "shop", allNamespaces: true }));
  assert.is((both as PodOptionError).option, "allNamespaces");
  assert.equal(calls(), [], "kubectl never ran");
});

test("Kubernetes' own selector grammar is accepted (its documented example among them), a long one too (its time: scripts/guards.ts)", () => {
  for (const s of ["app=reviews", "app!=reviews", "app==reviews", "app in (reviews,ratings)", "!canary", "tier", "x in (foo,,baz),y,z notin ()", "app.kubernetes.io/name=reviews", "in=1", "k in (in)", "replicas>2", "replicas<10", "app=", " app = reviews , version in ( v1 , v2 ) "]) {
    assert.is(labelSelectorProblem(s), undefined, s);
  }
  const long = `${"app=reviews,".repeat(200_000)}app=reviews`;
  assert.is(labelSelectorProblem(long), undefined);
  assert.is(labelSelectorProblem(`${long},`), `found the end after ",", where a label key belongs`);
});

test("no pods match: an InputError in kubectl's terms, naming the selector and where it looked", async () => {
  fs.writeFileSync(podsFile, podList([]));
  const e = await rejection(listPods({ selector: "app=reviews", namespace: "default" }));
  assert.instance(e, InputError);
  assert.is((e as InputError).format(), "kubectl get pods: no pods match -l app=reviews in namespace default");
  assert.is((await rejection(listPods({ selector: "app in (a,b)", allNamespaces: true }))).message, "no pods match -l 'app in (a,b)' in any namespace");
  assert.is((await rejection(listPods({ namespace: "empty" }))).message, "no pods in namespace empty");
});

test("kubectl's refusal (forbidden) comes back in its own words; no kubectl on PATH is said so", async () => {
  process.env.KUBECTL_GET_ERROR = 'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:shop:viewer" cannot list resource "pods" in API group "" in the namespace "shop"';
  const e = await rejection(listPods({ selector: "app=reviews", namespace: "shop" }));
  assert.is((e as InputError).format(), `kubectl get pods: kubectl: ${process.env.KUBECTL_GET_ERROR}`);
  const path0 = process.env.PATH;
  process.env.PATH = path.join(tmp, "nowhere");
  try {
    assert.match((await rejection(listPods({ selector: "app=reviews" }))).message, /^kubectl is not on PATH/);
    const [r] = await collect(readPodDumps(["pod/reviews-v1.shop"]));
    assert.match(r!.error!.message, /^kubectl is not on PATH/);
  } finally {
    process.env.PATH = path0;
  }
});

test("readPodDumps: never more than `concurrency` kubectl processes at once (3 of 10 here, 4 by default), progress for each", async () => {
  process.env.KUBECTL_SLEEP = "0.4";
  const refs = Array.from({ length: 10 }, (_, i) => ({ pod: `reviews-v1-5c9d7b8f4-n${i}`, namespace: "shop" }));
  const progress: Array<[number, number, string]> = [];
  const got = await collect(readPodDumps(refs, { concurrency: 3, onProgress: (done, total, ref) => progress.push([done, total, ref]) }));
  const seen = mostAtOnce();
  assert.is(seen.starts, 10);
  // In parallel, from the stand-in's own start and end lines: three ran at once, never more.
  assert.is(seen.most, 3, "three at a time");
  assert.equal(got.map((r) => r.index).sort((a, b) => a - b), [...refs.keys()]);
  for (const r of got) {
    assert.is(r.ref, `pod/${refs[r.index]!.pod}.shop`);
    assert.ok(r.bytes?.equals(dumpBytes), r.ref);
  }
  assert.equal(progress.map((p) => p[0]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(progress.every((p) => p[1] === 10));
  assert.equal(progress.map((p) => p[2]), got.map((r) => r.ref));
  // Each exec is the one readPodDump runs: pilot-agent in istio-proxy, in the pod's namespace.
  assert.equal(calls()[0]!.slice(2), ["-n", "shop", "-c", "istio-proxy", "--", "pilot-agent", "request", "GET", "config_dump?include_eds"]);

  fs.rmSync(events);
  await collect(readPodDumps(refs.slice(0, 6)));
  assert.is(mostAtOnce().most, 4, "four by default");
});

test("one pod's failure is its own result: the others go on (a fallback to curl, a bad name, a missing pod), as they finish", async () => {
  process.env.KUBECTL_SLEEP = "0.05";
  const refs = ["pod/reviews-v1-a.shop", "pod/broken-b.shop", { pod: "-it", namespace: "shop" }, "pod/nopilot-c", "pod/reviews-v1-d.shop"];
  const got = await collect(readPodDumps(refs, { concurrency: 2, namespace: "mesh", container: "envoy", adminPort: 19000 }));
  const by = new Map(got.map((r) => [r.index, r]));
  assert.is(got.length, 5);
  assert.ok(by.get(0)!.bytes?.equals(dumpBytes));
  assert.is(by.get(1)!.error?.format(), 'pod/broken-b.shop: kubectl: Error from server (NotFound): pods "broken-b" not found');
  assert.is(by.get(1)!.bytes, undefined);
  assert.is(by.get(2)!.error?.format(), "pod/-it.shop: not a pod reference (pod/NAME or pod/NAME.NAMESPACE)");
  assert.ok(by.get(3)!.bytes?.equals(dumpBytes), "pilot-agent missing: curl on the admin port");
  assert.ok(by.get(4)!.bytes?.equals(dumpBytes));
  const nopilot = calls().filter((c) => c[1] === "nopilot-c");
  assert.equal(nopilot.map((c) => c.slice(2, 8).join(" ")), ["-n mesh -c envoy -- pilot-agent", "-n mesh -c envoy -- curl"]);
  assert.is(nopilot[1]!.at(-1), "http://localhost:19000/config_dump?include_eds");
  assert.not.ok(calls().some((c) => c.includes("-it")), "a bad name never reaches kubectl");
});

test("readPodDumps runs the same kubectl commands as readPodDump, and a dump over maxBytes is refused in the same words", async () => {
  const o = { namespace: "mesh", context: "kind-mesh", container: "envoy", adminPort: 19000 };
  assert.ok(readPodDump("pod/nopilot-x", o).equals(dumpBytes));
  const one = calls();
  fs.rmSync(log);
  const [r] = await collect(readPodDumps(["pod/nopilot-x"], o));
  assert.ok(r!.bytes?.equals(dumpBytes));
  assert.equal(calls(), one);
  assert.is(one.length, 2);

  const syncError = (() => {
    try {
      readPodDump("pod/reviews-v1.shop", { maxBytes: 100_000 });
    } catch (e) {
      return (e as InputError).format();
    }
  })();
  const [big] = await collect(readPodDumps(["pod/reviews-v1.shop"], { maxBytes: 100_000 }));
  assert.is(big!.bytes, undefined);
  assert.is(big!.error?.format(), syncError);
  assert.match(syncError ?? "", /^pod\/reviews-v1\.shop: the config dump is larger than/);
});

test("results come as they finish, not in the order given (index says where each was)", async () => {
  process.env.KUBECTL_SLEEP = "0.05";
  process.env.KUBECTL_SLOW = "0.8";
  const got = await collect(readPodDumps(["pod/slow-a.shop", "pod/reviews-v1-b.shop", "pod/reviews-v1-c.shop"], { concurrency: 3 }));
  assert.equal(got.slice(0, 2).map((r) => r.index).sort(), [1, 2], "the quick two first");
  assert.is(got.at(-1)!.ref, "pod/slow-a.shop");
  assert.is(got.at(-1)!.index, 0);
  assert.ok(got.every((r) => r.bytes?.equals(dumpBytes)));
});

test("leaving the loop early ends the kubectl processes under way and starts no more", async () => {
  process.env.KUBECTL_SLEEP = "0.4";
  const refs = ["pod/reviews-v1-a.shop", "pod/reviews-v1-b.shop", "pod/reviews-v1-c.shop", "pod/reviews-v1-d.shop"];
  let first: PodDump | undefined;
  for await (const r of readPodDumps(refs, { concurrency: 1 })) {
    first = r;
    // b started as a was handed over: let it begin its 400 ms, then leave.
    await new Promise((res) => setTimeout(res, 150));
    break;
  }
  assert.is(first?.ref, "pod/reviews-v1-a.shop");
  await new Promise((res) => setTimeout(res, 600));
  const lines = fs.readFileSync(events, "utf8").split("\n").filter(Boolean);
  assert.ok(lines.includes("start reviews-v1-b"), lines.join("; "));
  assert.not.ok(lines.includes("end reviews-v1-b"), `b was ended before its 400 ms were up: ${lines.join("; ")}`);
  assert.equal(calls().map((c) => c[1]), ["reviews-v1-a", "reviews-v1-b"], "c and d never started");
});

test("an AbortSignal ends the processes under way and the iteration throws its reason", async () => {
  process.env.KUBECTL_SLEEP = "0.4";
  const stop = new AbortController();
  const got: string[] = [];
  const e = await rejection(
    (async () => {
      for await (const r of readPodDumps(["pod/a.shop", "pod/b.shop", "pod/c.shop"], { concurrency: 1, signal: stop.signal })) {
        got.push(r.ref);
        await new Promise((res) => setTimeout(res, 150));
        stop.abort(new Error("interrupted"));
      }
    })(),
  );
  assert.is(e.message, "interrupted");
  assert.equal(got, ["pod/a.shop"]);
  await new Promise((res) => setTimeout(res, 600));
  const lines = fs.readFileSync(events, "utf8").split("\n").filter(Boolean);
  assert.ok(lines.includes("start b") && !lines.includes("end b"), `b was ended before its 400 ms were up: ${lines.join("; ")}`);
  assert.equal(calls().map((c) => c[1]), ["a", "b"], "c never started");
});

test("concurrency is checked at the call, before any kubectl runs", () => {
  for (const concurrency of [0, -1, 2.5, 65, Number.NaN]) {
    assert.throws(() => readPodDumps(["pod/a.shop"], { concurrency }), (e: Error) => e instanceof PodOptionError && /^concurrency is a whole number from 1 to 64, not /.test(e.message));
  }
  assert.equal(calls(), []);
});

test.run();
