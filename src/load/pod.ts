// A live pod as input: `pod/NAME[.NAMESPACE]`. kubectl exec runs into the proxy container and
// prints the admin config dump, which is read as stdin would be. Istio's proxy has pilot-agent
// (`pilot-agent request GET config_dump?include_eds`); other meshes' proxies answer on the admin
// port through the container's curl or wget.
//
// Many pods at once: listPods asks `kubectl get pods -l SELECTOR [-n NS | -A] -o json` which pods
// have a running proxy, and readPodDumps fetches their dumps a few at a time (async child processes,
// the same attempts, limits and words as readPodDump for one pod).
import { childProcess } from "../lazy-node.js";
import { InputError } from "../diag.js";
import { DEFAULT_MAX_BYTES, MAX_TEXT_BYTES } from "./read.js";

export interface PodOptions {
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  /** The proxy's container (istio-proxy by default). */
  container?: string;
  /** Envoy's admin port, for proxies without pilot-agent (15000 by default). */
  adminPort?: number;
  /** The most bytes read from kubectl. */
  maxBytes?: number;
}

/** One pod: its name and, when known, its namespace (else `namespace` from the options, else the context's). */
export interface PodRef {
  pod: string;
  namespace?: string;
}

/** An option of listPods/readPodDumps the caller got wrong, refused before kubectl runs: a usage error (exit 2). `format()` is the sentence alone. */
export class PodOptionError extends InputError {
  /** The option's field name (selector, namespace, allNamespaces, concurrency). */
  readonly option: string;
  constructor(option: string, message: string) {
    super("options", message);
    this.name = "PodOptionError";
    this.option = option;
  }
  override format(): string {
    return this.message;
  }
}

const POD = /^(?:pod|pods|po)\/([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)(?:\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?))?$/;
/** A DNS-1123 label (a namespace) and subdomain (a pod's name), as Kubernetes validates them. */
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const isNamespace = (s: string): boolean => s.length <= 63 && DNS_LABEL.test(s);
const isPodName = (s: string): boolean => s.length <= 253 && DNS_SUBDOMAIN.test(s);

/** kubectl exec and kubectl get pods wait this long. */
const TIMEOUT_MS = 120_000;
/** Of kubectl's stderr, only the first line is shown: the rest is not kept. */
const STDERR_BYTES = 64 * 1024;

/** The pod and namespace of a `pod/NAME[.NAMESPACE]` argument, or undefined for anything else. */
export function parsePodRef(arg: string): { pod: string; namespace?: string } | undefined {
  const m = POD.exec(arg);
  if (!m) return undefined;
  return { pod: m[1]!, ...(m[2] ? { namespace: m[2] } : {}) };
}

/** The `pod/NAME[.NAMESPACE]` spelling of a pod, as parsePodRef reads it back (for names without dots). */
export function podRefName(p: PodRef): string {
  return `pod/${p.pod}${p.namespace ? `.${p.namespace}` : ""}`;
}

// ---------------------------------------------------------------------------------------------------
// One pod's dump: the attempts and what each outcome means, shared by readPodDump (synchronous, one
// pod) and readPodDumps (child processes, many pods).

/** What one kubectl run gave: its exit status, output, and Node's error code when it could not run or was stopped. */
interface Outcome {
  status: number | null;
  stdout: Buffer;
  stderr: string;
  error?: { code?: string; message: string };
}

/** After one attempt: the dump, the pod's error, or kubectl's complaint with whether the next way in is worth trying. */
type Verdict = { dump: Buffer } | { error: InputError } | { last: string; tryNext: boolean };

function kubectlBase(o: { context?: string; kubeconfig?: string }): string[] {
  return [...(o.context ? ["--context", o.context] : []), ...(o.kubeconfig ? ["--kubeconfig", o.kubeconfig] : [])];
}

function limitOf(o: { maxBytes?: number }): number {
  return Math.min(o.maxBytes ?? DEFAULT_MAX_BYTES, MAX_TEXT_BYTES);
}

