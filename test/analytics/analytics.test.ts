import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Salts } from "../../src/modules/analytics/analytics.service.ts";
import { analyticsFixture, visits, type AnalyticsFixture } from "./helpers.ts";

/**
 * Site statistics through the API on the zones 2016 pack (minimum cohort 10): hits collected
 * over HTTP as the script sends them, what is stored of them, the day's salt and its destruction,
 * and the report's withheld cells.
 */
let f: AnalyticsFixture;
beforeAll(async () => {
  f = await analyticsFixture("zones", "2017-06-01T09:00:00Z");
});
afterAll(() => f.t.close());

const SITE = "shop.example";
const UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15";

describe("collection", () => {
  it("serves a small first-party script that sends nothing under GPC or Do Not Track", async () => {
    const res = await f.t.app.inject({ method: "GET", url: "/analytics.js" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("javascript");
    expect(res.body.length).toBeLessThan(700);
    expect(res.body).toContain("globalPrivacyControl");
    expect(res.body).toContain('doNotTrack=="1"');
    expect(res.body).toContain("keepalive");
    expect(res.body).not.toMatch(/cookie|localStorage|sessionStorage/);
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("stores no address, no user agent, no query string: a salted key, the path and the referring host", async () => {
    f.at("2017-06-02T10:00:00Z");
    const code = await f.hit({
      page: `https://${SITE}/basket?email=ann%40example.com#pay`,
      referrer: "https://search.example/q?who=ann",
      ip: "203.0.113.77",
      ua: UA,
    });
    expect(code).toBe(204);
    const v6 = await f.hit({ page: `https://${SITE}/`, ip: "2001:db8:abcd:12:1:2:3:4", ua: UA });
    expect(v6).toBe(204);
    const rows = await f.t.store.db
      .selectFrom("page_views")
      .selectAll()
      .where("day", "=", "2017-06-02")
      .orderBy("path")
      .execute();
    expect(rows.map((r) => [r.site, r.path, r.referrer])).toEqual([
      [SITE, "/", null],
      [SITE, "/basket", "search.example"],
    ]);
    expect(rows.every((r) => Buffer.from(r.visitor).length === 16)).toBe(true);
    // Every column of every row, as text: no address (whole or truncated), no user agent, no query.
    const dump = JSON.stringify(
      (
        await sql`select site, day::text, at::text, encode(visitor, 'hex') as v, path, referrer from page_views`.execute(
          f.t.store.db,
        )
      ).rows,
    );
    for (const secret of ["203.0.113", "2001:db8", "Safari", "Macintosh", "ann", "email", "who="]) {
      expect(dump).not.toContain(secret);
    }
  });

  it("drops hits carrying Sec-GPC: 1 or DNT: 1, and pages that are not web pages", async () => {
    f.at("2017-06-03T10:00:00Z");
    const count = async () =>
      Number(
        (
          await f.t.store.db
            .selectFrom("page_views")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("day", "=", "2017-06-03")
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(
      await f.hit({ page: `https://${SITE}/gpc`, ip: "198.51.100.1", headers: { "sec-gpc": "1" } }),
    ).toBe(204);
    expect(await f.hit({ page: `https://${SITE}/dnt`, ip: "198.51.100.1", headers: { dnt: "1" } })).toBe(204);
    expect(await f.hit({ page: "javascript:alert(1)", ip: "198.51.100.1" })).toBe(204);
    expect(await count()).toBe(0);
    expect(await f.hit({ page: `https://${SITE}/ok`, ip: "198.51.100.1", headers: { dnt: "0" } })).toBe(204);
    expect(await count()).toBe(1);
  });

  it("refuses a hit that is not JSON with a stable code", async () => {
    const res = await f.t.app.inject({
      method: "POST",
      url: "/v1/analytics/hits",
      headers: { "content-type": "text/plain" },
      payload: "page=/x",
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "PLEDGE_MALFORMED_JSON" });
  });

  it("keys a visitor by site, /24 network and user agent under the day's salt, and destroys salts after 48 hours", async () => {
    f.at("2017-06-10T08:00:00Z");
    await f.hit({ page: `https://${SITE}/k`, ip: "192.0.2.10", ua: UA });
    await f.hit({ page: `https://${SITE}/k`, ip: "192.0.2.200", ua: UA }); // same /24: same key
    await f.hit({ page: `https://${SITE}/k`, ip: "192.0.3.10", ua: UA }); // another network
    f.at("2017-06-11T08:00:00Z");
    await f.hit({ page: `https://${SITE}/k`, ip: "192.0.2.10", ua: UA }); // next day: a new salt
    const keys = await f.t.store.db
      .selectFrom("page_views")
      .select([sql<string>`day::text`.as("day"), sql<string>`encode(visitor, 'hex')`.as("v")])
      .where("path", "=", "/k")
      .orderBy("at")
      .execute();
    expect(keys[0]!.v).toBe(keys[1]!.v);
    expect(keys[2]!.v).not.toBe(keys[0]!.v);
    expect(keys[3]!.v).not.toBe(keys[0]!.v);
    const days = async () =>
      (
        await sql<{ day: string }>`select day::text as day from analytics_salts order by day`.execute(
          f.t.store.db,
        )
      ).rows.map((r) => r.day);
    expect(await days()).toEqual(["2017-06-10", "2017-06-11"]);
    // Day 12 begins 48 hours after day 10 did: the first hit of day 12 rotates, and day 10's salt is gone.
    f.at("2017-06-12T00:00:01Z");
    await f.hit({ page: `https://${SITE}/k`, ip: "192.0.2.10", ua: UA });
    expect(await days()).toEqual(["2017-06-11", "2017-06-12"]);
    // Without hits, the sweep destroys them too.
    expect(await new Salts(f.t.store.db, () => new Date("2017-06-15T00:00:00Z")).sweep()).toBe(2);
    expect(await days()).toEqual([]);
  });
});

interface Table {
  cells: { key: string | null; views: number; visitors: number }[];
  withheld: number;
}
interface Report {
  minCohort: number;
  epsilon: number | null;
  days: {
    day: string;
    withheld: boolean;
    pageViews: number | null;
    visitors: number | null;
    pages: Table;
    referrers: Table;
    entries: Table;
    exits: Table;
  }[];
}

describe("reports", () => {
  const DAY = "2017-07-04";
  beforeAll(async () => {
    f.at(`${DAY}T09:00:00Z`);
    // 25 visitors land on / from a search engine; 12 of them go on to /b; one person alone reads /secret.
    await visits(f, SITE, ["/"], { from: 0, count: 25 }, "https://search.example/");
    await visits(f, SITE, ["/b"], { from: 0, count: 12 });
    await visits(f, SITE, ["/secret", "/secret", "/secret"], { from: 500, count: 1 });
    // The next day, five visitors: fewer than the minimum cohort.
    f.at("2017-07-05T09:00:00Z");
    await visits(f, SITE, ["/"], { from: 0, count: 5 });
  });
  const report = (key: string, extra = "") =>
    f.get(
      `/v1/analytics/report?site=${SITE}&from=2017-07-04&to=2017-07-05&purpose=analytics.reporting.visitors${extra}`,
      key,
    );

  it("Z16-08: the analyst gets page views, visitors, referrers, entry and exit pages by day", async () => {
    const res = await report(f.analyst);
    expect(res.statusCode).toBe(200);
    const body = res.json() as Report;
    expect(body).toMatchObject({ minCohort: 10, epsilon: null });
    const [d4, d5] = body.days;
    expect(d4).toMatchObject({ day: DAY, withheld: false, pageViews: 40, visitors: 26 });
    expect(d4!.pages.cells).toEqual([{ key: "/", views: 25, visitors: 25 }]);
    // Referrers: the search engine, and pages reached from the site itself or typed in (null).
    expect(d4!.referrers.cells).toEqual([
      { key: "search.example", views: 25, visitors: 25 },
      { key: null, views: 15, visitors: 13 },
    ]);
    // A visit is a visitor's day: 25 entered on /, one on /secret (withheld with its complement).
    expect(d4!.entries.cells).toEqual([]);
    expect(d4!.entries.withheld).toBe(2);
    // 13 left from /, 12 from /b, one from /secret: /secret and /b (its complement) are withheld.
    expect(d4!.exits.cells).toEqual([{ key: "/", views: 13, visitors: 13 }]);
    // A day of fewer visitors than the cohort is withheld whole.
    expect(d5).toMatchObject({ day: "2017-07-05", withheld: true, pageViews: null, visitors: null });
    expect(d5!.pages).toEqual({ cells: [], withheld: 0 });
  });

  it("Z16-08: a withheld cell cannot be recovered by subtracting published cells from the day's total", async () => {
    const d4 = ((await report(f.analyst)).json() as Report).days[0]!;
    // /secret (one person, 3 views) is withheld, and so is its complement /b (the smallest cell ≥ 10).
    const keys = d4.pages.cells.map((c) => c.key);
    expect(keys).not.toContain("/secret");
    expect(keys).not.toContain("/b");
    expect(d4.pages.withheld).toBe(2);
    // The attack: total minus what is published. It gives /b and /secret together, never /secret.
    const residual = d4.pageViews! - d4.pages.cells.reduce((n, c) => n + c.views, 0);
    expect(residual).toBe(12 + 3);
    expect(residual).not.toBe(3);
    // The same holds in every table: referrers (direct visits), entries and exits.
    for (const t of [d4.referrers, d4.entries, d4.exits]) {
      expect(t.withheld === 0 || t.withheld >= 2).toBe(true);
      expect(t.cells.every((c) => c.visitors >= 10)).toBe(true);
    }
    const visitsResidual = d4.visitors! - d4.exits.cells.reduce((n, c) => n + c.views, 0);
    expect(visitsResidual).toBe(12 + 1);
    expect(visitsResidual).not.toBe(1);
  });

  it("PS-03, Z16-08: a role without the purpose is refused by the gate, naming the clause", async () => {
    const marketing = await f.t.apiKey("marketing");
    const res = await report(marketing);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED" });
    const decision = await f.t.store.db
      .selectFrom("audit_log")
      .select("payload")
      .where("type", "=", "decision")
      .orderBy("seq", "desc")
      .executeTakeFirstOrThrow();
    expect(decision.payload).toMatchObject({ outcome: "deny", action: "analyse" });
  });

  it("refuses a range that ends before it begins, with a stable code", async () => {
    const res = await f.get(
      `/v1/analytics/report?site=${SITE}&from=2017-07-05&to=2017-07-04&purpose=analytics.reporting.visitors`,
      f.analyst,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "PLEDGE_ANALYTICS_RANGE_INVALID" });
  });

  it("adds Laplace noise on request and spends ε from the month's budget; past it, refuses with the clause", async () => {
    const spent = async () =>
      (await f.t.store.db.selectFrom("analytics_budget_spends").select(["period", "epsilon"]).execute()).map(
        (r) => [r.period, Number(r.epsilon)],
      );
    const exact = await report(f.analyst);
    expect(exact.json().budget).toEqual({ limit: 1, periods: [{ period: "2017-07", spent: 0, left: 1 }] });
    const a = await report(f.analyst, "&epsilon=0.5");
    expect(a.statusCode).toBe(200);
    expect((a.json() as Report).epsilon).toBe(0.5);
    expect(a.json().budget).toEqual({ limit: 1, periods: [{ period: "2017-07", spent: 0.5, left: 0.5 }] });
    expect((await report(f.analyst, "&epsilon=0.5")).statusCode).toBe(200);
    expect(await spent()).toEqual([
      ["2017-07", 0.5],
      ["2017-07", 0.5],
    ]);
    const refused = await report(f.analyst, "&epsilon=0.1");
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      code: "PLEDGE_ANALYTICS_BUDGET_EXHAUSTED",
      clauses: ["Z16-06", "Z16-08", "Z16-09"],
    });
    // Nothing was spent by the refused report; exact reports spend nothing and still answer.
    expect(await spent()).toHaveLength(2);
    expect((await report(f.analyst)).statusCode).toBe(200);
  });
});
