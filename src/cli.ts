// envoy-explain's command line: arguments in, a document rendered out, an exit code back.
// Every command builds its document (src/documents.ts, the same as the library returns) and a
// renderer prints it; nothing here analyses.
import fs from "node:fs";
import yargs, { type Argv } from "yargs";
import { formatDiagnostic, InputError, type Diagnostic } from "./diag.js";
import type { InputFormat, LoadedInput } from "./load/dump.js";
import { PRESET_HELP, PRESET_NAMES, type PresetName } from "./explain/presets.js";
import { OUTCOME_CODES } from "./explain/outcomes.js";
import { wrapProse } from "./render/wrap.js";
import type { OutputFormat } from "./render/table.js";
import { parseSize } from "./load/read.js";
import { parsePodRef, readPodDump } from "./load/pod.js";
import { parseIp } from "./explain/ip.js";
import { setRevealSecrets } from "./redacted.js";
import { startProgress, stopProgress } from "./progress.js";
import { escapeJsonText, escapeTerminal } from "./render/sanitize.js";
import { VERSION } from "./version.js";

/** --now: a time certificates are judged at; a usage error when it is not one. */
function nowOption(v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (!v.trim() || Number.isNaN(d.getTime())) throw new UsageError(`--now wants a time such as 2026-01-31T00:00:00Z, not "${v}"`);
  return d;
}
type Heavy = typeof import("./heavy.js");
let H: Heavy;
/** Loads what running a command needs, once; parsing arguments and printing help do without it. */
async function heavy(): Promise<Heavy> {
  H ??= await import("./heavy.js");
  return H;
}

/** yargs reads a bare "-" as an empty string: the bin passes stdin under this name. */
export const STDIN = "/dev/stdin";
/** Dumps larger than this are streamed, when plain JSON, for commands that use only part of one (explain, tls-check, the clusters, endpoints, routes and secrets listings, the listeners listing for a port, address or name): about even with reading them as text at 10 MB, faster from 20 MB (measured on the bench's dumps). */
const STREAM_PART_FROM = 16 * 2 ** 20;
const FORMATS = ["auto", "config_dump", "config_dump_section", "istioctl_list", "resource", "bootstrap", "admin_clusters"] as const;
const OUTPUTS = ["table", "json", "yaml", "markdown", "sarif"] as const;
/** The most of stdin --log - reads: an hour of a busy proxy's log is far less. */
const LOG_STDIN_MAX = 256 * 2 ** 20;

interface Common {
  output: OutputFormat | "sarif";
  format: (typeof FORMATS)[number];
  verbose: boolean;
  maxSize?: string;
  streamFrom?: string;
  proxy?: string;
  showSecrets: boolean;
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  container?: string;
  adminPort?: number;
}

/** The commands, with istioctl proxy-config's singular names as aliases. */
const COMMANDS: Record<string, string[]> = {
  listeners: ["listener"],
  clusters: ["cluster"],
  routes: ["route"],
  endpoints: ["endpoint"],
  secrets: ["secret"],
  all: [],
  "tls-check": [],
  check: [],
  diff: [],
  completion: [],
};
Object.setPrototypeOf(COMMANDS, null);
const COMMAND_WORDS = Object.keys(COMMANDS).flatMap((c) => [c, ...COMMANDS[c]!]);

class UsageError extends Error {}

/** Where the CLI writes; the bin wires it to the process, tests and the fuzzer to buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Standard output is a terminal: colour is on unless NO_COLOR or --no-color (FORCE_COLOR turns it on anywhere). */
  isTTY?: boolean;
  /** Standard error is a terminal: long work shows its progress there. */
  stderrIsTTY?: boolean;
}

/** Colour for our own marks only (verdicts), added after the text was escaped: nothing from a dump is coloured or can colour. */
function colourize(text: string): string {
  return text
    .split("\n")
    .map((l) => (l.startsWith("✓ ") ? `\u001b[32m✓\u001b[39m${l.slice(1)}` : l.startsWith("✗ ") ? `\u001b[31m✗\u001b[39m${l.slice(1)}` : l.startsWith("INCOMPLETE INPUT:") ? `\u001b[33mINCOMPLETE INPUT:\u001b[39m${l.slice(17)}` : l))
    .join("\n");
}

/** The flag decides; else, for the command's own process (isTTY known), FORCE_COLOR, NO_COLOR and the terminal. */
function colourWanted(flag: boolean | undefined, isTTY: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  if (isTTY === undefined) return false; // in-process callers (tests, tools) get plain text unless they ask
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== "" && force !== "0" && force !== "false") return true;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false;
  if (force === "0" || force === "false") return false;
  return isTTY;
}

interface Run {
  st: { outputFormat: OutputFormat; colour: boolean };
  isTTY: boolean | undefined;
  out(text: string): void;
  /** yargs' own text (help, version, completions): ours, so printed as it is. */
  print(text: string): void;
  err(text: string): void;
  /**
   * Reads an input. `part`: the command uses only part of a dump (explain, tls-check), so a large one is
   * streamed and only that part parsed. `inWorker`: a streamed input is scanned on a worker thread, so
   * that another input can be read meanwhile.
   */
  load(file: string, a: Common, how?: { part?: boolean; inWorker?: boolean; signal?: AbortSignal }): Promise<LoadedInput>;
  /** Two inputs read at once: the second's scan (when it is streamed) runs on a worker thread while the first is read. Warnings keep this order. */
  loadTwo(first: string, second: string | undefined, a: Common, how?: { part?: boolean }): Promise<[LoadedInput, LoadedInput | undefined]>;
  setCode(code: number): void;
  /** The inputs in the order the command asked for them (two may be read at once); `input` once read. */
  loaded: { input?: LoadedInput; verbose: boolean }[];
  argv: string[];
}

