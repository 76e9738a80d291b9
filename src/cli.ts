// envoy-explain's command line: arguments in, a document rendered out, an exit code back.
// Every command builds its document (src/documents.ts, the same as the library returns) and a
// renderer prints it; nothing here analyses.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yargs, { type Argv } from "yargs";
import { formatDiagnostic, InputError, type Diagnostic } from "./diag.js";
import type { InputFormat, LoadedInput } from "./load/dump.js";
import { PRESET_HELP, PRESET_NAMES } from "./explain/presets.js";
import { OUTCOME_CODES } from "./explain/outcomes.js";
import type { OutputFormat } from "./render/table.js";
import { parseSize } from "./load/read.js";
import { checkPodSelection, listPods, parsePodRef, podRefName, readPodDump, readPodDumps, type PodSelection, type SkippedPod } from "./load/pod.js";
import { setRevealSecrets } from "./redacted.js";
import {
  blockOption,
  clusterFilterOptions,
  diffOptionValues,
  editDistance,
  endpointFilterOptions,
  explainOptions,
  findingsOptionValues,
  listenerFilterOptions,
  logReplayOptionValues,
  nearest,
  oneOf,
  OptionError,
  outcomesOption,
  portOption,
  routeFilterOptions,
  tlsCheckOptionValues,
} from "./analyses/options.js";
import type { TlsCheckOptions } from "./analyses/tlscheck.js";
import type { Warning } from "./documents.js";
import type { FleetMember, FleetOptions } from "./fleetdoc.js";
import { progress, startProgress, stopProgress, type ShownWatcher } from "./progress.js";
import { escapeJsonText, escapeLine, escapeTerminal } from "./render/sanitize.js";
import { VERSION } from "./version.js";
import { setWideOutput } from "./render/table.js";
import { setTerminalWidth } from "./render/wrap.js";

type Heavy = typeof import("./heavy.js");
let H: Heavy;
/** Loads what running a command needs, once; parsing arguments and printing help do without it. */
async function heavy(): Promise<Heavy> {
  H ??= await import("./heavy.js");
  return H;
}

/** yargs reads a bare "-" as an empty string: the bin passes stdin under this name. */
export const STDIN = "/dev/stdin";
/**
 * Dumps larger than this are streamed, when plain JSON, for commands that read resources one by one
 * (explain, tls-check, check, the overview, the listings): each resource is read from the file when asked,
 * and one that was only needed once can be let go. About even with reading them as text at 10 MB, faster
 * from 20 MB (measured on the bench's dumps). diff reads its two dumps as text.
 */
const STREAM_FROM = 16 * 2 ** 20;
const FORMATS = ["auto", "config_dump", "config_dump_section", "istioctl_list", "resource", "bootstrap", "admin_clusters"] as const;
const OUTPUTS = ["table", "wide", "json", "yaml", "markdown", "sarif"] as const;
/** The most of stdin --log - reads: an hour of a busy proxy's log is far less. */
const LOG_STDIN_MAX = 256 * 2 ** 20;

interface Common {
  output: OutputFormat | "sarif" | "wide";
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
  /** Taken as text and read here: yargs would make "abc" NaN. */
  adminPort?: string;
  /** Which code block of a pasted page to read (1 for the first). */
  block?: string;
  /** `pod/` as a fleet command's input: the pods of this label selector. */
  selector?: string;
  allNamespaces?: boolean;
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
  web: [],
};
Object.setPrototypeOf(COMMANDS, null);
const COMMAND_WORDS = Object.keys(COMMANDS).flatMap((c) => [c, ...COMMANDS[c]!]);

/** Each command's usage line, as a usage error ends with it ("" is the default command: explain and the overview). */
const USAGE: Record<string, string> = {
  "": "envoy-explain <dump> [--port N [--client NAME]] [--log LINE]",
  listeners: "envoy-explain listeners <dump> [--port N] [--address IP] [--type HTTP|TCP] [--name L]",
  clusters: "envoy-explain clusters <dump> [--fqdn H] [--port N] [--direction D] [--subset S] [--name S]",
  routes: "envoy-explain routes <dump> [--name R]",
  endpoints: "envoy-explain endpoints <dump> [--cluster S] [--port N] [--address IP] [--status S]",
  secrets: "envoy-explain secrets <dump>",
  all: "envoy-explain all <dump>",
  check: "envoy-explain check <dump|dir> [<dump|dir>…] [--fail-on L] [--now TIME] [--jobs N]",
  "tls-check": "envoy-explain tls-check <client> [<server>] [--service HOST:PORT|NAME] [--from PRESET] | tls-check <dir|dumps…> [--jobs N]",
  diff: "envoy-explain diff <before> <after> [--impact] [--ignore PATH] [--fail-on any|mode|impact]",
  completion: "envoy-explain completion",
  web: "envoy-explain web [--open]",
};
Object.setPrototypeOf(USAGE, null);

/** A command line the tool cannot run; `usage`: end the message with the command's usage line. */
class UsageError extends Error {
  readonly usage: boolean;
  constructor(message: string, usage = false) {
    super(message);
    this.usage = usage;
  }
}

/**
 * The word the user typed for a command (an alias: "listener"), or "" for the default command. `command`:
 * the one yargs chose, when known; else the first command word of the line.
 */
function commandWord(argv: string[], command: string | undefined): string {
  const words = command === undefined ? COMMAND_WORDS : command === "" ? [] : [command, ...(COMMANDS[command] ?? [])];
  return argv.find((w) => words.includes(w)) ?? command ?? "";
}

/** The usage line of the command, spelled with the word the user typed. */
function usageLine(word: string): string {
  const command = Object.keys(COMMANDS).find((c) => c === word || COMMANDS[c]!.includes(word)) ?? "";
  const line = USAGE[command]!;
  return word !== command ? line.replace(`envoy-explain ${command}`, `envoy-explain ${word}`) : line;
}

/** Where the CLI writes; the bin wires it to the process, tests and the fuzzer to buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Standard output is a terminal: colour is on unless NO_COLOR or --no-color (FORCE_COLOR turns it on anywhere). */
  isTTY?: boolean;
  /** Standard error is a terminal: long work shows its progress there. */
  stderrIsTTY?: boolean;
  /** Told when a progress line comes up and when it is cleared: the bin clears it if the process is interrupted meanwhile. */
  onProgress?: ShownWatcher;
  /** Runs synchronous work so that an interrupt stops it at once (the bin: Node's SIGINT watchdog); by default, just runs it. */
  interruptible?: <T>(work: () => T) => T;
}

