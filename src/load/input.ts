// What the loader produces, whatever the input's shape: resource records per kind, each normalised to v3
// proto3 JSON on first use (lazy: a command pays only for the resources it reads), in one LoadedInput.
// Plain JavaScript: no Node built-in (the core runs unchanged in a browser's worker).
import { Diagnostics } from "../diag.js";
import { progress } from "../progress.js";
import type { ParsedText } from "./parse.js";
import { Locator, type Position, type StreamedList, type TextSource } from "./locate.js";
import type { SpanReader } from "./json-scan.js";
import { resolveTypeUrl, T } from "./schema.js";
import { getKey } from "./v2.js";
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
  | "cilium_envoy_config"
  | "client_status";

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

/** The v3 message type of each kind of resource. */
export const KIND_TYPE: Record<ResourceKind, string> = {
  listener: T.Listener,
  cluster: T.Cluster,
  route: T.RouteConfiguration,
  endpoint: T.ClusterLoadAssignment,
  secret: T.Secret,
  bootstrap: T.Bootstrap,
};

type Obj = Record<string, unknown>;

/**
 * What is derived from a resource's text alone (its decode, the names it holds), shared between the
 * dumps of a fleet by the text of the list element that holds it: the proxies of a mesh hold the same
 * clusters and endpoints, and the same text gives the same value. Off unless a fleet turns it on (for
 * the thread it runs on); bounded by the texts' size (one text is one string, whatever the tables).
 */
const sharedTables = new Map<string, Map<string, unknown>>();
let sharedChars = 0;
let sharing = false;
/** The most text the tables are keyed by (what they hold decoded takes a few times more): past that they start again. */
const SHARED_CHARS = 16 << 20;
/** The largest element text shared (larger ones are derived every time). */
const SHARED_TEXT = 1 << 20;

/** The table of what `name` derives from resources at one place (a kind, and where in its list element the resource is), keyed by their element texts. */
function sharedTable(name: string, place: string): Map<string, unknown> {
  const at = `${name}\u0000${place}`;
  let table = sharedTables.get(at);
  if (!table) sharedTables.set(at, (table = new Map()));
  return table;
}

function sharedPut(table: Map<string, unknown>, key: string, value: unknown): void {
  if (sharedChars + key.length > SHARED_CHARS) {
    for (const t of sharedTables.values()) t.clear();
    sharedChars = 0;
  }
  table.set(key, value);
  sharedChars += key.length;
}

/** Shares what equal resources give (ResourceRecord.derived) between the inputs read from now on in this thread (a fleet's dumps). Values shared are never changed by their readers. */
export function shareDecodedResources(on = true): void {
  sharing = on;
  if (!on) {
    sharedTables.clear();
    sharedChars = 0;
  }
}

/**
 * A wrapper element's text without its braces and its `version_info` and `last_updated` at its very start
 * and end (`to`: where its closing brace is).
 */
