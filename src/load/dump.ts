// Loading any supported input into one shape: resource records per kind, each normalised to v3
// proto3 JSON on first use (lazy: a command pays only for the resources it reads).
import { childPath, Diagnostics, InputError } from "../diag.js";
import { progress } from "../progress.js";
import { parseText, type ParsedText } from "./parse.js";
import { decodeText, emptyInput, readInputBytes, statInput } from "./read.js";
import { Locator, type Position, type StreamedList, type TextSource } from "./locate.js";
import { EMPTY_INPUT, scanJson, type HintFields, type ScanOptions, type ScanResult, type Span, type SpanReader } from "./scan.js";
import { resolveTypeUrl, T } from "./schema.js";
import { getKey, keyOf } from "./v2.js";
import { canonicalKey } from "./keys.js";
import { DROP, isObject, walkMessage, type WalkContext } from "./walk.js";

export type ResourceKind = "listener" | "cluster" | "route" | "endpoint" | "secret" | "bootstrap";
export const RESOURCE_KINDS: readonly ResourceKind[] = ["listener", "cluster", "route", "endpoint", "secret", "bootstrap"];
export type ResourceState = "static" | "active" | "warming" | "draining" | "error";

export type InputFormat =
  | "config_dump"
  | "config_dump_section"
  | "istioctl_list"
  | "resource"
  | "bootstrap"
  | "admin_clusters"
  | "discovery_response"
  | "cilium_envoy_config";

export type ApiVersion = "v3" | "v2" | "v3-wrapping-v2" | "unknown";

/**
 * An update Envoy rejected (an entry's error_state: a listener's, a cluster's, a route configuration's…).
 * `active`: it keeps serving an earlier version; else it was never accepted, and for a listener `record`
 * is what it would have been (failed_configuration).
 */
export interface FailedUpdate {
  kind: ResourceKind;
  name: string;
  details: string;
  active: boolean;
  path: string;
  record?: ResourceRecord;
}

const KIND_TYPE: Record<ResourceKind, string> = {
  listener: T.Listener,
  cluster: T.Cluster,
  route: T.RouteConfiguration,
  endpoint: T.ClusterLoadAssignment,
  secret: T.Secret,
  bootstrap: T.Bootstrap,
};

type Obj = Record<string, unknown>;

export class ResourceRecord<T = Obj> {
  private normalised?: T;
  /** v2 names and fields that were upgraded while normalising (empty for v3 input). */
  readonly upgrades: string[] = [];
  /** Why Envoy would refuse this resource, found while normalising it (values out of range, nesting too deep). */
  readonly rejections: string[] = [];
  readonly input: LoadedInput;
  readonly kind: ResourceKind;
  readonly name: string;
  readonly state: ResourceState;
  /** JSON path of the resource in its file. */
  readonly path: string;
  private rawValue: unknown;
  /** Reads the resource from its input when it was left there (a streamed input's listeners, clusters, endpoints, routes). */
  private rawLoader?: (rec: ResourceRecord<T>) => unknown;
  /** How a resource a streamed input left in the file is read again, after release(). */
  private reload?: (rec: ResourceRecord<T>) => unknown;

  /**
   * Drops what was read and decoded of a resource the input can read again from the file (a listing
   * done with it), so a long list is freed while young instead of being kept to the end.
   */
  release(): void {
    if (!this.reload || this.normalised === undefined) return;
    this.rawLoader = this.reload;
    this.rawValue = undefined;
    this.normalised = undefined;
    this.released = true;
  }
  /** Decoded once and released: decoding again gives the same value, and its warnings are already told. */
  private released = false;
  readonly meta: { versionInfo?: string; lastUpdated?: string; v2: boolean };
  /** Where part of this resource could not be read, and why: an elision marker ("...snip..."), or a field that is not JSON. */
  partial?: { line: number; why: string };
  /** `raw` is the resource, or a function that reads it when first needed. */
  constructor(input: LoadedInput, kind: ResourceKind, name: string, state: ResourceState, path: string, raw: unknown, meta: ResourceRecord["meta"]) {
    this.input = input;
    this.kind = kind;
    this.name = name;
    this.state = state;
    this.path = path;
    if (typeof raw === "function") this.rawLoader = this.reload = raw as (rec: ResourceRecord<T>) => unknown;
    else this.rawValue = raw;
    this.meta = meta;
  }

  /** The resource as read (JSON as the input spells it); from a streamed input, read on first use. */
  get raw(): unknown {
    if (this.rawLoader) {
      this.rawValue = this.rawLoader(this);
      this.rawLoader = undefined;
    }
    return this.rawValue;
  }

  /** Where a resource left in a streamed input is, and how to read its outline. */
  private source?: { reader: SpanReader; span: { start: number; end: number }; outline: () => unknown };
  private outlineValue?: unknown;
  /** For a resource a streamed input leaves in the file: where it is, and how to read its outline (all but its bulk). */
  leftIn(reader: SpanReader, span: { start: number; end: number }, outline: () => unknown): void {
    this.source = { reader, span: { start: span.start, end: span.end }, outline };
  }

  /**
   * The resource's fields as read, except that a resource still in the file (a streamed listener) gives
   * every field but its chains (name, addresses, flags, listener filters): enough to place it without
   * reading all of it. Once `raw` has been read, `raw` itself.
   */
  get outline(): unknown {
    if (!this.rawLoader || !this.source) return this.raw;
    if (this.outlineValue === undefined) this.outlineValue = this.source.outline();
    return this.outlineValue;
  }

  /**
   * Whether the resource as read can hold this text (a name, a value). False only when it certainly
   * cannot: for a resource still in the file, its bytes are searched; otherwise it may.
   */
  mayContain(text: string): boolean {
    if (!this.rawLoader || !this.source) return true;
    const { reader, span } = this.source;
    // An escape (\u) could spell the text otherwise.
    return reader.contains(span.start, span.end, text, "\\u");
  }

  /**
   * Whether the resource as read can hold a key (in any spelling the loader reads as that key:
   * snake_case, camelCase, any case). False only when it certainly cannot, as for mayContain.
   */
  mayHaveKey(snake: string): boolean {
    if (!this.rawLoader || !this.source) return true;
    const { reader, span } = this.source;
    return reader.mayMatch(span.start, span.end, keyPattern(snake));
  }

  /** The resource as v3 proto3 JSON (camelCase, canonical values); computed once. */
  get value(): T {
    if (this.normalised === undefined) {
      progress(`decoding ${this.kind}s`, ++this.input.decoded, this.input.resourceCount());
      const diags = this.released ? new Diagnostics(this.input.file) : this.input.diags;
      const ctx: WalkContext = { diags, upgrades: new Set(), rejections: this.released ? [] : this.rejections };
      const typeName = KIND_TYPE[this.kind];
      if (isObject(this.raw) && typeof this.raw["@type"] === "string") {
        const r = resolveTypeUrl(this.raw["@type"]);
        if (r?.fromV2) ctx.upgrades.add(`@type ${r.fromV2} read as ${r.name}`);
        if (!r || r.name !== typeName) {
          diags.warn("wrong-type", `expected a ${typeName}, found @type ${this.raw["@type"]}`, { path: this.path });
        }
      }
      const t = resolveTypeUrl(typeName)!.type;
      const v = walkMessage(this.raw, t, this.path, ctx);
      this.normalised = (v === DROP ? {} : v) as T;
      if (!this.released) this.upgrades.push(...ctx.upgrades);
    }
    return this.normalised;
  }

  /** True when the resource was written by a v2 Envoy (read through the v3 types). */
  get fromV2(): boolean {
    if (this.meta.v2) return true;
    void this.value;
    return this.upgrades.length > 0;
  }
}

export interface Identity {
  nodeId?: string;
  nodeType?: string; // sidecar, router, waypoint
  podName?: string;
  namespace?: string;
  /** The workload's app: LABELS.app, metadata app, or WORKLOAD_NAME. */
  app?: string;
  istioVersion?: string;
  envoyVersion?: string;
  ips: string[];
  source: string;
}

