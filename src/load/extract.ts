// Reading a parsed input into resource records: the Extractor, which the recognizers (one per input
// shape, recognizers/index.ts) call to add resources, walk config dump sections and record rejected
// updates. Plain JavaScript: no Node built-in.
import { childPath, InputError, type Diagnostic } from "../diag.js";
import type { ParsedText } from "./parse.js";
import type { HintFields, Span, SpanReader } from "./json-scan.js";
import { ResourceRecord, str, type ApiVersion, type InputFormat, type LoadedInput, type LoadOptions, type ResourceKind, type ResourceState } from "./input.js";
import { elementList, LISTENER_STATES, resourceKind, resourceName, SECTIONS, sectionKind } from "./sections.js";
import { NOT_ENVOY, RECOGNIZERS } from "./recognizers/index.js";
import { readClientConfig } from "./recognizers/client-status.js";
import { getKey, keyOf, keysOf } from "./v2.js";
import { canonicalKey, isObject } from "./keys.js";

type Obj = Record<string, unknown>;

/** What the streaming scanner left in the input: lists of resource spans, and the file to read them from. */
export interface Streamed {
  lazy: Map<unknown[], Span[]>;
  /** Where each field of a listener's hint is: all but its chains are read for its outline. */
  fields: Map<object, HintFields>;
  reader: SpanReader;
}

/**
 * Reads a parsed input into `input`: the first recognizer (recognizers/index.ts) whose shape the value
 * has reads it; when none reads anything, the error says what the input is (one of the shapes known
 * not to be Envoy's, or its top-level keys).
 */
export function extract(input: LoadedInput, parsed: ParsedText, opts: LoadOptions, streamed?: Streamed): LoadedInput {
  const file = input.file;
  input.syntax = parsed.syntax;
  input.cut = parsed.cut;
  const x = new Extractor(input, parsed, { forced: opts.format && opts.format !== "auto" ? opts.format : undefined, proxy: opts.proxy }, streamed);
  x.top(parsed.value);
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
  if (total === 0 && input.sections.size === 0 && !input.rejectedListeners.length && !x.readSomething) {
    for (const n of NOT_ENVOY) {
      const said = n.describe(parsed.value);
      if (said) throw new InputError(file, said);
    }
    const what = parsed.embeddedAt ? `the ${parsed.syntax === "yaml" ? "YAML" : "JSON"} block at line ${parsed.embeddedAt} (the text around it ignored) is` : `${parsed.syntax === "yaml" ? "YAML" : "JSON"}, but`;
    throw new InputError(file, `${what} not an Envoy config dump, istioctl proxy-config output, bootstrap or resource (${describeTop(parsed.value)})`);
  }
  if (parsed.cut) {
    const c = parsed.cut;
    const why = c.kind === "truncated" ? `the input ends at line ${c.line}` : `the input cannot be read past line ${c.line} (${c.reason})`;
    input.diags.warn(c.kind, `${why}: resources after that point are unknown (read: ${input.count() || "nothing complete"})`, { path: c.path, line: c.line, column: c.column });
  }
  return input;
}

/** Kinds a streamed input leaves in the file until they are used: the large sections a command may never reach. */
const LEFT_IN_FILE: ReadonlySet<ResourceKind> = new Set(["cluster", "endpoint", "route", "listener"]);

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
export interface AddMeta {
  versionInfo?: string;
  lastUpdated?: string;
  v2?: boolean;
  keepCut?: boolean;
}

/** Several configurations in one file, by name, and what to call one and several of them (egctl's proxies, CSDS clients, CiliumEnvoyConfigs). */
export interface Several {
  one: string;
  many: (n: number) => string;
  entries: Map<string, { value: unknown; path: string }>;
}

/**
 * Reads resources into a LoadedInput. The recognizers call it: add() a resource, list() a list of them,
 * config() a config dump section, bootstrap(), failedUpdate() an entry's error_state, top() a value
 * nested in the shape (one proxy of several).
 */
export class Extractor {
  readonly input: LoadedInput;
  private readonly parsed: ParsedText;
  private readonly streamed?: Streamed;
  /** The --format asked for (undefined: detected), and the --proxy chosen. */
  readonly opts: { forced?: InputFormat; proxy?: string };
  /** Set by a recognizer that read its shape, even when the shape held no resource (an empty section, a status without config). */
  readSomething = false;
  /** The streamed list element being read, so a resource inside it can be left in the file. */
  /** The list element being read, and the first resource read from it (a v3 listener entry holds one per state). */
  private current?: { span: Span; root: unknown; path: string; first?: ResourceRecord };
  /** The keys that led from the last element to its resource (leftInFile). */
  private lastKeys?: string[];
  constructor(input: LoadedInput, parsed: ParsedText, opts: { forced?: InputFormat; proxy?: string }, streamed?: Streamed) {
    this.input = input;
    this.parsed = parsed;
    this.opts = opts;
    this.streamed = streamed;
  }

