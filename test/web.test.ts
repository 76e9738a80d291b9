// The offline page in a real browser (Debian's Chromium through playwright-core), used as a person
// uses it: by labels and roles. Each test pastes or opens a real dump, reads the verdict from the
// status element and compares it with what the library (the same code) answers, and checks that the
// page made no request but for itself and its worker's blob.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { spawnSync } from "node:child_process";
import type { Browser, Page } from "playwright-core";
import { CHROMIUM, haveChromium, launch, openPage, paste, PAGE, PAGE_URL, ROOT, shot, SHOTS, verdict, type Opened } from "./support/browser.js";
import { repeatedSampleFile } from "./support/worst-cases.js";
import { explain, overview, load } from "../src/index.js";

const sample = (p: string) => path.join(ROOT, p);
const read = (p: string) => fs.readFileSync(sample(p), "utf8");

/** Nothing but the page and its worker's blob was requested, and no error or CSP violation was logged. */
function nothingLeft(o: Opened): void {
  const others = o.requests.filter((u) => u !== PAGE_URL && !u.startsWith(`${PAGE_URL}#`) && !/^blob:null\/[0-9a-f-]+$/.test(u));
  assert.equal(others, [], "requests other than the page and its worker");
  assert.equal(o.problems, [], "console errors or CSP violations");
}

/** The CLI's output for the same question, run from the dump's folder so the file is named as the page names a picked file. */
function cli(args: string[], cwd: string): string {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0", COLUMNS: "" };
  delete env.NO_COLOR;
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin/envoy-explain.js"), ...args], { cwd, encoding: "utf8", env });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return r.stdout;
}

async function ask(page: Page, port: string, client?: string): Promise<string> {
  if (client) await page.getByLabel("Client").selectOption(client);
  await page.getByLabel("Port").fill(port);
  await page.getByLabel("Port").press("Enter");
  await page.waitForFunction((p) => location.hash.includes(`port=${p}`), port);
  return verdict(page);
}

