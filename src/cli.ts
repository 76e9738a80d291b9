// envoy-explain: read what an Envoy proxy really runs and explain it.
import yargs, { type Argv } from "yargs";
import { formatDiagnostic, InputError } from "./diag.js";
import { loadFile, type InputFormat, type LoadedInput } from "./load/dump.js";
import { PRESET_HELP, PRESET_NAMES, type PresetName } from "./explain/clients.js";
import { renderExplain, runExplain } from "./commands/explain.js";
import { renderClusters, renderEndpoints, renderListeners, renderRoutes, renderSecrets } from "./commands/summary.js";
import { inboundPorts, portMode, renderTlsCheck, runTlsCheck } from "./commands/tlscheck.js";
import { diffInputs, renderDiff } from "./commands/diff.js";
import type { OutputFormat } from "./output/table.js";
import { parseSize } from "./load/read.js";
import { parseIp } from "./explain/ip.js";
import { setRevealSecrets } from "./redacted.js";
import { escapeJsonText, escapeTerminal } from "./render/sanitize.js";

/** yargs reads a bare "-" as an empty string: the bin passes stdin under this name. */
export const STDIN = "/dev/stdin";
const FORMATS = ["auto", "config_dump", "config_dump_section", "istioctl_list", "resource", "bootstrap", "admin_clusters"] as const;

interface Common {
  output: OutputFormat;
  format: (typeof FORMATS)[number];
  verbose: boolean;
  maxSize?: string;
  showSecrets: boolean;
}

interface RunState {
  outputFormat: OutputFormat;
  err(text: string): void;
}

function common<T>(y: Argv<T>, st: RunState) {
  return y
    .option("output", { alias: "o", choices: ["table", "json", "markdown"] as const, default: "table" as const, describe: "output format" })
    .option("format", { choices: FORMATS, default: "auto" as const, describe: "input shape (detected by default)" })
    .option("verbose", { alias: "v", type: "boolean", default: false, describe: "show every warning and note" })
    .option("max-size", { type: "string", describe: "read at most this much of an input (and of a gzip stream once inflated), e.g. 100M, 2G; default 512M" })
    .option("show-secrets", { type: "boolean", default: false, describe: "print private keys, passwords, credentials in headers and inline code that are masked by default (local use only)" })
    .middleware((a) => {
      st.outputFormat = a.output as OutputFormat;
      setRevealSecrets(a.showSecrets === true);
      if (a.showSecrets) st.err("envoy-explain: --show-secrets: private keys, passwords and credentials are printed as they are; do not paste this output anywhere public");
    });
}

const EPILOG = `Inputs: Envoy admin /config_dump JSON (v3, or v2 from Istio 1.1-1.5), istioctl proxy-config … -o json|yaml,
a bootstrap, a single Listener/Cluster/RouteConfiguration; .gz files; "-" for stdin; dumps pasted into bug reports
(cut short, ...snip..., comments) are read as far as they go, with a warning.

Secrets: what Envoy's admin redacts (private keys, passwords, session ticket keys, generic secrets) and credentials
in header values (Authorization, Cookie, API keys) are masked in every output; inline code and keys (Lua, Wasm,
JWKS) are shown as their size and fingerprint. --show-secrets prints them.

Exit codes: 0 done; 1 a finding (tls-check found a CONFLICT, diff found changes); 2 bad input or usage (the message
names the file and the place); 3 an internal error (a bug: please report it with ENVOY_EXPLAIN_DEBUG=1 output).`;

/** Where the CLI writes; the bin wires it to the process, tests and the fuzzer to buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Runs one command line and returns its exit code: 0 done, 1 a finding (tls-check conflict, diff
 * change), 2 bad input or usage, 3 an internal error. Never exits the process.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code = 0;
  /** Inputs the command read: their diagnostics are reported when it is done, since decoding is lazy. */
  const loaded: { input: LoadedInput; verbose: boolean }[] = [];
  const err = (text: string) => io.stderr(`${escapeTerminal(text)}\n`);
  const st: RunState = { outputFormat: "table", err };
  /** What is printed for a person: every control character from the dump shown escaped; JSON keeps its value. */
  const out = (text: string) => {
    const safe = st.outputFormat === "json" ? escapeJsonText(text) : escapeTerminal(text);
    io.stdout(safe.endsWith("\n") ? safe : `${safe}\n`);
  };
  const load = (file: string, a: Common): LoadedInput => {
    let maxBytes: number | undefined;
    if (a.maxSize !== undefined) {
      maxBytes = parseSize(a.maxSize);
      if (maxBytes === undefined) throw new UsageError(`--max-size wants a size such as 100M or 2G, not "${a.maxSize}"`);
    }
    const input = loadFile(file === STDIN ? "-" : file, { format: a.format as InputFormat | "auto", ...(maxBytes ? { maxBytes } : {}) });
    loaded.push({ input, verbose: a.verbose });
    return input;
  };
  /** Warnings found while reading and while decoding what the command used (notes with --verbose). */
  const reportDiagnostics = () => {
    for (const { input, verbose } of loaded) {
      const shown = input.diags.list.filter((d) => verbose || d.severity !== "note");
      const limit = verbose ? Infinity : 8;
      for (const d of shown.slice(0, limit)) err(formatDiagnostic(d));
      if (shown.length > limit) err(`… ${shown.length - limit} more warning(s) in ${input.file}; --verbose shows them all`);
    }
  };
  setRevealSecrets(false);
  try {
    await parser(argv, st, { out, load, setCode: (c) => (code = Math.max(code, c)) });
    reportDiagnostics();
    return code;
  } catch (e: unknown) {
    if (e instanceof InputError) {
      err(`envoy-explain: error: ${e.format()}`);
      return 2;
    }
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
    setRevealSecrets(false);
  }
}

