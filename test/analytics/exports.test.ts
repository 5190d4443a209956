import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyticsFixture, visits, type AnalyticsFixture } from "./helpers.ts";

/**
 * Site reports sent to a third-party tracking tool (zones 2016: `tracking-vendor`, purpose
 * analytics.reporting.site_performance): aggregates only, through the gate, recorded in the
 * disclosure ledger as an act concerning no one; page views with visitor keys are refused.
 */
let f: AnalyticsFixture;
const SITE = "shop.example";
const body = (extra: Record<string, unknown> = {}) => ({
  site: SITE,
  from: "2017-06-05",
  to: "2017-06-05",
  purpose: "analytics.reporting.site_performance",
  recipient: "tracking-vendor",
  ...extra,
});
const ledger = () => f.t.store.db.selectFrom("disclosures").selectAll().orderBy("at").execute();

beforeAll(async () => {
  f = await analyticsFixture("zones", "2017-06-05T09:00:00Z");
  await visits(f, SITE, ["/", "/deals"], { from: 0, count: 11 });
});
afterAll(() => f.t.close());

describe("exports to a tracking tool", () => {
  it("is refused without a contract on file, and records nothing", async () => {
    const res = await f.post("/v1/analytics/exports", body(), f.analyst);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED" });
    expect(await ledger()).toEqual([]);
  });

  it("Z16-09: sends aggregates only, recorded in the disclosure ledger as concerning no one", async () => {
    const put = await f.t.app.inject({
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
    expect(put.statusCode, put.body).toBe(200);
    const res = await f.post("/v1/analytics/exports", body(), f.analyst);
    expect(res.statusCode, res.body).toBe(201);
    const sent = res.json() as {
      disclosureId: string;
      days: { pageViews: number; pages: { cells: unknown[] } }[];
    };
    expect(sent.days[0]).toMatchObject({ pageViews: 22, visitors: 11 });
    expect(JSON.stringify(sent)).not.toMatch(/visitor"\s*:\s*"|10\.0\./);
    const rows = await ledger();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      disclosure_id: sent.disclosureId,
      recipient_id: "tracking-vendor",
      kind: "aggregate",
      purpose: "analytics.reporting.site_performance",
      subject_count: 0,
    });
    const people = await f.t.store.db.selectFrom("disclosure_subjects").selectAll().execute();
    expect(people).toEqual([]);
    const events = await f.t.store.db
      .selectFrom("audit_log")
      .select(["type", "payload"])
      .where("type", "in", ["disclosure.recorded", "analytics.reported"])
      .execute();
    expect(events.map((e) => e.type).sort()).toEqual(["analytics.reported", "disclosure.recorded"]);
  });

  it("Z16-09: page views with their visitor keys never go to a tracking tool; nothing is recorded", async () => {
    const res = await f.post("/v1/analytics/exports", body({ level: "page_views" }), f.analyst);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED", clauses: ["Z16-09"] });
    expect(await ledger()).toHaveLength(1);
  });

  it("Z16-09: a purpose the recipient does not serve is refused", async () => {
    const res = await f.post(
      "/v1/analytics/exports",
      body({ purpose: "analytics.reporting.visitors" }),
      f.analyst,
    );
    expect(res.statusCode).toBe(403);
    expect(await ledger()).toHaveLength(1);
  });
});