if (!haveChromium()) {
  console.log(`browser tests skipped: no Chromium at ${CHROMIUM}`);
} else {
  let browser: Browser;
  test.before(async () => {
    assert.ok(fs.existsSync(PAGE), "dist/web/index.html is built (npm test builds first)");
    browser = await launch();
  });
  test.after(async () => {
    await browser?.close();
  });

  test("the headline question: curl --cert to 9080 on Istio 1.3 PERMISSIVE lands on the plaintext chain, and the tree says where the mTLS chain lost", async () => {
    const o = await openPage(browser);
    const { page } = o;
    await paste(page, "Dump", read("samples/istio-1.3-permissive.json"));
    const first = await verdict(page);
    assert.match(first, /Istio 1\.3/);
    const said = await ask(page, "9080", "curl-mtls");
    const lib = explain(sample("samples/istio-1.3-permissive.json"), { port: 9080, client: "curl-mtls" }).results[0]!;
    assert.is(lib.outcome.code, "TLS_INTO_PLAINTEXT_HTTP");
    assert.match(said, lib.outcome.code);
    assert.match(said, `chain #${lib.filterChain!.index}`);
    // Open the decision path level by level down to the level where the mTLS chain lost.
    const loser = lib.candidates.find((c) => c.verdict !== "selected" && c.level === "application_protocols")!;
    await page.getByText(/^Decision path:/).first().waitFor();
    // Levels where chains lost open (each inside the one before); levels that eliminated nothing are one line.
    for (const step of lib.matching!.steps) {
      const lostHere = lib.candidates.some((c) => c.verdict !== "selected" && c.level === step.level);
      const line = page.getByText(new RegExp(`^${step.level}: `)).first();
      assert.ok(await line.isVisible(), `${step.level} is shown once the levels before it are open`);
      assert.is(await line.evaluate((e) => e.tagName), lostHere ? "SUMMARY" : "P", step.level);
      if (lostHere) await line.click();
      if (step.level === "application_protocols") break;
    }
    const lost = page.getByText(new RegExp(`^✗ #${loser.index} `));
    assert.ok(await lost.isVisible(), "the mTLS chain is shown where it lost");
    assert.match((await lost.textContent())!, loser.reason!);
    // The port field offers the dump's ports.
    const offered = await page.locator("#ports option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.ok(offered.includes("9080"), offered.join(","));
    nothingLeft(o);
    await o.context.close();
  });

  test("Istio of several eras, a gateway and plain Envoy: the verdict for each client is the library's", async () => {
    const cases: [string, string, string | undefined, string?][] = [
      ["samples/istio-1.1-strict.json", "9080", "plaintext"],
      ["samples/modern-permissive.json", "9080", "curl-mtls"],
      ["samples/modern-strict.json", "9080", "istio-sidecar"],
      ["samples/client-productpage-1.4-v2.json", "9080", undefined],
      ["samples/gateway-mutual.json", "8443", "curl-mtls"],
      ["samples/real/envoy-examples/tls-sni-envoy.yaml", "10000", "curl-tls"],
      ["samples/real/envoy-examples/tls-inspector-envoy.yaml", "10000", "plaintext"],
    ];
    const o = await openPage(browser);
    for (const [file, port, client] of cases) {
      await paste(o.page, "Dump", read(file));
      await verdict(o.page);
      await o.page.getByLabel("Client").selectOption(client ?? "");
      const said = await ask(o.page, port);
      const doc = explain(sample(file), { port: Number(port), ...(client ? { client: client as "plaintext" } : {}) });
      const order = ["curl-mtls", "istio-sidecar", "plaintext", "curl-tls", "openssl", "custom"];
      const sorted = [...doc.results].sort((a, b) => order.indexOf(a.client.preset) - order.indexOf(b.client.preset));
      const top = sorted.find((r) => !r.outcome.ok) ?? sorted[0]!;
      assert.ok(said.includes(top.outcome.code), `${file}: ${said}`);
      // Every client's outcome is listed when every client was asked.
      if (!client) for (const r of doc.results) assert.ok(said.includes(`${r.client.preset}: ${r.outcome.code}`), `${file}: ${r.client.preset}`);
      const articles = o.page.getByRole("article");
      assert.is(await articles.count(), doc.results.length, file);
    }
    nothingLeft(o);
    await o.context.close();
  });

  test("no port: the overview and findings, exactly as `envoy-explain DUMP` prints them", async () => {
    const o = await openPage(browser);
    await o.page.getByLabel("Open a file").setInputFiles(sample("samples/modern-permissive.json"));
    const said = await verdict(o.page);
    const doc = overview(sample("samples/modern-permissive.json"));
    assert.match(said, `${doc.findings.length} finding`);
    const shown = await o.page.getByLabel("Overview and findings").textContent();
    assert.is(`${shown}\n`, cli(["modern-permissive.json"], sample("samples")));
    nothingLeft(o);
    await o.context.close();
  });

  test("a gzipped dump through the file picker (the browser's DecompressionStream), read as the CLI reads it", async () => {
    const o = await openPage(browser);
    const gz = "samples/real/istio/deathstarbench-geo-1.18.2.config_dump.json.gz";
    await o.page.getByLabel("Open a file").setInputFiles(sample(gz));
    const said = await verdict(o.page);
    const doc = overview(load(zlib.gunzipSync(fs.readFileSync(sample(gz)))));
    assert.match(said, /Istio 1\.18\.2/);
    assert.match(said, `${doc.findings.length} findings`);
    assert.match((await o.page.getByText(/^deathstarbench-geo-1\.18\.2\.config_dump\.json\.gz: \d+ listeners/).textContent())!, `${doc.proxy.resources.listeners} listeners`);
    nothingLeft(o);
    await o.context.close();
  });

  test("the question lives in the URL fragment (never the dump) and comes back from it", async () => {
    const o = await openPage(browser, { hash: "#port=9080&client=curl-mtls&alpn=istio" });
    assert.is(await o.page.getByLabel("Port").inputValue(), "9080");
    assert.is(await o.page.getByLabel("Client").inputValue(), "curl-mtls");
    assert.is(await o.page.getByLabel("ALPN").inputValue(), "istio");
    const text = read("samples/istio-1.3-permissive.json");
    await paste(o.page, "Dump", text);
    const said = await verdict(o.page);
    const lib = explain(text, { port: 9080, client: "curl-mtls", alpn: ["istio"] }).results[0]!;
    assert.match(said, lib.outcome.code);
    await o.page.getByLabel("SNI").fill("outbound_.9080_._.productpage.default.svc.cluster.local");
    await o.page.getByLabel("SNI").press("Enter");
    await o.page.waitForFunction(() => location.hash.includes("sni="));
    const url = o.page.url();
    assert.ok(url.length < 300 && !url.includes("configs"), "the dump is not in the URL");
    const again = await openPage(browser, { hash: new URL(url).hash });
    assert.is(await again.page.getByLabel("SNI").inputValue(), "outbound_.9080_._.productpage.default.svc.cluster.local");
    assert.is(await again.page.getByLabel("ALPN").inputValue(), "istio");
    nothingLeft(o);
    nothingLeft(again);
    await o.context.close();
    await again.context.close();
  });

  test('"Copy as Markdown" gives exactly what -o markdown prints for the same question', async () => {
    const o = await openPage(browser);
    await o.page.getByLabel("Open a file").setInputFiles(sample("samples/istio-1.3-permissive.json"));
    await verdict(o.page);
    await ask(o.page, "9080", "curl-mtls");
    await o.page.getByRole("button", { name: "Copy as Markdown" }).click();
    const md = await o.page.getByLabel("Markdown", { exact: true }).inputValue();
    assert.is(md, cli(["istio-1.3-permissive.json", "--port", "9080", "--client", "curl-mtls", "-o", "markdown"], sample("samples")));
    nothingLeft(o);
    await o.context.close();
  });

  test("two dumps: tls-check and diff, as the CLI prints them", async () => {
    const o = await openPage(browser);
    await o.page.getByLabel("Open a file", { exact: true }).setInputFiles(sample("samples/client-productpage.json"));
    await verdict(o.page);
    await o.page.getByText("Two proxies: tls-check and diff").click();
    await o.page.getByLabel("Open a second file").setInputFiles(sample("samples/istio-1.3-permissive.json"));
    await o.page.getByRole("radio", { name: /^tls-check/ }).check();
    const said = await verdict(o.page);
    assert.match(said, /^tls-check/);
    const shown = await o.page.getByLabel("tls-check", { exact: true }).textContent();
    assert.is(`${shown}\n`, cli(["tls-check", "client-productpage.json", "istio-1.3-permissive.json"], sample("samples")));
    await o.page.getByRole("radio", { name: /^diff/ }).check();
    await o.page.waitForFunction(() => /^diff/.test(document.querySelector('[role="status"]')?.textContent ?? ""));
    const diff = await o.page.getByLabel("diff", { exact: true }).textContent();
    assert.is(`${diff}\n`, cli(["diff", "client-productpage.json", "istio-1.3-permissive.json", "--impact"], sample("samples")));
    nothingLeft(o);
    await o.context.close();
  });

  test("names from a dump are text, never markup: a listener named like HTML shows as written and loads nothing", async () => {
    const o = await openPage(browser);
    const evil = `<img src="http://127.0.0.1:9/x" onerror="document.title='pwned'">`;
    const text = read("samples/modern-permissive.json").replaceAll('"virtualInbound"', JSON.stringify(evil));
    await paste(o.page, "Dump", text);
    await verdict(o.page);
    const said = await ask(o.page, "9080", "plaintext");
    assert.ok(said.includes(evil), said);
    assert.is(await o.page.title(), "envoy-explain: which filter chain does this connection take?");
    assert.is(await o.page.locator("img").count(), 0);
    nothingLeft(o);
    await o.context.close();
  });

  test("bad input and a bad port: the status says what and where, in the library's words", async () => {
    const o = await openPage(browser);
    // A dump cut off inside its first resource, and a stray word where the rest should be (the shape of a truncated paste).
    const cut = '{\n  "configs": [\n    { "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump", "dynamic_listeners": [ { "name": 5 } ] },\n  oops\n';
    await paste(o.page, "Dump", cut);
    const said = await verdict(o.page);
    let expected = "";
    try {
      load(cut, { name: "pasted dump" });
    } catch (e) {
      expected = (e as { format(): string }).format();
    }
    assert.match(expected, /^pasted dump:\d+:\d+: /, "the library refuses it, naming the line and column");
    assert.is(said, expected);
    await paste(o.page, "Dump", read("samples/modern-permissive.json"));
    await verdict(o.page);
    await o.page.getByLabel("Port").fill("99999");
    await o.page.getByLabel("Port").press("Enter");
    await o.page.waitForFunction(() => location.hash.includes("99999"));
    const bad = await verdict(o.page);
    let words = "";
    try {
      explain(sample("samples/modern-permissive.json"), { port: "99999" as unknown as number });
    } catch (e) {
      words = (e as Error).message;
    }
    assert.ok(words && bad.includes(words), `${bad} / ${words}`);
    nothingLeft(o);
    await o.context.close();
  });

  test("keyboard only: Tab to the dump, the port, Enter; the decision path opens with Enter; focus is visible", async () => {
    const o = await openPage(browser);
    const { page } = o;
    await page.keyboard.press("Tab");
    assert.is(await page.evaluate(() => document.activeElement?.id), "dump");
    await paste(page, "Dump", read("samples/istio-1.3-permissive.json"));
    await verdict(page);
    for (let i = 0; i < 12 && (await page.evaluate(() => document.activeElement?.id)) !== "port"; i++) await page.keyboard.press("Tab");
    assert.is(await page.evaluate(() => document.activeElement?.id), "port");
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    assert.is.not(ring, "none");
    await page.keyboard.type("9080");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => location.hash.includes("port=9080"));
    const said = await verdict(page);
    assert.match(said, /TLS_INTO_PLAINTEXT_HTTP|NO_FILTER_CHAIN|MTLS/);
    // Tab on to the first level of the decision path and open it with Enter.
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
      await page.keyboard.press("Tab");
      found = await page.evaluate(() => document.activeElement?.tagName === "SUMMARY" && /^destination_port: /.test(document.activeElement.textContent ?? ""));
    }
    assert.ok(found, "the first level of the decision path is reachable by Tab");
    await page.keyboard.press("Enter");
    assert.ok(await page.evaluate(() => (document.activeElement?.parentElement as HTMLDetailsElement).open));
    const ring2 = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    assert.is.not(ring2, "none");
    nothingLeft(o);
    await o.context.close();
  });

  test("a 20 MB dump (a bundled sample with its clusters repeated) through the file picker: the verdict (how soon: scripts/guards.ts)", async () => {
    const file = repeatedSampleFile(20);
    const size = fs.statSync(file).size;
    assert.ok(size >= 20 * 2 ** 20, `${size} bytes`);
    const o = await openPage(browser, { hash: "#port=9080&client=curl-mtls" });
    await o.page.getByLabel("Open a file").setInputFiles(file);
    const said = await verdict(o.page, 60_000);
    assert.match(said, "TLS_INTO_PLAINTEXT_HTTP");
    nothingLeft(o);
    await o.context.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  test("screenshots at 360 and 1920 px, light and dark, of the headline question answered (and docs/web.png)", async () => {
    for (const width of [360, 1920]) {
      for (const dark of [false, true]) {
        const o = await openPage(browser, { width, height: width === 360 ? 780 : 1080, dark, hash: "#port=9080&client=curl-mtls" });
        await paste(o.page, "Dump", read("samples/istio-1.3-permissive.json"));
        await verdict(o.page);
        await o.page.getByText(/^Decision path:/).first().waitFor();
        for (const level of ["destination_port", "application_protocols"]) await o.page.getByText(new RegExp(`^${level}: `)).first().click();
        // Nothing is wider than the window (a wide table scrolls inside its own box).
        const overflow = await o.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${width} px: the page is ${overflow} px wider than the window`);
        await o.page.screenshot({ path: shot(`web-${width}-${dark ? "dark" : "light"}.png`), fullPage: true });
        if (width === 1920 && !dark) {
          await o.page.evaluate(() => window.scrollTo(0, 0));
          // The README's picture (docs/web.png is a copy): the question and the answer side by side, kept small.
          await o.page.screenshot({ path: path.join(SHOTS, "web-readme.png"), clip: { x: 0, y: 0, width: 1920, height: 900 } });
        }
        nothingLeft(o);
        await o.context.close();
      }
    }
    for (const f of ["web-360-light.png", "web-360-dark.png", "web-1920-light.png", "web-1920-dark.png"]) assert.ok(fs.statSync(path.join(SHOTS, f)).size > 10_000, f);
    console.log(`web: screenshots in ${SHOTS}`);
  });
}

test.run();