/** The kubectl command lines to try for one pod, in order: pilot-agent, then curl, then wget on the admin port. */
function attempts(p: PodRef, o: PodOptions): string[][] {
  const ns = p.namespace ?? o.namespace;
  const base = [...kubectlBase(o), "exec", p.pod, ...(ns ? ["-n", ns] : []), "-c", o.container ?? "istio-proxy", "--"];
  const url = `http://localhost:${o.adminPort ?? 15000}/config_dump?include_eds`;
  return [
    [...base, "pilot-agent", "request", "GET", "config_dump?include_eds"],
    [...base, "curl", "-sS", "--fail", url],
    [...base, "wget", "-qO-", url],
  ];
}

/** kubectl could not be run, or was stopped: the error in the words readPodDump always used. */
function runFailure(ref: string, e: { code?: string; message: string }, maxBytes: number, what = "kubectl exec"): InputError {
  if (e.code === "ENOENT") return new InputError(ref, "kubectl is not on PATH: install it, or save the dump with kubectl exec and pass the file");
  if (e.code === "ENOBUFS") return new InputError(ref, `the ${what === "kubectl exec" ? "config dump" : "pod list"} is larger than ${Math.round(maxBytes / 2 ** 20)} MiB (--max-size sets the limit)`);
  if (e.code === "ETIMEDOUT") return new InputError(ref, `${what} did not finish within ${TIMEOUT_MS / 1000} s`);
  return new InputError(ref, `kubectl: ${e.message}`);
}

function judge(ref: string, r: Outcome, maxBytes: number): Verdict {
  if (r.error) return { error: runFailure(ref, r.error, maxBytes) };
  const stderr = r.stderr.trim();
  if (r.status === 0 && r.stdout.length) return { dump: r.stdout };
  // The command is missing in this container: try the next way in. Anything else is kubectl's answer.
  const tryNext = /executable file not found|not found|no such file|exit code 127|exit status 127|command terminated with exit code 126/i.test(stderr);
  return { last: firstLine(stderr) || `kubectl exited with ${r.status}`, tryNext };
}

/** The proxy's config dump, read through kubectl exec. Throws InputError with kubectl's own words. */
export function readPodDump(ref: string, o: PodOptions = {}): Buffer {
  const p = parsePodRef(ref);
  if (!p) throw new InputError(ref, "not a pod reference (pod/NAME or pod/NAME.NAMESPACE)");
  const maxBytes = limitOf(o);
  let last = "";
  for (const args of attempts(p, o)) {
    const r = childProcess().spawnSync("kubectl", args, { maxBuffer: maxBytes + 1, encoding: "buffer", timeout: TIMEOUT_MS, stdio: ["ignore", "pipe", "pipe"] });
    const err = r.error as NodeJS.ErrnoException | undefined;
    const v = judge(ref, { status: r.status, stdout: r.stdout, stderr: err ? "" : r.stderr.toString("utf8"), ...(err ? { error: { code: err.code, message: err.message } } : {}) }, maxBytes);
    if ("dump" in v) return v.dump;
    if ("error" in v) throw v.error;
    last = v.last;
    if (!v.tryNext) break;
  }
  throw new InputError(ref, `kubectl: ${last}`);
}

/**
 * Runs kubectl as a child process: stdout kept up to `limit` bytes (past it, the process is ended and
 * the outcome is ENOBUFS, as spawnSync says), stderr's first 64 KiB, ended after 120 s (ETIMEDOUT) or
 * when `signal` aborts. Never rejects.
 */
