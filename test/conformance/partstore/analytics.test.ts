import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyticsFixture, visits, type AnalyticsFixture } from "../../analytics/helpers.ts";

/** PartStore 2009-09-27: site usage analysed only in aggregate, through the analytics API (PS-03). */
const SITE = "partstore.example";
const PURPOSE = "analytics.reporting.site_usage";
let f: AnalyticsFixture;
beforeAll(async () => {
  f = await analyticsFixture("partstore", "2010-03-01T12:00:00Z");
  await visits(f, SITE, ["/", "/brakes"], { from: 0, count: 10 });
  await visits(f, SITE, ["/brakes/pads-77"], { from: 300, count: 1 });
});
afterAll(() => f.t.close());

describe("partstore site statistics", () => {
  it("PS-03: site usage is analysed in aggregate: one person's page is withheld, with its complement", async () => {
    const res = await f.get(
      `/v1/analytics/report?site=${SITE}&from=2010-03-01&to=2010-03-01&purpose=${PURPOSE}`,
      f.analyst,
    );
    expect(res.statusCode, res.body).toBe(200);
    const day = (
      res.json() as {
        days: { pageViews: number; pages: { cells: { key: string; views: number }[]; withheld: number } }[];
      }
    ).days[0]!;
    expect(day.pageViews).toBe(21);
    expect(day.pages.withheld).toBe(2);
    const published = day.pages.cells.reduce((n, c) => n + c.views, 0);
    // Subtracting what is published leaves two pages together, never the one person's.
    expect(day.pageViews - published).toBe(11);
  });

  it("PS-03: site usage of one person is never analysed: page views with visitor keys are refused", async () => {
    const res = await f.post(
      "/v1/analytics/exports",
      {
        site: SITE,
        from: "2010-03-01",
        to: "2010-03-01",
        purpose: PURPOSE,
        recipient: "catalogue-mailhouse",
        level: "page_views",
      },
      f.analyst,
    );
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED" });
    const marketing = await f.t.apiKey("marketing");
    const other = await f.get(
      `/v1/analytics/report?site=${SITE}&from=2010-03-01&to=2010-03-01&purpose=${PURPOSE}`,
      marketing,
    );
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED" });
  });
});
