import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildWeb,
  expectAccessible,
  HAVE_CHROMIUM,
  problemsOf,
  screenshot,
  SKIP_REASON,
  startWeb,
  type WebRun,
} from "./browser.ts";
import { signInStaff } from "./console-session.ts";
import { urgencyOf } from "../../src/web/console/pages/requests/urgency.ts";
import type { RequestView } from "../../src/modules/requests/requests.ts";

/**
 * The console's request queue in Chromium, under the zones pack (CCPA for US-CA, GDPR for the EU,
 * which is routed to the infosec queue; admin works every queue). Requests are made through the
 * API with the server's clock set back, so some are overdue and some due this week when the clock
 * is put right; the page is then checked against what the API says.
 */
const suite = HAVE_CHROMIUM ? describe : describe.skip;
if (!HAVE_CHROMIUM) console.warn(SKIP_REASON);

const DAY = 24 * 60 * 60 * 1000;

describe("the queue's chart counts (urgencyOf)", () => {
  const open = (dueDate: string, overdue = false) =>
    ({ dueDate, overdue, closedAt: null }) as unknown as RequestView;
  const closed = {
    dueDate: null,
    overdue: false,
    closedAt: "2026-12-01T00:00:00.000Z",
  } as unknown as RequestView;

  it("counts the overdue in one bucket and the rest by due date, a bucket a day for a week from today", () => {
    const u = urgencyOf(
      [open("2026-11-30", true), open("2026-12-01", true), open("2026-12-08"), open("2026-12-08"), closed],
      "2026-12-06",
    );
    expect(u.days).toEqual([
      "2026-12-06",
      "2026-12-07",
      "2026-12-08",
      "2026-12-09",
      "2026-12-10",
      "2026-12-11",
      "2026-12-12",
    ]);
    expect(u.dueOn).toEqual([0, 0, 2, 0, 0, 0, 0]);
    expect(u).toMatchObject({ overdue: 2, dueThisWeek: 2 });
  });

  it("a due date outside the browser's week (the pack's zone a day behind) is added, never dropped", () => {
    const u = urgencyOf([open("2026-12-05")], "2026-12-06");
    expect(u.days[0]).toBe("2026-12-05");
    expect(u.dueOn[0]).toBe(1);
    expect(u.dueThisWeek).toBe(1);
  });
});

let web: Awaited<ReturnType<typeof buildWeb>> | undefined;
beforeAll(async () => {
  if (HAVE_CHROMIUM) web = await buildWeb();
});
afterAll(() => web?.remove());

interface View {
  id: string;
  kind: string;
  state: string;
  overdue: boolean;
  dueDate: string | null;
  denialReason: string | null;
  assignee: string | null;
  version: number;
}