/** Colour for our own marks only (verdicts), added after the text was escaped: nothing from a dump is coloured or can colour. */
function colourize(text: string): string {
  return text
    .split("\n")
    .map((l) => (l.startsWith("✓ ") ? `\u001b[32m✓\u001b[39m${l.slice(1)}` : l.startsWith("✗ ") ? `\u001b[31m✗\u001b[39m${l.slice(1)}` : l.startsWith("! ") || l.startsWith("? ") ? `\u001b[33m${l[0]}\u001b[39m${l.slice(1)}` : l.startsWith("INCOMPLETE INPUT:") ? `\u001b[33mINCOMPLETE INPUT:\u001b[39m${l.slice(17)}` : l))
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
   * Reads an input. `stream`: the command reads a dump's resources one by one, so a large one is
   * streamed (STREAM_FROM) and each resource parsed when asked. `inWorker`: a streamed input is scanned
   * on a worker thread, so that another input can be read meanwhile.
   */
  load(file: string, a: Common, how?: { stream?: boolean; inWorker?: boolean; signal?: AbortSignal }): Promise<LoadedInput>;
  /** Two inputs read at once: the second's scan (when it is streamed) runs on a worker thread while the first is read. Warnings keep this order. */
  loadTwo(first: string, second: string | undefined, a: Common, how?: { stream?: boolean }): Promise<[LoadedInput, LoadedInput | undefined]>;
  setCode(code: number): void;
  /** Runs the synchronous part of a command (reading, analysing, printing) so that Ctrl-C stops it at once. */
  sync<T>(work: () => T): T;
  /** The inputs in the order the command asked for them (two may be read at once); `input` once read. */
  loaded: { input?: LoadedInput; verbose: boolean }[];
  /** The command printed findings (the overview, check): a rejected update is one of them, so its loader warning is not said again. */
  findingsShown?: boolean;
  argv: string[];
  /** The command yargs chose ("" for the default), once its builder ran: usage errors name it. */
  command?: string;
}

/** A size flag's value in bytes ("100M", "2G"); a usage error when it is not a size. */
function sizeOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = parseSize(value);
  if (n === undefined) throw new UsageError(`${flag} wants a size such as 100M or 2G, not "${value}"`);
  return n;
}

/** --jobs: a whole number of threads, 1 to 64. */
function jobsOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 64) throw new UsageError(`--jobs wants a number of threads from 1 to 64, not "${value}"`);
  return n;
}

/** The pods `pod/` names in a fleet command: -l, -n or -A, and kubectl's context. */
function podSelection(a: Common): PodSelection {
  return {
    ...(a.selector !== undefined ? { selector: a.selector } : {}),
    ...(a.namespace !== undefined ? { namespace: a.namespace } : {}),
    ...(a.allNamespaces ? { allNamespaces: true } : {}),
    ...(a.context ? { context: a.context } : {}),
    ...(a.kubeconfig ? { kubeconfig: a.kubeconfig } : {}),
    ...(a.container ? { container: a.container } : {}),
  };
}

/** Why a pod the selector matched is not read, in kubectl's words where it has them. */
function skipText(p: SkippedPod): string {
  switch (p.reason) {
    case "not-running":
      return `not running (${p.phase || "no phase"})`;
    case "terminating":
      return "terminating";
    case "no-proxy":
      return `no container ${p.container}`;
    case "proxy-not-running":
      return `its ${p.container} container is ${p.state}${p.why ? ` (${p.why})` : ""}`;
  }
}

/** -l and -A pick the pods of a `pod/` input: refused without one. */
function selectorWanted(a: Common, args: string[]): void {
  if ((a.selector !== undefined || a.allNamespaces) && !args.some(isPodSelector)) throw new UsageError(`--${a.selector !== undefined ? "selector" : "all-namespaces"} picks the pods of a pod/ input: give pod/ as the dumps (tls-check pod/ -l app=reviews)`);
}

/** `pod/` (or `pods/`): the pods a label selector picks, as a fleet command's input. */
const isPodSelector = (arg: string) => arg === "pod/" || arg === "pods/" || arg === "po/";

/** A fleet's warnings: with -v each; else the first of each kind, with how many there are and in how many dumps. */
function reportFleetWarnings(run: Run, warnings: Warning[], verbose: boolean): void {
  const list = warnings as Diagnostic[];
  if (verbose) for (const d of list) run.err(formatDiagnostic(d));
  else for (const line of groupedWarnings(list, run.findingsShown, "these dumps")) run.err(line);
}

/**
 * One line per kind of warning (notes left out), the first of its kind with its path shortened, and how
 * many there are (in how many dumps, when more than one): at most eight kinds, then how many more.
 */
function groupedWarnings(list: Diagnostic[], findingsShown: boolean | undefined, where: string): string[] {
  const kinds = new Map<string, { first: Diagnostic; count: number; files: Set<string> }>();
  for (const d of list) {
    if (d.severity === "note") continue;
    // REJECTED_CONFIG says it, with Envoy's message and where.
    if (findingsShown && d.code === "rejected-update") continue;
    const k = `${d.severity}\u0000${d.code}`;
    const seen = kinds.get(k);
    if (seen) {
      seen.count += d.count ?? 1;
      seen.files.add(d.file);
    } else kinds.set(k, { first: d, count: d.count ?? 1, files: new Set([d.file]) });
  }
  const all = [...kinds.values()];
  const lines = all.slice(0, 8).map(({ first, count, files }) => {
    const short = { ...first, ...(first.path && first.path.length > 80 ? { path: `${first.path.slice(0, 38)}…${first.path.slice(-38)}` } : {}), count: 1 };
    return `${formatDiagnostic(short)}${count > 1 ? ` [${count} like it${files.size > 1 ? ` in ${files.size} dumps` : ""}; -v shows each]` : ""}`;
  });
  if (all.length > 8) lines.push(`… ${all.length - 8} more kinds of warning in ${where}; -v shows them all`);
  return lines;
}

