// Issue #24's output items, on real dumps: the clusters listing's CLUSTER column, explain saying its
// verdicts once, repeated notes grouped, diff's certificates and order, and Markdown that CommonMark
// reads as the output means it (separate lists, no HTML, a diagram that names every chain).
import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import MarkdownIt from "markdown-it";
import { runCli } from "../src/cli.js";
import { parseCertificates } from "../src/model/secret.js";
import { grouped } from "../src/render/tlscheck.js";

const root = path.resolve(import.meta.dirname, "..");
const S = (f: string) => path.join(root, "samples", f);
const R = (f: string) => path.join(root, "samples/real", f);
const C = (f: string) => path.join(root, "test/corpus/istio", f);
const md = new MarkdownIt();

async function cli(argv: string[], columns?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = process.env.COLUMNS;
  if (columns === undefined) delete process.env.COLUMNS;
  else process.env.COLUMNS = columns;
  let stdout = "";
  let stderr = "";
  try {
    const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  } finally {
    if (saved === undefined) delete process.env.COLUMNS;
    else process.env.COLUMNS = saved;
  }
}
const json = async (argv: string[]) => {
  const r = await cli([...argv, "-o", "json"]);
  assert.ok(r.code <= 1, `${argv.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};

interface ClusterJson {
  name: string;
  istio: { direction: string; port: number; subset: string; host: string } | null;
}

test("clusters: CLUSTER is the cluster's name (as explain, endpoints and access logs say it); service FQDN, port, subset and direction are columns of their own, left out first on a narrow terminal (istioctl's test dumps)", async () => {
  for (const f of [C("head-proxyconfig-config_dump.json"), S("client-productpage.json")]) {
    const clusters = (await json(["clusters", f])).clusters as ClusterJson[];
    assert.ok(clusters.some((c) => c.istio && c.istio.host !== c.name), `${f}: an Istio cluster whose name is not its host`);
    const wide = await cli(["clusters", f, "-o", "wide"], "80");
    const lines = wide.stdout.split("\n");
    const head = lines[0]!;
    assert.match(head, /^CLUSTER +SERVICE FQDN +PORT +SUBSET +DIRECTION +TYPE +UPSTREAM TLS$/);
    const col = (t: string) => head.indexOf(t);
    for (const c of clusters) {
      const row = lines.find((l) => l.startsWith(`${c.name} `));
      assert.ok(row, `${f}: no row starts with the cluster's name ${c.name}`);
      const cell = (t: string, next: string) => row!.slice(col(t), col(next)).trim();
      assert.is(cell("SERVICE FQDN", "PORT"), c.istio?.host || "-", c.name);
      assert.is(cell("PORT", "SUBSET"), c.istio ? String(c.istio.port || "-") : "-", c.name);
      assert.is(cell("SUBSET", "DIRECTION"), c.istio?.subset || "-", c.name);
      assert.is(cell("DIRECTION", "TYPE"), c.istio?.direction ?? "-", c.name);
    }
    // At 80 columns the parsed columns go (SERVICE FQDN first); every cluster's name stays whole, on its row.
    const narrow = await cli(["clusters", f], "80");
    const nl = narrow.stdout.split("\n");
    assert.ok(nl.some((l) => /^\(not shown at this width: SERVICE FQDN, PORT\b/.test(l)), narrow.stdout);
    for (const c of clusters) assert.ok(nl.some((l) => l.startsWith(`${c.name} `) || l === c.name), `${f} at 80: ${c.name}`);
  }
});