  /**
   * The elements of a list; for a list the scanner left in the file, each parsed in turn, or, when
   * `usable` accepts the scanner's hint (names and types seen without parsing), the hint stands in for
   * it: the resource inside is then read from the file only when a command uses it. Each with its index
   * and its path.
   */
  *elements(arr: unknown[], path: string, usable?: (hint: Obj) => boolean): Generator<[unknown, number, string]> {
    const spans = this.streamed?.lazy.get(arr);
    if (!spans) {
      for (let i = 0; i < arr.length; i++) yield [arr[i], i, childPath(path, i)];
      return;
    }
    const reader = this.streamed!.reader;
    this.input.addStreamedList(path, spans);
    for (let i = 0; i < spans.length; i++) {
      const sp = spans[i]!;
      const at = childPath(path, i);
      let e: unknown;
      if ("value" in sp) e = sp.value;
      else if (sp.hint && usable?.(sp.hint)) {
        e = sp.hint;
        this.current = { span: sp, root: e, path: at };
      } else {
        try {
          e = reader.parse(sp);
        } catch {
          // JSON.parse's message quotes the input: it is not repeated (it could hold a credential).
          this.input.diags.warn("syntax", "not valid JSON: skipped", { path: at, ...reader.position(sp.start) });
          continue;
        }
        this.current = { span: sp, root: e, path: at };
      }
      yield [e, i, at];
      this.current = undefined;
    }
  }

  /**
   * A value in the input (the whole of it, or one proxy's of several): the first recognizer whose shape
   * it has reads it.
   */
  top(v: unknown, path = "$"): void {
    for (const r of RECOGNIZERS) {
      if (r.detect(v, this.opts.forced)) {
        r.read(v, path, this);
        return;
      }
    }
  }

  /**
   * One configuration of several in one file (egctl's proxies, a CSDS response's clients, a List of
   * CiliumEnvoyConfigs): the one --proxy names, or the only one; read as the whole input would be.
   */
  choose(several: Several): void {
    const { one, many, entries } = several;
    const names = [...entries.keys()];
    const proxy = this.opts.proxy;
    const want = proxy ?? (names.length === 1 ? names[0] : undefined);
    if (want === undefined) throw new InputError(this.input.file, `holds ${many(names.length)} (${names.join(", ")}): choose one with --proxy`);
    const hit = entries.get(want);
    if (!hit) throw new InputError(this.input.file, `no ${one} "${want}" here; it holds ${names.join(", ")}`);
    this.input.proxy = want;
    if (names.length > 1 || proxy) this.input.diags.note("proxy", `read ${one} ${want} of ${names.length}`, { path: hit.path });
    // Chosen: read as a whole input would be, but one of several again (a nested choice) is not offered twice.
    const saved = this.opts.proxy;
    (this.opts as { proxy?: string }).proxy = undefined;
    try {
      this.top(hit.value, hit.path);
    } finally {
      (this.opts as { proxy?: string }).proxy = saved;
    }
  }

  /** Warnings said alike for many elements (a long list of what is not a resource): the first with its place, the rest counted on it. */
  private readonly repeated = new Map<string, Diagnostic>();
  private warnEach(code: string, message: string, where: { path: string }): void {
    // Keyed by the message alone: each one this is used for is a constant of its own.
    const seen = this.repeated.get(message);
    if (seen) {
      seen.count = (seen.count ?? 1) + 1;
      return;
    }
    this.input.diags.warn(code, message, where);
    const added = this.input.diags.list.findLast((d) => d.code === code && d.message === message);
    if (added) this.repeated.set(message, added);
  }

  /** Elisions by every path they are within (a resource's path looks one up at once, however many elisions and resources there are). */
  private elidedIndex?: Map<string, ParsedText["elided"][number]>;
  private elidedWithin(path: string): ParsedText["elided"][number] | undefined {
    if (!this.parsed.elided.length) return undefined;
    if (!this.elidedIndex) {
      this.elidedIndex = new Map();
      for (const e of this.parsed.elided) {
        // The path itself and each prefix of it that ends before a segment ("." or "["): a resource's path is one of them.
        for (let i = e.path.length; i > 0; i = Math.max(e.path.lastIndexOf(".", i - 1), e.path.lastIndexOf("[", i - 1))) {
          const prefix = e.path.slice(0, i);
          if (!this.elidedIndex.has(prefix)) this.elidedIndex.set(prefix, e);
          if (i === 0) break;
        }
      }
    }
    return this.elidedIndex.get(path);
  }