export class LoadedInput {
  readonly diags: Diagnostics;
  format: InputFormat = "config_dump";
  api: ApiVersion = "unknown";
  syntax: ParsedText["syntax"] = "json";
  readonly resources: Record<ResourceKind, ResourceRecord[]> = {
    listener: [],
    cluster: [],
    route: [],
    endpoint: [],
    secret: [],
    bootstrap: [],
  };
  /** Sections of a config dump that were present (even if empty), e.g. "listeners", "endpoints". */
  readonly sections = new Set<string>();
  /** Listeners Envoy never accepted (error_state without active_state): nothing listens where they would. */
  get rejectedListeners(): (FailedUpdate & { record: ResourceRecord })[] {
    return this.failedUpdates.filter((f): f is FailedUpdate & { record: ResourceRecord } => !f.active && f.record !== undefined);
  }
  /**
   * Cilium (a CiliumEnvoyConfig's spec.services): the Services whose connections Cilium's eBPF sends to a
   * listener, by frontend port (none listed: every port); the listener by name, "" for the first one.
   */
  readonly redirects: { service: string; ports: number[]; listener: string; path: string }[] = [];
  /** Every update Envoy rejected (error_state), whether or not it keeps serving an earlier version (active). */
  readonly failedUpdates: FailedUpdate[] = [];
  /** Which proxy was read from a file that holds several (egctl). */
  proxy?: string;
  /** Read by the streaming scanner (an input larger than one string can hold): its resources are read from it when used. */
  streamed = false;
  /** The file a streamed input's resources are read from when used. */
  private source?: SpanReader;
  /**
   * Closes the file a streamed input reads its resources from (nothing to do for one read as text).
   * Call it when done with a streamed input in a long-running program; resources not yet used can no
   * longer be read after it.
   */
  close(): void {
    if (this.source) this.source.close();
    this.source = undefined;
  }
  /** @internal */
  attachSource(reader: SpanReader): void {
    this.source = reader;
    this.streamed = true;
  }
  /** The text the input was read from, or how to have it again (locate). */
  private text?: TextSource;
  /** A streamed input's lists of resources left in the file, with where each element is (locate). */
  private readonly streamedLists: StreamedList[] = [];
  /** @internal */
  attachText(text: TextSource): void {
    this.text = text;
  }
  /** @internal */
  addStreamedList(path: string, spans: readonly { start: number; end: number }[]): void {
    const starts = new Float64Array(spans.length);
    const ends = new Float64Array(spans.length);
    spans.forEach((sp, i) => {
      starts[i] = sp.start;
      ends[i] = sp.end;
    });
    this.streamedLists.push({ path, starts, ends });
  }

  /**
   * 1-based line and column of a JSON path in the input's text, when the input was text and the path
   * is found (the deepest prefix of the path that exists, if the whole does not). Keys match in any
   * spelling the loader reads (filter_chains, filterChains). For JSON, the position of the value's first
   * character (the "{" of a listener); for YAML, of its node (a block mapping's first key). Lines are
   * the whole file's (a dump pasted into a page too), after gzip is inflated. A streamed input locates
   * paths inside the resources it left in the file only. Costs one pass over the text: for many
   * paths, use locateAll.
   */
  locate(path: string): Position | undefined {
    return this.locateAll([path]).get(path);
  }

  /** Many paths at once, in one pass over the text: those located, by path (see locate). */
  locateAll(paths: string[]): Map<string, Position> {
    if (this.text) return new Locator({ text: this.text }).locateAll(paths);
    if (this.source) return new Locator({ reader: this.source, lists: this.streamedLists }).locateAll(paths);
    return new Map();
  }
  /** Resources decoded so far (for progress). */
  decoded = 0;
  resourceCount(): number {
    return RESOURCE_KINDS.reduce((n, k) => n + this.resources[k].length, 0);
  }
  cut?: ParsedText["cut"];
  readonly file: string;
  constructor(file: string) {
    this.file = file;
    this.diags = new Diagnostics(file);
  }

  get listeners(): ResourceRecord[] {
    return this.resources.listener;
  }
  get clusters(): ResourceRecord[] {
    return this.resources.cluster;
  }
  get routes(): ResourceRecord[] {
    return this.resources.route;
  }
  get endpoints(): ResourceRecord[] {
    return this.resources.endpoint;
  }
  get secrets(): ResourceRecord[] {
    return this.resources.secret;
  }

  private identityCache?: Identity | null;
  /** The proxy's identity from the bootstrap node, where the input has one. */
  get identity(): Identity | undefined {
    if (this.identityCache === undefined) this.identityCache = readIdentity(this) ?? null;
    return this.identityCache ?? undefined;
  }

  /** Written by a v2-era Envoy (v2alpha dump, v2 bodies, or v2 resources), judged without decoding. */
  get olderApi(): boolean {
    return this.api === "v2" || this.api === "v3-wrapping-v2" || RESOURCE_KINDS.some((k) => this.resources[k].some((r) => r.meta.v2));
  }

  private indexes?: Map<ResourceKind, Map<string, ResourceRecord>>;
  /** A resource of a kind by name, from an index built once (the first of a name wins, as a list search would). */
  byName(kind: ResourceKind, name: string): ResourceRecord | undefined {
    this.indexes ??= new Map();
    let idx = this.indexes.get(kind);
    if (!idx) {
      idx = new Map();
      for (const r of this.resources[kind]) if (!idx.has(r.name)) idx.set(r.name, r);
      this.indexes.set(kind, idx);
    }
    return idx.get(name);
  }

  count(): string {
    return RESOURCE_KINDS.filter((k) => this.resources[k].length)
      .map((k) => `${this.resources[k].length} ${k}${this.resources[k].length === 1 ? "" : "s"}`)
      .join(", ");
  }
}

export interface LoadOptions {
  format?: InputFormat | "auto";
  /** The most bytes read from the input (and inflated from gzip); default 16 GiB. Text is read up to 512 MiB; `openInput` streams past that. */
  maxBytes?: number;
  /** In a file that holds several proxies' config (egctl): which one, as "namespace/name". */
  proxy?: string;
}

/**
 * Text longer than this (in characters) is not kept for locate() when it can be had again: a regular
 * file is read again (and inflated) when locate is called, and a Buffer given to loadBytes is kept in
 * its place. Below it, the text itself is kept (a reference, never a copy), which costs nothing at
 * load and keeps the text alive as long as the input.
 */
export const KEEP_TEXT_CHARS = 16 * 2 ** 20;

export function loadFile(file: string, opts: LoadOptions = {}): LoadedInput {
  progress(`reading ${file}`);
  const text = decodeText(file, readInputBytes(file, opts.maxBytes), opts.maxBytes);
  progress(`parsing ${file}`);
  // A large regular file is read again when locate() is called, rather than its text kept alive; the
  // same length or nothing (the file changed meanwhile).
  let again: (() => string | undefined) | undefined;
  if (text.length > KEEP_TEXT_CHARS && file !== "-" && statInput(file).isFile()) {
    const length = text.length;
    again = () => {
      const t = decodeText(file, readInputBytes(file, opts.maxBytes), opts.maxBytes);
      return t.length === length ? t : undefined;
    };
  }
  return loadText(text, file === "-" ? "<stdin>" : file, opts, again);
}

/** Bytes already read (a pipe, kubectl's output, a Buffer from a library caller): gzip, UTF-16 and limits as for a file. */
export function loadBytes(bytes: Uint8Array, name: string, opts: LoadOptions = {}): LoadedInput {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = decodeText(name, buf, opts.maxBytes);
  // A large text: its bytes are kept for locate() in its place (as large or smaller: gzip, UTF-16), decoded again when asked.
  return loadText(text, name, opts, text.length > KEEP_TEXT_CHARS ? () => decodeText(name, buf, opts.maxBytes) : undefined);
}