test("explain without -c: each client's verdict said once, no matrix repeating them, then the detail of the most interesting row (samples: the Istio bookinfo shapes; istioctl's 1.4 test dump)", async () => {
  for (const [f, port] of [[S("modern-permissive.json"), "9080"], [C("v14-describe-productpage-v1-c7765c886-v99jb.json"), "9080"], [S("istio-1.3-permissive.json"), "9080"]] as const) {
    const doc = await json([f, "-p", port]);
    const presets = (doc.results as { client: { preset: string } }[]).map((r) => r.client.preset);
    assert.ok(presets.length > 1);
    for (const width of ["80", "200"]) {
      const out = (await cli([f, "-p", port], width)).stdout;
      const lines = out.split("\n");
      for (const p of presets) {
        assert.is(lines.filter((l) => new RegExp(`^[✓✗] ${p} → `).test(l)).length, 1, `${p}'s verdict, once`);
        assert.not.ok(lines.some((l) => l.startsWith(`${p} `)), `${f} at ${width}: a row repeating ${p}'s verdict\n${out}`);
      }
      assert.not.match(out, /SENDS|What each client gets/);
      assert.is(out.match(/^Detail: /gm)?.length, 1);
    }
  }
});

test("tls-check: a note said of several clusters is said once, with how many (istioctl's 1.4 test dump, EDS left out); notes are grouped generally", async () => {
  const f = C("v14-describe-productpage-v1-c7765c886-v99jb.json");
  const doc = await json(["tls-check", f]);
  const notes = (doc.clientClusters as { notes: string[] }[]).flatMap((c) => c.notes);
  const eds = notes.find((n) => /^EDS for this cluster is not in the dump/.test(n))!;
  const times = notes.filter((n) => n === eds).length;
  assert.ok(times > 1, `${times}`);
  for (const width of ["80", "200"]) {
    const out = (await cli(["tls-check", f], width)).stdout;
    assert.is(out.split("EDS for this cluster").length - 1, 1, out);
    assert.match(out, new RegExp(`^note \\[1\\] \\(${times} clusters\\): EDS for this cluster is not in the dump`, "m"));
    assert.is(out.match(/note \[1\]/g)!.length, times + 1, "each cluster refers to it");
  }
  const g = grouped(["b", "a", "b", "c", "b"]);
  assert.equal(g, [{ text: "b", count: 3 }, { text: "a", count: 1 }, { text: "c", count: 1 }]);
});

test("diff: a changed certificate is said as what changed (serial, not-after, SAN from the certificate), never its base64, in every format (Istio's secret dumps)", async () => {
  const a = R("findings/istio-secret-istio.config_dump.json");
  const b = R("findings/istio-secret-spire.config_dump.json");
  // What the certificates are, read from the dumps themselves.
  const leaf = (f: string) => {
    const d = JSON.parse(fs.readFileSync(f, "utf8"));
    const s = JSON.stringify(d);
    const b64 = [...s.matchAll(/"inline_bytes":"([A-Za-z0-9+/=]+)"/g)].map((m) => m[1]!);
    return parseCertificates(atob(b64[0]!))[0]!;
  };
  const before = leaf(a);
  const after = leaf(b);
  assert.is.not(before.serial, after.serial);
  for (const [o, width] of [["table", "80"], ["table", "200"], ["markdown", undefined], ["json", undefined], ["yaml", undefined]] as const) {
    const r = await cli(["diff", a, b, "-o", o], width);
    assert.is(r.code, 1, r.stderr);
    assert.not.match(r.stdout, /LS0tLS1CRUdJTi|-----BEGIN/, `${o}: base64 or PEM shown`);
    assert.ok(r.stdout.split("\n").every((l) => l.length < (o === "table" ? 400 : 1000)), `${o}: a line of ${Math.max(...r.stdout.split("\n").map((l) => l.length))}`);
    const flat = r.stdout.replace(/\s+/g, " ");
    for (const x of [before.serial, after.serial]) assert.ok(flat.includes(x), `${o}: serial ${x}`);
    if (o === "table" || o === "markdown") {
      assert.ok(flat.includes(`not after ${before.notAfter} → ${after.notAfter}`), `${o}:\n${r.stdout}`);
      assert.ok(flat.includes(after.subjectAltNames[0]!), `${o}: SAN`);
    }
  }
  const doc = await json(["diff", a, b]);
  const ch = (doc.changes as { name: string; path: string; before: { serial: string }[]; after: { serial: string }[] }[]).find((c) => c.name === "default" && /certificateChain/.test(c.path))!;
  assert.is(ch.before[0]!.serial, before.serial);
  assert.is(ch.after[0]!.serial, after.serial);
});