/** A size flag's value in bytes ("100M", "2G"); a usage error when it is not a size. */
function sizeOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = parseSize(value);
  if (n === undefined) throw new UsageError(`${flag} wants a size such as 100M or 2G, not "${value}"`);
  return n;
}

/**
 * Runs one command line and returns its exit code: 0 done, 1 a finding (tls-check conflict, diff
 * change, --expect miss), 2 bad input or usage, 3 an internal error. Never exits the process.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code = 0;
  const err = (text: string) => io.stderr(`${wrapProse(escapeTerminal(text))}\n`);
  const st = { outputFormat: "table" as OutputFormat, colour: false };
  const run: Run = {
    st,
    isTTY: io.isTTY,
    err,
    argv,
    loaded: [],
    /** What is printed for a person: every control character from the dump shown escaped; JSON keeps its value. */
    out: (text: string) => {
      stopProgress();
      const safe = st.outputFormat === "json" || st.outputFormat === "yaml" ? escapeJsonText(text) : escapeTerminal(text);
      const shown = st.colour && st.outputFormat === "table" ? colourize(safe) : safe;
      io.stdout(shown.endsWith("\n") ? shown : `${shown}\n`);
    },
    load: async (file: string, a: Common, how: { part?: boolean; inWorker?: boolean; signal?: AbortSignal } = {}): Promise<LoadedInput> => {
      const maxBytes = sizeOption("--max-size", a.maxSize);
      const streamFrom = sizeOption("--stream-from", a.streamFrom);
      const entry: Run["loaded"][number] = { verbose: a.verbose };
      run.loaded.push(entry);
      const opts = {
        format: a.format as InputFormat | "auto",
        ...(maxBytes ? { maxBytes } : {}),
        ...(streamFrom ? { streamFrom } : {}),
        ...(how.part && !streamFrom ? { streamJsonFrom: STREAM_PART_FROM } : {}),
        ...(how.inWorker ? { inWorker: true } : {}),
        ...(how.signal ? { signal: how.signal } : {}),
        ...(a.proxy ? { proxy: a.proxy } : {}),
      };
      let input: LoadedInput;
      if (parsePodRef(file) && !fs.existsSync(file)) {
        const bytes = readPodDump(file, {
          ...(a.namespace ? { namespace: a.namespace } : {}),
          ...(a.context ? { context: a.context } : {}),
          ...(a.kubeconfig ? { kubeconfig: a.kubeconfig } : {}),
          ...(a.container ? { container: a.container } : {}),
          ...(a.adminPort ? { adminPort: a.adminPort } : {}),
          ...(maxBytes ? { maxBytes } : {}),
        });
        input = H.loadBytes(bytes, file, opts);
      } else input = await H.openInput(file === STDIN ? "-" : file, opts);
      entry.input = input;
      return input;
    },
    loadTwo: async (first, second, a, how = {}) => {
      const at = run.loaded.length;
      // The second is asked for first, to start its thread before this one reads.
      const stop = new AbortController();
      const later = second === undefined ? undefined : run.load(second, a, { ...how, inWorker: true, signal: stop.signal });
      later?.catch(() => undefined); // awaited below: its error then (after the first's) is the one reported
      try {
        // When the command fails on this input, the other's scan is not waited for.
        const one = await run.load(first, a, how).catch((e: unknown) => {
          stop.abort();
          throw e;
        });
        return [one, await later];
      } finally {
        if (later && run.loaded.length >= at + 2) run.loaded.splice(at, 2, run.loaded[at + 1]!, run.loaded[at]!);
      }
    },
    setCode: (c: number) => (code = Math.max(code, c)),
    print: (text: string) => io.stdout(text.endsWith("\n") ? text : `${text}\n`),
  };
  setRevealSecrets(false);
  if (io.stderrIsTTY) startProgress((t) => io.stderr(t));
  try {
    checkCommandWord(argv);
    // Completing from a dump reads it inside yargs' synchronous completion callback.
    if (argv.includes("--get-yargs-completions")) await heavy();
    await parser(run);
    reportDiagnostics(run);
    return code;
  } catch (e: unknown) {
    if (e instanceof InputError) {
      err(`envoy-explain: error: ${e.format()}`);
      return 2;
    }
    // Completing a half-typed command line is not running it: its missing arguments are no error.
    if (e instanceof UsageError && argv.includes("--get-yargs-completions")) return 0;
    if (e instanceof UsageError) {
      err(`envoy-explain: ${e.message}\nRun envoy-explain --help for usage.`);
      return 2;
    }
    const x = e as Error;
    if (x instanceof RangeError && /call stack/i.test(x.message)) {
      err("envoy-explain: error: the input nests too deeply to read");
      return 2;
    }
    err(`envoy-explain: internal error: ${x?.message ?? String(e)}`);
    if (process.env.ENVOY_EXPLAIN_DEBUG) err(x?.stack ?? "");
    return 3;
  } finally {
    stopProgress();
    setRevealSecrets(false);
  }
}

