/// <reference lib="dom" />
// The page's own code: the form, the file picker and drag-and-drop, the URL fragment, and drawing
// the worker's answers into the page. Every text from a dump goes in as text (textContent), never as
// markup. The work itself runs in the worker (worker.ts), built into this page as a blob.
import type { ExplainResult } from "../explain/explain.js";
import type { Warning } from "../documents.js";
import type { Answer, FromWorker, Loaded, Question, ToWorker } from "./protocol.js";
import { mostInteresting } from "../render/pick.js";

declare const __WORKER_SOURCE__: string;
declare const __PRESETS__: [string, string][];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const FIELDS = ["port", "client", "sni", "alpn", "address", "host", "path"] as const;
type Field = (typeof FIELDS)[number];

const status = $<HTMLDivElement>("status");
const result = $<HTMLDivElement>("result");
const progressBox = $<HTMLDivElement>("progress");
const progressText = $<HTMLSpanElement>("progress-text");
const actions = $<HTMLDivElement>("actions");
const copied = $<HTMLSpanElement>("copied");
const markdownBox = $<HTMLTextAreaElement>("markdown");
const markdownWrap = $<HTMLDetailsElement>("markdown-box");
const portList = $<HTMLDataListElement>("ports");
const dumpInfo = [$<HTMLParagraphElement>("dump-info"), $<HTMLParagraphElement>("dump2-info")];
const texts = [$<HTMLTextAreaElement>("dump"), $<HTMLTextAreaElement>("dump2")];
const pickers = [$<HTMLInputElement>("file"), $<HTMLInputElement>("file2")];
const field = (f: Field) => $<HTMLInputElement | HTMLSelectElement>(f);

for (const [name, help] of __PRESETS__) {
  const o = document.createElement("option");
  o.value = name;
  o.textContent = `${name}: ${help}`;
  field("client").append(o);
}

// ---- the worker -------------------------------------------------------------------------------
const worker = new Worker(URL.createObjectURL(new Blob([__WORKER_SOURCE__], { type: "text/javascript" })));
let nextId = 1;
const pending = new Map<number, (m: FromWorker) => void>();
worker.onmessage = (ev: MessageEvent<FromWorker>) => {
  const m = ev.data;
  if (m.type === "progress") {
    if (pending.has(m.id)) progressText.textContent = m.text;
    return;
  }
  pending.get(m.id)?.(m);
  pending.delete(m.id);
};
worker.onerror = (ev) => {
  showError(`envoy-explain: a bug: the worker stopped (${ev.message || "no message"})`);
};
type Request = ToWorker extends infer T ? (T extends { id: number } ? Omit<T, "id"> : never) : never;
function send(m: Request, transfer: Transferable[] = []): Promise<FromWorker> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ ...m, id } as ToWorker, transfer);
  });
}

// ---- state --------------------------------------------------------------------------------------
const loaded: (Loaded | undefined)[] = [undefined, undefined];
/** Why the last text or file given for each dump could not be read (shown until another is given). */
const loadError: (string | undefined)[] = [undefined, undefined];
let lastMarkdown = "";
let asked = 0;
let busy = 0;
function working(what: string): () => void {
  busy++;
  progressBox.hidden = false;
  progressText.textContent = what;
  status.setAttribute("aria-busy", "true");
  return () => {
    if (--busy === 0) {
      progressBox.hidden = true;
      status.removeAttribute("aria-busy");
    }
  };
}

function showError(message: string): void {
  result.replaceChildren();
  actions.hidden = true;
  status.className = "status bad";
  status.textContent = message;
}

// ---- the question and the URL fragment (never the dump) -----------------------------------------
function question(): Question {
  const q: Question = {};
  for (const f of FIELDS) {
    const v = field(f).value.trim();
    if (v) q[f] = v;
  }
  const view = (document.querySelector('input[name="view"]:checked') as HTMLInputElement | null)?.value;
  if (view && view !== "explain") q.view = view as Question["view"];
  return q;
}
function toFragment(q: Question): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `#${s}` : "";
}
function fromFragment(): void {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const f of FIELDS) field(f).value = p.get(f) ?? "";
  const view = p.get("view") ?? "explain";
  const radio = document.querySelector(`input[name="view"][value="${view === "tls-check" || view === "diff" ? view : "explain"}"]`) as HTMLInputElement | null;
  if (radio) radio.checked = true;
}