/**
 * Runs one command line and returns its exit code: 0 done, 1 a finding (tls-check conflict, diff
 * change, --expect miss), 2 bad input or usage, 3 an internal error. Never exits the process.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code = 0;
  const cols = Number(process.env.COLUMNS);
  setTerminalWidth(Number.isInteger(cols) && cols > 20 ? cols : process.stdout.isTTY ? process.stdout.columns : undefined);
  // One line each, never wrapped whatever COLUMNS says: an error or a warning is a line a person greps
  // for and copies, and a name's line break is shown as \n, never a line (a "warning:") of its own.
  const err = (text: string) => io.stderr(`${escapeLine(text)}\n`);
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
    load: async (file: string, a: Common, how: { stream?: boolean; inWorker?: boolean; signal?: AbortSignal } = {}): Promise<LoadedInput> => {
      const maxBytes = sizeOption("--max-size", a.maxSize);
      const streamFrom = sizeOption("--stream-from", a.streamFrom);
      const block = a.block === undefined ? undefined : blockOption(a.block, "block", "flag");
      const adminPort = a.adminPort === undefined ? undefined : portOption(a.adminPort, "adminPort", "flag");
      const entry: Run["loaded"][number] = { verbose: a.verbose };
      run.loaded.push(entry);
      const opts = {
        format: a.format as InputFormat | "auto",
        ...(maxBytes ? { maxBytes } : {}),
        ...(streamFrom ? { streamFrom } : {}),
        ...(how.stream && !streamFrom ? { streamJsonFrom: STREAM_FROM } : {}),
        ...(how.inWorker ? { inWorker: true } : {}),
        ...(how.signal ? { signal: how.signal } : {}),
        ...(a.proxy ? { proxy: a.proxy } : {}),
        ...(block !== undefined ? { block } : {}),
      };
      let input: LoadedInput;
      if (parsePodRef(file) && !fs.existsSync(file)) {
        const bytes = readPodDump(file, {
          ...(a.namespace ? { namespace: a.namespace } : {}),
          ...(a.context ? { context: a.context } : {}),
          ...(a.kubeconfig ? { kubeconfig: a.kubeconfig } : {}),
          ...(a.container ? { container: a.container } : {}),
          ...(adminPort !== undefined ? { adminPort } : {}),
          ...(maxBytes ? { maxBytes } : {}),
        });
        input = run.sync(() => H.loadBytes(bytes, file, opts));
        // Reading a file is synchronous up to its first wait (a stream, a worker's scan): that part stops at once on Ctrl-C.
      } else input = await run.sync(() => H.openInput(file === STDIN ? "-" : file, opts));
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
    sync: io.interruptible ?? (<T>(work: () => T): T => work()),
    print: (text: string) => io.stdout(text.endsWith("\n") ? text : `${text}\n`),
  };
  setRevealSecrets(false);
  if (io.stderrIsTTY) startProgress((t) => io.stderr(t), Date.now, io.onProgress);
  try {
    checkCommandWord(argv);
    // Completing from a dump reads it inside yargs' synchronous completion callback.
    if (argv.includes("--get-yargs-completions")) await heavy();
    await parser(run);
    reportDiagnostics(run);
    return code;
  } catch (e: unknown) {
    // An option the shared checks refused (the library says the same words): a usage error.
    if (e instanceof OptionError && argv.includes("--get-yargs-completions")) return 0;
    if (e instanceof OptionError) {
      err(`envoy-explain: ${e.message}`);
      err(helpHint(argv, run.command));
      return 2;
    }
    if (e instanceof InputError) {
      err(`envoy-explain: error: ${e.format()}`);
      return 2;
    }
    // Completing a half-typed command line is not running it: its missing arguments are no error.
    if (e instanceof UsageError && argv.includes("--get-yargs-completions")) return 0;
    if (e instanceof UsageError) {
      const word = commandWord(argv, run.command);
      err(`envoy-explain: ${e.message}${e.usage ? `: ${usageLine(word)}` : ""}`);
      err(helpHint(argv, run.command));
      return 2;
    }
    const x = e as Error;
    // Interrupted (Ctrl-C) in work run through io.interruptible, when the bin did not end the process itself.
    if ((x as NodeJS.ErrnoException)?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") return 130;
    if (x instanceof RangeError && /call stack/i.test(x.message)) {
      err("envoy-explain: error: the input nests too deeply to read");
      return 2;
    }
    err(`envoy-explain: internal error: ${x?.message ?? String(e)}`);
    if (process.env.ENVOY_EXPLAIN_DEBUG) io.stderr(`${escapeTerminal(x?.stack ?? "")}\n`);
    return 3;
  } finally {
    stopProgress();
    setRevealSecrets(false);
  }
}

/** The line after a usage error: where the command's every option is described. */
function helpHint(argv: string[], command: string | undefined): string {
  const word = commandWord(argv, command);
  return `Run envoy-explain ${word ? `${word} ` : ""}--help for usage.`;
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
    for (const line of groupedWarnings(input.diags.list, run.findingsShown, input.file)) say(line);
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

function common<T>(y: Argv<T>, run: Run) {
  return y
    .option("output", { alias: "o", choices: OUTPUTS, default: "table" as const, describe: "output format (wide: the table with every column; json and yaml are the same document; sarif: findings, for check and the overview)", group: "Output:" })
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
    .option("block", { type: "string", describe: "in a page with several code blocks (a bug report, a Markdown file): read this one (1 for the first)", group: "Input:" })
    .option("admin-port", { type: "string", describe: "Envoy's admin port for proxies without pilot-agent (default 15000)", group: "Live pod (pod/NAME[.NAMESPACE] as input):" })
    .option("selector", { alias: "l", type: "string", describe: "with pod/ as a fleet's input (tls-check, check, diff): the pods of this label selector (app=reviews)", group: "Live pod (pod/NAME[.NAMESPACE] as input):" })
    .option("all-namespaces", { alias: "A", type: "boolean", describe: "with pod/ as a fleet's input: pods in every namespace", group: "Live pod (pod/NAME[.NAMESPACE] as input):" })
    .middleware((a) => {
      // Options every command reads with its inputs, checked before the first is read.
      sizeOption("--max-size", a.maxSize);
      sizeOption("--stream-from", a.streamFrom);
      if (a.block !== undefined) blockOption(a.block, "block", "flag");
      if (a.adminPort !== undefined) portOption(a.adminPort, "adminPort", "flag");
      if (a.selector !== undefined || a.allNamespaces) checkPodSelection(podSelection(a as unknown as Common));
      // An option given twice ("--port 80 --port 81") is refused, not read as a list: only the repeatable ones take several.
      const o = (y as unknown as { getOptions(): { key: Record<string, unknown>; array: string[]; boolean: string[] } }).getOptions();
      for (const key of Object.keys(o.key)) {
        const v = (a as Record<string, unknown>)[key];
        if (key.length > 1 && Array.isArray(v) && !o.array.includes(key) && !o.boolean.includes(key)) throw new UsageError(`--${key} is given ${v.length} times (${v.map((x) => JSON.stringify(String(x))).join(", ")}): give it once`);
      }
      // SARIF carries findings: the overview (no --port) and check have them, other commands do not.
      const cmd = String(a._[0] ?? "");
      if (a.output === "sarif" && cmd !== "check" && !(cmd === "" && a.port === undefined && a.log === undefined)) {
        throw new UsageError(`-o sarif is for findings: envoy-explain check DUMP -o sarif, or envoy-explain DUMP -o sarif (the overview); use table, json, yaml or markdown here`);
      }
      // -o wide is the table with every column, whatever the terminal's width (as kubectl's).
      setWideOutput(a.output === "wide");
      if (a.output === "wide") Object.assign(a, { output: "table", o: "table" });
      run.st.outputFormat = (a.output === "sarif" ? "json" : a.output) as OutputFormat;
      run.st.colour = colourWanted(a.color as boolean | undefined, run.isTTY);
      setRevealSecrets(a.showSecrets === true);
      if (a.showSecrets) run.err("envoy-explain: --show-secrets: private keys, passwords and credentials are printed as they are; do not paste this output anywhere public");
    });
}

const EPILOG = `Inputs: Envoy admin /config_dump JSON (v3, or v2 from Istio 1.1-1.5), istioctl proxy-config … -o json|yaml, a bootstrap, a single Listener/Cluster/RouteConfiguration, an xDS DiscoveryResponse, egctl output, a CiliumEnvoyConfig; .gz files; "-" for stdin; pod/NAME[.NAMESPACE] for a live proxy (through kubectl exec); dumps pasted into bug reports (cut short, ...snip..., comments) are read as far as they go, with a warning.

Secrets: what Envoy's admin redacts (private keys, passwords, session ticket keys, generic secrets) and credentials in header values (Authorization, Cookie, API keys) are masked in every output; inline code and keys (Lua, Wasm, JWKS) are shown as their size and fingerprint. --show-secrets prints them.

Exit codes: 0 done; 1 a finding (check found one at --fail-on, tls-check found a CONFLICT, diff found changes, --expect was not met); 2 bad input or usage (the message names the file and the place); 3 an internal error (a bug: please report it with ENVOY_EXPLAIN_DEBUG=1 output).`;

/** A listing's count of what the dump holds, for a table whose filters matched nothing ("(of 25)"); JSON has no use for it. */
function counted(output: unknown, rows: number, filter: object, count: () => number): number | undefined {
  if (rows || output === "json" || output === "yaml" || !Object.values(filter).some((v) => v !== undefined)) return undefined;
  return count();
}

/**
 * yargs' messages, each replaced by a marked form (whatever the locale: a German LANG would get German
 * from yargs), which fromYargs turns into the tool's own words.
 */
const MARK = "\u0001";
const mark = (kind: string, args: number) => [kind, ...Array.from({ length: args }, () => "%s")].join(MARK).replace(/^/, MARK);
const both = (text: string) => ({ one: text, other: text });
const YARGS_STRINGS = {
  "Not enough non-option arguments: got %s, need at least %s": both(mark("few", 2)),
  "Too many non-option arguments: got %s, maximum of %s": both(mark("many", 2)),
  "Missing required argument: %s": both(mark("required", 1)),
  "Missing argument value: %s": both(mark("value", 1)),
  "Not enough arguments following: %s": mark("value", 1),
  "Unknown argument: %s": both(mark("unknown", 1)),
  "Unknown command: %s": both(mark("command", 1)),
  "Invalid values:": mark("invalid", 0),
  "Argument: %s, Given: %s, Choices: %s": mark("choice", 3),
} as unknown as Record<string, string>;

/** The positionals of each command: not options, so never offered as "did you mean". */
const POSITIONALS: Record<string, string[]> = { "": ["dump"], check: ["dumps"], "tls-check": ["client", "server", "more"], diff: ["before", "after"], web: [] };
Object.setPrototypeOf(POSITIONALS, null);

/** What a command is missing, when yargs counted too few positionals. */
function missingWhat(word: string, command: string, got: number): string {
  if (command === "") return "no dump given";
  if (command === "tls-check") return `${word} needs the client proxy's dump (and, optionally, the server proxy's)`;
  if (command === "diff") return got === 0 ? `${word} needs two dumps, before and after` : `${word} needs a second dump (after)`;
  return `${word} needs a dump`;
}

/** What a command says of a positional too many. */
function extraWhat(word: string, command: string, extra: string): string {
  const x = JSON.stringify(extra === STDIN ? "-" : extra);
  if (command === "") return `one dump at a time, not also ${x} (check reads several, diff two)`;
  if (command === "tls-check") return `${word} reads two dumps (client, server), not also ${x}`;
  if (command === "diff") return `${word} reads two dumps (before, after), not also ${x}`;
  if (command === "completion") return `${word} takes no argument, not ${x}`;
  return `${word} reads one dump, not also ${x}`;
}

/**
 * yargs' refusal in the tool's words, with the command's usage line: a positional missing or one too
 * many, an option unknown (with the one meant), a value not among the choices (the words the library
 * uses for the same option).
 */
function fromYargs(msg: string, run: Run, y: Argv): Error {
  const word = commandWord(run.argv, run.command);
  const command = run.command ?? (Object.keys(COMMANDS).find((c) => c === word || COMMANDS[c]!.includes(word)) ?? "");
  const [, kind, ...args] = msg.split("\n")[0]!.split(MARK);
  const options = () => (y as unknown as { getOptions(): { key: Record<string, unknown>; hiddenOptions: string[] } }).getOptions();
  switch (kind) {
    case "few":
      return new UsageError(missingWhat(word, command, Number(args[0])), true);
    case "unknown": {
      const names = args[0]!.split(", ");
      // yargs names --foo-bar twice (foo-bar, fooBar): once is enough.
      const kebab = (n: string) => n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      const unique = names.filter((n) => !(/[A-Z]/.test(n) && names.includes(kebab(n))));
      const flagOf = (n: string) =>
        run.argv.find((t) => t === `--${n}` || t.startsWith(`--${n}=`) || t === `--no-${n}`)?.replace(/=.*$/s, "") ??
        (n.length === 1 && run.argv.some((t) => /^-[^-]/.test(t) && t.slice(1).includes(n)) ? `-${n}` : undefined);
      const flags = unique.map((n) => ({ n, flag: flagOf(n) })).filter((u) => u.flag !== undefined);
      if (!flags.length) return new UsageError(extraWhat(word, command, unique[0] ?? ""), true);
      const o = options();
      const positional = POSITIONALS[command] ?? ["dump"];
      const known = Object.keys(o.key).filter((k) => k.length > 1 && !o.hiddenOptions.includes(k) && !positional.includes(k));
      const said = flags.map(({ n, flag }) => {
        const near = flag!.startsWith("--") ? nearest(n.replace(/^no-/, ""), known) : undefined;
        return `${flag}${near ? ` (did you mean --${near}?)` : ""}`;
      });
      return new UsageError(`unknown option${said.length > 1 ? "s" : ""} ${said.join(", ")}`, true);
    }
    case "invalid": {
      const line = msg.split("\n").find((l) => l.includes(`${MARK}choice${MARK}`));
      const [, , key, given, choices] = line?.trim().split(MARK) ?? [];
      try {
        const list = (text: string) => JSON.parse(`[${text}]`) as unknown[];
        oneOf(list(given!)[0], key!, "flag", list(choices!).map(String));
      } catch (e) {
        if (e instanceof OptionError) return e;
      }
      return new UsageError(`--${key} has a value it does not take: ${given}`);
    }
    case "required":
      return new UsageError(`${args[0]!.split(", ").map((k) => `--${k}`).join(", ")} is required`, true);
    case "value":
      return new UsageError(`${args[0]!.split(", ").map((k) => `--${k}`).join(", ")} needs a value`, true);
    case "many":
      return new UsageError(`${word || "envoy-explain"} takes at most ${args[1]} arguments, not ${args[0]}`, true);
    case "command":
      return new UsageError(`unknown command ${JSON.stringify(args[0])}`, true);
    default:
      return new UsageError(msg.split(MARK).join(" ").trim());
  }
}

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
  const { out, load, loadTwo, setCode, sync } = run;
  /**
   * A fleet command: the dumps its arguments name, read a few at a time (on threads from four dumps on),
   * the document made, what could not be read said as errors (exit 2, the rest still used), warnings
   * counted across the fleet.
   */
  const fleet = async <D extends { failed: { file: string; message: string }[]; warnings: Warning[] }>(
    sides: string[][],
    a: Common,
    jobs: number | undefined,
    make: (members: (FleetMember & { side: number })[], o: FleetOptions) => Promise<D>,
  ): Promise<D> => {
    const maxBytes = sizeOption("--max-size", a.maxSize);
    // Streamed from any size when plain JSON: a fleet reads the listeners, clusters and endpoints, never the rest.
    const loadOpts = { format: a.format as InputFormat | "auto", ...(maxBytes ? { maxBytes } : {}), streamJsonFrom: 0 };
    const lists: { file: string; path?: string }[][] = [];
    const fetched: { file: string; message: string }[] = [];
    let spool: string | undefined;
    try {
      for (const args of sides) {
        const list: { file: string; path?: string }[] = [];
        for (const arg of args) {
          if (arg === STDIN || arg === "-") throw new UsageError("a fleet is read from files, not stdin (-)");
          if (!isPodSelector(arg)) {
            list.push(...H.fleetFiles([arg]).map((file) => ({ file })));
            continue;
          }
          // Live pods: listed by the selector, their dumps fetched a few at a time into a spool directory
          // (removed at the end), so that they are read as files, one at a time, like any fleet.
          spool ??= fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-pods-"));
          const { pods, skipped } = await listPods(podSelection(a));
          for (const p of skipped) run.err(`envoy-explain: note: ${podRefName(p)} skipped: ${skipText(p)}`);
          if (!pods.length) throw new InputError("kubectl get pods", "no pod of the selection has a running proxy");
          const adminPort = a.adminPort === undefined ? undefined : portOption(a.adminPort, "adminPort", "flag");
          const got: { file: string; path?: string }[] = new Array(pods.length);
          let n = 0;
          for await (const d of readPodDumps(pods, { ...podSelection(a), ...(adminPort !== undefined ? { adminPort } : {}), ...(maxBytes ? { maxBytes } : {}), onProgress: (done, total) => progress(`fetching pod dumps (of ${total})`, done) })) {
            if (d.error) {
              fetched.push({ file: d.ref, message: d.error.format() });
              continue;
            }
            const file = path.join(spool, `${++n}.json`);
            fs.writeFileSync(file, d.bytes!);
            got[d.index] = { file: d.ref, path: file };
          }
          list.push(...got.filter(Boolean));
        }
        lists.push(list);
      }
      const count = lists.reduce((n, files) => n + files.length, 0);
      const threads = jobs ?? (count >= 4 ? H.threadCount() : 1);
      const steps = threads > 1 ? H.threadSteps(loadOpts, threads) : undefined;
      const members = lists.flatMap((files, side) =>
        files.map(({ file, path: at }) => ({ file, side, ...(at ? { path: at } : {}), load: () => (at ? H.loadBytes(fs.readFileSync(at), file, loadOpts) : H.openInput(file, loadOpts)) })),
      );
      const doc = await make(members, { ...(steps ? { steps, concurrency: steps.concurrency } : { concurrency: 1 }), onProgress: (phase, done, total) => progress(`${phase} dumps (of ${total})`, done) });
      stopProgress();
      doc.failed.unshift(...fetched);
      for (const f of doc.failed) run.err(`envoy-explain: error: ${f.message}`);
      if (doc.failed.length) setCode(2);
      reportFleetWarnings(run, doc.warnings, a.verbose);
      return doc;
    } finally {
      if (spool) fs.rmSync(spool, { recursive: true, force: true });
    }
  };
  const clientHelp = PRESET_NAMES.map((p) => `${p}: ${PRESET_HELP[p]}`).join("\n");
  /** Notes which command yargs chose (its builder runs first), for the usage line of an error. */
  const at =
    <A, B>(command: string, builder: (y: Argv<A>) => Argv<B>) =>
    (y: Argv<A>): Argv<B> => {
      run.command = command;
      return builder(y);
    };
  const y: Argv = common(yargs(run.argv), run)
    // yargs' own messages in English whatever the locale, each marked so that it becomes the tool's words (fromYargs).
    .locale("en")
    .updateStrings(YARGS_STRINGS)
    .scriptName("envoy-explain")
    .usage("$0 <dump> [--port N [--client NAME]]\n\nExplain which listener and filter chain Envoy picks for a connection, why every other chain lost, and what the client sees. Without --port: an overview of the proxy (what it is, what each port accepts, what its clusters send) and its findings.")
    .command(
      "$0 <dump>",
      "explain a connection to --port (every client preset, or one with --client); without --port, an overview of the proxy and its findings",
      at("", (y) =>
        y
          .positional("dump", { type: "string", demandOption: true, describe: 'config dump, istioctl output, pod/NAME[.NAMESPACE] or "-" for stdin' })
          // Ports are taken as text and read by the shared checks: yargs would make "abc" NaN.
          .option("port", { alias: "p", type: "string", describe: "destination port (without it: the overview)", group: "Connection:" })
          .option("now", { type: "string", describe: "the time certificates are judged at (ISO 8601, e.g. 2026-01-31T00:00:00Z); default: now", group: "Findings:" })
          .option("log", { type: "string", array: true, describe: 'an access-log line to replay against the dump (repeatable; "-" reads lines from stdin): does this dump reproduce it? (--port for formats without a local address)', group: "Access log:" })
          .option("address", { alias: "a", type: "string", describe: "destination IP (default: the proxy's own IP when the dump shows it)", group: "Connection:" })
          .option("listener", { type: "string", describe: "start at this listener (skip listener selection)", group: "Connection:" })
          .option("filter-state", { type: "string", array: true, describe: "filter state key=value that a filter_chain_matcher's FilterStateInput reads (repeatable)", group: "Connection:" })
          .option("direction", { choices: ["inbound", "outbound"] as const, describe: "for a destination nothing binds: the capture listener of this direction (default: inbound when it is the proxy's own IP)", group: "Connection:" })
          .option("source-ip", { type: "string", describe: "client IP (default 192.0.2.10, an external host)", group: "Connection:" })
          .option("source-port", { type: "string", describe: "client port (default 40000)", group: "Connection:" })
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
      ),
      async (a) => {
        const { now } = findingsOptionValues({ now: a.now }, "flag");
        if (a.log !== undefined) {
          const logOptions = logReplayOptionValues({ port: a.port, address: a.address }, "flag");
          const logs = (a.log as unknown[]).map(String);
          const fromStdin = logs.some((l) => l === STDIN || l === "-");
          if (fromStdin && a.dump === STDIN) throw new UsageError(`--log - reads lines from stdin, so the dump cannot come from stdin too`);
          await heavy();
          const lines: string[] = [];
          for (const l of logs) {
            // One by one: spreading a long log into push's arguments would overflow the stack.
            if (l === STDIN || l === "-") for (const line of sync(() => H.readInputBytes("-", LOG_STDIN_MAX).toString("utf8").split(/\r?\n/))) lines.push(line);
            else lines.push(l);
          }
          // Trailing blank lines of a file are no lines to replay.
          while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
          if (!lines.some((l) => l.trim())) throw new UsageError("--log got no line to replay");
          const input = await load(a.dump, a, { stream: true });
          sync(() => out(H.renderDocument(H.logDocument(input, lines, logOptions), a.output as OutputFormat, H.renderLog)));
          return;
        }
        if (a.port === undefined) {
          const explainOnly = (["client", "sni", "transport", "alpn", "clientCert", "host", "path", "header", "expect", "listener", "address", "filterState", "direction", "sourceIp", "sourcePort", "directSourceIp"] as const).filter((k) => a[k] !== undefined);
          if (explainOnly.length) throw new UsageError(`--${explainOnly[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} explains a connection: it needs --port N (without --port, envoy-explain ${a.dump === STDIN ? "-" : a.dump} gives the overview)`);
          await heavy();
          const input = await load(a.dump, a, { stream: true });
          sync(() => {
            const doc = H.overviewDocument(input, now ? { now } : {});
            run.findingsShown = true;
            if (a.output === "sarif") out(H.serialize(H.sarifLog(doc.findings, { version: VERSION }), "json"));
            else out(H.renderDocument(doc, a.output as OutputFormat, H.renderOverview));
          });
          return;
        }
        const expect = a.expect === undefined ? undefined : outcomesOption(a.expect, "expect", "flag");
        const options = explainOptions(
          {
            port: a.port,
            client: a.client,
            address: a.address,
            sni: a.sni,
            transport: a.transport,
            alpn: a.alpn,
            clientCert: a.clientCert,
            sourceIp: a.sourceIp,
            sourcePort: a.sourcePort,
            directSourceIp: a.directSourceIp,
            listener: a.listener || undefined,
            direction: a.direction,
            filterState: a.filterState?.length ? parsePairs(a.filterState as string[], "--filter-state", false) : undefined,
            detected: a.detected,
            host: a.host || undefined,
            path: a.path || undefined,
            headers: a.header?.length ? parsePairs(a.header as string[], "--header", true) : undefined,
          },
          "flag",
        );
        await heavy();
        const input = await load(a.dump, a, { stream: true });
        const doc = sync(() => {
          const d = H.explainDocument(input, options);
          out(H.renderDocument(d, a.output as OutputFormat, H.renderExplain));
          return d;
        });
        if (expect) {
          const misses = doc.results.filter((r) => !expect.includes(r.outcome.code));
          for (const r of misses) run.err(`envoy-explain: expected ${expect.join(" or ")} for ${r.client.preset} on port ${options.port}, got ${r.outcome.code}`);
          if (misses.length) setCode(1);
        }
      },
    )
    .command(
      ["listeners <dump>", "listener"],
      "one row per filter chain: listener, address, match, TLS, destination",
      at("listeners", (y) =>
        y
          .positional("dump", { type: "string", demandOption: true })
          .option("port", { alias: "p", type: "string", describe: "only chains that can take this port" })
          .option("address", { type: "string", describe: "only listeners bound to this IP" })
          .option("type", { type: "string", describe: "only HTTP (connection manager) or TCP chains: HTTP or TCP (any case)" })
          .option("name", { type: "string", describe: "only this listener" })
          .example("$0 listener dump.json --port 9080", "the chains that can take port 9080, and what each matches")
          .example("$0 listener pod/web-0.shop --type HTTP", "a live proxy's HTTP chains"),
      ),
      async (a) => {
        const filter = listenerFilterOptions({ port: a.port, address: a.address, type: a.type, name: a.name || undefined }, "flag");
        await heavy();
        // A large dump is streamed: its listeners are read (with --port, --address or --name, only those whose outline fits), the rest left in the file.
        const input = await load(a.dump, a, { stream: true });
        sync(() => {
          const doc = H.listenersDocument(input, filter);
          const inDump = counted(a.output, doc.listeners.length, filter, () => H.countInDump(input, "listeners"));
          out(H.renderDocument(doc, a.output as OutputFormat, (d, f) => H.renderListeners(d, f, filter, inDump)));
        });
      },
    )
    .command(
      ["clusters <dump>", "cluster"],
      "one row per cluster: Istio direction/port/subset/host, type, upstream TLS and auto-mTLS matches",
      at("clusters", (y) =>
        y
          .positional("dump", { type: "string", demandOption: true })
          .option("name", { type: "string", describe: "only clusters whose name contains this" })
          .option("fqdn", { type: "string", describe: "only Istio clusters for this host (reviews or reviews.default.svc.cluster.local)" })
          .option("port", { alias: "p", type: "string", describe: "only Istio clusters for this port" })
          .option("direction", { choices: ["inbound", "outbound"] as const, describe: "only Istio clusters of this direction" })
          .option("subset", { type: "string", describe: "only Istio clusters of this subset" })
          .example("$0 cluster dump.json --fqdn reviews --direction outbound", "what this proxy sends to reviews: upstream TLS and auto mTLS"),
      ),
      async (a) => {
        const filter = clusterFilterOptions({ name: a.name || undefined, fqdn: a.fqdn || undefined, port: a.port, direction: a.direction, subset: a.subset }, "flag");
        await heavy();
        const input = await load(a.dump, a, { stream: true });
        sync(() => {
          const doc = H.clustersDocument(input, filter);
          const inDump = counted(a.output, doc.clusters.length, filter, () => H.countInDump(input, "clusters"));
          out(H.renderDocument(doc, a.output as OutputFormat, (d, f) => H.renderClusters(d, f, filter, inDump)));
        });
      },
    )
    .command(
      ["routes <dump>", "route"],
      "one row per route: route config, virtual host, domains, match, destination",
      at("routes", (y) =>
        y
          .positional("dump", { type: "string", demandOption: true })
          .option("name", { type: "string", describe: "only this route configuration" })
          .example("$0 route dump.json --name 9080", "the virtual hosts and routes of route configuration 9080"),
      ),
      async (a) => {
        const filter = routeFilterOptions({ name: a.name || undefined }, "flag");
        await heavy();
        const input = await load(a.dump, a, { stream: true });
        sync(() => {
          const doc = H.routesDocument(input, filter);
          const inDump = counted(a.output, doc.routes.length, filter, () => H.countInDump(input, "routes"));
          out(H.renderDocument(doc, a.output as OutputFormat, (d, f) => H.renderRoutes(d, f, filter, inDump)));
        });
      },
    )
    .command(
      ["endpoints <dump>", "endpoint"],
      "one row per endpoint: address, health, tlsMode (auto mTLS), locality, cluster",
      at("endpoints", (y) =>
        y
          .positional("dump", { type: "string", demandOption: true })
          .option("cluster", { type: "string", describe: "only clusters whose name contains this" })
          .option("port", { alias: "p", type: "string", describe: "only endpoints on this port" })
          .option("address", { type: "string", describe: "only endpoints at this IP" })
          .option("status", { type: "string", describe: "only endpoints with this health status (HEALTHY, UNHEALTHY, …)" })
          .example("$0 endpoint dump.json --cluster reviews --port 9080", "each endpoint of reviews with its tlsMode (what auto mTLS keys on)"),
      ),
      async (a) => {
        const filter = endpointFilterOptions({ cluster: a.cluster || undefined, port: a.port, address: a.address, status: a.status || undefined }, "flag");
        await heavy();
        const input = await load(a.dump, a, { stream: true });
        sync(() => {
          const doc = H.endpointsDocument(input, filter);
          const inDump = counted(a.output, doc.endpoints.length, filter, () => H.countInDump(input, "endpoints"));
          out(H.renderDocument(doc, a.output as OutputFormat, (d, f) => H.renderEndpoints(d, f, filter, inDump)));
        });
      },
    )
    .command(
      ["secrets <dump>", "secret"],
      "one row per secret: name, state, type, certificate validity (private keys are never printed)",
      at("secrets", (y) => y.positional("dump", { type: "string", demandOption: true }).example("$0 secret dump.json", "certificates, their validity and SPIFFE identity")),
      async (a) => {
        await heavy();
        const input = await load(a.dump, a, { stream: true });
        sync(() => out(H.renderDocument(H.secretsDocument(input), a.output as OutputFormat, H.renderSecrets)));
      },
    )
    .command(
      "all <dump>",
      "every listing: listeners, clusters, routes, endpoints and secrets",
      at("all", (y) => y.positional("dump", { type: "string", demandOption: true })),
      async (a) => {
        await heavy();
        const input = await load(a.dump, a, { stream: true });
        sync(() => {
          const parts = { listeners: H.listenersDocument(input), clusters: H.clustersDocument(input), routes: H.routesDocument(input), endpoints: H.endpointsDocument(input), secrets: H.secretsDocument(input) };
          if (a.output === "json" || a.output === "yaml") {
            const doc = { version: H.DOCUMENT_VERSION, file: input.file, listeners: parts.listeners.listeners, clusters: parts.clusters.clusters, routes: parts.routes.routes, endpoints: parts.endpoints.endpoints, secrets: parts.secrets.secrets, warnings: H.warningsOf([input]) };
            out(H.serialize(doc, a.output));
            return;
          }
          const f = a.output as "table" | "markdown";
          const h = (t: string) => (f === "markdown" ? `\n## ${t}\n` : `\n${t.toUpperCase()}`);
          // Through renderDocument, as every command: names on one line, long ones listed once.
          out(H.renderDocument({ file: input.file, ...parts }, f, (p, f) => [h("listeners"), H.renderListeners(p.listeners, f), h("clusters"), H.renderClusters(p.clusters, f), h("routes"), H.renderRoutes(p.routes, f), h("endpoints"), H.renderEndpoints(p.endpoints, f), h("secrets"), H.renderSecrets(p.secrets, f)].join("\n").trimStart()));
        });
      },
    )
    .command(
      "check <dumps..>",
      "findings: what is wrong in a dump (rejected or warming config, unreachable chains, shadowed routes, missing clusters, empty endpoints, certificates, the PERMISSIVE trap), each with a code, its place and a fix; with two dumps (client, then server) also the TLS modes that conflict. Exit 1 at --fail-on",
      at("check", (y) =>
        y
          .positional("dumps", { type: "string", array: true, demandOption: true, describe: "one or more dumps; with two, the first is checked as a client of the second" })
          .option("fail-on", { choices: ["error", "warning", "info", "none"] as const, default: "error" as const, describe: "exit 1 when a finding is at or above this severity", group: "Findings:" })
          .option("now", { type: "string", describe: "the time certificates are judged at (ISO 8601); default: now", group: "Findings:" })
          .option("jobs", { type: "string", describe: "with a directory or more than two dumps: threads that read dumps at once (default: one per core)" })
          .example("$0 check dump.json", "every finding, most severe first")
          .example("$0 check dumps/", "a directory of dumps, one per proxy: each proxy's findings and the TLS conflicts between them")
          .example("$0 check dump.json -o sarif > findings.sarif", "for GitHub code scanning")
          .example("$0 check client.json server.json --fail-on warning", "a CI gate over two proxies"),
      ),
      async (a) => {
        const options = findingsOptionValues({ now: a.now }, "flag");
        const jobs = jobsOption(a.jobs);
        selectorWanted(a, (a.dumps as string[]).map(String));
        await heavy();
        const files = (a.dumps as string[]).map(String);
        if (files.length > 2 || files.some((f) => H.isFleetArg(f) || isPodSelector(f))) {
          const doc = await fleet([files], a, jobs, (members, o) => H.fleetCheckDocument(members, { ...o, findings: options }));
          sync(() => {
            run.findingsShown = true;
            if (a.output === "sarif") out(H.serialize(H.sarifLog(doc.findings, { version: VERSION }), "json"));
            else out(H.renderDocument(doc, a.output as OutputFormat, H.renderFleetCheck));
          });
          if (H.failsAt(doc.findings, a.failOn as "error" | "warning" | "info" | "none")) setCode(1);
          return;
        }
        const inputs: LoadedInput[] = [];
        for (const f of files) inputs.push(await load(f, a, { stream: true }));
        const doc = sync(() => {
          const d = H.checkDocument(inputs, options);
          run.findingsShown = true;
          if (a.output === "sarif") out(H.serialize(H.sarifLog(d.findings, { version: VERSION }), "json"));
          else out(H.renderDocument(d, a.output as OutputFormat, H.renderCheck));
          return d;
        });
        if (H.failsAt(doc.findings, a.failOn as "error" | "warning" | "info" | "none")) setCode(1);
      },
    )
    .command(
      "tls-check <client> [server] [more..]",
      "will the server take what the client proxy sends? Per host:port: CLIENT, SERVER, STATUS (OK, CONFLICT, PLAINTEXT, UNKNOWN) and why. Exit 1 on any CONFLICT",
      at("tls-check", (y) =>
        y
          .positional("client", { type: "string", demandOption: true, describe: "the client proxy's dump (with one dump only: what it sends and what it accepts)" })
          .positional("server", { type: "string", describe: "the server proxy's dump" })
          .option("service", { type: "string", describe: "pair only the client's clusters for host:port (reviews.default.svc.cluster.local:9080), or by a cluster name (outbound|9080||reviews.default.svc.cluster.local, OSM's namespace/name, Consul's) or the SNI a cluster sends" })
          .option("from", { choices: PRESET_NAMES, describe: "a client without a sidecar: check this preset (e.g. plaintext) against the single dump given as the server" })
          .positional("more", { type: "string", array: true, describe: "more dumps: with a directory or more than two dumps, the whole fleet is paired" })
          .option("jobs", { type: "string", describe: "with a directory or more than two dumps: threads that read dumps at once (default: one per core)" })
          .example("$0 tls-check dumps/", "a directory of dumps, one per proxy: every client's clusters against the proxies that own their endpoints")
          .example("$0 tls-check client.json server.json", "pair the client's clusters with the server's inbound ports")
          .example("$0 tls-check server.json --from plaintext", "what a client without a sidecar gets")
          .example("$0 tls-check client.json server.json --service 'outbound|9080||reviews.default.svc.cluster.local'", "only the client's cluster of that name"),
      ),
      async (a) => {
        // service: { host, port } for host:port, else { name } (a cluster name or an SNI), which the analysis pairs by.
        const options = tlsCheckOptionValues({ service: a.service, from: a.from }, "flag") as TlsCheckOptions;
        const jobs = jobsOption(a.jobs);
        const all = [a.client, ...(a.server !== undefined ? [a.server] : []), ...((a.more as string[] | undefined) ?? [])].map(String);
        selectorWanted(a, all);
        await heavy();
        if (all.length > 2 || all.some((f) => H.isFleetArg(f) || isPodSelector(f))) {
          if (a.service !== undefined || a.from !== undefined) throw new UsageError(`--${a.service !== undefined ? "service" : "from"} pairs one client with one server: not with a directory or more than two dumps`);
          const doc = await fleet([all], a, jobs, (members, o) => H.fleetTlsDocument(members, o));
          sync(() => out(H.renderDocument(doc, a.output as OutputFormat, H.renderFleetTls)));
          if (doc.rows.some((r) => r.status === "CONFLICT")) setCode(1);
          return;
        }
        const [first, second] = await loadTwo(a.client, a.server, a, { stream: true });
        const doc = sync(() => {
          const d = H.tlsCheckDocument(first, second, options);
          out(H.renderDocument(d, a.output as OutputFormat, H.renderTlsCheck));
          return d;
        });
        if (doc.rows.some((r) => r.status === "CONFLICT")) setCode(1);
      },
    )
    .command(
      "diff <before> <after>",
      "what changed for traffic between two dumps (any shapes or API versions); exit 0 no semantic change, 1 changes (see --fail-on), 2 trouble",
      at("diff", (y) =>
        y
          .positional("before", { type: "string", demandOption: true, describe: "the dump before the change (a file, - or pod/NAME), or a directory of dumps (one per proxy)" })
          .positional("after", { type: "string", demandOption: true, describe: "the dump after the change, or a directory of dumps" })
          .option("impact", { type: "boolean", default: false, describe: "replay plaintext, curl-mtls and istio-sidecar on every inbound port of both sides; list connections whose outcome changed" })
          .option("ignore", { type: "string", array: true, describe: "ignore changes under this field path (e.g. statPrefix, filterChains.*.metadata); repeatable" })
          .option("fail-on", { choices: ["any", "mode", "impact"] as const, default: "any" as const, describe: "what makes the exit code 1: any semantic change, an inbound port's mTLS mode changing, or a connection's outcome changing (implies --impact)" })
          .option("quiet", { alias: "q", type: "boolean", default: false, describe: "print nothing; the exit code says it" })
          .example("$0 diff before.json after.json --impact", "what changed, and for which connections")
          .example("$0 diff before/ after/", "two directories of dumps: proxies paired by name, the mesh-wide summary first")
          .example("$0 diff pod/web-0.shop saved.json --fail-on mode", "a live pod against a saved dump: exit 1 only when a port's mTLS mode changed"),
      ),
      async (a) => {
        const options = diffOptionValues({ ignore: a.ignore, impact: a.impact || a.failOn === "impact" }, "flag");
        const sides = [String(a.before), String(a.after)];
        selectorWanted(a, sides);
        await heavy();
        if (sides.some((f) => H.isFleetArg(f) || isPodSelector(f))) {
          // Two fleets (directories or globs): proxies paired by name, the mesh-wide summary first.
          const doc = await fleet([[String(a.before)], [String(a.after)]], a, undefined, async (members, o) => {
            const [b, af] = [members.filter((m) => m.side === 0), members.filter((m) => m.side === 1)];
            return H.fleetDiffDocument(b, af, { ...options, onProgress: (done, total) => o.onProgress?.("reading", done, total) });
          });
          if (!a.quiet) sync(() => out(H.renderDocument(doc, a.output as OutputFormat, H.renderFleetDiff)));
          if (H.fleetDiffFails(doc, a.failOn as "any" | "mode" | "impact")) setCode(1);
          return;
        }
        const [before, after] = await loadTwo(a.before, a.after, a);
        const doc = sync(() => {
          const d = H.diffDocument(before, after!, options);
          if (!a.quiet) out(H.renderDocument(d, a.output as OutputFormat, H.renderDiff));
          return d;
        });
        const failed = a.failOn === "impact" ? !!doc.impact?.length : a.failOn === "mode" ? doc.summary.length > 0 : doc.changes.length > 0 || !!doc.impact?.length;
        if (failed) setCode(1);
      },
    )
    .command(
      "web",
      "print the path of the offline page (dist/web/index.html: paste or drop a dump in a browser; nothing leaves the page); --open opens it",
      at("web", (y) => y.option("open", { type: "boolean", default: false, describe: "open the page with the system's opener (open, xdg-open, start)" }).example("$0 web --open", "the page in your browser")),
      async (a) => {
        const page = webPagePath();
        if (!page) throw new UsageError("the offline page is not built here: run npm run build (it writes dist/web/index.html)");
        out(page);
        if (a.open) {
          const { spawn } = await import("node:child_process");
          const [cmd, args] = process.platform === "darwin" ? ["open", [page]] : process.platform === "win32" ? ["cmd", ["/c", "start", '""', page]] : ["xdg-open", [page]];
          await new Promise<void>((resolve) => {
            const child = spawn(cmd, args as string[], { stdio: "ignore", detached: true });
            child.once("error", (e) => {
              run.err(`envoy-explain: could not open the page with ${cmd} (${e.message}): open ${page} in a browser`);
              setCode(2);
              resolve();
            });
            child.once("spawn", () => {
              child.unref();
              resolve();
            });
          });
        }
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
      throw err ?? fromYargs(msg, run, y);
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


/** The built page beside the bundle (dist/web/index.html), from dist/cli.js, a chunk of it, or src/ in a clone. */
function webPagePath(): string | undefined {
  for (const rel of ["../dist/web/index.html", "./web/index.html", "../web/index.html"]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

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
