import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectAccessible, problemsOf, screenshot, startWeb, webSuite, type WebRun } from "./browser.ts";
import { signInStaff, staffPage } from "./console-session.ts";

/**
 * The console's "Retention" page in Chromium on the zones pack (orders kept P7Y, days in
 * America/Los_Angeles): two customers ordered in June 2019, one of them is under a legal hold.
 * An administrator runs a dry run (nothing changes), then a real run: one order is erased, the
 * held one kept, and the page shows the stored report as the API answers it.
 */

webSuite("the console's retention page in Chromium", (webDir) => {
  let run: WebRun;
  let page: Page;
  let admin: string;
  /** The server's clock: June 2019 while the orders are placed, the real time afterwards. */
  let at: Date | null = null;
  const orders: { subjectId: string; orderId: string }[] = [];

  const api = (method: "GET" | "POST", url: string, key: string, payload?: object) =>
    run.t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(payload ? { payload } : {}),
    });

  /** A customer with one fulfilled order placed now (on the server's clock). */
  const customerWithOrder = async (n: number) => {
    const made = await api("POST", "/v1/subjects", admin, {
      status: "customer",
      purpose: "essential.service.account",
      collectionPoint: "web.signup",
      birthDate: "1980-04-02",
      jurisdiction: "US-CA",
      fields: { first_name: "Ada", last_name: `Retained${n}`, email: `ada.retained${n}@example.com` },
    });
    expect(made.statusCode, made.body).toBe(201);
    const subjectId = made.json().id as string;
    const orderId = `OLD-${n}`;
    const ordered = await api("POST", `/v1/subjects/${subjectId}/orders`, admin, {
      orderId,
      items: [{ sku: "SKU-1", quantity: 1, unitAmount: "10.00" }],
      total: { amount: "10.00", currency: "USD" },
      purpose: "essential.service.order_fulfilment",
      collectionPoint: "web.checkout",
    });
    expect(ordered.statusCode, ordered.body).toBe(201);
    return { subjectId, orderId };
  };
  const remaining = async () =>
    (await run.t.store.db.selectFrom("orders").select("order_id").orderBy("order_id").execute()).map(
      (r) => r.order_id,
    );

  beforeAll(async () => {
    run = await startWeb("zones", webDir(), { clock: () => at ?? new Date() });
    admin = await run.t.apiKey("admin");
    at = new Date("2019-06-03T18:00:00Z");
    orders.push(await customerWithOrder(1), await customerWithOrder(2));
    at = null;
    const hold = await api(
      "POST",
      `/v1/subjects/${orders[1]!.subjectId}/legal-holds`,
      await run.t.apiKey("legal"),
      {
        matter: "2026-CV-0042",
      },
    );
    expect(hold.statusCode, hold.body).toBe(201);
    page = await run.page();
    await signInStaff(run, page, "admin");
  });
  afterAll(async () => {
    await run?.close();
  });

  const ordersRow = (scope: ReturnType<Page["locator"]>) =>
    scope.locator("table.retention-report tbody tr").filter({ hasText: "Orders" });

  it("a dry run shows what would be erased and what a legal hold keeps, and changes nothing", async () => {
    await page.goto("/console/people");
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Retention" }).click();
    await page.getByRole("heading", { level: 1, name: "Retention" }).waitFor();
    await page.getByText("No retention run yet.").waitFor();

    await page.getByRole("button", { name: "Start a dry run" }).click();
    const dry = page.locator("section.retention-dry");
    await dry.getByRole("heading", { name: "Dry run: nothing was changed" }).waitFor();
    const cells = await ordersRow(dry).locator("th, td").allInnerTexts();
    // Records, categories, kept for, dated before, would erase, kept for a legal hold.
    expect(cells[0]).toBe("Orders");
    expect(cells[2]).toMatch(/^7 years from the day the order was placed/);
    expect(cells.slice(4)).toEqual(["1", "1"]);
    expect(await dry.getByRole("columnheader", { name: "Would erase" }).count()).toBe(1);
    expect(await dry.textContent()).toContain(
      "1 person has records that would be erased; 1 person under a legal hold",
    );
    expect(await remaining()).toEqual(["OLD-1", "OLD-2"]);
    expect((await api("GET", "/v1/retention/runs", admin)).json().items).toEqual([]);
    await expectAccessible(page);
    await screenshot(page, "console-retention-dry");
    expect(problemsOf(page)).toEqual([]);
  });

  it("a real run, confirmed, erases the order past its period, keeps the held one, and its stored report is shown", async () => {
    await page.getByRole("button", { name: "Run retention…" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    expect(await remaining()).toEqual(["OLD-1", "OLD-2"]);

    await page.getByRole("button", { name: "Run retention…" }).click();
    await page.getByRole("button", { name: "Erase records past their period" }).click();
    await page.getByRole("status").filter({ hasText: "finished" }).waitFor();
    expect(await remaining()).toEqual(["OLD-2"]);

    const runs = (await api("GET", "/v1/retention/runs", admin)).json().items as {
      status: string;
      report: { items: { item: string; erased: number; keptByHold: number }[] };
    }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe("finished");
    expect(runs[0]!.report.items.find((i) => i.item === "orders")).toMatchObject({
      erased: 1,
      keptByHold: 1,
    });

    const stored = page.locator("details.retention-run").first();
    await stored.getByText(/: finished, 1 erased, 1 kept for a legal hold/).waitFor();
    expect((await ordersRow(stored).locator("td").allInnerTexts()).slice(3)).toEqual(["1", "1"]);
    expect(await stored.getByRole("columnheader", { name: "Erased" }).count()).toBe(1);
    expect(await page.locator("section.retention-dry").count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, "console-retention");
    expect(problemsOf(page)).toEqual([]);
  });

  it("is for administrators: not listed for other roles, and opened directly it says so", async () => {
    const { page: other } = await staffPage(run, "legal");
    await other.goto("/console/retention");
    await other.getByRole("heading", { level: 1, name: "Not for your role" }).waitFor();
    const nav = other.getByRole("navigation", { name: "Console" });
    await nav.getByRole("link", { name: "Find a person" }).waitFor();
    expect(await nav.getByRole("link", { name: "Retention" }).count()).toBe(0);
    await other.context().close();
  });
});