// ---- reading dumps -------------------------------------------------------------------------------
async function loadSlot(slot: 0 | 1, from: { text: string } | { file: File }): Promise<boolean> {
  const done = working("file" in from ? `Reading ${from.file.name}…` : "Reading the pasted dump…");
  try {
    let m: FromWorker;
    if ("file" in from) {
      const bytes = await from.file.arrayBuffer();
      m = await send({ type: "load", slot, name: from.file.name, bytes }, [bytes]);
    } else if (!from.text.trim()) {
      await send({ type: "clear", slot });
      loaded[slot] = undefined;
      loadError[slot] = undefined;
      dumpInfo[slot]!.textContent = "";
      return false;
    } else m = await send({ type: "load", slot, name: slot === 0 ? "pasted dump" : "second pasted dump", text: from.text });
    loadError[slot] = m.type === "error" ? m.message : undefined;
    if (m.type === "error") {
      loaded[slot] = undefined;
      dumpInfo[slot]!.textContent = "";
      showError(m.message);
      return false;
    }
    if (m.type !== "loaded") return false;
    loaded[slot] = m.loaded;
    dumpInfo[slot]!.textContent = `${m.loaded.file}: ${m.loaded.summary} (read in ${m.ms} ms)`;
    if (slot === 0) {
      portList.replaceChildren(...m.loaded.ports.map((p) => Object.assign(document.createElement("option"), { value: String(p) })));
    }
    $<HTMLFieldSetElement>("views").disabled = !loaded[1];
    return true;
  } finally {
    done();
  }
}

async function answer(): Promise<void> {
  const q = question();
  history.replaceState(null, "", `${location.pathname}${location.search}${toFragment(q)}` || "#");
  if (!loaded[0]) {
    if (loadError[0]) return showError(loadError[0]);
    status.className = "status";
    status.textContent = "No dump yet: paste one into Dump, open a file, or drop one on the page.";
    result.replaceChildren();
    actions.hidden = true;
    return;
  }
  const done = working(q.port ? `Explaining port ${q.port}…` : "Reading the overview…");
  const mine = ++asked;
  try {
    const m = await send({ type: "ask", question: q });
    if (mine !== asked) return; // a later question is on its way: this answer is stale
    if (m.type === "error") return showError(m.message);
    if (m.type === "answer") draw(m.answer, m.ms);
  } finally {
    done();
  }
}

// ---- drawing answers ----------------------------------------------------------------------------
function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string | null, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text != null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
function details(summary: string, open = false, cls?: string): HTMLDetailsElement {
  const d = el("details", null, cls);
  d.open = open;
  d.append(el("summary", summary));
  return d;
}
function pre(text: string, label: string): HTMLElement {
  const p = el("pre", text);
  p.tabIndex = 0; // a wide table scrolls sideways by keyboard too
  p.setAttribute("aria-label", label);
  return p;
}

const chainName = (r: ExplainResult) =>
  r.filterChain ? `${r.filterChain.isDefault ? "the default chain" : `chain #${r.filterChain.index}`}${r.filterChain.name ? ` ${r.filterChain.name}` : ""} (${r.filterChain.transport})` : r.rejected ? "no chain (the listener was rejected by Envoy)" : "no filter chain";
/** The verdict after its code: the client, where it lands, and what happens. */
function verdictOf(r: ExplainResult): string {
  const where = r.listener ? `${r.listener.name} → ${chainName(r)}` : (r.accepted?.listener ?? "no listener");
  return `${r.client.preset} → ${where}. ${r.outcome.summary}`;
}