/** `again`: how to have the text again for locate() (then a large text is not kept); by default the text is kept. */
export function loadText(text: string, file: string, opts: LoadOptions = {}, again?: () => string | undefined): LoadedInput {
  return loadParsed(text, file, opts, (parsed, into) => {
    into.attachText({
      text: again && text.length > KEEP_TEXT_CHARS ? again : () => text,
      syntax: parsed.syntax,
      ...(parsed.embeddedAt ? { embedded: { line: parsed.embeddedAt, column: parsed.embeddedColumn ?? 1 } } : {}),
    });
  });
}

/** The text read into an input; `read` is told what was parsed into which input, once that input is the result. */
function loadParsed(text: string, file: string, opts: LoadOptions, read: (parsed: ParsedText, input: LoadedInput) => void): LoadedInput {
  const input = new LoadedInput(file);
  const parsed = parseText(text, file, input.diags);
  const extracted = (into: LoadedInput, p: ParsedText): LoadedInput => {
    const done = extract(into, p, opts);
    read(p, done);
    return done;
  };
  if (parsed.syntax !== "yaml" || !/^[ \t]*[{[]/m.test(text)) return extracted(input, parsed);
  // Text that starts like YAML but holds no Envoy config as YAML ("Output:" over an indented JSON block
  // pasted into a note) is read again for its JSON block.
  try {
    return extracted(input, parsed);
  } catch (e) {
    if (!(e instanceof InputError) || !/not an Envoy config dump/.test(e.message)) throw e;
    const again = new LoadedInput(file);
    const block = parseText(text, file, again.diags, { jsonBlock: true });
    if (block.syntax === "yaml") throw e;
    try {
      return extracted(again, block);
    } catch {
      throw e;
    }
  }
}

/** What the loader asks the scanner for: the resource lists (listeners hinted deeper), and progress. */
export function streamScanOptions(reader: SpanReader, file: string, opts: { assembleAbove?: number } = {}): ScanOptions {
  return {
    resourceLists: RESOURCE_LISTS,
    deepHints: LISTENER_LISTS,
    ...(opts.assembleAbove !== undefined ? { assembleAbove: opts.assembleAbove } : {}),
    onProgress: (n) => progress(`reading ${file} (MiB)`, Math.round(n / 2 ** 20), Math.round(reader.size / 2 ** 20)),
  };
}

/**
 * An input too large for one string, or streamed by choice: scanned once from a seekable file (here,
 * or already on a worker thread with streamScanOptions), each resource parsed on its own when used.
 */
export function loadScanned(reader: SpanReader, file: string, opts: LoadOptions & { assembleAbove?: number } = {}, scanned?: ScanResult): LoadedInput {
  const input = new LoadedInput(file);
  input.attachSource(reader);
  const r = scanned ?? scanJson(reader, streamScanOptions(reader, file, opts));
  const cut = r.cut ? { kind: r.cut.kind, path: r.cut.path, reason: r.cut.reason, ...reader.position(r.cut.offset) } : undefined;
  if (r.value === undefined && cut) {
    // Nothing at all was JSON: YAML, or a dump pasted into text, which only the text reader (up to 512 MiB) takes.
    if (cut.reason === EMPTY_INPUT) throw emptyInput(file);
    throw new InputError(file, `is not JSON (${cut.reason}): an input read as a stream (past 512 MiB) must be plain JSON, not YAML or a dump pasted into text`, cut.line, cut.column);
  }
  for (const at of r.invalid.slice(0, 20)) input.diags.warn("syntax", "not valid JSON: left out", reader.position(at));
  return extract(input, { value: r.value, syntax: "json", elided: [], ...(cut ? { cut } : {}) }, opts, { lazy: r.lazy, fields: r.fields, reader });
}

function extract(input: LoadedInput, parsed: ParsedText, opts: LoadOptions, streamed?: Streamed): LoadedInput {
  const file = input.file;
  input.syntax = parsed.syntax;
  input.cut = parsed.cut;
  const x = new Extractor(input, parsed, streamed);
  x.top(parsed.value, opts.format && opts.format !== "auto" ? opts.format : undefined, opts.proxy);
  x.finishCut();
  input.api = x.apiVersion();
  const total = input.resourceCount();
  // A cut-off input with nothing complete is unusable even if section headers were read; an intact
  // dump whose sections are empty is a real (empty) configuration.
  if (total === 0 && parsed.cut) {
    throw new InputError(file, `cut off before any complete resource (${parsed.cut.reason})`, parsed.cut.line, parsed.cut.column);
  }
  // An empty list or object is what istioctl proxy-config -o json, xDS golden files and the admin's
  // /config_dump?resource= print when nothing matched: no resources, no error.
  const emptyTop = Array.isArray(parsed.value) ? parsed.value.length === 0 : isObject(parsed.value) && Object.keys(parsed.value).length === 0;
  if (total === 0 && emptyTop && !parsed.cut) {
    input.diags.note("empty", `an empty ${Array.isArray(parsed.value) ? "list" : "object"}: no resources`);
    return input;
  }
  if (total === 0 && input.sections.size === 0 && !input.rejectedListeners.length) {
    const known = knownNotEnvoy(parsed.value);
    if (known) throw new InputError(file, known);
    const what = parsed.embeddedAt ? `the JSON block at line ${parsed.embeddedAt} (the text around it ignored) is` : `${parsed.syntax === "yaml" ? "YAML" : "JSON"}, but`;
    throw new InputError(file, `${what} not an Envoy config dump, istioctl proxy-config output, bootstrap or resource (${describeTop(parsed.value)})`);
  }
  if (parsed.cut) {
    const c = parsed.cut;
    const why = c.kind === "truncated" ? `the input ends at line ${c.line}` : `the input cannot be read past line ${c.line} (${c.reason})`;
    input.diags.warn(c.kind, `${why}: resources after that point are unknown (read: ${input.count() || "nothing complete"})`, { path: c.path, line: c.line, column: c.column });
  }
  return input;
}

/** What the streaming scanner left in the input: lists of resource spans, and the file to read them from. */
interface Streamed {
  lazy: Map<unknown[], Span[]>;
  /** Where each field of a listener's hint is: all but its chains are read for its outline. */
  fields: Map<object, HintFields>;
  reader: SpanReader;
}

/** Kinds a streamed input leaves in the file until they are used: the large sections a command may never reach. */
const LEFT_IN_FILE: ReadonlySet<ResourceKind> = new Set(["cluster", "endpoint", "route", "listener"]);

/** Inputs people give in place of a dump, named as what they are: Kubernetes objects, ECDS filters. */
function knownNotEnvoy(v: unknown): string | undefined {
  // Kubernetes objects (an EnvoyFilter, a Gateway, a VirtualService…) are the mesh's configuration, not what Envoy runs.
  const objects = (Array.isArray(v) ? v : [v]).filter(isObject);
  const kinds = [...new Set(objects.filter((o) => typeof o.apiVersion === "string" && typeof o.kind === "string").map((o) => String(o.kind)))];
  if (kinds.length) {
    return `holds Kubernetes objects (${kinds.slice(0, 4).join(", ")}${kinds.length > 4 ? ", …" : ""}): the mesh's configuration, not what Envoy runs; give the proxy's config instead (istioctl proxy-config all POD -o json, or the admin /config_dump)`;
  }
  if (isObject(v) && keyOf(v, "ecds_filters") !== undefined) return "holds filters sent by ECDS (istioctl proxy-config ecds), not listeners, clusters or routes: give the proxy's config dump instead";
  return undefined;
}

function describeTop(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length} item(s) that are not Envoy resources`;
  if (isObject(v)) {
    const keys = Object.keys(v).slice(0, 6);
    return keys.length ? `top-level keys: ${keys.join(", ")}` : "an empty object";
  }
  return `a ${typeof v}`;
}

/** A path inside another (component boundary respected). */
function within(path: string, outer: string): boolean {
  return path === outer || (path.startsWith(outer) && (path[outer.length] === "." || path[outer.length] === "["));
}

/** What a list says of a resource beside it; keepCut: a resource the input's end cut off, kept (finishCut). */
interface AddMeta {
  versionInfo?: string;
  lastUpdated?: string;
  v2?: boolean;
  keepCut?: boolean;
}

class Extractor {
  private readonly input: LoadedInput;
  private readonly parsed: ParsedText;
  private readonly streamed?: Streamed;
  /** The streamed list element being read, so a resource inside it can be left in the file. */
  private current?: { span: Span; root: unknown };
  /** The keys that led from the last element to its resource (leftInFile). */
  private lastKeys?: string[];
  constructor(input: LoadedInput, parsed: ParsedText, streamed?: Streamed) {
    this.input = input;
    this.parsed = parsed;
    this.streamed = streamed;
  }

  /**
   * The elements of a list; for a list the scanner left in the file, each parsed in turn, or, when
   * `usable` accepts the scanner's hint (names and types seen without parsing), the hint stands in for
   * it: the resource inside is then read from the file only when a command uses it.
   */
  private *elements(arr: unknown[], path: string, usable?: (hint: Obj) => boolean): Generator<[unknown, number]> {
    const spans = this.streamed?.lazy.get(arr);
    if (!spans) {
      for (let i = 0; i < arr.length; i++) yield [arr[i], i];
      return;
    }
    const reader = this.streamed!.reader;
    this.input.addStreamedList(path, spans);
    for (let i = 0; i < spans.length; i++) {
      const sp = spans[i]!;
      let e: unknown;
      if ("value" in sp) e = sp.value;
      else if (sp.hint && usable?.(sp.hint)) {
        e = sp.hint;
        this.current = { span: sp, root: e };
      } else {
        try {
          e = reader.parse(sp);
        } catch {
          // JSON.parse's message quotes the input: it is not repeated (it could hold a credential).
          this.input.diags.warn("syntax", "not valid JSON: skipped", { path: childPath(path, i), ...reader.position(sp.start) });
          continue;
        }
        this.current = { span: sp, root: e };
      }
      yield [e, i];
      this.current = undefined;
    }
  }

  top(v: unknown, forced?: InputFormat, proxy?: string, path = "$"): void {
    if (Array.isArray(v)) {
      this.input.format = "istioctl_list";
      this.list(v, path);
      return;
    }
    if (!isObject(v)) return;
    if (forced === undefined) {
      // Several proxies in one file (egctl config envoy-proxy, egctl x translate), or several
      // CiliumEnvoyConfigs (kubectl get cec -o yaml): the one asked for.
      const several = proxiesIn(v) ?? ciliumEnvoyConfigsIn(v, path);
      if (several) {
        const { one, many, entries } = several;
        const names = [...entries.keys()];
        const want = proxy ?? (names.length === 1 ? names[0] : undefined);
        if (want === undefined) throw new InputError(this.input.file, `holds ${many(names.length)} (${names.join(", ")}): choose one with --proxy`);
        const hit = entries.get(want);
        if (!hit) throw new InputError(this.input.file, `no ${one} "${want}" here; it holds ${names.join(", ")}`);
        this.input.proxy = want;
        if (names.length > 1 || proxy) this.input.diags.note("proxy", `read ${one} ${want} of ${names.length}`, { path: hit.path });
        return this.top(hit.value, undefined, undefined, hit.path);
      }
      if (isCiliumEnvoyConfig(v)) return this.ciliumEnvoyConfig(v, path);
      // An xDS DiscoveryResponse (file-based lds.yaml/cds.yaml, control planes' golden files), or a list of Resource wrappers.
      const resources = getKey(v, "resources");
      if (Array.isArray(resources) && keyOf(v, "configs") === undefined) {
        this.input.format = "discovery_response";
        const rk = keyOf(v, "resources")!;
        this.list(resources, childPath(path, rk));
        return;
      }
      // One entry cut out of a dump section: a dynamic_listeners[] element, a dynamic_active_clusters[] element…
      const entry = sectionEntry(v);
      if (entry) {
        this.input.format = "config_dump_section";
        this.config({ [entry.list]: [v] }, path, entry.section);
        return;
      }
    }
    const configs = getKey(v, "configs");
    if (forced === "config_dump" || (forced === undefined && Array.isArray(configs))) {
      this.input.format = "config_dump";
      if (!Array.isArray(configs)) throw new InputError(this.input.file, `--format config_dump: no "configs" list`);
      const k = keyOf(v, "configs")!;
      configs.forEach((c, i) => this.config(c, childPath(childPath(path, k), i)));
      return;
    }
    const type = typeof v["@type"] === "string" ? (v["@type"] as string) : "";
    if (/\.admin\.v(3|2alpha)\.\w+ConfigDump$/.test(type) || sectionKind(v)) {
      this.input.format = "config_dump_section";
      this.config(v, path);
      return;
    }
    // A BootstrapConfigDump without its @type: istioctl proxy-config bootstrap -o json|yaml ({bootstrap, lastUpdated}).
    if (forced === undefined && !type && isObject(getKey(v, "bootstrap")) && Object.keys(v).every((k) => ["bootstrap", "lastupdated"].includes(canonicalKey(k)))) {
      this.input.format = "config_dump_section";
      this.config(v, path, "BootstrapConfigDump");
      return;
    }
    if (forced === "bootstrap" || (forced === undefined && looksBootstrap(v))) {
      this.input.format = "bootstrap";
      this.bootstrap(v, path, undefined, type.includes(".v2."));
      return;
    }
    const kind = forced && forced !== "resource" ? undefined : resourceKind(v);
    if (kind) {
      this.input.format = "resource";
      this.add(kind, v, path, "static", {});
      return;
    }
  }

  /**
   * A CiliumEnvoyConfig (or CiliumClusterwideEnvoyConfig): Envoy resources under spec.resources, and
   * under spec.services the Services whose connections Cilium's eBPF sends to a listener (by frontend
   * port; no listener named: the first one). The names are as the object gives them; the running Envoy
   * prefixes them with the object's namespace and name.
   */
  private ciliumEnvoyConfig(v: Obj, path: string): void {
    this.input.format = "cilium_envoy_config";
    const sk = keyOf(v, "spec")!;
    const spec = v[sk] as Obj;
    const specPath = childPath(path, sk);
    const rk = keyOf(spec, "resources")!;
    this.list(spec[rk] as unknown[], childPath(specPath, rk));
    const svk = keyOf(spec, "services");
    const services = svk !== undefined ? spec[svk] : undefined;
    if (!Array.isArray(services)) return;
    const md = getKey(v, "metadata");
    // In a CiliumEnvoyConfig a Service's namespace is the object's; in a clusterwide one it defaults to "default".
    const ownNamespace = isObject(md) ? str(getKey(md, "namespace")) : undefined;
    services.forEach((sv, i) => {
      const sp = childPath(childPath(specPath, svk!), i);
      const name = isObject(sv) ? str(getKey(sv, "name")) : undefined;
      if (!isObject(sv) || !name) return this.input.diags.warn("unknown-resource", "a spec.services entry without a name (skipped)", { path: sp });
      const ports = getKey(sv, "ports");
      this.input.redirects.push({
        service: `${ownNamespace ?? str(getKey(sv, "namespace")) ?? "default"}/${name}`,
        ports: Array.isArray(ports) ? ports.map(Number).filter((p) => Number.isInteger(p) && p > 0 && p < 65536) : [],
        listener: str(getKey(sv, "listener")) ?? "",
        path: sp,
      });
    });
  }

  private list(arr: unknown[], path: string): void {
    for (const [e, i] of this.elements(arr, path)) this.listItem(e, i, path);
  }

  private listItem(e: unknown, i: number, path: string): void {
    const p = childPath(path, i);
    if (!isObject(e)) return this.input.diags.warn("unknown-resource", "list item is not an object (skipped)", { path: p });
    if (getKey(e, "host_statuses") !== undefined) {
      this.input.format = "admin_clusters";
      return this.adminClusterStatus(e, p);
    }
    // xDS Resource wrappers ({name, version, resource: Any}), as delta xDS and Kuma's golden files hold them.
    const rk = keyOf(e, "resource");
    if (rk !== undefined && isObject(e[rk]) && typeof (e[rk] as Obj)["@type"] === "string") {
      const inner = e[rk] as Obj;
      const k = resourceKind(inner);
      if (k) return this.add(k, inner, childPath(p, rk), "active", { versionInfo: str(getKey(e, "version")) });
    }
    const kind = resourceKind(e);
    if (!kind) {
      this.input.diags.warn("unknown-resource", "list item is not a listener, cluster, route configuration, endpoint assignment or secret (skipped)", { path: p });
      return;
    }
    this.add(kind, e, p, "active", {});
  }

  private config(c: unknown, path: string, knownSection?: string): void {
    if (!isObject(c)) return;
    const type = typeof c["@type"] === "string" ? (c["@type"] as string) : "";
    const v2 = type.includes(".v2alpha.");
    if (v2) this.seen.v2Admin = true;
    else if (type.includes(".admin.v3.")) this.seen.v3Admin = true;
    // One element of a section's list as its own config, as /config_dump?resource=<list> gives them.
    const element = knownSection === undefined ? /\.admin\.v(?:3|2alpha)\.(\w+ConfigDump)\.(\w+)$/.exec(type) : null;
    if (element) {
      const list = elementList(element[1]!, element[2]!, c);
      if (list) return this.config({ "@type": type.slice(0, type.lastIndexOf(".")), [list]: [c] }, path, element[1]);
    }
    const section = knownSection ?? (type.slice(type.lastIndexOf(".") + 1) || sectionKind(c) || "");
    const at = (snake: string): [unknown, string] | undefined => {
      const k = keyOf(c, snake);
      return k === undefined ? undefined : [c[k], childPath(path, k)];
    };
    const each = (snake: string, fn: (e: Obj, p: string) => void, usable?: (hint: Obj) => boolean) => {
      const a = at(snake);
      if (!a) return;
      if (!Array.isArray(a[0])) {
        this.input.diags.warn("bad-value", `expected a list for ${snake}`, { path: a[1] });
        return;
      }
      for (const [e, i] of this.elements(a[0], a[1], usable)) if (isObject(e)) fn(e, childPath(a[1], i));
    };
    const wrapped = (kind: ResourceKind, inner: string, state: ResourceState) => (e: Obj, p: string) => {
      const k = keyOf(e, inner);
      // Clusters, route configurations, endpoints and secrets carry their rejected updates in the entry itself.
      const err = kind === "listener" ? undefined : getKey(e, "error_state");
      if (isObject(err)) this.failedUpdate(kind, e, err, p, k !== undefined && isObject(e[k]), v2);
      if (k === undefined) return;
      this.add(kind, e[k], childPath(p, k), state, { versionInfo: str(getKey(e, "version_info")), lastUpdated: str(getKey(e, "last_updated")), v2 });
    };
    const spec = SECTIONS[section];
    if (!spec) {
      this.input.diags.warn("unknown-section", `unknown config dump section ${type || "(no @type)"} (skipped)`, { path });
      return;
    }
    this.input.sections.add(spec.name);
    if (section === "BootstrapConfigDump") {
      const b = at("bootstrap");
      if (b) this.bootstrap(b[0], b[1], str(getKey(c, "last_updated")), v2);
      return;
    }
    for (const [field, inner, state] of spec.lists) {
      const kind = spec.kind!;
      // A hint will do for what stays in the file until used, when it names the resource inside.
      const usable = LEFT_IN_FILE.has(kind)
        ? (h: Obj) => {
            const k = keyOf(h, inner);
            const r = k === undefined ? undefined : h[k];
            // An entry with an error_state is read whole.
            return isObject(r) && typeof getKey(r, kind === "endpoint" ? "cluster_name" : "name") === "string" && keyOf(h, "error_state") === undefined;
          }
        : undefined;
      each(field, wrapped(kind, inner, state), usable);
    }
    if (section === "ListenersConfigDump") {
      // v3 groups a listener's states under one entry; v2alpha used the separate lists above. A hint
      // will do when it names the listener in each state (an entry with an error_state is read whole).
      const named = (h: Obj) => {
        if (keyOf(h, "error_state") !== undefined) return false;
        const states = LISTENER_STATES.map(([st]) => getKey(h, st)).filter((s) => s !== undefined);
        return states.length > 0 && states.every((s) => isObject(s) && isObject(getKey(s, "listener")) && typeof getKey(getKey(s, "listener") as Obj, "name") === "string");
      };
      each("dynamic_listeners", (e, p) => {
        for (const [st, state] of LISTENER_STATES) {
          const k = keyOf(e, st);
          if (k !== undefined && isObject(e[k])) wrapped("listener", "listener", state)(e[k] as Obj, childPath(p, k));
        }
        const err = getKey(e, "error_state");
        if (isObject(err)) this.failedUpdate("listener", e, err, p, keyOf(e, "active_state") !== undefined, v2);
      }, named);
    }
  }

  /** An entry's error_state: an update Envoy rejected, recorded once (the same rejection under two entries is one), with a warning. */
  private failedUpdate(kind: ResourceKind, e: Obj, err: Obj, p: string, active: boolean, v2: boolean): void {
    const fk = keyOf(err, "failed_configuration");
    const failedConfig = fk !== undefined && isObject(err[fk]) ? (err[fk] as Obj) : undefined;
    // Envoy 1.2x also lists a failed update under an entry without a name; the configuration names it.
    const nameKey = kind === "endpoint" ? "cluster_name" : "name";
    const inner = failedConfig && isObject(getKey(failedConfig, "resource")) ? (getKey(failedConfig, "resource") as Obj) : failedConfig;
    const name = str(getKey(e, "name")) ?? (inner && (str(getKey(inner, nameKey)) ?? str(getKey(inner, "name")))) ?? "";
    // Envoy's message often ends in a text-format proto over several lines: one line reads better in a table or a warning.
    const details = (str(getKey(err, "details")) ?? "no details").replace(/\s*\n\s*/g, " ").trim();
    if (this.input.failedUpdates.some((r) => r.kind === kind && r.name === name && r.details === details)) return;
    const what = kind === "route" ? "route configuration" : kind === "endpoint" ? "endpoint assignment" : kind;
    this.input.diags.warn("rejected-update", `Envoy rejected ${active ? "an update of " : ""}${what} "${name}": ${details}`, { path: p });
    const path = childPath(p, "error_state");
    // A listener never accepted: nothing listens where it would have. What it asked for is in failed_configuration.
    const record = kind === "listener" && !active ? new ResourceRecord(this.input, "listener", name, "error", fk !== undefined ? childPath(path, fk) : path, failedConfig ?? { name }, { v2 }) : undefined;
    this.input.failedUpdates.push({ kind, name, details, active, path, ...(record ? { record } : {}) });
  }

  /** What the input showed of its API version: admin dump types, and v2 resource bodies. */
  private readonly seen = { v2Admin: false, v3Admin: false, v2Bodies: false };

  /** v2alpha admin types: v2; v3 admin types around v2 bodies (Istio 1.5-1.6): v3-wrapping-v2. */
  apiVersion(): ApiVersion {
    const s = this.seen;
    if (s.v2Admin) return "v2";
    if (s.v3Admin) return s.v2Bodies ? "v3-wrapping-v2" : "v3";
    return s.v2Bodies ? "v2" : "unknown";
  }

  private bootstrap(b: unknown, path: string, lastUpdated: string | undefined, v2: boolean): void {
    if (!isObject(b)) return;
    this.add("bootstrap", b, path, "static", { lastUpdated, v2 });
    // Static resources declared in a bootstrap file are what Envoy runs at start.
    if (this.input.format !== "bootstrap") return;
    const sr = getKey(b, "static_resources");
    const srk = keyOf(b, "static_resources");
    if (isObject(sr) && srk) {
      for (const [snake, kind] of [["listeners", "listener"], ["clusters", "cluster"], ["secrets", "secret"]] as const) {
        const k = keyOf(sr, snake);
        const list = k ? sr[k] : undefined;
        if (Array.isArray(list)) list.forEach((r, i) => this.add(kind, r, childPath(childPath(childPath(path, srk), k!), i), "static", { v2 }));
      }
    }
  }

  /** istioctl proxy-config endpoint -o json (admin /clusters?format=json): host statuses per cluster. */
  private adminClusterStatus(e: Obj, path: string): void {
    const name = str(getKey(e, "name")) ?? "";
    const hs = getKey(e, "host_statuses");
    const lbEndpoints = (Array.isArray(hs) ? hs : []).filter(isObject).map((h) => ({
      endpoint: { address: getKey(h, "address") },
      ...(getKey(h, "weight") !== undefined ? { loadBalancingWeight: getKey(h, "weight") } : {}),
    }));
    this.add("endpoint", { clusterName: name, endpoints: [{ lbEndpoints }] }, path, "active", {});
  }

  /** For a resource of a streamed input that can wait: a function that reads it again from the file when used. */
  private leftInFile(kind: ResourceKind, raw: Obj, name: string, at: HintFields | undefined): ((rec: ResourceRecord) => unknown) | undefined {
    const cur = this.current;
    if (!cur || !LEFT_IN_FILE.has(kind)) return undefined;
    // The elements of a list hold their resource under the same keys: the last path is tried first.
    let keys = this.lastKeys;
    if (!keys || !reaches(cur.root, keys, raw)) keys = this.lastKeys = keysTo(cur.root, raw);
    if (!keys) return undefined;
    const { reader } = this.streamed!;
    const span = { start: cur.span.start, end: cur.span.end };
    const diags = this.input.diags;
    return (rec) => {
      let v: unknown;
      try {
        v = reader.parse(span);
      } catch {
        const where = reader.position(span.start);
        if (!at) {
          diags.warn("syntax", `${kind} is not valid JSON: left out`, where);
          return {};
        }
        // Where each field is, is known: every field that is JSON is used, as the text reader keeps what it can.
        const whole = fieldsOf(reader, at);
        const bad = at.keys.filter((k) => k === "" || !Object.hasOwn(whole, k)).map((k) => k || "(a key that is not JSON)");
        diags.warn("syntax", `${kind} "${name}" is not valid JSON in ${bad.length ? `its field(s) ${bad.join(", ")}` : "part"}: the rest of it is used`, where);
        rec.partial = { line: where.line, why: `not valid JSON (${bad.join(", ") || "in part"})` };
        return whole;
      }
      for (const k of keys) v = isObject(v) ? v[k] : undefined;
      return v;
    };
  }

  /** Resources the end of the input cut off, set aside until the end: see finishCut. */
  private readonly cutOff: { kind: ResourceKind; raw: unknown; path: string; state: ResourceState; meta: AddMeta }[] = [];

  add(kind: ResourceKind, raw: unknown, path: string, state: ResourceState, meta: AddMeta): void {
    if (!isObject(raw)) return;
    const type = typeof raw["@type"] === "string" ? (raw["@type"] as string) : "";
    const v2Body = /\.api\.v2\./.test(type);
    if (v2Body) this.seen.v2Bodies = true;
    const v2 = meta.v2 === true || v2Body;
    const name = resourceName(kind, raw);
    const cut = this.parsed.cut;
    if (cut && within(cut.path, path) && !meta.keepCut) {
      this.cutOff.push({ kind, raw, path, state, meta });
      return;
    }
    const el = this.parsed.elided.find((e) => within(e.path, path));
    if (el) {
      this.input.diags.warn("elided", `${kind} "${name}" has parts elided at line ${el.line}: it is used, but what was left out is unknown`, { path });
    }
    // Where each field of a streamed listener is: its outline is read from there, and what can be read of it when it is not JSON.
    const fields = this.streamed?.fields.get(raw);
    const rec = new ResourceRecord(this.input, kind, name, state, path, this.leftInFile(kind, raw, name, fields) ?? raw, { versionInfo: meta.versionInfo, lastUpdated: meta.lastUpdated, v2 });
    if (fields && this.current) {
      const reader = this.streamed!.reader;
      rec.leftIn(reader, this.current.span, () => fieldsOf(reader, fields, CHAINS));
    }
    if (el) rec.partial = { line: el.line, why: `elided ("...snip..." or similar)` };
    if (meta.keepCut && cut) rec.partial = { line: cut.line, why: "cut off by the end of the input" };
    this.input.resources[kind].push(rec);
  }

  /**
   * Resources the end of the input cut off: left out when anything complete was read; when nothing was
   * (one route configuration pasted with "..." where it goes on), kept and marked partial, so what was
   * pasted is read, with a warning. Not a bootstrap, which holds no listener until its static resources.
   */
  finishCut(): void {
    const cut = this.parsed.cut;
    if (!cut) return;
    const keep = this.input.resourceCount() === 0;
    for (const c of this.cutOff) {
      // A bootstrap cut short is its node at most: nothing to explain with, so the input stays an error.
      if (keep && c.kind === "bootstrap") continue;
      const name = resourceName(c.kind, c.raw as Obj);
      this.input.diags.warn(
        "truncated",
        keep ? `${c.kind} "${name}" is cut off at line ${cut.line}: used, as nothing in the input is complete, but what followed the cut is unknown` : `${c.kind} "${name}" is cut off by the end of the input: not used`,
        { path: c.path, line: cut.line, column: cut.column },
      );
      if (keep) this.add(c.kind, c.raw, c.path, c.state, { ...c.meta, keepCut: true });
    }
    this.cutOff.length = 0;
  }
}

/** A listener's chains: the bulk of it, and all that its outline leaves out (keys in canonicalKey form). */
const CHAINS: ReadonlySet<string> = new Set(["filter_chains", "default_filter_chain", "filter_chain_matcher"].map(canonicalKey));

/** The fields of a resource left in the file, but those in `skip`, each parsed from its own span; any that is not JSON is left out. */
function fieldsOf(reader: SpanReader, at: HintFields, skip?: ReadonlySet<string>): Obj {
  const out: Obj = {};
  const small = (i: number) => at.keys[i] !== "" && !skip?.has(canonicalKey(at.keys[i]!));
  for (let i = 0; i < at.keys.length; ) {
    if (!small(i)) {
      i++;
      continue;
    }
    // A run of fields is read from the file in one piece.
    let j = i;
    while (j + 1 < at.keys.length && small(j + 1)) j++;
    const first = i;
    const spans = [];
    for (let k = first; k <= j; k++) spans.push({ start: at.starts[k]!, end: at.ends[k]! });
    const values = reader.parseEach(spans);
    for (; i <= j; i++) {
      // Not JSON: reading the whole resource will say so. A key from the dump is data: defined, never assigned.
      const v = values[i - first];
      if (v !== undefined) Object.defineProperty(out, at.keys[i]!, { value: v, writable: true, enumerable: true, configurable: true });
    }
  }
  return out;
}

const keyPatterns = new Map<string, RegExp>();
/** "route_config", "routeConfig", "ROUTE_CONFIG"…: the key's letters, any case, underscores anywhere; or an escape. Built once per key. */
function keyPattern(snake: string): RegExp {
  let p = keyPatterns.get(snake);
  if (!p) {
    const letters = canonicalKey(snake).split("");
    p = new RegExp(`"_*${letters.map((c) => c.replace(/[^a-z0-9]/g, "\\$&")).join("_*")}_*"|\\\\u`, "i");
    keyPatterns.set(snake, p);
  }
  return p;
}

/** Whether these keys lead from `root` to `target`, by identity. */
function reaches(root: unknown, keys: string[], target: unknown): boolean {
  let v = root;
  for (const k of keys) {
    if (!isObject(v) || !Object.hasOwn(v, k)) return false;
    v = v[k];
  }
  return v === target;
}

/** The keys that lead from `root` to `target` (at most three levels down), by identity. */
function keysTo(root: unknown, target: unknown): string[] | undefined {
  if (root === target) return [];
  let level: [unknown, string[]][] = [[root, []]];
  for (let depth = 0; depth < 3 && level.length; depth++) {
    const next: [unknown, string[]][] = [];
    for (const [v, keys] of level) {
      if (!isObject(v)) continue;
      for (const k of Object.keys(v)) {
        if (v[k] === target) return [...keys, k];
        next.push([v[k], [...keys, k]]);
      }
    }
    level = next;
  }
  return undefined;
}

/** A CiliumEnvoyConfig or CiliumClusterwideEnvoyConfig: Envoy resources under spec.resources, as a Kubernetes object. */
function isCiliumEnvoyConfig(v: unknown): v is Obj {
  if (!isObject(v)) return false;
  const spec = getKey(v, "spec");
  if (!isObject(spec) || !Array.isArray(getKey(spec, "resources"))) return false;
  const kind = str(getKey(v, "kind"));
  return kind !== undefined ? /^Cilium(Clusterwide)?EnvoyConfig$/.test(kind) : isObject(getKey(v, "metadata"));
}

/** namespace/name of a CiliumEnvoyConfig (name alone for a clusterwide one). */
function ciliumEnvoyConfigName(v: Obj): string {
  const md = getKey(v, "metadata");
  const name = isObject(md) ? (str(getKey(md, "name")) ?? "") : "";
  const ns = isObject(md) ? str(getKey(md, "namespace")) : undefined;
  return ns ? `${ns}/${name}` : name;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

/**
 * The sections of an admin config dump: what each is called, and its lists of wrapped resources
 * (field, the wrapper's resource field, state), in v3 and v2alpha spelling. One table serves
 * both extraction and recognising a section that comes without its @type.
 */
const SECTIONS: Record<string, { name: string; kind?: ResourceKind; lists: [string, string, ResourceState][] }> = {
  BootstrapConfigDump: { name: "bootstrap", lists: [] },
  ListenersConfigDump: {
    name: "listeners",
    kind: "listener",
    lists: [
      ["static_listeners", "listener", "static"],
      ["dynamic_active_listeners", "listener", "active"],
      ["dynamic_warming_listeners", "listener", "warming"],
      ["dynamic_draining_listeners", "listener", "draining"],
    ],
  },
  ClustersConfigDump: {
    name: "clusters",
    kind: "cluster",
    lists: [
      ["static_clusters", "cluster", "static"],
      ["dynamic_active_clusters", "cluster", "active"],
      ["dynamic_warming_clusters", "cluster", "warming"],
    ],
  },
  RoutesConfigDump: { name: "routes", kind: "route", lists: [["static_route_configs", "route_config", "static"], ["dynamic_route_configs", "route_config", "active"]] },
  EndpointsConfigDump: { name: "endpoints", kind: "endpoint", lists: [["static_endpoint_configs", "endpoint_config", "static"], ["dynamic_endpoint_configs", "endpoint_config", "active"]] },
  SecretsConfigDump: {
    name: "secrets",
    kind: "secret",
    lists: [
      ["static_secrets", "secret", "static"],
      ["dynamic_active_secrets", "secret", "active"],
      ["dynamic_warming_secrets", "secret", "warming"],
    ],
  },
  ScopedRoutesConfigDump: { name: "scoped_routes", lists: [] },
  EcdsConfigDump: { name: "ecds", lists: [] },
};
// Looked up with names from the dump: no prototype, so "constructor" or "__proto__" find nothing.
Object.setPrototypeOf(SECTIONS, null);

/** The states a v3 dynamic_listeners entry holds a listener in. */
const LISTENER_STATES = [
  ["active_state", "active"],
  ["warming_state", "warming"],
  ["draining_state", "draining"],
] as const;

/** Lists of listeners: the scanner hints them deeper, with where each field is, so a listener's outline is read without the rest of it. */
const LISTENER_LISTS: ReadonlySet<string> = new Set([...SECTIONS.ListenersConfigDump!.lists.map(([field]) => field), "dynamic_listeners"].map(canonicalKey));

/** Keys of the lists whose elements are resources, as keyOf matches them: what the streaming scanner leaves in the file. */
const RESOURCE_LISTS: ReadonlySet<string> = new Set(
  [...Object.values(SECTIONS).flatMap((s) => s.lists.map(([field]) => field)), "dynamic_listeners", "resources"].map(canonicalKey),
);

/** Config dumps nested under proxy names: egctl's {namespace: {name: dump}} and egctl x translate's {xds: {"ns/name": dump}}. */
/** Several configurations in one file, by name, and what to call one and several of them. */
interface Several {
  one: string;
  many: (n: number) => string;
  entries: Map<string, { value: Obj; path: string }>;
}

/** CiliumEnvoyConfigs in a Kubernetes List (kubectl get cec -o yaml), by namespace/name (the first of a name). */
function ciliumEnvoyConfigsIn(v: Obj, path: string): Several | undefined {
  const ik = keyOf(v, "items");
  const items = ik !== undefined ? v[ik] : undefined;
  if (!Array.isArray(items) || items.length === 0 || !items.every(isCiliumEnvoyConfig)) return undefined;
  const entries = new Map<string, { value: Obj; path: string }>();
  items.forEach((x, i) => {
    const name = ciliumEnvoyConfigName(x as Obj);
    if (!entries.has(name)) entries.set(name, { value: x as Obj, path: childPath(childPath(path, ik!), i) });
  });
  return { one: "CiliumEnvoyConfig", many: (n) => `${n} CiliumEnvoyConfigs`, entries };
}

/** Several proxies' dumps in one file: egctl config envoy-proxy ({namespace: {name: dump}}), egctl x translate ({xds: {name: dump}}). */
function proxiesIn(v: Obj): Several | undefined {
  const found = proxyDumpsIn(v);
  return found ? { one: "proxy", many: (n) => `the config of ${n} proxies`, entries: found } : undefined;
}

function proxyDumpsIn(v: Obj): Map<string, { value: Obj; path: string }> | undefined {
  const dumpLike = (x: unknown): x is Obj =>
    isObject(x) && (Array.isArray(getKey(x, "configs")) || (typeof x["@type"] === "string" && /\.admin\.v(3|2alpha)\.\w+ConfigDump$/.test(x["@type"] as string)));
  const out = new Map<string, { value: Obj; path: string }>();
  const xk = keyOf(v, "xds");
  if (xk !== undefined && isObject(v[xk])) {
    const x = v[xk] as Obj;
    for (const k of Object.keys(x)) if (dumpLike(x[k])) out.set(k, { value: x[k] as Obj, path: childPath(childPath("$", xk), k) });
    return out.size ? out : undefined;
  }
  const keys = Object.keys(v);
  if (!keys.length || keys.some((k) => k.startsWith("@") || !isObject(v[k]))) return undefined;
  for (const ns of keys) {
    const inner = v[ns] as Obj;
    const names = Object.keys(inner);
    if (!names.length || !names.every((n) => dumpLike(inner[n]))) return undefined;
    for (const n of names) out.set(`${ns}/${n}`, { value: inner[n] as Obj, path: childPath(childPath("$", ns), n) });
  }
  return out.size ? out : undefined;
}

/** One entry of a dump section pasted alone: which list it came from, so it reads as the resource inside. */
function sectionEntry(v: Obj): { section: string; list: string } | undefined {
  const has = (k: string) => keyOf(v, k) !== undefined;
  if (has("name") && (has("active_state") || has("warming_state") || has("draining_state") || has("error_state"))) return { section: "ListenersConfigDump", list: "dynamic_listeners" };
  const wrapped: [string, string, string][] = [
    ["listener", "ListenersConfigDump", "dynamic_active_listeners"],
    ["cluster", "ClustersConfigDump", "dynamic_active_clusters"],
    ["route_config", "RoutesConfigDump", "dynamic_route_configs"],
    ["endpoint_config", "EndpointsConfigDump", "dynamic_endpoint_configs"],
    ["secret", "SecretsConfigDump", "dynamic_active_secrets"],
  ];
  for (const [inner, section, list] of wrapped) {
    const k = keyOf(v, inner);
    if (k !== undefined && isObject(v[k]) && (has("last_updated") || has("version_info") || typeof (v[k] as Obj)["@type"] === "string")) return { section, list };
  }
  return undefined;
}

/**
 * The list an element of a config dump section came from, by its message type (what
 * /config_dump?resource=<list> packs each element as): a Static… one is from the section's static
 * list, a Dynamic… one from its active list (v3 listeners: dynamic_listeners). A DynamicCluster or
 * DynamicSecret does not say whether it was active or warming: it is read as active.
 */
function elementList(section: string, message: string, e: Obj): string | undefined {
  const lists = Object.hasOwn(SECTIONS, section) ? SECTIONS[section]!.lists : [];
  const m = /^(Static|Dynamic)(?:Listener|Cluster|RouteConfig|EndpointConfig|Secret)$/.exec(message);
  if (!m) return undefined;
  if (m[1] === "Static") return lists.find(([, , state]) => state === "static")?.[0];
  if (section === "ListenersConfigDump" && keyOf(e, "listener") === undefined) return "dynamic_listeners"; // v2alpha's wraps one listener
  return lists.find(([, , state]) => state === "active")?.[0];
}

/** A section recognised by its lists, for sections pasted without their @type. */
function sectionKind(v: Obj): string | undefined {
  if (keyOf(v, "dynamic_listeners") !== undefined) return "ListenersConfigDump";
  return Object.keys(SECTIONS).find((name) => SECTIONS[name]!.lists.some(([field]) => keyOf(v, field) !== undefined));
}

function looksBootstrap(v: Obj): boolean {
  const type = typeof v["@type"] === "string" ? (v["@type"] as string) : "";
  if (/\.(bootstrap\.v\d+\.)?Bootstrap$/.test(type)) return true;
  return ["static_resources", "dynamic_resources", "admin", "layered_runtime", "stats_config"].some((k) => keyOf(v, k) !== undefined) && keyOf(v, "filter_chains") === undefined;
}

/** Which kind of Envoy resource an object is, from its @type or its shape. */
/** Cluster discovery types: a `name` and one of these `type`s is a cluster (a package.json's `"type": "module"` is not). */
const CLUSTER_TYPES: ReadonlySet<string> = new Set(["STATIC", "STRICT_DNS", "LOGICAL_DNS", "EDS", "ORIGINAL_DST"]);

/** ClusterLoadAssignment's fields (canonical form): an object of only these, with cluster_name, is one. */
const CLA_KEYS: ReadonlySet<string> = new Set(["cluster_name", "endpoints", "named_endpoints", "policy", "@type"].map(canonicalKey));

export function resourceKind(v: Obj): ResourceKind | undefined {
  const type = typeof v["@type"] === "string" ? (v["@type"] as string) : "";
  if (type) {
    const r = resolveTypeUrl(type);
    const n = r?.name ?? "";
    for (const [k, t] of Object.entries(KIND_TYPE)) if (n === t) return k as ResourceKind;
  }
  const has = (k: string) => keyOf(v, k) !== undefined;
  if (has("filter_chains") || has("default_filter_chain") || has("listener_filters") || has("filter_chain_matcher") || (has("address") && has("name") && has("traffic_direction"))) return "listener";
  if (has("virtual_hosts") || (has("name") && (has("validate_clusters") || has("ignore_port_in_host_matching") || has("vhds")))) return "route";
  // An assignment with no endpoints is its cluster_name alone (Envoy Gateway's goldens for a route with no backends).
  if (has("cluster_name") && (has("endpoints") || Object.keys(v).every((k) => CLA_KEYS.has(canonicalKey(k))))) return "endpoint";
  if (has("tls_certificate") || has("validation_context") || has("session_ticket_keys") || has("generic_secret")) return "secret";
  if (has("connect_timeout") || has("lb_policy") || has("load_assignment") || has("eds_cluster_config") || has("transport_socket_matches") || has("cluster_type") || (has("name") && CLUSTER_TYPES.has(String(getKey(v, "type")).toUpperCase()) && !has("address"))) return "cluster";
  if (has("address") && has("name")) return "listener";
  return undefined;
}

function resourceName(kind: ResourceKind, v: Obj): string {
  if (kind === "endpoint") return str(getKey(v, "cluster_name")) ?? "";
  if (kind === "bootstrap") {
    const node = getKey(v, "node");
    return (isObject(node) && str(getKey(node, "id"))) || "bootstrap";
  }
  const name = str(getKey(v, "name"));
  if (name) return name;
  if (kind === "listener") {
    const a = getKey(v, "address");
    const sa = isObject(a) ? getKey(a, "socket_address") : undefined;
    if (isObject(sa)) return `${str(getKey(sa, "address")) ?? "?"}:${str(getKey(sa, "port_value")) ?? "?"}`;
  }
  return "";
}

/** Reads the proxy's identity from the bootstrap's node (raw JSON: cheap, no schema). */
function readIdentity(input: LoadedInput): Identity | undefined {
  const b = input.resources.bootstrap[0];
  if (!b || !isObject(b.raw)) return undefined;
  const node = getKey(b.raw, "node");
  if (!isObject(node)) return undefined;
  const md = getKey(node, "metadata");
  const m = isObject(md) ? md : {};
  const id = str(getKey(node, "id"));
  const idParts = id?.split("~") ?? [];
  const ips = new Set<string>();
  const instanceIps = str(m.INSTANCE_IPS);
  if (instanceIps) for (const ip of instanceIps.split(",")) if (ip.trim()) ips.add(ip.trim());
  if (idParts[1] && /^[\d.]+$|:/.test(idParts[1])) ips.add(idParts[1]);
  let envoyVersion: string | undefined;
  const uabv = getKey(node, "user_agent_build_version");
  if (isObject(uabv)) {
    const ver = getKey(uabv, "version");
    if (isObject(ver)) envoyVersion = `${getKey(ver, "major_number") ?? 0}.${getKey(ver, "minor_number") ?? 0}.${getKey(ver, "patch") ?? 0}`;
  }
  const bv = str(getKey(node, "build_version"));
  if (!envoyVersion && bv) {
    const mm = /\/(\d+\.\d+\.\d+(?:-dev)?)\//.exec(bv);
    if (mm) envoyVersion = mm[1];
  }
  const podName = str(m.POD_NAME) ?? idParts[2]?.split(".")[0];
  const labels = isObject(m.LABELS) ? m.LABELS : {};
  const app = str(labels.app) ?? str(m.app) ?? str(m.WORKLOAD_NAME)?.replace(/-v\d+$/, "");
  return {
    nodeId: id,
    nodeType: idParts[0],
    podName,
    namespace: str(m.NAMESPACE) ?? idParts[2]?.split(".")[1],
    istioVersion: str(m.ISTIO_VERSION),
    ...(app ? { app } : {}),
    envoyVersion,
    ips: [...ips],
    source: b.path,
  };
}