test("diff on a narrow terminal: each change a block (its name and change, then where and what it means, wrapped under it); piped, the table", async () => {
  const [a, b] = [S("modern-permissive.json"), S("modern-strict.json")];
  const doc = await json(["diff", a, b]);
  const narrow = (await cli(["diff", a, b], "80")).stdout;
  assert.not.match(narrow, /NAME +WHERE +CHANGE +MEANING/);
  // Every character of where and what it means is there (wrapping only adds line breaks and indentation).
  const bare = (t: string) => t.replace(/\s+/g, "");
  const flat = bare(narrow);
  for (const c of doc.changes as { name: string; path: string; change: string; meaning: string }[]) {
    assert.ok(narrow.includes(`\n${c.name}  ${c.change}\n`), `${c.name} ${c.change}`);
    assert.ok(flat.includes(bare(`at ${c.path || "(the whole resource)"}${c.meaning}`)), `${c.path}: ${c.meaning}`);
  }
  for (const l of narrow.split("\n")) if (l.length > 80) assert.not.match(l.trim(), / /, `only an unbreakable word runs past 80: ${l}`);
  const piped = (await cli(["diff", a, b])).stdout;
  assert.match(piped, /^NAME +WHERE +CHANGE +MEANING/m);
});

test("tls-check of two dumps on a narrow terminal: each row a block (verdict and host:port, what the client sends, what the server does, the reason); piped, the table", async () => {
  const [c, srv] = [S("client-productpage.json"), S("modern-permissive.json")];
  const doc = await json(["tls-check", c, srv]);
  const narrow = (await cli(["tls-check", c, srv], "80")).stdout;
  assert.not.match(narrow, /HOST:PORT +CLIENT|HOST:PORT +SERVER/);
  const bare = (t: string) => t.replace(/\s+/g, "");
  const blocks = narrow.split("\n\n").filter((b) => /^[✓✗!?] /.test(b));
  assert.is(blocks.length, (doc.rows as unknown[]).length);
  for (const r of doc.rows as { host: string; port: number; status: string; reason: string; client: { sends: string }; server: { chain: string } }[]) {
    const b = blocks.find((x) => bare(x).includes(bare(r.reason)))!;
    assert.ok(b, r.reason);
    assert.match(b, new RegExp(`^. ${r.status}  ${r.host.replace(/\./g, "\\.")}:${r.port}`));
    assert.ok(bare(b).includes(bare(`sends ${r.client.sends}`)) && bare(b).includes(bare(`chain ${r.server.chain}`)), b);
  }
  for (const l of narrow.split("\n")) if (l.length > 80) assert.not.match(l.trim(), / /, `only an unbreakable word runs past 80: ${l}`);
  assert.match((await cli(["tls-check", c, srv])).stdout, /^ +HOST:PORT +CLIENT +SERVER +STATUS +REASON/m);
});

