import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyticsFixture, visits, type AnalyticsFixture } from "../../analytics/helpers.ts";

/** Zones 2019-12-31, in force on 2020-06-01: web logs and tracking tools through the analytics API (Z19-02). */
const SITE = "zones.example";
let f: AnalyticsFixture;
beforeAll(async () => {
  f = await analyticsFixture("zones", "2020-06-01T12:00:00Z");
  await visits(f, SITE, ["/"], { from: 0, count: 12 });
  await visits(f, SITE, ["/account/orders"], { from: 200, count: 2 });
});
afterAll(() => f.t.close());

describe("zones 2019 site statistics", () => {
  it("Z19-02: web logs give aggregates with small cells withheld; tracking tools never get identifiers", async () => {
    const res = await f.get(
      `/v1/analytics/report?site=${SITE}&from=2020-06-01&to=2020-06-01&purpose=analytics.reporting.visitors`,
      f.analyst,
    );
    expect(res.statusCode, res.body).toBe(200);
    const day = (
      res.json() as { days: { visitors: number; pages: { cells: { key: string }[]; withheld: number } }[] }
    ).days[0]!;
    expect(day.visitors).toBe(14);
    expect(day.pages.cells.map((c) => c.key)).not.toContain("/account/orders");
    expect(day.pages.withheld).toBe(2);
    const body = {
      site: SITE,
      from: "2020-06-01",
      to: "2020-06-01",
      purpose: "analytics.reporting.visitors",
      recipient: "tracking-vendor",
    };
    const keys = await f.post("/v1/analytics/exports", { ...body, level: "page_views" }, f.analyst);
    expect(keys.statusCode).toBe(403);
    expect(keys.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED", clauses: ["Z19-02"] });
    await f.t.app.inject({
      method: "PUT",
      url: "/v1/recipients/tracking-vendor",
      headers: { authorization: `Bearer ${f.admin}` },
      payload: {
        legalName: "Tracker Inc.",
        address: "1 Main St, Austin, TX 78701, US",
        contractRef: "T-2",
        contractSignedOn: "2020-01-01",
      },
    });
    const sent = await f.post("/v1/analytics/exports", body, f.analyst);
    expect(sent.statusCode, sent.body).toBe(201);
    const ledger = await f.t.store.db.selectFrom("disclosures").selectAll().execute();
    expect(ledger.map((d) => [d.recipient_id, d.kind, d.subject_count])).toEqual([
      ["tracking-vendor", "aggregate", 0],
    ]);
  });
});
