import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectAccessible, problemsOf, screenshot, startWeb, webSuite, type WebRun } from "./browser.ts";
import { signInStaff, staffPage } from "./console-session.ts";

/**
 * The console's "Site statistics" page in Chromium on the zones pack (minimum cohort 10): page
 * views sent through the real collection endpoint on two days of July 2026, one day with a page
 * read by a single visitor, the other with too few visitors to show at all; the analyst reads the
 * report, then spends the month's privacy budget on a noisy one and is refused the next.
 */

const SITE = "shop.example";
const UA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0";

webSuite("the console's site statistics page in Chromium", (webDir) => {
  let run: WebRun;
  let page: Page;
  /** The server's clock: a July day while the hits are sent, the real time for signing in. */
  let at: Date | null = null;

  /** One page view as the analytics script sends it, from visitor `v` (one network each). */
  const hit = async (path: string, v: number, referrer?: string) => {
    const res = await run.t.app.inject({
      method: "POST",
      url: "/v1/analytics/hits",
      remoteAddress: `10.0.${v}.1`,
      headers: { "content-type": "text/plain;charset=UTF-8", "user-agent": UA },
      payload: JSON.stringify({ page: `https://${SITE}${path}`, ...(referrer ? { referrer } : {}) }),
    });
    expect(res.statusCode, res.body).toBe(204);
  };

  beforeAll(async () => {
    run = await startWeb("zones", webDir(), { clock: () => at ?? new Date() });
    // 4 July: 25 visitors come to / from a search engine, 12 of them go on to /b, and one other
    // person reads /secret three times (the example of docs/analytics.md).
    at = new Date("2026-07-04T12:00:00Z");
    for (let v = 1; v <= 25; v++) await hit("/", v, "https://search.example/?q=shoes");
    for (let v = 1; v <= 12; v++) await hit("/b", v);
    for (let i = 0; i < 3; i++) await hit("/secret", 99);
    // 5 July: three visitors, fewer than the cohort of 10: the whole day is withheld.
    at = new Date("2026-07-05T12:00:00Z");
    for (let v = 1; v <= 3; v++) await hit("/", v);
    at = null;
    page = await run.page();
    await signInStaff(run, page, "analyst");
  });
  afterAll(async () => {
    await run?.close();
  });

  it("Z19-02: counts by day, the day's tables, a cell of one visitor withheld with its complement, a small day withheld", async () => {
    await page.goto("/console/people");
    await page
      .getByRole("navigation", { name: "Console" })
      .getByRole("link", { name: "Site statistics" })
      .click();
    await page.getByRole("heading", { level: 1, name: "Site statistics" }).waitFor();
    await page.getByLabel("Site").fill(SITE);
    await page.getByLabel("From").fill("2026-07-04");
    await page.getByLabel("To").fill("2026-07-05");
    await page.getByRole("button", { name: "Show statistics" }).click();
    await page.getByRole("status").filter({ hasText: "Exact counts." }).waitFor();
    expect(await page.getByRole("status").textContent()).toContain("fewer than 10 visitors is withheld");

    // The chart's numbers, in the table under it: 40 page views by 26 visitors on 4 July only (en-US dates).
    const chartRows = page.locator("table.chart-table tbody tr");
    expect(await chartRows.allInnerTexts()).toEqual(["Jul 4, 2026\t40\t26"]);
    await page.getByText(/Withheld days \(fewer than 10 visitors\): Jul 5, 2026/).waitFor();

    // Pages: / is shown; /secret (one visitor) and /b (its complement) are withheld, not named.
    const pages = page.getByRole("table", { name: "Pages", exact: true });
    expect(await pages.locator("tbody tr").allInnerTexts()).toEqual([
      "/\t25\t25",
      expect.stringMatching(/^2 withheld \(fewer than 10 visitors, or beside one\)\twithheld\twithheld$/),
    ]);
    const referrers = page.getByRole("table", { name: "Referring sites" });
    expect(await referrers.locator("tbody tr").allInnerTexts()).toEqual([
      "search.example\t25\t25",
      "None: typed in, or from the site itself\t15\t13",
    ]);
    expect(
      await page.getByRole("table", { name: "Entry pages", exact: true }).locator("tbody tr").allInnerTexts(),
    ).toEqual([expect.stringMatching(/^2 withheld /)]);
    expect(await page.getByText("/secret").count()).toBe(0);
    expect(await page.getByText("/b", { exact: true }).count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, "console-statistics");
    expect(problemsOf(page)).toEqual([]);
  });

  it("a noisy report spends the month's budget; the next one is refused in words, and nothing is shown", async () => {
    await page.goto("/console/statistics");
    await page.getByLabel("Site").fill(SITE);
    await page.getByLabel("From").fill("2026-07-04");
    await page.getByLabel("To").fill("2026-07-05");
    await page.getByLabel("Noise (ε, optional)").fill("0.8");
    await page.getByRole("button", { name: "Show statistics" }).click();
    await page.getByRole("status").filter({ hasText: "random noise (ε 0.8)" }).waitFor();
    await page.getByText("Privacy budget left (ε, of 1 a month): 0.2 in 2026-07.").waitFor();

    await page.getByLabel("Noise (ε, optional)").fill("0.5");
    await page.getByRole("button", { name: "Show statistics" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(
      /more of the site's privacy budget than the month has left, so nothing was reported .* of which 0\.2 of 1 is left\.\) Clauses: Z19-01, Z19-02\./,
    );
    expect(await page.locator("table.chart-table").count()).toBe(0);

    await page.getByLabel("Noise (ε, optional)").fill("11");
    await page.getByRole("button", { name: "Show statistics" }).click();
    await page.getByText("Enter a number above 0 and at most 10").waitFor();
    expect(problemsOf(page)).toEqual([]);
  });

  it("is listed for roles with a statistics purpose only; others opening it are told it is not for them", async () => {
    const { page: other } = await staffPage(run, "customer_service");
    await other.goto("/console/statistics");
    await other.getByRole("heading", { level: 1, name: "Not for your role" }).waitFor();
    const nav = other.getByRole("navigation", { name: "Console" });
    await nav.getByRole("link", { name: "Find a person" }).waitFor();
    expect(await nav.getByRole("link", { name: "Site statistics" }).count()).toBe(0);
    await other.context().close();
  });
});
