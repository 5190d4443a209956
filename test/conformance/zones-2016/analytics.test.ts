import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyticsFixture, visits, type AnalyticsFixture } from "../../analytics/helpers.ts";
import { as, signedUp } from "../../customers/helpers.ts";

/**
 * Zones 2016-11-28, in force on 2017-06-01: site statistics through the analytics API
 * (Z16-08, Z16-09). Hits are collected over HTTP as the script sends them; reports and exports
 * answer aggregates only. The Z16-08 exception (a signed-in customer's own visits joined with
 * their orders, for recommendations to that customer) runs through /v1/account/views and
 * /v1/account/recommendations; test/recommendations/ proves the rest of it.
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

  it("Z16-08: a signed-in customer's own visits, joined with their orders, recommend products to that customer only", async () => {
    const c = await signedUp(f.t.app);
    const other = await signedUp(f.t.app);
    const order = await f.post(
      `/v1/subjects/${c.subjectId}/orders`,
      {
        orderId: "Z-1",
        items: [
          { sku: "LAP-13", description: "13-inch laptop", quantity: 1, unitAmount: "999.00" },
          { sku: "BAG-13", description: "Laptop sleeve", quantity: 1, unitAmount: "29.00" },
        ],
        total: { amount: "1028.00", currency: "USD" },
        purpose: "essential.service.order_fulfilment",
        collectionPoint: "web.checkout",
      },
      await f.t.apiKey("customer_service"),
    );
    expect(order.statusCode, order.body).toBe(201);
    const statistics = await f.t.store.db.selectFrom("page_views").selectAll().execute();
    for (const [path, sku] of [
      ["/laptops/13-inch", "LAP-13"],
      ["/docks/usb-c", "DOCK-1"],
    ]) {
      const seen = await f.t.app.inject({
        method: "POST",
        url: "/v1/account/views",
        headers: as(c),
        payload: { page: `https://${SITE}${path}`, product: sku },
      });
      expect(seen.statusCode, seen.body).toBe(204);
    }
    const res = await f.t.app.inject({
      method: "GET",
      url: "/v1/account/recommendations",
      headers: as(c, {}, false),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      purpose: "personalize.recommendations",
      items: [
        {
          product: "DOCK-1",
          reason: "viewed",
          views: 1,
          lastViewedAt: "2017-06-01T12:00:00.000Z",
          page: { site: SITE, path: "/docks/usb-c" },
        },
        {
          product: "BAG-13",
          reason: "bought_with",
          boughtWith: "LAP-13",
          orders: 1,
          description: "Laptop sleeve",
        },
      ],
    });
    // Another customer's session sees none of it; the anonymous statistics gained nothing.
    const theirs = await f.t.app.inject({
      method: "GET",
      url: "/v1/account/recommendations",
      headers: as(other, {}, false),
    });
    expect(theirs.json()).toEqual({ purpose: "personalize.recommendations", items: [] });
    expect(await f.t.store.db.selectFrom("page_views").selectAll().execute()).toEqual(statistics);
    // The statistics routes never reach it: the gate refuses the purpose there, naming Z16-08.
    const refused = await report("personalize.recommendations");
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED", clauses: ["Z16-08"] });
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