/**
 * Warnings found while reading and while decoding what the command used. With --verbose, every one
 * (notes too) with its full path; else one line per kind with a count, its path shortened.
 */
function reportDiagnostics(run: Run): void {
  // The same file given twice (tls-check f f, diff f f) says each thing once.
  const said = new Set<string>();
  const say = (line: string) => {
    if (said.has(line)) return;
    said.add(line);
    run.err(line);
  };
  for (const { input, verbose } of run.loaded) {
    if (!input) continue;
    if (verbose) {
      for (const d of input.diags.list) say(formatDiagnostic(d));
      continue;
    }
    const kinds = new Map<string, { first: Diagnostic; count: number }>();
    for (const d of input.diags.list) {
      if (d.severity === "note") continue;
      const k = `${d.severity}\u0000${d.code}`;
      const seen = kinds.get(k);
      if (seen) seen.count += d.count ?? 1;
      else kinds.set(k, { first: d, count: d.count ?? 1 });
    }
    const all = [...kinds.values()];
    for (const { first, count } of all.slice(0, 8)) {
      const short = { ...first, ...(first.path && first.path.length > 80 ? { path: `${first.path.slice(0, 38)}…${first.path.slice(-38)}` } : {}), count: 1 };
      say(`${formatDiagnostic(short)}${count > 1 ? ` [${count} like it; -v shows each]` : ""}`);
    }
    if (all.length > 8) say(`… ${all.length - 8} more kinds of warning in ${input.file}; -v shows them all`);
  }
}