function draw(a: Answer, ms: number): void {
  lastMarkdown = a.markdown;
  markdownBox.value = "";
  markdownWrap.hidden = true;
  copied.textContent = "";
  actions.hidden = false;
  $<HTMLParagraphElement>("timing").textContent = `answered in ${ms} ms`;
  const body: HTMLElement[] = [];
  if (a.view === "explain") {
    const results = a.doc.results;
    // The result worth showing first is the one the command line details.
    const top = mostInteresting(results);
    status.className = `status ${top.outcome.ok ? "ok" : "bad"}`;
    status.replaceChildren(el("span", top.outcome.ok ? "✓ " : "✗ ", "mark"), el("strong", top.outcome.code, "code"), el("span", ` ${verdictOf(top)}`));
    if (results.length > 1) {
      const list = el("ul", null, "verdicts");
      for (const r of results) list.append(el("li", `${r.outcome.ok ? "✓" : "✗"} ${r.client.preset}: ${r.outcome.code}`));
      status.append(list);
    }
    const ordered = [top, ...results.filter((r) => r !== top)];
    for (const r of ordered) body.push(drawResult(r, r === top));
  } else if (a.view === "overview") {
    const d = a.doc;
    const n = d.findings.length;
    status.className = `status ${d.findings.some((f) => f.severity === "error") ? "bad" : n ? "warn" : "ok"}`;
    status.textContent = `${d.file}: ${d.proxy.mesh}${d.proxy.meshVersion ? ` ${d.proxy.meshVersion}` : ""} ${d.proxy.role}; ${d.ports.length} port${d.ports.length === 1 ? "" : "s"} reached from outside; ${n ? `${n} finding${n === 1 ? "" : "s"}` : "no findings"}. Type a port to explain a connection.`;
    if (d.ports.length) {
      const nav = el("nav");
      nav.setAttribute("aria-label", "Explain one of these");
      for (const p of d.ports) {
        const b = el("button", `Explain port ${p.port} (${p.modeText})`);
        b.type = "button";
        b.addEventListener("click", () => {
          field("port").value = String(p.port);
          void answer();
        });
        nav.append(b);
      }
      body.push(nav);
    }
    body.push(section("Overview and findings", pre(a.table, "Overview and findings")));
  } else {
    status.className = "status";
    status.textContent = a.view === "tls-check" ? `tls-check: ${a.doc.client ?? "client"} against ${a.doc.server ?? "server"}: ${a.doc.rows.filter((r) => r.status === "CONFLICT").length} CONFLICT, ${a.doc.rows.length} rows` : `diff: ${a.doc.changes.length} change${a.doc.changes.length === 1 ? "" : "s"}${a.doc.impact ? `, ${a.doc.impact.length} connection${a.doc.impact.length === 1 ? "" : "s"} whose outcome changed` : ""}`;
    body.push(section(a.view === "tls-check" ? "tls-check" : "diff", pre(a.table, a.view)));
  }
  if (a.doc.warnings.length) body.push(drawWarnings(a.doc.warnings));
  result.replaceChildren(...body);
}

function section(title: string, ...content: HTMLElement[]): HTMLElement {
  const s = el("section");
  s.append(el("h2", title), ...content);
  return s;
}