function runKubectl(args: string[], limit: number, signal?: AbortSignal): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let errSize = 0;
    let failure: Outcome["error"];
    let settled = false;
    const settle = (status: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve({ status, stdout: failure ? Buffer.alloc(0) : Buffer.concat(out, size), stderr: Buffer.concat(err).toString("utf8"), ...(failure ? { error: failure } : {}) });
    };
    const stop = (code: string, message: string): void => {
      failure ??= { code, message };
      out.length = 0;
      child.kill();
    };
    const onAbort = (): void => stop("ABORT_ERR", "stopped");
    let child: import("node:child_process").ChildProcess;
    try {
      child = childProcess().spawn("kubectl", args, { stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      // Arguments Node refuses (a NUL byte in --context…): kubectl never ran.
      resolve({ status: null, stdout: Buffer.alloc(0), stderr: "", error: { message: (e as Error).message } });
      return;
    }
    const timer = setTimeout(() => stop("ETIMEDOUT", `did not finish within ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS);
    child.stdout!.on("data", (b: Buffer) => {
      if (failure) return;
      size += b.length;
      if (size > limit) stop("ENOBUFS", "stdout maxBuffer length exceeded");
      else out.push(b);
    });
    child.stderr!.on("data", (b: Buffer) => {
      if (errSize >= STDERR_BYTES) return;
      err.push(b.subarray(0, STDERR_BYTES - errSize));
      errSize += b.length;
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      failure ??= { ...(e.code ? { code: e.code } : {}), message: e.message };
      // Not started at all (no kubectl): no close follows for sure.
      if (child.pid === undefined) settle(null);
    });
    child.on("close", (status) => settle(status));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------------
// Many pods: a label selector's pods, then their dumps a few at a time.

export interface PodSelection {
  /** A Kubernetes label selector (`app=reviews`, `app in (a,b)`, `!canary`, `tier`, comma-separated), checked before kubectl runs. Without it, every pod. */
  selector?: string;
  /** The pods' namespace (kubectl's -n); without it and without allNamespaces, the context's namespace. */
  namespace?: string;
  /** Pods in every namespace (kubectl's -A). Not with `namespace`. */
  allNamespaces?: boolean;
  context?: string;
  kubeconfig?: string;
  /** The proxy's container (istio-proxy by default): pods without it are skipped. */
  container?: string;
  /** The most bytes read from kubectl get pods. */
  maxBytes?: number;
}

/** Why a pod the selector matched is not read. Names, phases and reasons are the cluster's: data, to be escaped when shown. */
export type SkipReason =
  /** status.phase is not Running (Pending, Succeeded, Failed, Unknown). */
  | { reason: "not-running"; phase: string }
  /** Being deleted (metadata.deletionTimestamp is set): kubectl shows it as Terminating. */
  | { reason: "terminating" }
  /** No container of that name, nor a native sidecar (an init container with restartPolicy Always) of that name. */
  | { reason: "no-proxy"; container: string }
  /** The proxy container is there but not running: waiting (CrashLoopBackOff…) or terminated. `why`: the state's reason. */
  | { reason: "proxy-not-running"; container: string; state: "waiting" | "terminated"; why?: string };

export type SkippedPod = PodRef & SkipReason;

export interface PodList {
  /** The running pods with a proxy, in kubectl's order (by namespace, then name). */
  pods: PodRef[];
  /** The pods matched but left out, each with why. */
  skipped: SkippedPod[];
}

/** A namespace as Kubernetes validates it (a DNS-1123 label), or PodOptionError. */
function checkNamespace(ns: unknown): void {
  if (ns !== undefined && (typeof ns !== "string" || !isNamespace(ns)))
    throw new PodOptionError("namespace", `the namespace ${quoted(String(ns))} is not valid: a namespace is at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`);
}

/** The checks listPods makes before running kubectl (the CLI can call it up front). Throws PodOptionError. */
export function checkPodSelection(o: PodSelection): void {
  if (o.selector !== undefined) {
    if (typeof o.selector !== "string") throw new PodOptionError("selector", "the label selector must be text, such as app=reviews");
    const problem = labelSelectorProblem(o.selector);
    if (problem) throw new PodOptionError("selector", `the label selector ${quoted(o.selector)} is not valid: ${problem}`);
  }
  checkNamespace(o.namespace);
  if (o.namespace !== undefined && o.allNamespaces) throw new PodOptionError("allNamespaces", "a namespace and all namespaces at once: give one of them");
}

/** The pods that match, as `kubectl get pods -l SELECTOR [-n NS | -A] -o json` lists them, split into those to read and those skipped. */
export async function listPods(o: PodSelection = {}): Promise<PodList> {
  checkPodSelection(o);
  const where = "kubectl get pods";
  const maxBytes = limitOf(o);
  const args = [...kubectlBase(o), "get", "pods", ...(o.selector !== undefined ? ["-l", o.selector] : []), ...(o.allNamespaces ? ["-A"] : o.namespace ? ["-n", o.namespace] : []), "-o", "json"];
  const r = await runKubectl(args, maxBytes);
  if (r.error) throw runFailure(where, r.error, maxBytes, where);
  if (r.status !== 0) throw new InputError(where, `kubectl: ${firstLine(r.stderr) || `kubectl exited with ${r.status}`}`);
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout.toString("utf8"));
  } catch {
    throw new InputError(where, "kubectl printed something other than JSON");
  }
  const items = isObject(doc) ? doc.items : undefined;
  if (!Array.isArray(items)) throw new InputError(where, "kubectl printed JSON without a list of pods (items)");
  const scope = o.allNamespaces ? "in any namespace" : o.namespace ? `in namespace ${o.namespace}` : "in the current context's namespace";
  if (!items.length) throw new InputError(where, o.selector !== undefined ? `no pods match -l ${shellWord(o.selector)} ${scope}` : `no pods ${scope}`);
  const container = o.container ?? "istio-proxy";
  const out: PodList = { pods: [], skipped: [] };
  for (const item of items) {
    const meta = isObject(item) && isObject(item.metadata) ? item.metadata : undefined;
    if (!meta || typeof meta.name !== "string") continue;
    const ns = typeof meta.namespace === "string" ? meta.namespace : o.namespace;
    const ref: PodRef = { pod: meta.name, ...(ns !== undefined ? { namespace: ns } : {}) };
    const why = skipReason(item as Obj, container);
    if (why) out.skipped.push({ ...ref, ...why });
    else out.pods.push(ref);
  }
  return out;
}

/** Why this pod has no proxy to read, or undefined when it has one running. */
function skipReason(item: Obj, container: string): SkipReason | undefined {
  const meta = item.metadata as Obj;
  const spec = isObject(item.spec) ? item.spec : {};
  const status = isObject(item.status) ? item.status : {};
  if (meta.deletionTimestamp != null) return { reason: "terminating" };
  if (status.phase !== "Running") return { reason: "not-running", phase: typeof status.phase === "string" ? status.phase : "" };
  const named = (list: unknown): Obj | undefined => (Array.isArray(list) ? list.find((c): c is Obj => isObject(c) && c.name === container) : undefined);
  const main = named(spec.containers) !== undefined;
  // A native sidecar (Istio with ENABLE_NATIVE_SIDECARS, Kubernetes 1.28+) is an init container that keeps running.
  if (!main && named(spec.initContainers)?.restartPolicy !== "Always") return { reason: "no-proxy", container };
  // No status for it yet: kubectl exec says what it finds.
  const state = named(main ? status.containerStatuses : status.initContainerStatuses)?.state;
  if (!isObject(state) || isObject(state.running)) return undefined;
  for (const s of ["waiting", "terminated"] as const) {
    if (isObject(state[s])) return { reason: "proxy-not-running", container, state: s, ...(typeof state[s].reason === "string" ? { why: state[s].reason } : {}) };
  }
  return undefined;
}

/** One pod's result from readPodDumps: the dump's bytes, or why it could not be read. */
export interface PodDump {
  /** The pod as `pod/NAME.NAMESPACE` (the string given, for a string ref). */
  ref: string;
  /** Its position in the refs given. */
  index: number;
  bytes?: Buffer;
  error?: InputError;
}

export interface PodDumpsOptions extends PodOptions {
  /** How many kubectl processes run at once, from 1 to 64 (4 by default). */
  concurrency?: number;
  /** Told after each pod is read or has failed, before its result is handed over. */
  onProgress?(done: number, total: number, ref: string): void;
  /** Ends the kubectl processes under way and stops the iteration (which then throws the signal's reason). */
  signal?: AbortSignal;
}

export const MAX_CONCURRENCY = 64;

/**
 * The config dumps of many pods, read through kubectl exec as readPodDump reads one (pilot-agent, then
 * curl, then wget; the same size limit, 120 s timeout and words), at most `concurrency` pods at a time.
 * Results come as they finish, not in the order of `refs` (`index` gives the position). A pod's failure
 * is its result's `error`: the others go on. A pod holds its place in the bound from the start of its
 * kubectl until its result is handed over, so no more than `concurrency` dumps wait in memory while the
 * caller works on one. Leaving the loop early (break, throw) ends the processes under way.
 * Options are checked at the call (PodOptionError), before any kubectl runs.
 */
export function readPodDumps(refs: ReadonlyArray<string | PodRef>, o: PodDumpsOptions = {}): AsyncIterable<PodDump> {
  const concurrency = o.concurrency ?? 4;
  if (typeof concurrency !== "number" || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY)
    throw new PodOptionError("concurrency", `concurrency is a whole number from 1 to ${MAX_CONCURRENCY}, not ${typeof concurrency === "number" ? concurrency : quoted(String(concurrency))}`);
  checkNamespace(o.namespace);
  const list = [...refs];
  return { [Symbol.asyncIterator]: () => fetchAll(list, o, concurrency) };
}

async function* fetchAll(refs: Array<string | PodRef>, o: PodDumpsOptions, concurrency: number): AsyncGenerator<PodDump> {
  const total = refs.length;
  const inner = new AbortController();
  const onAbort = (): void => inner.abort(o.signal!.reason);
  if (o.signal?.aborted) throw o.signal.reason;
  o.signal?.addEventListener("abort", onAbort, { once: true });
  const finished: PodDump[] = [];
  let bug: { e: unknown } | undefined;
  let wake: (() => void) | undefined;
  let next = 0;
  let done = 0;
  const start = (): void => {
    const index = next++;
    fetchOne(refs[index]!, index, o, inner.signal).then(
      (r) => finished.push(r),
      (e: unknown) => (bug ??= { e }),
    ).finally(() => wake?.());
  };
  inner.signal.addEventListener("abort", () => wake?.(), { once: true });
  try {
    while (next < total && next < concurrency) start();
    while (done < total) {
      if (inner.signal.aborted) throw inner.signal.reason;
      if (bug) throw bug.e;
      if (!finished.length) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const r = finished.shift()!;
      done++;
      if (next < total) start();
      o.onProgress?.(done, total, r.ref);
      yield r;
    }
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    // Left early: the processes still running are ended.
    if (done < total) inner.abort(new Error("readPodDumps: the caller stopped"));
  }
}

async function fetchOne(given: string | PodRef, index: number, o: PodOptions, signal: AbortSignal): Promise<PodDump> {
  const p = typeof given === "string" ? parsePodRef(given) : given;
  const ref = typeof given === "string" ? given : podRefName(given);
  if (!p || typeof p.pod !== "string" || !isPodName(p.pod)) return { ref, index, error: new InputError(ref, "not a pod reference (pod/NAME or pod/NAME.NAMESPACE)") };
  if (p.namespace !== undefined && (typeof p.namespace !== "string" || !isNamespace(p.namespace))) return { ref, index, error: new InputError(ref, "not a pod reference: the namespace is not a valid one") };
  const maxBytes = limitOf(o);
  let last = "";
  for (const args of attempts(p, o)) {
    const v = judge(ref, await runKubectl(args, maxBytes, signal), maxBytes);
    if ("dump" in v) return { ref, index, bytes: v.dump };
    if ("error" in v) return { ref, index, error: v.error };
    last = v.last;
    if (!v.tryNext) break;
  }
  return { ref, index, error: new InputError(ref, `kubectl: ${last}`) };
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes label selectors, as k8s.io/apimachinery/pkg/labels (selector.go) parses them:
//   selector    ::= requirement ("," requirement)*
//   requirement ::= ["!"] KEY [ ("in" | "notin") "(" VALUE ("," VALUE)* ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
// KEY is [DNS-subdomain "/"] name (name: at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends); VALUE
// is empty or such a name; ">"/"<" take an integer. Blanks (space, tab, CR, LF) separate tokens. One pass.

type Tok = { t: "id" | "op" | "end"; s: string };

/** Kubernetes' tokens: identifiers (runs of anything but blanks and = ! ( ) , > <), the operators, "in"/"notin" as identifiers in value places. */
function lexSelector(s: string): Tok[] {
  const toks: Tok[] = [];
  const special = (c: string): boolean => "=!(),<>".includes(c);
  const blank = (c: string): boolean => c === " " || c === "\t" || c === "\r" || c === "\n";
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (blank(c)) i++;
    else if (special(c)) {
      const two = s.slice(i, i + 2);
      const op = two === "==" || two === "!=" ? two : c;
      toks.push({ t: "op", s: op });
      i += op.length;
    } else {
      let j = i;
      while (j < s.length && !special(s[j]!) && !blank(s[j]!)) j++;
      toks.push({ t: "id", s: s.slice(i, j) });
      i = j;
    }
  }
  toks.push({ t: "end", s: "" });
  return toks;
}

const LABEL_NAME = /^(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function keyProblem(k: string): string | undefined {
  const parts = k.split("/");
  const name = parts[parts.length - 1]!;
  const prefix = parts.length === 2 ? parts[0]! : undefined;
  const bad = `the key ${quoted(k)} is not a label key: [a DNS subdomain and "/"] then a name of at most 63 letters, digits, '-', '_' and '.', with a letter or digit at both ends`;
  if (parts.length > 2 || (prefix !== undefined && (!prefix.length || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))) return bad;
  if (!name.length || name.length > 63 || !LABEL_NAME.test(name)) return bad;
  return undefined;
}

function valueProblem(v: string): string | undefined {
  if (v === "" || (v.length <= 63 && LABEL_NAME.test(v))) return undefined;
  return `the value ${quoted(v)} is not a label value: at most 63 letters, digits, '-', '_' and '.', with a letter or digit at both ends`;
}

const shownTok = (k: Tok): string => (k.t === "end" ? "the end" : quoted(k.s));

/** Why `s` is not a Kubernetes label selector, or undefined when it is one. */
export function labelSelectorProblem(s: string): string | undefined {
  if (!s.trim()) return "it is empty (to take every pod, leave the selector out)";
  const toks = lexSelector(s);
  let i = 0;
  const isId = (k: Tok): boolean => k.t === "id";
  for (;;) {
    // A requirement: ["!"] KEY [operator values].
    let k = toks[i++]!;
    const negated = k.t === "op" && k.s === "!";
    if (negated) k = toks[i++]!;
    if (!isId(k)) return `found ${shownTok(k)} where a label key belongs`;
    const keyBad = keyProblem(k.s);
    if (keyBad) return keyBad;
    let after = toks[i]!;
    if (!negated && !(after.t === "end" || (after.t === "op" && after.s === ","))) {
      const op = toks[i++]!;
      const set = op.t === "id" && (op.s === "in" || op.s === "notin");
      if (!set && !(op.t === "op" && ["=", "==", "!=", ">", "<"].includes(op.s))) return `found ${shownTok(op)} after the key ${quoted(k.s)}, where one of in, notin, =, ==, !=, >, < belongs`;
      const values: string[] = [];
      if (set) {
        const open = toks[i++]!;
        if (!(open.t === "op" && open.s === "(")) return `found ${shownTok(open)} after ${op.s}, where "(" belongs`;
        // Values, possibly empty, separated by commas, up to ")".
        let want = true;
        for (;;) {
          const v = toks[i++]!;
          if (v.t === "op" && v.s === ")") break;
          if (v.t === "op" && v.s === ",") {
            if (want) values.push("");
            want = true;
          } else if (isId(v) && want) {
            values.push(v.s);
            want = false;
          } else return `found ${shownTok(v)} in the values of ${quoted(k.s)}, where a value, "," or ")" belongs`;
        }
        if (want) values.push("");
      } else {
        const v = toks[i]!;
        if (v.t === "end" || (v.t === "op" && v.s === ",")) values.push("");
        else if (isId(v)) values.push(toks[i++]!.s);
        else return `found ${shownTok(v)} after ${quoted(k.s + op.s)}, where a value belongs`;
        if ((op.s === ">" || op.s === "<") && !isInt64(values[0]!)) return `${op.s} compares numbers: ${quoted(values[0]!)} is not an integer`;
      }
      for (const v of values) {
        const bad = valueProblem(v);
        if (bad) return bad;
      }
      after = toks[i]!;
    }
    i++;
    if (after.t === "end") return undefined;
    if (!(after.t === "op" && after.s === ",")) return `found ${shownTok(after)} where "," or the end belongs`;
    const nextTok = toks[i]!;
    if (!(isId(nextTok) || (nextTok.t === "op" && nextTok.s === "!"))) return `found ${shownTok(nextTok)} after ",", where a label key belongs`;
  }
}

function isInt64(v: string): boolean {
  if (!/^[+-]?[0-9]{1,19}$/.test(v)) return false;
  const n = BigInt(v);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

// ---------------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The caller's own text, quoted with control characters escaped, long text cut (it is only echoed back). */
function quoted(s: string): string {
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}

/** A selector as it would be typed in a shell: quoted when it has blanks or shell characters. */
function shellWord(s: string): string {
  return /^[-\w.,=!/]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function firstLine(s: string): string {
  return (s.split("\n").find((l) => l.trim()) ?? "").trim().slice(0, 300);
}