/** A mistyped command ("listner") is not a dump file: say what was meant instead of asking for --port. */
function checkCommandWord(argv: string[]): void {
  const first = argv[0];
  // "envoy-explain dump.json listeners": the command after the dump would be read as a second dump.
  const second = argv[1];
  if (first && second && !first.startsWith("-") && !COMMAND_WORDS.includes(first) && COMMAND_WORDS.includes(second) && !fs.existsSync(second)) {
    const rest = argv.slice(2).map((a) => (a === STDIN ? "-" : a));
    throw new UsageError(`"${second}" is a command: it comes before the dump (envoy-explain ${[second, first === STDIN ? "-" : first, ...rest].join(" ")})`);
  }
  if (!first || first.startsWith("-") || first === STDIN || COMMAND_WORDS.includes(first) || parsePodRef(first) || /[./\\]/.test(first)) return;
  if (fs.existsSync(first)) return;
  const near = COMMAND_WORDS.map((w) => [w, editDistance(first.toLowerCase(), w)] as const)
    .filter(([, d]) => d <= 2)
    .sort((a, b) => a[1] - b[1])[0];
  if (near) throw new UsageError(`unknown command "${first}": did you mean "${near[0]}"?`);
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

function common<T>(y: Argv<T>, run: Run) {
  return y
    .option("output", { alias: "o", choices: OUTPUTS, default: "table" as const, describe: "output format (json and yaml are the same document; sarif: findings, for check and the overview)", group: "Output:" })
    .option("verbose", { alias: "v", type: "boolean", default: false, describe: "show every warning and note", group: "Output:" })
    .option("color", { type: "boolean", describe: "colour the verdicts (default: on a terminal, unless NO_COLOR; FORCE_COLOR forces it); --no-color turns it off", group: "Output:" })
    .option("show-secrets", { type: "boolean", default: false, describe: "print private keys, passwords, credentials in headers and inline code, masked by default (local use only)", group: "Output:" })
    .option("format", { choices: FORMATS, default: "auto" as const, describe: "input shape (detected by default)", group: "Input:" })
    // Inputs past this size are streamed (512M, the most a string holds); lower only to try the streaming reader.
    .option("stream-from", { type: "string", hidden: true })
    .option("proxy", { type: "string", describe: "in a file with several proxies' config (egctl config envoy-proxy all, egctl x translate) or CiliumEnvoyConfigs (kubectl get cec -o yaml): which one, namespace/name", group: "Input:" })
    .option("max-size", { type: "string", describe: "read at most this much of an input (and of a gzip stream once inflated), e.g. 100M; default 16G (inputs over 512 MiB are streamed)", group: "Input:" })
    .option("namespace", { alias: "n", type: "string", describe: "namespace of a pod/NAME input", group: "Live pod (pod/NAME[.NAMESPACE] as input):" })
    .option("context", { type: "string", describe: "kubectl context", group: "Live pod (pod/NAME[.NAMESPACE] as input):" })
    .option("kubeconfig", { type: "string", describe: "kubectl kubeconfig", group: "Live pod (pod/NAME[.NAMESPACE] as input):" })
    .option("container", { type: "string", describe: "the proxy's container (default istio-proxy)", group: "Live pod (pod/NAME[.NAMESPACE] as input):" })
    .option("admin-port", { type: "number", describe: "Envoy's admin port for proxies without pilot-agent (default 15000)", group: "Live pod (pod/NAME[.NAMESPACE] as input):" })
    .middleware((a) => {
      // SARIF carries findings: the overview (no --port) and check have them, other commands do not.
      const cmd = String(a._[0] ?? "");
      if (a.output === "sarif" && cmd !== "check" && !(cmd === "" && a.port === undefined && a.log === undefined)) {
        throw new UsageError(`-o sarif is for findings: envoy-explain check DUMP -o sarif, or envoy-explain DUMP -o sarif (the overview); use table, json, yaml or markdown here`);
      }
      run.st.outputFormat = (a.output === "sarif" ? "json" : a.output) as OutputFormat;
      run.st.colour = colourWanted(a.color as boolean | undefined, run.isTTY);
      setRevealSecrets(a.showSecrets === true);
      if (a.showSecrets) run.err("envoy-explain: --show-secrets: private keys, passwords and credentials are printed as they are; do not paste this output anywhere public");
    });
}

const EPILOG = `Inputs: Envoy admin /config_dump JSON (v3, or v2 from Istio 1.1-1.5), istioctl proxy-config … -o json|yaml, a bootstrap, a single Listener/Cluster/RouteConfiguration, an xDS DiscoveryResponse, egctl output, a CiliumEnvoyConfig; .gz files; "-" for stdin; pod/NAME[.NAMESPACE] for a live proxy (through kubectl exec); dumps pasted into bug reports (cut short, ...snip..., comments) are read as far as they go, with a warning.

Secrets: what Envoy's admin redacts (private keys, passwords, session ticket keys, generic secrets) and credentials in header values (Authorization, Cookie, API keys) are masked in every output; inline code and keys (Lua, Wasm, JWKS) are shown as their size and fingerprint. --show-secrets prints them.

Exit codes: 0 done; 1 a finding (check found one at --fail-on, tls-check found a CONFLICT, diff found changes, --expect was not met); 2 bad input or usage (the message names the file and the place); 3 an internal error (a bug: please report it with ENVOY_EXPLAIN_DEBUG=1 output).`;

async function parser(run: Run): Promise<void> {
  if (run.argv[0] === "completion" && !run.argv.includes("--get-yargs-completions")) {
    // The script only: the full parser would go on to ask the default command for its <dump>.
    let script = "";
    await yargs(run.argv)
      .scriptName("envoy-explain")
      .completion("completion")
      .exitProcess(false)
      .parseAsync(run.argv, {}, (_e, _a, output) => {
        script = output;
      });
    run.print(script);
    return;
  }
  const { out, load, loadTwo, setCode } = run;
  const clientHelp = PRESET_NAMES.map((p) => `${p}: ${PRESET_HELP[p]}`).join("\n");
  const y = common(yargs(run.argv), run)
    .scriptName("envoy-explain")
    .usage("$0 <dump> [--port N [--client NAME]]\n\nExplain which listener and filter chain Envoy picks for a connection, why every other chain lost, and what the client sees. Without --port: an overview of the proxy (what it is, what each port accepts, what its clusters send) and its findings.")
    .command(
      "$0 <dump>",
      "explain a connection to --port (every client preset, or one with --client); without --port, an overview of the proxy and its findings",
      (y) =>
        y
          .positional("dump", { type: "string", demandOption: true, describe: 'config dump, istioctl output, pod/NAME[.NAMESPACE] or "-" for stdin' })
          .option("port", { alias: "p", type: "number", describe: "destination port (without it: the overview)", group: "Connection:" })
          .option("now", { type: "string", describe: "the time certificates are judged at (ISO 8601, e.g. 2026-01-31T00:00:00Z); default: now", group: "Findings:" })
          .option("log", { type: "string", array: true, describe: 'an access-log line to replay against the dump (repeatable; "-" reads lines from stdin): does this dump reproduce it? (--port for formats without a local address)', group: "Access log:" })
          .option("address", { alias: "a", type: "string", describe: "destination IP (default: the proxy's own IP when the dump shows it)", group: "Connection:" })
          .option("listener", { type: "string", describe: "start at this listener (skip listener selection)", group: "Connection:" })
          .option("filter-state", { type: "string", array: true, describe: "filter state key=value that a filter_chain_matcher's FilterStateInput reads (repeatable)", group: "Connection:" })
          .option("direction", { choices: ["inbound", "outbound"] as const, describe: "for a destination nothing binds: the capture listener of this direction (default: inbound when it is the proxy's own IP)", group: "Connection:" })
          .option("source-ip", { type: "string", describe: "client IP (default 192.0.2.10, an external host)", group: "Connection:" })
          .option("source-port", { type: "number", describe: "client port (default 40000)", group: "Connection:" })
          .option("direct-source-ip", { type: "string", describe: "peer IP before PROXY protocol (default: --source-ip)", group: "Connection:" })
          .option("client", { alias: "c", choices: PRESET_NAMES, describe: `client preset; without it every preset is explained:\n${clientHelp}`, group: "Client:" })
          .option("sni", { type: "string", describe: "server name the client sends", group: "Client:" })
          .option("transport", { choices: ["tls", "raw_buffer"] as const, describe: "what the client sends: a TLS ClientHello or plaintext", group: "Client:" })
          .option("alpn", { type: "string", describe: "ALPN list the client offers, e.g. h2,http/1.1", coerce: (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean), group: "Client:" })
          .option("client-cert", { type: "boolean", describe: "the client has a certificate (--no-client-cert: it has none)", group: "Client:" })
          .option("detected", { type: "boolean", default: false, describe: "take --transport/--alpn/--sni as what the listener filters reported (e.g. from an access log)", group: "Client:" })
          .option("host", { type: "string", describe: "HTTP Host header (default: the SNI, else destination ip:port)", group: "HTTP request:" })
          .option("path", { type: "string", describe: "HTTP path (default /)", group: "HTTP request:" })
          .option("header", { type: "string", array: true, describe: "HTTP request header k=v (repeatable)", group: "HTTP request:" })
          .option("expect", { type: "string", describe: `exit 1 unless every explained connection ends in one of these outcomes (comma list of ${OUTCOME_CODES.join(", ")})`, group: "CI:" })
          .example("$0 dump.json", "what this proxy is, what each port accepts, and its findings")
          .example("$0 dump.json --port 80", "every client against port 80")
          .example("$0 dump.json --log \"$(kubectl logs web-0 -c istio-proxy | grep ' NR ' | tail -1)\"", "does this dump reproduce a logged failure?")
          .example("$0 dump.json -p 9080 -c curl-mtls", "why a raw mTLS curl lands where it does")
          .example("$0 gw.json -p 443 --sni a.example.com", "a gateway server chosen by SNI")
          .example("$0 dump.json -p 9080 -o markdown", "for a bug report")
          .example("$0 pod/web-0.shop -p 8080", "a live proxy, through kubectl exec")
          .example("$0 d.json -p 9080 --expect MTLS_TERMINATED", "a CI gate: exit 1 unless every client gets mTLS"),
      async (a) => {
        const now = nowOption(a.now);
        if (a.log !== undefined) {
          if (a.port !== undefined && (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535)) throw new UsageError(`--port must be 1-65535, not ${a.port}`);
          if (a.address !== undefined && !parseIp(a.address)) throw new UsageError(`--address wants an IP address, not "${a.address}"`);
          const logs = (a.log as unknown[]).map(String);
          const fromStdin = logs.some((l) => l === STDIN || l === "-");
          if (fromStdin && a.dump === STDIN) throw new UsageError(`--log - reads lines from stdin, so the dump cannot come from stdin too`);
          await heavy();
          const lines: string[] = [];
          for (const l of logs) {
            if (l === STDIN || l === "-") lines.push(...H.readInputBytes("-", LOG_STDIN_MAX).toString("utf8").split(/\r?\n/));
            else lines.push(l);
          }
          // Trailing blank lines of a file are no lines to replay.
          while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
          if (!lines.some((l) => l.trim())) throw new UsageError("--log got no line to replay");
          const input = await load(a.dump, a, { part: true });
          const doc = H.logDocument(input, lines, { ...(a.port !== undefined ? { port: a.port } : {}), ...(a.address ? { address: a.address } : {}) });
          out(H.renderDocument(doc, a.output as OutputFormat, H.renderLog));
          return;
        }
        if (a.port === undefined) {
          const explainOnly = (["client", "sni", "transport", "alpn", "clientCert", "host", "path", "header", "expect", "listener", "address", "filterState", "direction", "sourceIp", "sourcePort", "directSourceIp"] as const).filter((k) => a[k] !== undefined);
          if (explainOnly.length) throw new UsageError(`--${explainOnly[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} explains a connection: it needs --port N (without --port, envoy-explain ${a.dump === STDIN ? "-" : a.dump} gives the overview)`);
          await heavy();
          const input = await load(a.dump, a);
          const doc = H.overviewDocument(input, now ? { now } : {});
          if (a.output === "sarif") out(H.serialize(H.sarifLog(doc.findings, { version: VERSION }), "json"));
          else out(H.renderDocument(doc, a.output as OutputFormat, H.renderOverview));
          return;
        }
        await heavy();
        if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535) throw new UsageError(`--port must be 1-65535, not ${a.port}`);
        for (const [flag, v] of [["--address", a.address], ["--source-ip", a.sourceIp], ["--direct-source-ip", a.directSourceIp]] as const) {
          if (v !== undefined && !parseIp(v)) throw new UsageError(`${flag} wants an IP address, not "${v}"`);
        }
        if (a.sourcePort !== undefined && (!Number.isInteger(a.sourcePort) || a.sourcePort < 0 || a.sourcePort > 65535)) {
          throw new UsageError(`--source-port must be 0-65535, not ${a.sourcePort}`);
        }
        const expect = a.expect === undefined ? undefined : a.expect.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
        const unknown = expect?.filter((c) => !(OUTCOME_CODES as readonly string[]).includes(c));
        if (expect && (!expect.length || unknown?.length)) throw new UsageError(`--expect wants outcome codes (${OUTCOME_CODES.join(", ")}), not "${unknown?.join(",") || a.expect}"`);
        const input = await load(a.dump, a, { part: true });
        const doc = H.explainDocument(input, {
          port: a.port,
          ...(a.client ? { client: a.client as PresetName } : {}),
          ...(a.address ? { address: a.address } : {}),
          ...(a.sni !== undefined ? { sni: a.sni } : {}),
          ...(a.transport ? { transport: a.transport } : {}),
          ...(a.alpn ? { alpn: a.alpn as string[] } : {}),
          ...(a.clientCert !== undefined ? { clientCert: a.clientCert } : {}),
          ...(a.sourceIp ? { sourceIp: a.sourceIp } : {}),
          ...(a.sourcePort !== undefined ? { sourcePort: a.sourcePort } : {}),
          ...(a.directSourceIp ? { directSourceIp: a.directSourceIp } : {}),
          ...(a.listener ? { listener: a.listener } : {}),
          ...(a.direction ? { direction: a.direction } : {}),
          ...(a.filterState?.length ? { filterState: parsePairs(a.filterState as string[], "--filter-state", false) } : {}),
          detected: a.detected,
          ...(a.host ? { host: a.host } : {}),
          ...(a.path ? { path: a.path } : {}),
          ...(a.header?.length ? { headers: parsePairs(a.header as string[], "--header", true) } : {}),
        });
        out(H.renderDocument(doc, a.output as OutputFormat, H.renderExplain));
        if (expect) {
          const misses = doc.results.filter((r) => !expect.includes(r.outcome.code));
          for (const r of misses) run.err(`envoy-explain: expected ${expect.join(" or ")} for ${r.client.preset} on port ${a.port}, got ${r.outcome.code}`);
          if (misses.length) setCode(1);
        }
      },
    )
    .command(
      ["listeners <dump>", "listener"],
      "one row per filter chain: listener, address, match, TLS, destination",
      (y) =>
        y
          .positional("dump", { type: "string", demandOption: true })
          .option("port", { alias: "p", type: "number", describe: "only chains that can take this port" })
          .option("address", { type: "string", describe: "only listeners bound to this IP" })
          .option("type", { choices: ["HTTP", "TCP", "http", "tcp"] as const, describe: "only HTTP (connection manager) or TCP chains" })
          .option("name", { type: "string", describe: "only this listener" })
          .example("$0 listener dump.json --port 9080", "the chains that can take port 9080, and what each matches")
          .example("$0 listener pod/web-0.shop --type HTTP", "a live proxy's HTTP chains"),
      async (a) => {
        await heavy();
        const filter = { ...(a.port !== undefined ? { port: a.port } : {}), ...(a.address ? { address: a.address } : {}), ...(a.type ? { type: a.type.toUpperCase() as "HTTP" | "TCP" } : {}), ...(a.name ? { name: a.name } : {}) };
        // --port, --address or --name picks listeners by their outline: a large dump is streamed, and only those are read.
        const part = a.port !== undefined || a.address !== undefined || a.name !== undefined;
        out(H.renderDocument(H.listenersDocument(await load(a.dump, a, { part }), filter), a.output as OutputFormat, (d, f) => H.renderListeners(d, f, filter)));
      },
    )
    .command(
      ["clusters <dump>", "cluster"],
      "one row per cluster: Istio direction/port/subset/host, type, upstream TLS and auto-mTLS matches",
      (y) =>
        y
          .positional("dump", { type: "string", demandOption: true })
          .option("name", { type: "string", describe: "only clusters whose name contains this" })
          .option("fqdn", { type: "string", describe: "only Istio clusters for this host (reviews or reviews.default.svc.cluster.local)" })
          .option("port", { alias: "p", type: "number", describe: "only Istio clusters for this port" })
          .option("direction", { choices: ["inbound", "outbound"] as const, describe: "only Istio clusters of this direction" })
          .option("subset", { type: "string", describe: "only Istio clusters of this subset" })
          .example("$0 cluster dump.json --fqdn reviews --direction outbound", "what this proxy sends to reviews: upstream TLS and auto mTLS"),
      async (a) => {
        await heavy();
        const filter = { ...(a.name ? { name: a.name } : {}), ...(a.fqdn ? { fqdn: a.fqdn } : {}), ...(a.port !== undefined ? { port: a.port } : {}), ...(a.direction ? { direction: a.direction } : {}), ...(a.subset !== undefined ? { subset: a.subset } : {}) };
        out(H.renderDocument(H.clustersDocument(await load(a.dump, a, { part: true }), filter), a.output as OutputFormat, H.renderClusters));
      },
    )
    .command(
      ["routes <dump>", "route"],
      "one row per route: route config, virtual host, domains, match, destination",
      (y) =>
        y
          .positional("dump", { type: "string", demandOption: true })
          .option("name", { type: "string", describe: "only this route configuration" })
          .example("$0 route dump.json --name 9080", "the virtual hosts and routes of route configuration 9080"),
      async (a) => {
        await heavy();
        out(H.renderDocument(H.routesDocument(await load(a.dump, a, { part: true }), a.name ? { name: a.name } : {}), a.output as OutputFormat, H.renderRoutes));
      },
    )
    .command(
      ["endpoints <dump>", "endpoint"],
      "one row per endpoint: address, health, tlsMode (auto mTLS), locality, cluster",
      (y) =>
        y
          .positional("dump", { type: "string", demandOption: true })
          .option("cluster", { type: "string", describe: "only clusters whose name contains this" })
          .option("port", { alias: "p", type: "number", describe: "only endpoints on this port" })
          .option("address", { type: "string", describe: "only endpoints at this IP" })
          .option("status", { type: "string", describe: "only endpoints with this health status (HEALTHY, UNHEALTHY, …)" })
          .example("$0 endpoint dump.json --cluster reviews --port 9080", "each endpoint of reviews with its tlsMode (what auto mTLS keys on)"),
      async (a) => {
        await heavy();
        const filter = { ...(a.cluster ? { cluster: a.cluster } : {}), ...(a.port !== undefined ? { port: a.port } : {}), ...(a.address ? { address: a.address } : {}), ...(a.status ? { status: a.status } : {}) };
        out(H.renderDocument(H.endpointsDocument(await load(a.dump, a, { part: true }), filter), a.output as OutputFormat, H.renderEndpoints));
      },
    )
    .command(
      ["secrets <dump>", "secret"],
      "one row per secret: name, state, type, certificate validity (private keys are never printed)",
      (y) => y.positional("dump", { type: "string", demandOption: true }).example("$0 secret dump.json", "certificates, their validity and SPIFFE identity"),
      async (a) => {
        await heavy();
        out(H.renderDocument(H.secretsDocument(await load(a.dump, a, { part: true })), a.output as OutputFormat, H.renderSecrets));
      },
    )
    .command(
      "all <dump>",
      "every listing: listeners, clusters, routes, endpoints and secrets",
      (y) => y.positional("dump", { type: "string", demandOption: true }),
      async (a) => {
        await heavy();
        const input = await load(a.dump, a);
        const parts = { listeners: H.listenersDocument(input), clusters: H.clustersDocument(input), routes: H.routesDocument(input), endpoints: H.endpointsDocument(input), secrets: H.secretsDocument(input) };
        if (a.output === "json" || a.output === "yaml") {
          const doc = { version: H.DOCUMENT_VERSION, file: input.file, listeners: parts.listeners.listeners, clusters: parts.clusters.clusters, routes: parts.routes.routes, endpoints: parts.endpoints.endpoints, secrets: parts.secrets.secrets, warnings: H.warningsOf([input]) };
          out(H.serialize(doc, a.output));
          return;
        }
        const f = a.output as "table" | "markdown";
        const h = (t: string) => (f === "markdown" ? `\n## ${t}\n` : `\n${t.toUpperCase()}`);
        out([h("listeners"), H.renderListeners(parts.listeners, f), h("clusters"), H.renderClusters(parts.clusters, f), h("routes"), H.renderRoutes(parts.routes, f), h("endpoints"), H.renderEndpoints(parts.endpoints, f), h("secrets"), H.renderSecrets(parts.secrets, f)].join("\n").trimStart());
      },
    )
    .command(
      "check <dumps..>",
      "findings: what is wrong in a dump (rejected or warming config, unreachable chains, shadowed routes, missing clusters, empty endpoints, certificates, the PERMISSIVE trap), each with a code, its place and a fix; with two dumps (client, then server) also the TLS modes that conflict. Exit 1 at --fail-on",
      (y) =>
        y
          .positional("dumps", { type: "string", array: true, demandOption: true, describe: "one or more dumps; with two, the first is checked as a client of the second" })
          .option("fail-on", { choices: ["error", "warning", "info", "none"] as const, default: "error" as const, describe: "exit 1 when a finding is at or above this severity", group: "Findings:" })
          .option("now", { type: "string", describe: "the time certificates are judged at (ISO 8601); default: now", group: "Findings:" })
          .example("$0 check dump.json", "every finding, most severe first")
          .example("$0 check dump.json -o sarif > findings.sarif", "for GitHub code scanning")
          .example("$0 check client.json server.json --fail-on warning", "a CI gate over two proxies"),
      async (a) => {
        const now = nowOption(a.now);
        await heavy();
        const files = (a.dumps as string[]).map(String);
        const inputs: LoadedInput[] = [];
        for (const f of files) inputs.push(await load(f, a));
        const doc = H.checkDocument(inputs, now ? { now } : {});
        if (a.output === "sarif") out(H.serialize(H.sarifLog(doc.findings, { version: VERSION }), "json"));
        else out(H.renderDocument(doc, a.output as OutputFormat, H.renderCheck));
        if (H.failsAt(doc.findings, a.failOn as "error" | "warning" | "info" | "none")) setCode(1);
      },
    )
    .command(
      "tls-check <client> [server]",
      "will the server take what the client proxy sends? Per host:port: CLIENT, SERVER, STATUS (OK, CONFLICT, PLAINTEXT, UNKNOWN) and why. Exit 1 on any CONFLICT",
      (y) =>
        y
          .positional("client", { type: "string", demandOption: true, describe: "the client proxy's dump (with one dump only: what it sends and what it accepts)" })
          .positional("server", { type: "string", describe: "the server proxy's dump" })
          .option("service", { type: "string", describe: "pair only the client's clusters for host:port (e.g. reviews.default.svc.cluster.local:9080)" })
          .option("from", { choices: PRESET_NAMES, describe: "a client without a sidecar: check this preset (e.g. plaintext) against the single dump given as the server" })
          .example("$0 tls-check client.json server.json", "pair the client's clusters with the server's inbound ports")
          .example("$0 tls-check server.json --from plaintext", "what a client without a sidecar gets"),
      async (a) => {
        await heavy();
        let service: { host: string; port: number } | undefined;
        if (a.service) {
          const m = /^(.+):(\d+)$/.exec(a.service);
          if (!m || Number(m[2]) > 65535) throw new UsageError(`--service wants host:port, not "${a.service}"`);
          service = { host: m[1]!, port: Number(m[2]) };
        }
        const [first, second] = await loadTwo(a.client, a.server, a, { part: true });
        const doc = H.tlsCheckDocument(first, second, { ...(a.from ? { from: a.from as PresetName } : {}), ...(service ? { service } : {}) });
        out(H.renderDocument(doc, a.output as OutputFormat, H.renderTlsCheck));
        if (doc.rows.some((r) => r.status === "CONFLICT")) setCode(1);
      },
    )
    .command(
      "diff <before> <after>",
      "what changed for traffic between two dumps (any shapes or API versions); exit 0 no semantic change, 1 changes (see --fail-on), 2 trouble",
      (y) =>
        y
          .positional("before", { type: "string", demandOption: true, describe: "the dump before the change (a file, - or pod/NAME)" })
          .positional("after", { type: "string", demandOption: true, describe: "the dump after the change" })
          .option("impact", { type: "boolean", default: false, describe: "replay plaintext, curl-mtls and istio-sidecar on every inbound port of both sides; list connections whose outcome changed" })
          .option("ignore", { type: "string", array: true, describe: "ignore changes under this field path (e.g. statPrefix, filterChains.*.metadata); repeatable" })
          .option("fail-on", { choices: ["any", "mode", "impact"] as const, default: "any" as const, describe: "what makes the exit code 1: any semantic change, an inbound port's mTLS mode changing, or a connection's outcome changing (implies --impact)" })
          .option("quiet", { alias: "q", type: "boolean", default: false, describe: "print nothing; the exit code says it" })
          .example("$0 diff before.json after.json --impact", "what changed, and for which connections")
          .example("$0 diff pod/web-0.shop saved.json --fail-on mode", "a live pod against a saved dump: exit 1 only when a port's mTLS mode changed"),
      async (a) => {
        await heavy();
        for (const p of (a.ignore as string[] | undefined) ?? []) {
          if (!IGNORE_PATH.test(p)) throw new UsageError(`--ignore wants a field path such as statPrefix or filterChains.*.metadata, not "${p}"`);
        }
        const impact = a.impact || a.failOn === "impact";
        const [before, after] = await loadTwo(a.before, a.after, a);
        const doc = H.diffDocument(before, after!, { impact, ...(a.ignore ? { ignore: a.ignore as string[] } : {}) });
        if (!a.quiet) out(H.renderDocument(doc, a.output as OutputFormat, H.renderDiff));
        const failed = a.failOn === "impact" ? !!doc.impact?.length : a.failOn === "mode" ? doc.summary.length > 0 : doc.changes.length > 0 || !!doc.impact?.length;
        if (failed) setCode(1);
      },
    )
    .completion("completion", "print a bash/zsh completion script (source <(envoy-explain completion))", (current: string, _argv: unknown, completionFilter: (cb: (err: Error | null, defaults?: string[]) => void) => void, done: (completions: string[]) => void) => {
      completionFilter((_err, defaults) => done(completeFromDump(run.argv, current, defaults ?? [])));
    })
    .epilog(EPILOG)
    .strict()
    .help()
    .alias("h", "help")
    .version(VERSION)
    .wrap(process.stdout.isTTY ? Math.min(120, process.stdout.columns || 100) : 120)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .exitProcess(false);
  // With a callback yargs hands over what it would print itself (help, version, completions), so it goes where the CLI writes.
  let printed = "";
  await y.parseAsync(run.argv, {}, (_err, _argv, output) => {
    printed = output;
  });
  if (printed) run.print(printed);
}

