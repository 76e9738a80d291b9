// A live pod as input: `pod/NAME[.NAMESPACE]`. kubectl exec runs into the proxy container and
// prints the admin config dump, which is read as stdin would be. Istio's proxy has pilot-agent
// (`pilot-agent request GET config_dump?include_eds`); other meshes' proxies answer on the admin
// port through the container's curl or wget.
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

const POD = /^(?:pod|pods|po)\/([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)(?:\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?))?$/;

/** The pod and namespace of a `pod/NAME[.NAMESPACE]` argument, or undefined for anything else. */
export function parsePodRef(arg: string): { pod: string; namespace?: string } | undefined {
  const m = POD.exec(arg);
  if (!m) return undefined;
  return { pod: m[1]!, ...(m[2] ? { namespace: m[2] } : {}) };
}

/** The proxy's config dump, read through kubectl exec. Throws InputError with kubectl's own words. */
export function readPodDump(ref: string, o: PodOptions = {}): Buffer {
  const p = parsePodRef(ref);
  if (!p) throw new InputError(ref, "not a pod reference (pod/NAME or pod/NAME.NAMESPACE)");
  const maxBytes = Math.min(o.maxBytes ?? DEFAULT_MAX_BYTES, MAX_TEXT_BYTES);
  const ns = p.namespace ?? o.namespace;
  const base = [...(o.context ? ["--context", o.context] : []), ...(o.kubeconfig ? ["--kubeconfig", o.kubeconfig] : []), "exec", p.pod, ...(ns ? ["-n", ns] : []), "-c", o.container ?? "istio-proxy", "--"];
  const url = `http://localhost:${o.adminPort ?? 15000}/config_dump?include_eds`;
  const attempts = [
    ["pilot-agent", "request", "GET", "config_dump?include_eds"],
    ["curl", "-sS", "--fail", url],
    ["wget", "-qO-", url],
  ];
  let last = "";
  for (const cmd of attempts) {
    const r = childProcess().spawnSync("kubectl", [...base, ...cmd], { maxBuffer: maxBytes + 1, encoding: "buffer", timeout: 120_000, stdio: ["ignore", "pipe", "pipe"] });
    if (r.error) {
      const code = (r.error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw new InputError(ref, "kubectl is not on PATH: install it, or save the dump with kubectl exec and pass the file");
      if (code === "ENOBUFS") throw new InputError(ref, `the config dump is larger than ${Math.round(maxBytes / 2 ** 20)} MiB (--max-size sets the limit)`);
      if (code === "ETIMEDOUT") throw new InputError(ref, "kubectl exec did not finish within 120 s");
      throw new InputError(ref, `kubectl: ${r.error.message}`);
    }
    const stderr = r.stderr.toString("utf8").trim();
    if (r.status === 0 && r.stdout.length) return r.stdout;
    last = firstLine(stderr) || `kubectl exited with ${r.status}`;
    // The command is missing in this container: try the next way in. Anything else is kubectl's answer.
    if (!/executable file not found|not found|no such file|exit code 127|exit status 127|command terminated with exit code 126/i.test(stderr)) break;
  }
  throw new InputError(ref, `kubectl: ${last}`);
}

function firstLine(s: string): string {
  return (s.split("\n").find((l) => l.trim()) ?? "").trim().slice(0, 300);
}