function drawResult(r: ExplainResult, open: boolean): HTMLElement {
  const art = el("article", null, r.outcome.ok ? "ok" : "bad");
  art.append(el("h2", `${r.outcome.ok ? "✓" : "✗"} ${r.client.preset} → ${r.outcome.code}`));
  const dl = el("dl");
  const row = (k: string, v: string | undefined | null) => {
    if (!v) return;
    dl.append(el("dt", k), el("dd", v));
  };
  row("Client sends", `${r.client.sends.transport === "tls" ? `TLS, ALPN ${r.client.sends.alpn.join(",") || "none"}${r.client.sends.sni ? `, SNI ${r.client.sends.sni}` : ""}${r.client.sends.clientCertificate ? ", a client certificate" : ""}` : "plaintext"} (${r.client.description})`);
  row("Connects to", r.connection.destination);
  row("Accepted by", r.accepted ? `${r.accepted.listener} (${r.accepted.address}): ${r.accepted.how}` : null);
  row("Lands on", r.listener ? `${r.listener.name} → ${chainName(r)}` : null);
  row("Outcome", `${r.outcome.code}: ${r.outcome.summary}`);
  row("Client sees", r.outcome.clientSees);
  row("Envoy side", r.outcome.envoySide);
  if (r.incomplete) row("Incomplete", r.incomplete);
  art.append(dl);
  if (r.why) art.append(el("p", r.why, "why"));

  // The decision path: a tree opened level by level; at each level, the chains it eliminated and why.
  if (r.matching && (r.matching.steps.length || r.candidates.length)) {
    const tree = details(`Decision path: ${r.candidates.length} filter chain${r.candidates.length === 1 ? "" : "s"} of ${r.listener?.name ?? "the listener"}`, open, "tree");
    const byLevel = new Map<string, typeof r.candidates>();
    for (const c of r.candidates) {
      if (c.verdict === "selected") continue;
      const k = c.level ?? "";
      byLevel.set(k, [...(byLevel.get(k) ?? []), c]);
    }
    let parent: HTMLElement = tree;
    const levelsShown = new Set<string>();
    for (const s of r.matching.steps) {
      levelsShown.add(s.level);
      const lost = byLevel.get(s.level) ?? [];
      const line = `${s.level}: ${s.connection} → ${s.chose} (${s.remaining} left${lost.length ? `, ${lost.length} lost here` : ""})`;
      // A level that eliminated nothing is one line; a level where chains lost opens to show them, and the next levels inside it.
      if (!lost.length) {
        parent.append(el("p", line, "pass"));
        continue;
      }
      const d = details(line, false, "level");
      const ul = el("ul", null, "lost");
      for (const c of lost) ul.append(lostItem(c, ""));
      d.append(ul);
      parent.append(d);
      parent = d;
    }
    const rest = [...byLevel].filter(([k]) => !levelsShown.has(k)).flatMap(([, v]) => v);
    if (rest.length) {
      const ul = el("ul", null, "lost");
      for (const c of rest) ul.append(lostItem(c, c.level ? `${c.level}: ` : ""));
      parent.append(ul);
    }
    const chosen = r.candidates.find((c) => c.verdict === "selected");
    parent.append(el("p", chosen ? `✓ #${chosen.index} ${chosen.match || "(matches anything)"} — ${chosen.transport}, ${chosen.terminal}: ${chosen.reason ?? "selected"}` : r.matching.usedDefault ? "→ the default filter chain" : "No chain left: Envoy closes the connection.", "chosen"));
    if (r.matching.matcherTrace?.length) {
      const t = details("Filter chain matcher trace");
      t.append(el("ol", null));
      for (const line of r.matching.matcherTrace) t.lastElementChild!.append(el("li", line));
      tree.append(t);
    }
    art.append(tree);
  } else if (r.rejected) art.append(el("p", r.rejected));

  if (r.listenerFilters.length) {
    const d = details(`Listener filters (${r.listenerFilters.length})`);
    const ul = el("ul");
    for (const f of r.listenerFilters) ul.append(el("li", `${f.name}: ${f.ran ? "" : "did not run: "}${f.effect}`));
    d.append(ul);
    art.append(d);
  }
  if (r.next || r.route || r.upstream) {
    const d = details("Route, cluster and what the upstream sends", open && !!(r.route || r.upstream));
    const dl2 = el("dl");
    const add = (k: string, v: unknown) => {
      if (v === undefined || v === null || v === "") return;
      dl2.append(el("dt", k), el("dd", typeof v === "string" ? v : flat(v)));
    };
    if (r.next) for (const [k, v] of Object.entries(r.next)) add(k, v);
    if (r.route) {
      add("route", `${r.route.kind}${"routeConfig" in r.route && r.route.routeConfig ? ` in ${r.route.routeConfig}` : ""}`);
      for (const [k, v] of Object.entries(r.route)) if (k !== "kind" && k !== "routeConfig") add(k, v);
    }
    if (r.upstream) for (const [k, v] of Object.entries(r.upstream)) add(k === "cluster" ? "upstream cluster" : k, v);
    d.append(dl2);
    art.append(d);
  }
  if (r.hints.length) {
    const d = details("What would change it", !r.outcome.ok && open);
    const ul = el("ul");
    for (const h of r.hints) ul.append(el("li", h));
    d.append(ul);
    art.append(d);
  }
  if (r.connection.assumptions.length) {
    const d = details("Assumed");
    const ul = el("ul");
    for (const h of r.connection.assumptions) ul.append(el("li", h));
    d.append(ul);
    art.append(d);
  }
  return art;
}

/** A chain that lost: the mark, then what it matches, what it is, and why it lost (the text starts "✗ #N"). */
function lostItem(c: ExplainResult["candidates"][number], where: string): HTMLLIElement {
  const li = el("li");
  li.append(el("span", "✗", "x"), ` #${c.index} ${c.match || "(matches anything)"} — ${c.transport}, ${c.terminal}: ${where}${c.reason ?? c.verdict}`);
  return li;
}

/** A value as one line of text: nested data flattened (bounded: depth and length). */
function flat(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return "";
  if (typeof v !== "object") return String(v);
  if (depth > 4) return "…";
  if (Array.isArray(v)) return v.length ? v.slice(0, 50).map((x) => flat(x, depth + 1)).join("; ") + (v.length > 50 ? `; … ${v.length - 50} more` : "") : "none";
  return Object.entries(v as object)
    .filter(([, x]) => x !== undefined && x !== null && x !== "")
    .map(([k, x]) => `${k}: ${flat(x, depth + 1)}`)
    .join(", ");
}

