import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyticsFixture, visits, type AnalyticsFixture } from "../../analytics/helpers.ts";

/**
 * Zones 2016-11-28, in force on 2017-06-01: site statistics through the analytics API
 * (Z16-08, Z16-09). Hits are collected over HTTP as the script sends them; reports and exports
 * answer aggregates only.
 */
const SITE = "zones.example";
let f: AnalyticsFixture;
beforeAll(async () => {
  f = await analyticsFixture("zones", "2017-06-01T12:00:00Z");
  await visits(f, SITE, ["/", "/laptops"], { from: 0, count: 14 });
  await visits(f, SITE, ["/laptops/13-inch"], { from: 100, count: 1 });
});
afterAll(() => f.t.close());

const report = (purpose: string) =>
  f.get(`/v1/analytics/report?site=${SITE}&from=2017-06-01&to=2017-06-01&purpose=${purpose}`, f.analyst);

describe("zones 2016 site statistics", () => {
  it("Z16-08: cookies, IP addresses and web logs give aggregate statistics only, small cells withheld", async () => {
    const rows = await f.t.store.db.selectFrom("page_views").selectAll().execute();
    expect(rows).toHaveLength(29);
    expect(JSON.stringify(rows)).not.toContain("10.0.");
    const res = await report("analytics.reporting.visitors");
    expect(res.statusCode, res.body).toBe(200);
    const day = (
      res.json() as {
        days: {
          pageViews: number;
          visitors: number;
          pages: { cells: { key: string }[]; withheld: number };
        }[];
      }
    ).days[0]!;
    expect(day).toMatchObject({ pageViews: 29, visitors: 15 });
    // The one person who read /laptops/13-inch is withheld, and so is the smallest other page.
    expect(day.pages.withheld).toBe(2);
    expect(day.pages.cells.map((c) => c.key)).not.toContain("/laptops/13-inch");
  });

  it("Z16-08: no staff route returns one visitor's page views: a per-person export is refused", async () => {
    const res = await f.post(
      "/v1/analytics/exports",
      {
        site: SITE,
        from: "2017-06-01",
        to: "2017-06-01",
        purpose: "analytics.reporting.visitors",
        recipient: "tracking-vendor",
        level: "page_views",
      },
      f.analyst,
    );
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED" });
  });

  it("Z16-09: third-party tracking tools receive aggregates through the disclosure ledger, never identifiers", async () => {
    await f.t.app.inject({
      method: "PUT",
      url: "/v1/recipients/tracking-vendor",
      headers: { authorization: `Bearer ${f.admin}` },
      payload: {
        legalName: "Tracker Inc.",
        address: "1 Main St, Austin, TX 78701, US",
        contractRef: "T-1",
        contractSignedOn: "2017-01-01",
      },
    });
    const body = {
      site: SITE,
      from: "2017-06-01",
      to: "2017-06-01",
      purpose: "analytics.reporting.site_performance",
      recipient: "tracking-vendor",
    };
    const sent = await f.post("/v1/analytics/exports", body, f.analyst);
    expect(sent.statusCode, sent.body).toBe(201);
    const keys = await f.post("/v1/analytics/exports", { ...body, level: "page_views" }, f.analyst);
    expect(keys.statusCode).toBe(403);
    expect(keys.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED", clauses: ["Z16-09"] });
    const ledger = await f.t.store.db.selectFrom("disclosures").selectAll().execute();
    expect(ledger.map((d) => [d.recipient_id, d.kind, d.subject_count])).toEqual([
      ["tracking-vendor", "aggregate", 0],
    ]);
  });
});
