import type { KeyObject } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import axe from "axe-core";
import { chromium, type Browser, type Page } from "playwright-core";
import { beforeAll, describe, expect } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/**
 * Browser tests of the web applications: Debian's Chromium driven by playwright-core, against a
 * real server (createApp listening on an ephemeral port) over a fresh store, serving a build of
 * src/web made for the run. Without /usr/bin/chromium the tests are skipped, saying why
 * (`apt-get install chromium`; .ci/run installs it).
 */
export const CHROMIUM = "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const SKIP_REASON = `${CHROMIUM} is absent (apt-get install chromium): browser tests skipped`;

/** The flags Chromium needs on this machine's closed network (DEVELOPERS.md). */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Names under .test reach the test server as a site's own name would (not localhost, so not
  // exempt from the HTTPS rule of account pages); nothing leaves the machine.
  "--host-resolver-rules=MAP *.test 127.0.0.1",
];

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

/**
 * Builds src/web into a fresh folder, as `npm install` does (scripts/build-web.mjs), in a child
 * process: a production build, whatever NODE_ENV this test process has. One build per test
 * process, shared by the browser test files it runs (they only read it), removed when the process
 * exits; `remove()` is kept for callers and does nothing.
 */
let shared: Promise<string> | null = null;

export async function buildWeb(): Promise<{ dir: string; remove(): void }> {
  shared ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pledge-web-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    await run(process.execPath, [path.join(ROOT, "scripts/build-web.mjs"), "--out", dir], { cwd: ROOT });
    return dir;
  })();
  return { dir: await shared, remove: () => undefined };
}

/**
 * A describe block of browser tests over a build of src/web: `webDir()` is the build's folder,
 * ready before the block's own `beforeAll` hooks run. Without Chromium the block is skipped and
 * its name and a warning say why.
 */
export function webSuite(name: string, body: (webDir: () => string) => void): void {
  if (!HAVE_CHROMIUM) {
    console.warn(SKIP_REASON);
    describe.skip(`${name} (${SKIP_REASON})`, () => body(() => ""));
    return;
  }
  describe(name, () => {
    let dir: string | undefined;
    beforeAll(async () => {
      dir = (await buildWeb()).dir;
    });
    body(() => {
      if (dir === undefined) throw new Error("the web build is made in a beforeAll of webSuite");
      return dir;
    });
  });
}

export interface WebRun {
  readonly t: TestApp;
  readonly browser: Browser;
  /** http://localhost:<port>: a secure context, so the Secure session cookie is kept. */
  readonly base: string;
  /** A page in a new browser context (its own cookies), recording CSP violations and page errors. */
  page(options?: { gpc?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * `clock`: the server's clock (the real one by default), to put an earlier version of the
 * company's policy in force or to make records in the past. `env`: settings for the app beside
 * the defaults, e.g. PLEDGE_SMTP_URL for pages that send. `auditPublicKey`: the audit signing
 * key's public half, for pages that show checkpoints.
 */
export async function startWeb(
  company: string,
  webRoot: string,
  options: { clock?: () => Date; env?: Record<string, string>; auditPublicKey?: KeyObject } = {},
): Promise<WebRun> {
  const t = await buildTestApp({
    company,
    webRoot,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.auditPublicKey ? { auditPublicKey: options.auditPublicKey } : {}),
  });
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  const address = t.app.server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const base = `http://localhost:${address.port}`;
  return {
    t,
    browser,
    base,
    async page(options = {}) {
      const context = await browser.newContext({
        baseURL: base,
        viewport: { width: 1100, height: 900 },
        ...(options.gpc ? { extraHTTPHeaders: { "sec-gpc": "1" } } : {}),
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("console", (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      pageProblems.set(page, problems);
      return page;
    },
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

const pageProblems = new WeakMap<Page, string[]>();

/** CSP violations and uncaught errors seen by the page so far: none is allowed. */
export function problemsOf(page: Page): string[] {
  return pageProblems.get(page) ?? [];
}

/**
 * axe-core run in the page: no serious or critical violation. The script is evaluated through the
 * DevTools protocol, which the page's CSP does not govern (an inline <script> would be refused).
 */
export async function expectAccessible(page: Page): Promise<void> {
  await page.evaluate(axe.source);
  const results = await page.evaluate(async () => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    const r = await run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
    }));
  });
  const bad = results.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad, `accessibility violations on ${page.url()}`).toEqual([]);
}

/**
 * The pages the README shows. `npm run screenshots` runs the browser tests with
 * PLEDGE_SCREENSHOTS_DIR=docs/screenshots, so the README's pictures are the tests' own.
 */
export const README_SCREENSHOTS = ["preferences", "requests", "console-person", "console-requests"];

/**
 * A PNG of the whole page in /tmp, for people to look at; also in PLEDGE_SCREENSHOTS_DIR when the
 * page is one the README shows.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(tmpdir(), `pledge-web-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const readme = process.env.PLEDGE_SCREENSHOTS_DIR;
  if (readme !== undefined && README_SCREENSHOTS.includes(name)) {
    await page.screenshot({ path: path.join(readme, `${name}.png`), fullPage: true });
  }
  return file;
}