interface Actions {
  out(text: string): void;
  load(file: string, a: Common): LoadedInput;
  setCode(code: number): void;
}

async function parser(argv: string[], st: RunState, { out, load, setCode }: Actions): Promise<void> {
  const clientHelp = PRESET_NAMES.map((p) => `${p}: ${PRESET_HELP[p]}`).join("\n");
  await common(yargs(argv), st)
    .scriptName("envoy-explain")
    .usage("$0 <dump> --port N [--client NAME]\n\nExplain which listener and filter chain Envoy picks for a connection, why every other chain lost, and what the client sees.")
    .command(
      "$0 <dump>",
      "explain a connection to --port (every client preset, or one with --client)",
      (y) =>
        y
          .positional("dump", { type: "string", demandOption: true, describe: 'config dump, istioctl output or "-"' })
          .option("port", { alias: "p", type: "number", demandOption: true, describe: "destination port" })
          .option("client", { alias: "c", choices: PRESET_NAMES, describe: `client preset; without it every preset is explained:\n${clientHelp}` })
          .option("address", { alias: "a", type: "string", describe: "destination IP (default: the proxy's own IP when the dump shows it)" })
          .option("sni", { type: "string", describe: "server name the client sends" })
          .option("transport", { choices: ["tls", "raw_buffer"] as const, describe: "what the client sends: a TLS ClientHello or plaintext" })
          .option("alpn", { type: "string", describe: "ALPN list the client offers, e.g. h2,http/1.1", coerce: (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean) })
          .option("client-cert", { type: "boolean", describe: "the client has a certificate (--no-client-cert: it has none)" })
          .option("source-ip", { type: "string", describe: "client IP (default 192.0.2.10, an external host)" })
          .option("source-port", { type: "number", describe: "client port (default 40000)" })
          .option("direct-source-ip", { type: "string", describe: "peer IP before PROXY protocol (default: --source-ip)" })
          .option("listener", { type: "string", describe: "start at this listener (skip listener selection)" })
          .option("host", { type: "string", describe: "HTTP Host header (default: the SNI, else destination ip:port)" })
          .option("path", { type: "string", describe: "HTTP path (default /)" })
          .option("header", { type: "string", array: true, describe: "HTTP request header k=v (repeatable)" })
          .option("detected", { type: "boolean", default: false, describe: "take --transport/--alpn/--sni as what the listener filters reported (e.g. from an access log)" })
          .example("$0 dump.json --port 80", "every client against port 80")
          .example("$0 dump.json -p 9080 -c curl-mtls", "why a raw mTLS curl lands where it does")
          .example("$0 dump.json -p 443 -c curl-mtls --sni shop.example.com -o markdown", "a gateway MUTUAL server, for a bug report"),
      (a) => {
        if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535) throw new UsageError(`--port must be 1-65535, not ${a.port}`);
        for (const [flag, v] of [["--address", a.address], ["--source-ip", a.sourceIp], ["--direct-source-ip", a.directSourceIp]] as const) {
          if (v !== undefined && !parseIp(v)) throw new UsageError(`${flag} wants an IP address, not "${v}"`);
        }
        if (a.sourcePort !== undefined && (!Number.isInteger(a.sourcePort) || a.sourcePort < 0 || a.sourcePort > 65535)) {
          throw new UsageError(`--source-port must be 0-65535, not ${a.sourcePort}`);
        }
        const input = load(a.dump, a);
        const results = runExplain(input, {
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
          detected: a.detected,
          ...(a.host ? { host: a.host } : {}),
          ...(a.path ? { path: a.path } : {}),
          ...(a.header?.length ? { headers: parseHeaders(a.header as string[]) } : {}),
        });
        out(renderExplain(input, results, a.output));
      },
    )
    .command(
      "listeners <dump>",
      "one row per filter chain: listener, address, match, TLS, destination",
      (y) =>
        y
          .positional("dump", { type: "string", demandOption: true })
          .option("port", { alias: "p", type: "number", describe: "only chains that can take this port" })
          .option("name", { type: "string", describe: "only this listener" }),
      (a) => out(renderListeners(load(a.dump, a), a.output, { ...(a.port !== undefined ? { port: a.port } : {}), ...(a.name ? { name: a.name } : {}) })),
    )
    .command(
      "clusters <dump>",
      "one row per cluster: Istio direction/port/subset/host, type, upstream TLS and auto-mTLS matches",
      (y) =>
        y
          .positional("dump", { type: "string", demandOption: true })
          .option("name", { type: "string", describe: "only clusters whose name contains this" })
          .option("port", { alias: "p", type: "number", describe: "only Istio clusters for this port" }),
      (a) => out(renderClusters(load(a.dump, a), a.output, { ...(a.name ? { name: a.name } : {}), ...(a.port !== undefined ? { port: a.port } : {}) })),
    )
    .command(
      "tls-check <client> [server]",
      "will the server take what the client proxy sends? Per host:port: CLIENT, SERVER, STATUS (OK, CONFLICT, PLAINTEXT, UNKNOWN) and why. Exit 1 on any CONFLICT",
      (y) =>
        y
          .positional("client", { type: "string", demandOption: true, describe: "the client proxy's dump (with one dump only: what it sends and what it accepts)" })
          .positional("server", { type: "string", describe: "the server proxy's dump" })
          .option("service", { type: "string", describe: "pair only the client's clusters for host:port (e.g. reviews.default.svc.cluster.local:9080)" })
          .option("from", { choices: PRESET_NAMES, describe: "a client without a sidecar: check this preset (e.g. plaintext) against the single dump given as the server" }),
      (a) => {
        let service: { host: string; port: number } | undefined;
        if (a.service) {
          const m = /^(.+):(\d+)$/.exec(a.service);
          if (!m) throw new UsageError(`--service wants host:port, not "${a.service}"`);
          service = { host: m[1]!, port: Number(m[2]) };
        }
        const first = load(a.client, a);
        let report;
        if (a.from) report = runTlsCheck(undefined, first, { from: a.from as PresetName, ...(service ? { service } : {}) });
        else if (a.server) report = runTlsCheck(first, load(a.server, a), service ? { service } : {});
        else {
          report = runTlsCheck(first, undefined, {});
          report.serverPorts = inboundPorts(first).map((p) => portMode(first, p));
        }
        out(renderTlsCheck(report, a.output));
        if (report.rows.some((r) => r.status === "CONFLICT")) setCode(1);
      },
    )
    .command(
      "diff <before> <after>",
      "what changed for traffic between two dumps (any shapes or API versions); exit 0 no semantic change, 1 changes, 2 trouble",
      (y) =>
        y
          .positional("before", { type: "string", demandOption: true })
          .positional("after", { type: "string", demandOption: true })
          .option("impact", { type: "boolean", default: false, describe: "replay plaintext, curl-mtls and istio-sidecar on every inbound port of both sides; list connections whose outcome changed" })
          .option("ignore", { type: "string", array: true, describe: "ignore changes under this field path (e.g. statPrefix, filterChains.*.metadata); repeatable" })
          .option("quiet", { alias: "q", type: "boolean", default: false, describe: "print nothing; the exit code says it" }),
      (a) => {
        for (const p of (a.ignore as string[] | undefined) ?? []) {
          if (!IGNORE_PATH.test(p)) throw new UsageError(`--ignore wants a field path such as statPrefix or filterChains.*.metadata, not "${p}"`);
        }
        const report = diffInputs(load(a.before, a), load(a.after, a), { impact: a.impact, ...(a.ignore ? { ignore: a.ignore as string[] } : {}) });
        if (!a.quiet) out(renderDiff(report, a.output));
        if (report.changes.length || report.impact?.length) setCode(1);
      },
    )
    .command(
      "routes <dump>",
      "one row per route: route config, virtual host, domains, match, destination cluster",
      (y) => y.positional("dump", { type: "string", demandOption: true }).option("name", { type: "string", describe: "only this route configuration" }),
      (a) => out(renderRoutes(load(a.dump, a), a.output, a.name ? { name: a.name } : {})),
    )
    .command(
      "endpoints <dump>",
      "one row per endpoint: address, health, tlsMode (auto mTLS), locality, cluster",
      (y) =>
        y
          .positional("dump", { type: "string", demandOption: true })
          .option("cluster", { type: "string", describe: "only clusters whose name contains this" })
          .option("port", { alias: "p", type: "number", describe: "only endpoints on this port" }),
      (a) => out(renderEndpoints(load(a.dump, a), a.output, { ...(a.cluster ? { cluster: a.cluster } : {}), ...(a.port !== undefined ? { port: a.port } : {}) })),
    )
    .command(
      "secrets <dump>",
      "one row per secret: name, state, type, certificate validity (private keys are never printed)",
      (y) => y.positional("dump", { type: "string", demandOption: true }),
      (a) => out(renderSecrets(load(a.dump, a), a.output)),
    )
    .epilog(EPILOG)
    .strict()
    .help()
    .alias("h", "help")
    .version()
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .exitProcess(false)
    .parseAsync();
}

class UsageError extends Error {}

/** A field path for --ignore: names (camelCase or snake_case) and * separated by dots. */
const IGNORE_PATH = /^(?:[A-Za-z_][A-Za-z0-9_]*|\*)(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|\*))*$/;

function parseHeaders(list: string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const h of list) {
    const i = h.indexOf("=");
    if (i <= 0) throw new UsageError(`--header wants k=v, not "${h}"`);
    out[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1);
  }
  return out;
}