/**
 * Completion beyond yargs' own (commands, flags, choices): after --port, the ports of the dump
 * already on the command line; after --listener, its listener names; after --client, the presets.
 */
function completeFromDump(argv: string[], current: string, defaults: string[]): string[] {
  const at = argv.indexOf("--get-yargs-completions");
  const words = at >= 0 ? argv.slice(at + 1) : argv;
  const prev = words[words.length - 2] ?? "";
  const dump = words.slice(1, -1).find((w) => !w.startsWith("-") && !COMMAND_WORDS.includes(w) && fs.existsSync(w) && fs.statSync(w).isFile());
  const pick = (xs: string[]) => xs.filter((x) => x.startsWith(current));
  if (prev === "--client" || prev === "-c" || prev === "--from") return pick([...PRESET_NAMES]);
  if ((prev === "--port" || prev === "-p" || prev === "--listener" || prev === "--name") && dump) {
    try {
      const input = H.loadFile(dump, { maxBytes: 64 * 2 ** 20 });
      const rows = H.listenersDocument(input).listeners;
      if (prev === "--listener" || prev === "--name") return pick([...new Set(rows.map((r) => r.listener))]);
      const ports = new Set<number>();
      for (const r of rows) {
        const p = r.match?.destinationPort ?? Number(r.address.split(":").pop());
        if (p) ports.add(p);
      }
      return pick([...ports].sort((x, y) => x - y).map(String));
    } catch {
      return [];
    }
  }
  return defaults.filter((d) => d !== "$0");
}

/** A field path for --ignore: names (camelCase or snake_case) and * separated by dots. */
const IGNORE_PATH = /^(?:[A-Za-z_][A-Za-z0-9_]*|\*)(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|\*))*$/;

/** k=v pairs of a repeatable flag, in a table without a prototype (keys are the user's). */
function parsePairs(list: string[], flag: string, lowerKeys: boolean): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const h of list) {
    const i = h.indexOf("=");
    if (i <= 0) throw new UsageError(`${flag} wants k=v, not "${h}"`);
    const k = h.slice(0, i).trim();
    out[lowerKeys ? k.toLowerCase() : k] = h.slice(i + 1);
  }
  return out;
}