  list(arr: unknown[], path: string): void {
    for (const [e, i] of this.elements(arr, path)) this.listItem(e, i, path);
  }

  listItem(e: unknown, i: number, path: string): void {
    const p = childPath(path, i);
    if (!isObject(e)) return this.warnEach("unknown-resource", "list item is not an object (skipped)", { path: p });
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
    // CSDS ClientConfigs in a DiscoveryResponse (istiod's /debug/syncz): a client's config, when it carries any.
    if (typeof e["@type"] === "string" && /\.service\.status\.v\d\w*\.ClientConfig$/.test(e["@type"])) return readClientConfig(e, p, this);
    const kind = resourceKind(e);
    if (!kind) {
      this.warnEach("unknown-resource", "list item is not a listener, cluster, route configuration, endpoint assignment or secret (skipped)", { path: p });
      return;
    }
    this.add(kind, e, p, "active", {});
  }

  config(c: unknown, path: string, knownSection?: string): void {
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
      for (const [e, , at] of this.elements(a[0], a[1], usable)) if (isObject(e)) fn(e, at);
    };
    const wrapped = (kind: ResourceKind, inner: string, state: ResourceState) => {
      const wants = [inner, "error_state", "version_info", "last_updated"].map(canonicalKey);
      return (e: Obj, p: string) => {
        // An entry's keys, read once (it is one of thousands).
        const [k, ek, vk, lk] = keysOf(e, wants);
        // Clusters, route configurations, endpoints and secrets carry their rejected updates in the entry itself.
        const err = kind === "listener" || ek === undefined ? undefined : e[ek];
        if (isObject(err)) this.failedUpdate(kind, e, err, p, k !== undefined && isObject(e[k]), v2);
        if (k === undefined) return;
        this.add(kind, e[k], childPath(p, k), state, { versionInfo: str(vk === undefined ? undefined : e[vk]), lastUpdated: str(lk === undefined ? undefined : e[lk]), v2 });
      };
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
      const wants = [inner, "error_state"].map(canonicalKey);
      const usable = LEFT_IN_FILE.has(kind)
        ? (h: Obj) => {
            const [k, ek] = keysOf(h, wants);
            const r = k === undefined ? undefined : h[k];
            // An entry with an error_state is read whole.
            return ek === undefined && isObject(r) && typeof getKey(r, kind === "endpoint" ? "cluster_name" : "name") === "string";
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
  failedUpdate(kind: ResourceKind, e: Obj, err: Obj, p: string, active: boolean, v2: boolean): void {
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
  readonly seen = { v2Admin: false, v3Admin: false, v2Bodies: false };

  /** v2alpha admin types: v2; v3 admin types around v2 bodies (Istio 1.5-1.6): v3-wrapping-v2. */
  apiVersion(): ApiVersion {
    const s = this.seen;
    if (s.v2Admin) return "v2";
    if (s.v3Admin) return s.v2Bodies ? "v3-wrapping-v2" : "v3";
    return s.v2Bodies ? "v2" : "unknown";
  }

  bootstrap(b: unknown, path: string, lastUpdated: string | undefined, v2: boolean): void {
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
  adminClusterStatus(e: Obj, path: string): void {
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
    const el = this.elidedWithin(path);
    if (el) {
      this.input.diags.warn("elided", `${kind} "${name}" has parts elided at line ${el.line}: it is used, but what was left out is unknown`, { path });
    }
    // Where each field of a streamed listener is: its outline is read from there, and what can be read of it when it is not JSON.
    const fields = this.streamed?.fields.get(raw);
    const rec = new ResourceRecord(this.input, kind, name, state, path, this.leftInFile(kind, raw, name, fields) ?? raw, { versionInfo: meta.versionInfo, lastUpdated: meta.lastUpdated, v2 });
    if (this.current && this.streamed) {
      const at = this.current.path;
      rec.elementIn(this.streamed.reader, this.current.span, path.startsWith(at) ? path.slice(at.length) : path);
      // Its text is not this resource's alone: it is no key for what is derived from the resource.
      if (this.current.first) this.current.first.alone = rec.alone = false;
      else this.current.first = rec;
    }
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