function stripWrapperTimes(text: string, to: number): string {
  const head = /^\{\s*(?:"version_?[iI]nfo"\s*:\s*"[^"\\]*"\s*,)?/.exec(text);
  const from = head ? head[0].length : 0;
  // The last key, found from the end (a regular expression anchored at the end tries every comma).
  const at = Math.max(text.lastIndexOf('"last_updated"'), text.lastIndexOf('"lastUpdated"'));
  if (at > from) {
    const tail = /^"last_?[uU]pdated"\s*:\s*"[^"\\]*"\s*\}$/.exec(text.slice(at));
    let comma = at - 1;
    while (comma > from && /\s/.test(text[comma]!)) comma--;
    if (tail && text[comma] === ",") to = comma;
  }
  return text.slice(from, to);
}

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
    this.elementTextValue = undefined;
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

  /** Of a resource a streamed input left in the file: the bytes of its list element (the resource and its wrapper), and the path from the element to the resource ("" when the element is the resource). */
  private inFile?: { reader: SpanReader; start: number; end: number; within: string };
  /** Whether the list element holds this resource alone (a v3 listener entry holds one per state: active, warming, draining). */
  alone = true;
  /** Notes where the list element that holds this resource is in a streamed input's file, and the path from it to the resource ("" when the element is the resource). */
  elementIn(reader: SpanReader, span: { start: number; end: number }, within: string): void {
    this.inFile = { reader, start: span.start, end: span.end, within };
  }
  /**
   * The text inside the list element that holds the resource, as the file has it, when a streamed input
   * left it there (undefined otherwise): the same text, with the resource at the same place in it, is the
   * same resource, without parsing either. Not the element's braces, nor, when the resource is inside the
   * element (a wrapper), the wrapper's `version_info` and `last_updated` at its very start and end (which
   * differ between proxies holding the same resource); when the element is the resource they are its own.
   * Read once; one string (a slice of the element's text, not a copy), so that it is hashed once as a key.
   */
  elementText(): string | undefined {
    if (this.elementTextValue === undefined && this.inFile) this.elementTextValue = this.readElementText(this.inFile);
    return this.elementTextValue;
  }
  private elementTextValue?: string;
  private readElementText(inFile: { reader: SpanReader; start: number; end: number; within: string }): string {
    const { reader, start, end } = inFile;
    const text = reader.text(start, end);
    const to = text.length > 0 && text.endsWith("}") ? text.length - 1 : text.length;
    if (inFile.within === "") return text.slice(text.startsWith("{") ? 1 : 0, to);
    return stripWrapperTimes(text, to);
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
      progress(`decoding ${this.kind}s`, ++this.input.decoded, () => this.input.resourceCount());
      const slot = this.released ? undefined : this.sharedSlot();
      const decodes = slot && sharedTable("decoded", slot.place);
      const shared = decodes?.get(slot!.key);
      if (shared !== undefined) return (this.normalised = shared as T);
      const said = this.input.diags.added;
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
      // Only a decode that said nothing (no warning, no upgrade, no rejection) is shared, so every dump still tells its own.
      if (decodes && this.input.diags.added === said && !ctx.upgrades.size && !this.rejections.length) sharedPut(decodes, slot!.key, this.normalised);
    }
    return this.normalised;
  }

  /**
   * Whether an equal resource (the same element text, the resource at the same place in it) was decoded
   * in this thread without a word (no warning, upgrade or rejection), while a fleet shares decodes: what
   * this one would say is then nothing, and what is derived from it may be shared.
   */
  decodesClean(): boolean {
    const slot = this.sharedSlot();
    return !!slot && sharedTable("decoded", slot.place).has(slot.key);
  }

  /**
   * A value derived from this resource's text alone (the strings it holds, whether it carries an inline
   * certificate): computed once and kept by the record, also when release() lets its decoded value go;
   * `table` names what is derived. While a fleet shares decodes (shareDecodedResources), taken from the
   * fleet's equal resources, for a resource that decodes clean (decodesClean): one whose decode warns is
   * read in every dump as it would be alone, so that every dump's warnings are its own.
   */
  derived<V>(table: string, compute: () => V): V {
    const mine = (this.derivedValues ??= new Map());
    if (mine.has(table)) return mine.get(table) as V;
    const slot = this.sharedSlot();
    let v: V;
    if (!slot || !sharedTable("decoded", slot.place).has(slot.key)) v = compute();
    else {
      const t = sharedTable(table, slot.place);
      if (t.has(slot.key)) v = t.get(slot.key) as V;
      else sharedPut(t, slot.key, (v = compute()));
    }
    mine.set(table, v);
    return v;
  }
  private derivedValues?: Map<string, unknown>;

  /**
   * While a fleet shares decodes: where this resource's kind and place in its list element put it in the
   * shared tables, and its key there (its element text). Undefined for a resource that does not stand
   * alone in its element, or an element too large to be read for a key (text is at most as long as its bytes).
   */
  private sharedSlot(): { place: string; key: string } | undefined {
    const inFile = this.inFile;
    if (!sharing || !this.alone || !inFile || inFile.end - inFile.start > SHARED_TEXT) return undefined;
    return { place: `${this.kind}\u0000${inFile.within}`, key: this.elementText()! };
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
  /** Which proxy was read from a file that holds several (egctl, a CSDS response about several clients). */
  proxy?: string;
  /** On a page of several blocks (a bug report, a terminal session): which block was read (1-based, as the notes number them). */
  block?: number;
  /**
   * Kinds of resources a bootstrap read alone says arrive over xDS (its dynamic_resources: lds_config,
   * cds_config, ADS): the file cannot hold them, only the running proxy's /config_dump does. Empty for
   * anything else.
   */
  readonly overXds = new Set<"listener" | "cluster">();
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
  /**
   * Several JSON documents one after another (a stream of DiscoveryResponses), read as one list: where
   * each starts in the text, so a path `$[i]…` is located in document i.
   */
  private documents?: { line: number; column: number }[];
  /** @internal */
  attachText(text: TextSource, documents?: { line: number; column: number }[]): void {
    this.text = text;
    this.documents = documents;
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
    if (this.text && this.documents) return this.locateInDocuments(this.text, this.documents, paths);
    if (this.text) return new Locator({ text: this.text }).locateAll(paths);
    if (this.source) return new Locator({ reader: this.source, lists: this.streamedLists }).locateAll(paths);
    return new Map();
  }
  /** Paths `$[i]…` of several JSON documents read as one list: each located in its own document, from where it starts. */
  private locateInDocuments(text: TextSource, documents: { line: number; column: number }[], paths: string[]): Map<string, Position> {
    const out = new Map<string, Position>();
    const byDoc = new Map<number, { path: string; inner: string }[]>();
    for (const p of paths) {
      const m = /^\$\[(\d+)\]/.exec(p);
      const i = m ? Number(m[1]) : 0;
      if (!m || i >= documents.length) {
        if (p === "$" && documents.length) out.set(p, documents[0]!);
        continue;
      }
      let list = byDoc.get(i);
      if (!list) byDoc.set(i, (list = []));
      list.push({ path: p, inner: "$" + p.slice(m[0].length) });
    }
    for (const [i, list] of byDoc) {
      const found = new Locator({ text: { ...text, syntax: text.syntax === "yaml" ? "json-repaired" : text.syntax, embedded: documents[i]! } }).locateAll(list.map((x) => x.inner));
      for (const x of list) {
        const at = found.get(x.inner);
        if (at) out.set(x.path, at);
      }
    }
    return out;
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
  /** In a file that holds several proxies' config (egctl, a CSDS response about several clients): which one, as "namespace/name" or the node id. */
  proxy?: string;
  /**
   * On a page that holds several blocks (a bug report, a blog post, a terminal session): which block to
   * read, 1-based, counting the page's blocks as the loader's notes number them. By default the first
   * block that holds Envoy config is read (with a warning naming the others that do).
   */
  block?: number;
  /**
   * Inflates gzip data (the bytes, and the most bytes it may inflate to). Without it, loadBytes refuses
   * gzip data with a message saying to inflate it first; the Node entry points give zlib's.
   */
  inflate?: (bytes: Uint8Array, maxBytes: number, name: string) => Uint8Array;
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


export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
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