suite(`the console's request queue in Chromium${HAVE_CHROMIUM ? "" : ` (${SKIP_REASON})`}`, () => {
  let run: WebRun;
  let page: Page;
  let admin: string;
  /** How far the server's clock is set back from now. */
  let back = 0;
  let people = 0;
  const made: Record<string, View> = {};

  const inject = (method: "GET" | "POST" | "PUT", url: string, payload?: object, ifMatch?: string) =>
    run.t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${admin}`, ...(ifMatch ? { "if-match": ifMatch } : {}) },
      ...(payload === undefined ? {} : { payload }),
    });

  /** A customer on record, and a request of `kind` made for them by staff `daysAgo` days ago. */
  const request = async (kind: string, jurisdiction: string, daysAgo: number): Promise<View> => {
    back = daysAgo * DAY;
    try {
      people += 1;
      const email = `person${people}@example.com`;
      const person = await inject("POST", "/v1/subjects", {
        status: "customer",
        purpose: "essential.service.account",
        collectionPoint: "web.signup",
        birthDate: "1980-04-02",
        jurisdiction,
        fields: { first_name: "Grace", last_name: `Hopper${people}`, email },
      });
      expect(person.statusCode, person.body).toBe(201);
      const res = await inject("POST", "/v1/requests", { kind, claimant: { email } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().request as View;
    } finally {
      back = 0;
    }
  };

  const read = async (id: string): Promise<View> => (await inject("GET", `/v1/requests/${id}`)).json();
  const queueRows = () =>
    page.getByRole("table", { name: "Requests, most urgent first" }).locator("tbody tr");
  const chartCell = (label: RegExp) =>
    page
      .getByRole("table", { name: "Open requests by due date" })
      .getByRole("row", { name: label })
      .getByRole("cell");

  beforeAll(async () => {
    run = await startWeb("zones", web!.dir, { clock: () => new Date(Date.now() - back) });
    admin = await run.t.apiKey("admin");
    // Overdue: a CCPA answer is due 45 calendar days after receipt.
    made.lateDeletion = await request("deletion", "US-CA", 55);
    made.lateAccess = await request("access", "US-CA", 50);
    // Due this week: a CCPA answer received 41 days ago, a GDPR month received 27 days ago (the
    // month ends 28 to 31 days after, at most two more for a weekend).
    made.soonAccess = await request("access", "US-CA", 41);
    made.soonExport = await request("portable_export", "DE", 27);
    // Due in a month.
    made.laterDeletion = await request("deletion", "DE", 0);
    // A request from someone who has not proved who they are yet (the public form).
    const pub = await run.t.app.inject({
      method: "POST",
      url: "/v1/public/requests",
      payload: { kind: "access", email: "person1@example.com" },
    });
    expect(pub.statusCode, pub.body).toBe(202);
    const unverified = (await inject("GET", "/v1/requests?state=identity_unverified")).json().items as View[];
    expect(unverified).toHaveLength(1);
    made.unverified = unverified[0]!;
    page = await run.page();
    await signInStaff(run, page, "admin", { displayName: "Queue Admin" });
  });
  afterAll(async () => run?.close());

  it("the queue shows every open request with its due date and time left, and counts the overdue and the week's", async () => {
    const overdue = (await inject("GET", "/v1/requests?state=overdue")).json().items as View[];
    expect(overdue.map((r) => r.id).sort()).toEqual([made.lateDeletion!.id, made.lateAccess!.id].sort());

    await page.goto("/console/requests");
    await page.getByRole("heading", { level: 1, name: "Requests" }).waitFor();
    await expect.poll(() => queueRows().count()).toBe(6);
    // Most urgent first: the two overdue lead, each saying so.
    for (const i of [0, 1]) {
      const row = queueRows().nth(i);
      expect(await row.getAttribute("class")).toContain("requests-overdue");
      expect(await row.textContent()).toMatch(/Overdue (by \d+ days?|today)/);
    }
    // Every row shows its due date and its time left.
    for (const r of Object.values(made)) {
      const row = page.getByRole("row", { name: new RegExp(r.id.slice(0, 8)) });
      const cells = await row.getByRole("cell").allTextContents();
      expect(cells[3], `due date of ${r.kind}`).toMatch(/\d{4}/);
      expect(cells[4], `time left of ${r.kind}`).toMatch(/left|Overdue/);
    }

    // The chart's table: two overdue, two due within the week, the later ones not counted.
    expect(await chartCell(/^Overdue/).textContent()).toBe("2");
    const dayCells = page
      .getByRole("table", { name: "Open requests by due date" })
      .locator("tbody tr")
      .filter({ hasNotText: "Overdue" })
      .getByRole("cell");
    const perDay = (await dayCells.allTextContents()).map(Number);
    expect(perDay.reduce((a, b) => a + b, 0)).toBe(2);
    expect(perDay.length).toBeGreaterThanOrEqual(7);
    const weekDates = new Set([made.soonAccess!.dueDate, made.soonExport!.dueDate]);
    expect(perDay.filter((n) => n > 0)).toHaveLength(weekDates.size);
    await expect
      .poll(() => page.locator(".requests-summary").textContent())
      .toBe("2 overdue · 2 due in the next 7 days");
    await expectAccessible(page);
    await screenshot(page, "console-requests");
    expect(problemsOf(page)).toEqual([]);
  });

  it("filters by kind, state, jurisdiction and due date, as the API does", async () => {
    const filter = async (set: () => Promise<void>, expected: number) => {
      await page.getByRole("button", { name: "Clear filters" }).click();
      await expect.poll(() => queueRows().count()).toBe(6);
      await set();
      await page.getByRole("button", { name: "Show", exact: true }).click();
      await expect.poll(() => queueRows().count()).toBe(expected);
    };
    await filter(
      () =>
        page
          .getByLabel("Kind", { exact: true })
          .selectOption("deletion")
          .then(() => undefined),
      2,
    );
    expect(await queueRows().allTextContents()).toEqual([
      expect.stringContaining(made.lateDeletion!.id.slice(0, 8)),
      expect.stringContaining(made.laterDeletion!.id.slice(0, 8)),
    ]);
    await filter(
      () =>
        page
          .getByLabel("State", { exact: true })
          .selectOption("overdue")
          .then(() => undefined),
      2,
    );
    await filter(
      () =>
        page
          .getByLabel("State", { exact: true })
          .selectOption("identity_unverified")
          .then(() => undefined),
      1,
    );
    await filter(() => page.getByLabel("Jurisdiction", { exact: true }).fill("DE"), 2);
    // The EU is routed to the infosec queue.
    await filter(() => page.getByLabel("Queue", { exact: true }).fill("infosec"), 2);
    // Due before a day eight days ahead: the overdue and the week's, not the later ones (the
    // public request, of nobody matched yet, runs 45 days from today).
    const ahead = new Date(Date.now() + 8 * DAY);
    const date = `${ahead.getFullYear()}-${String(ahead.getMonth() + 1).padStart(2, "0")}-${String(ahead.getDate()).padStart(2, "0")}`;
    await filter(() => page.getByLabel("Due before", { exact: true }).fill(date), 4);
    await expectAccessible(page);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect.poll(() => queueRows().count()).toBe(6);
    expect(problemsOf(page)).toEqual([]);
  });

  it("opening a request shows its details and history; assigning, starting work and denying with a reason move it as the API reports", async () => {
    const id = made.soonAccess!.id;
    await page
      .getByRole("row", { name: new RegExp(id.slice(0, 8)) })
      .getByRole("link")
      .click();
    await page.getByRole("heading", { level: 1, name: /Access/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/requests/${id}`);
    expect(await page.locator(".requests-facts").textContent()).toContain(id);
    expect(await page.getByRole("table").first().textContent()).toContain("Verified");
    await expectAccessible(page);

    await page.getByRole("button", { name: "Assign to me" }).click();
    await page.getByRole("status").getByText("The request is assigned to you.").waitFor();
    expect((await read(id)).assignee).not.toBeNull();

    await page.getByLabel("Start work").check();
    await page.getByRole("button", { name: "Move the request" }).click();
    await page.getByRole("status").getByText("Done: the request is now in progress.").waitFor();
    expect((await read(id)).state).toBe("in_progress");

    // A denial needs its reason, from the closed list.
    await page.getByLabel("Deny, with a reason").check();
    await page.getByRole("button", { name: "Move the request" }).click();
    await page.getByText("Choose the reason for the denial.").waitFor();
    await page.getByLabel("Reason for the denial").selectOption("insuf_verification");
    await expectAccessible(page);
    await page.getByRole("button", { name: "Move the request" }).click();
    await page.getByRole("status").getByText("Done: the request is now denied.").waitFor();
    const after = await read(id);
    expect(after).toMatchObject({ state: "denied", denialReason: "insuf_verification" });
    expect(await page.locator(".requests-facts").textContent()).toContain("Identity could not be verified");
    const history = page.getByRole("table").filter({ hasText: "Reason" });
    await expect.poll(() => history.locator("tbody tr").count()).toBeGreaterThanOrEqual(3);
    expect(await page.getByText("This request is closed").count()).toBe(1);
    await expectAccessible(page);
    expect(problemsOf(page)).toEqual([]);
  });

  it("verifies the identity of a public request", async () => {
    const id = made.unverified!.id;
    await page.goto(`/console/requests/${id}`);
    await page.getByRole("heading", { level: 1, name: /Identity not verified/ }).waitFor();
    await page.getByLabel("Verify identity").check();
    await page.getByRole("button", { name: "Move the request" }).click();
    await page.getByRole("status").getByText("Done: the request is now verified.").waitFor();
    expect((await read(id)).state).toBe("verified");
    expect(problemsOf(page)).toEqual([]);
  });

  it("a change made elsewhere since the page loaded is shown as a conflict, not overwritten", async () => {
    const id = made.lateAccess!.id;
    await page.goto(`/console/requests/${id}`);
    await page.getByRole("heading", { level: 1, name: /Access/ }).waitFor();
    const other = await run.t.staff("customer_service");
    // Someone else assigns it while the page is open.
    const shown = await read(id);
    const assigned = await inject(
      "PUT",
      `/v1/requests/${id}/assignee`,
      { assignee: other.staffId },
      `"${shown.version}"`,
    );
    expect(assigned.statusCode, assigned.body).toBe(200);

    await page.getByLabel("Start work").check();
    await page.getByRole("button", { name: "Move the request" }).click();
    await page.getByRole("alert").getByText("Someone else changed this since the page loaded").waitFor();
    expect((await read(id)).state).toBe("verified");
    // The page now shows the request as it is: the other member's assignment.
    await expect.poll(() => page.locator(".requests-facts").textContent()).toContain(other.staffId);
    await expectAccessible(page);
    await screenshot(page, "console-request");

    // With the latest version shown, the same move goes through.
    await page.getByLabel("Start work").check();
    await page.getByRole("button", { name: "Move the request" }).click();
    await page.getByRole("status").getByText("Done: the request is now in progress.").waitFor();
    expect((await read(id)).state).toBe("in_progress");
    expect(problemsOf(page)).toEqual([]);
  });

  it("a move the API refuses is shown in words: another team's queue is not for customer service", async () => {
    const cs = await run.page();
    await signInStaff(run, cs, "customer_service");
    const id = made.soonExport!.id;
    await cs.goto(`/console/requests/${id}`);
    await cs.getByRole("heading", { level: 1, name: /Portable export/ }).waitFor();
    expect(await cs.locator(".requests-facts").textContent()).toContain("infosec");
    await cs.getByLabel("Start work").check();
    await cs.getByRole("button", { name: "Move the request" }).click();
    await cs.getByRole("alert").getByText("Your role may not do this.").waitFor();
    expect((await read(id)).state).toBe("verified");
    await expectAccessible(cs);
    expect(problemsOf(cs)).toEqual([]);
  });
});
