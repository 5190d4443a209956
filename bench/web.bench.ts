/**
 * The web pages in Chromium (Debian's /usr/bin/chromium, driven by playwright-core), against a
 * real server on the loopback over a fresh in-memory store, serving a production build:
 *
 * - the privacy center's first page: from navigation start to its heading on screen, with
 *   React, the policy fetched from the API and the page drawn; its peer is the server-rendered
 *   policy page (/policy, no script) from the same server. Goal: ≤ 1 s.
 * - the console's person view: from the click on Find to the record on screen, minus the API
 *   call the page makes (its own resource timing). The peer is that API call. Goal: the view
 *   adds ≤ 50 ms to its API call.
 *
 * Times are read inside the page (performance.now()), medians of fresh loads and of clicks.
 * Skipped, saying why, without Chromium.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Secret, TOTP } from "otpauth";
import { chromium } from "playwright-core";
import { createAuditWriter } from "../src/audit/writer.ts";
import { loadConfig } from "../src/config.ts";
import { createApp } from "../src/http/app.ts";
import { createKey, createStaff } from "../src/modules/staff/staff.service.ts";
import { inForce, loadPolicyHistory } from "../src/policy/history.ts";
import { openStore } from "../src/store/connection.ts";
import { migrate } from "../src/store/migrate.ts";
import { median, printResults, type BenchResult } from "./lib.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = "/usr/bin/chromium";
const LOADS = Number(process.env.BENCH_WEB_LOADS ?? 15);
const CLICKS = Number(process.env.BENCH_WEB_CLICKS ?? 25);
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function run(): Promise<BenchResult[]> {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: ${CHROMIUM} is absent (apt-get install chromium)`);
    return [];
  }
  const webRoot = mkdtempSync(path.join(tmpdir(), "pledge-bench-web-"));
  await promisify(execFile)(process.execPath, [path.join(root, "scripts/build-web.mjs"), "--out", webRoot]);
  const store = await openStore({ kind: "pglite", dataDir: null });
  await migrate(store);
  const audit = createAuditWriter(store.db);
  const policies = await loadPolicyHistory(path.join(root, "policies/zzservers"));
  const app = await createApp({
    config: loadConfig({ LOG_LEVEL: "silent", PLEDGE_POLICIES_DIR: path.join(root, "policies") }),
    store,
    policies,
    audit,
    webRoot,
    clock: () => new Date(),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  const base = `http://localhost:${address.port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  try {
    // A customer to find, and a support member signed in at the console (attested).
    const ctx = { actor: "system", now: new Date() };
    const pack = inForce(policies, ctx.now.toISOString());
    const admin = await createStaff(store.db, pack, { displayName: "a", role: "admin", attested: true }, ctx);
    const { key } = await createKey(store.db, admin.id, ctx);
    const auth = { authorization: `Bearer ${key}` };
    const subject = await app.inject({
      method: "POST",
      url: "/v1/subjects",
      headers: auth,
      payload: {
        status: "customer",
        purpose: "essential.service.provisioning",
        collectionPoint: "web.signup",
        birthDate: "1980-04-02",
        jurisdiction: "US",
        fields: {
          first_name: "Grace",
          last_name: "Hopper",
          email: "grace@example.com",
          phone: "+1 555 0100",
        },
      },
    });
    const subjectId: string = subject.json().id;
    const member = await createStaff(
      store.db,
      pack,
      { displayName: "s", role: "support", attested: true },
      ctx,
    );
    const invited = await app.inject({
      method: "POST",
      url: `/v1/staff/${member.id}/invitation`,
      headers: auth,
      payload: { username: "bench" },
    });
    const setupCode: string = invited.json().setupCode;
    const secret = await app.inject({
      method: "POST",
      url: "/v1/console/setup/secret",
      payload: { username: "bench", setupCode },
    });
    const code = new TOTP({ secret: Secret.fromBase32(secret.json().secret) }).generate();
    const done = await app.inject({
      method: "POST",
      url: "/v1/console/setup",
      payload: { username: "bench", setupCode, password: "a long bench passphrase 1", code },
    });
    const cookie = /pledge_staff=([^;]+)/.exec(String(done.headers["set-cookie"]))?.[1];
    if (cookie === undefined) throw new Error(`console set-up failed: ${done.body}`);

    // The privacy center's first page, and the server-rendered policy page, in fresh contexts.
    const firstPaint = async (url: string, heading: string): Promise<number> => {
      const context = await browser.newContext({ baseURL: base });
      const page = await context.newPage();
      await page.goto(url, { waitUntil: "commit" });
      const at = await page.waitForFunction(
        (text) =>
          [...document.querySelectorAll("h1")].some((h) => h.textContent?.startsWith(text)) &&
          performance.now(),
        heading,
        { polling: "raf" },
      );
      const ms = (await at.jsonValue()) as number;
      await context.close();
      return ms;
    };
    const center: number[] = [];
    const policyPage: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      center.push(await firstPaint("/", "Your privacy at"));
      policyPage.push(await firstPaint("/policy", "ZZ Servers"));
    }

    // The console's person view: Find by id, for a purpose of the role.
    const context = await browser.newContext({ baseURL: base });
    await context.addCookies([{ name: "pledge_staff", value: cookie, url: base }]);
    const page = await context.newPage();
    await page.goto("/console/people");
    await page.getByLabel("Purpose").selectOption("essential.service.system_information");
    await page.getByLabel("By id").check();
    await page.getByLabel("Person's id").fill(subjectId);
    const total: number[] = [];
    const call: number[] = [];
    for (let i = 0; i < CLICKS; i++) {
      await page.evaluate(() => {
        performance.clearResourceTimings();
        (window as unknown as { t0: number }).t0 = performance.now();
        document.querySelector<HTMLButtonElement>("form.finder button[type=submit]")!.click();
      });
      const shown = await page.waitForFunction(
        (id) => {
          const h = document.querySelector("#person");
          return h?.textContent?.includes(id) === true && performance.now();
        },
        subjectId,
        { polling: "raf" },
      );
      const end = (await shown.jsonValue()) as number;
      const timing = await page.evaluate(() => {
        const t0 = (window as unknown as { t0: number }).t0;
        const entry = performance
          .getEntriesByType("resource")
          .find((e) => e.name.includes("/v1/subjects/")) as PerformanceResourceTiming | undefined;
        return { t0, api: entry ? entry.responseEnd - entry.startTime : Number.NaN };
      });
      total.push(end - timing.t0);
      call.push(timing.api);
    }
    const centerMs = median(center);
    const apiMs = median(call);
    const viewMs = median(total);
    const added = median(total.map((t, i) => t - (call[i] ?? 0)));
    return [
      {
        name: "privacy center: first page on screen",
        value: centerMs,
        unit: "ms",
        peer: "server-rendered /policy",
        peerValue: median(policyPage),
        ratio: median(policyPage) / centerMs,
        goal: "≤ 1000 ms",
        pass: centerMs <= 1000,
      },
      {
        name: `console: person view (adds ${added.toFixed(1)} ms)`,
        value: viewMs,
        unit: "ms",
        peer: "its API call",
        peerValue: apiMs,
        ratio: apiMs / viewMs,
        goal: "≤ API call + 50 ms",
        pass: added <= 50,
      },
    ];
  } finally {
    await browser.close();
    await app.close();
    await audit.close();
    await store.close();
    rmSync(webRoot, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printResults(await run());
