// Drives Debian's Chromium (playwright-core, no browser download) through the built page, the way a
// person does: by labels and roles. Records every request the page makes and every console error or
// Content-Security-Policy violation, so a test can say that nothing left the page.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";

export const CHROMIUM = process.env.ENVOY_EXPLAIN_CHROMIUM ?? "/usr/bin/chromium";
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const PAGE = path.join(ROOT, "dist/web/index.html");
/**
 * The page as the tests open it: a copy, alone in a folder of its own under the OS temp dir. A page
 * that needed anything beside it would break there; and a rebuild of dist/ meanwhile (another
 * build in the same tree) does not pull it away mid-test.
 */
const COPY = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "envoy-explain-page-")), "index.html");
export const PAGE_URL = pathToFileURL(COPY).href;
/** Where screenshots go (outside the repository). */
export const SHOTS = path.join(os.tmpdir(), "envoy-explain-web-shots");

export function haveChromium(): boolean {
  return fs.existsSync(CHROMIUM);
}

export async function launch(): Promise<Browser> {
  fs.copyFileSync(PAGE, COPY);
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"] });
}

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** Every request the page made (URL), the page itself first. */
  requests: string[];
  /** Console errors, page errors and CSP violations. */
  problems: string[];
}

export async function openPage(browser: Browser, o: { width?: number; height?: number; dark?: boolean; hash?: string } = {}): Promise<Opened> {
  const context = await browser.newContext({
    viewport: { width: o.width ?? 1280, height: o.height ?? 900 },
    colorScheme: o.dark ? "dark" : "light",
    acceptDownloads: false,
  });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  context.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(PAGE_URL + (o.hash ?? ""));
  return { context, page, requests, problems };
}

/** The verdict's text once the page has answered (the status element, not busy, not the first prompt). */
export async function verdict(page: Page, timeout = 30_000): Promise<string> {
  const status = page.getByRole("status");
  await page.waitForFunction(
    () => {
      const s = document.querySelector('[role="status"]');
      return !!s && !s.hasAttribute("aria-busy") && !/^No dump yet|^Reading/.test(s.textContent ?? "");
    },
    undefined,
    { timeout },
  );
  return (await status.textContent()) ?? "";
}

/**
 * Pastes text into the field with that label as a browser's paste does: the whole text arrives at
 * once, in one input event. (Chromium's own keyboard.insertText crashes the renderer on a dump of
 * half a megabyte, so the text is set as a paste sets it.)
 */
export async function paste(page: Page, label: string, text: string): Promise<void> {
  const field = page.getByLabel(label, { exact: true });
  await field.focus();
  await field.evaluate((el, t) => {
    (el as HTMLTextAreaElement).value = t;
    el.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertFromPaste" }));
  }, text);
}

export function shot(name: string): string {
  fs.mkdirSync(SHOTS, { recursive: true });
  return path.join(SHOTS, name);
}