test("diff: the summary and --impact come first in the table, as in the Markdown (istioctl's compare dumps, the bookinfo samples)", async () => {
  for (const [a, b] of [[C("head-compare-configdump.json"), C("head-compare-configdump_diff.json")], [S("diff/ratings-strict.json"), S("modern-portlevel.json")], [S("modern-permissive.json"), S("modern-strict.json")]]) {
    const doc = await json(["diff", a!, b!, "--impact"]);
    for (const o of ["table", "markdown"]) {
      const out = (await cli(["diff", a!, b!, "--impact", "-o", o], "120")).stdout;
      const firstKind = out.search(/^(### )?(listener|cluster|route|endpoint|secret)s \(/m);
      assert.ok(firstKind > 0, out);
      const impact = out.search(o === "table" ? /^impact /m : /^### Impact/m);
      assert.ok(impact > 0 && impact < firstKind, `${o}: impact after the changes`);
      if (!doc.impact.length) assert.ok(out.indexOf("no connection outcome changed") < firstKind);
      for (const s of doc.summary as string[]) assert.ok(out.indexOf(s.split(":")[0]) < impact, `${o}: summary ${s}`);
    }
  }
});

test("Markdown, read by a CommonMark renderer: explain's verdict list and its detail are separate tight lists; no <br> or <details> anywhere (the bookinfo samples, istioctl's dumps)", async () => {
  for (const argv of [[S("modern-permissive.json"), "-p", "9080"], [S("modern-permissive.json"), "-p", "9080", "-c", "curl-mtls"], [S("istio-1.3-permissive.json"), "-p", "9080"]]) {
    const doc = await json(argv);
    const text = (await cli([...argv, "-o", "markdown"])).stdout;
    const html = md.render(text);
    assert.ok((html.match(/<(ul|ol)>/g) ?? []).length >= 2, html);
    assert.not.match(html, /<li>\s*<p>/, "a loose list: CommonMark joined two lists");
    // The first list holds the verdicts only.
    const first = html.slice(html.indexOf("<ul>"), html.indexOf("<h", html.indexOf("<ul>")));
    assert.is(first.match(/<li>[✓✗]/g)?.length, doc.results.length, first);
    assert.not.match(first, /Client:|Connects to/);
  }
  const runs = [
    ["clusters", S("client-productpage.json")],
    ["tls-check", S("client-productpage.json"), S("modern-permissive.json")],
    ["diff", C("head-compare-configdump.json"), C("head-compare-configdump_diff.json")],
    ["diff", S("istio-1.3-permissive.json"), S("diff/productpage-1.20-permissive.json")],
    ["listeners", C("head-proxyconfig-config_dump.json")],
  ];
  let multiline = 0;
  for (const argv of runs) {
    const text = (await cli([...argv, "-o", "markdown"])).stdout;
    assert.not.match(text, /<br>|<details>|<summary>/i, argv.join(" "));
    const tokens = md.parse(text, {}).flatMap((t) => [t, ...(t.children ?? [])]);
    assert.not.ok(tokens.some((t) => t.type === "html_inline" || t.type === "html_block"), `${argv.join(" ")}: HTML`);
    if (/; else → /.test(text)) multiline++;
  }
  assert.ok(multiline > 0, "a cell of several lines reads as one, joined by '; '");
});

test("the mermaid diagram draws every chain of the listener or names those it leaves out (the bookinfo samples, istioctl's 1.4 test dump)", async () => {
  for (const [f, port, client] of [[S("modern-permissive.json"), "9080", "curl-mtls"], [C("v14-describe-productpage-v1-c7765c886-v99jb.json"), "9080", "plaintext"], [S("istio-1.3-permissive.json"), "9080", "curl-mtls"]] as const) {
    const doc = await json([f, "-p", port, "-c", client]);
    const r = doc.results[0] as { candidates: { index: number; name?: string }[]; filterChain: { index: number; isDefault: boolean } | null };
    assert.ok(r.candidates.length > 3, `${f}: ${r.candidates.length} chains`);
    const text = (await cli([f, "-p", port, "-c", client, "-o", "markdown"])).stdout;
    const fence = text.slice(text.indexOf("```mermaid"), text.indexOf("```", text.indexOf("```mermaid") + 3));
    const after = text.slice(text.indexOf("```", text.indexOf("```mermaid") + 3));
    const notDrawn = after.split("\n").find((l) => l.startsWith("Not drawn")) ?? "";
    for (const c of r.candidates) {
      const id = c.index < 0 ? "default" : String(c.index);
      const drawn = fence.includes(`["#35;${id} `) || fence.includes(`["${id} `) || (r.filterChain && (r.filterChain.isDefault ? c.index < 0 : r.filterChain.index === c.index) && fence.includes("K["));
      const named = new RegExp(`(^|, |: )\\\\#${id}\\b`).test(notDrawn) || (c.index < 0 && /\bdefault\b/.test(notDrawn));
      assert.ok(drawn || named, `${path.basename(f)}: chain ${id} neither drawn nor named\n${fence}\n${notDrawn}`);
    }
  }
});

test.run();