/** Warnings grouped by severity and code, each group one line with its count, opened for the places. */
function drawWarnings(ws: Warning[]): HTMLElement {
  const d = details(`Warnings (${ws.length})`, false, "warnings");
  const groups = new Map<string, Warning[]>();
  for (const w of ws) {
    const k = `${w.severity} ${w.code}`;
    groups.set(k, [...(groups.get(k) ?? []), w]);
  }
  for (const [k, list] of groups) {
    const g = details(`${k} (${list.reduce((n, w) => n + (w.count ?? 1), 0)})`);
    const ul = el("ul");
    for (const w of list.slice(0, 200)) ul.append(el("li", `${w.file}${w.line ? `:${w.line}${w.column ? `:${w.column}` : ""}` : ""}: ${w.message}${w.path ? ` (at ${w.path})` : ""}`));
    if (list.length > 200) ul.append(el("li", `… ${list.length - 200} more`));
    g.append(ul);
    d.append(g);
  }
  return d;
}

// ---- wiring ----------------------------------------------------------------------------------------
$<HTMLFormElement>("ask").addEventListener("submit", (e) => {
  e.preventDefault();
  void answer();
});
field("client").addEventListener("change", () => void answer());
for (const r of document.querySelectorAll<HTMLInputElement>('input[name="view"]')) r.addEventListener("change", () => void answer());

let pasteTimer: number | undefined;
texts.forEach((t, i) => {
  let pending: (() => void) | undefined;
  t.addEventListener("input", () => {
    clearTimeout(pasteTimer);
    // Busy at once: the answer on show is about the text before this change.
    pending ??= working("Reading the pasted dump…");
    status.className = "status";
    status.textContent = "Reading the pasted dump…";
    pasteTimer = setTimeout(async () => {
      pickers[i]!.value = "";
      const done = pending;
      pending = undefined;
      try {
        if (await loadSlot(i as 0 | 1, { text: t.value })) await answer();
      } finally {
        done?.();
      }
    }, 300) as unknown as number;
  });
});
pickers.forEach((p, i) => {
  p.addEventListener("change", async () => {
    const f = p.files?.[0];
    if (!f) return;
    texts[i]!.value = "";
    status.className = "status";
    status.textContent = `Reading ${f.name}…`;
    if (await loadSlot(i as 0 | 1, { file: f })) void answer();
  });
});

// Drag and drop: onto the second dump's box for the second, anywhere else for the first.
document.addEventListener("dragover", (e) => {
  e.preventDefault();
  document.body.classList.add("dragging");
});
document.addEventListener("dragleave", (e) => {
  if (e.relatedTarget === null) document.body.classList.remove("dragging");
});
document.addEventListener("drop", async (e) => {
  e.preventDefault();
  document.body.classList.remove("dragging");
  const f = e.dataTransfer?.files?.[0];
  const slot = (e.target as HTMLElement | null)?.closest?.("#second-box") ? 1 : 0;
  if (slot === 1) $<HTMLDetailsElement>("second-box").open = true;
  if (f) {
    texts[slot]!.value = "";
    if (await loadSlot(slot, { file: f })) void answer();
  } else {
    const text = e.dataTransfer?.getData("text/plain");
    if (text) {
      texts[slot]!.value = text;
      if (await loadSlot(slot, { text })) void answer();
    }
  }
});

$<HTMLButtonElement>("copy").addEventListener("click", async () => {
  markdownBox.value = lastMarkdown;
  markdownWrap.hidden = false;
  markdownWrap.open = true;
  let ok = false;
  try {
    await navigator.clipboard.writeText(lastMarkdown);
    ok = true;
  } catch {
    // A page opened from file:// may not reach the clipboard API: copy from the selected text instead.
    markdownBox.focus();
    markdownBox.select();
    ok = document.execCommand("copy");
  }
  copied.textContent = ok ? "Copied: the same Markdown as -o markdown (also shown below)." : "Select the Markdown below and copy it (the browser did not allow copying).";
});

window.addEventListener("hashchange", () => {
  fromFragment();
  void answer();
});
fromFragment();
