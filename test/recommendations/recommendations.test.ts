import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Signed } from "../customers/helpers.ts";
import { as } from "../customers/helpers.ts";
import { recsFixture, type RecsFixture } from "./helpers.ts";

/**
 * The Z16-08 exception through the HTTP API, on the zones pack in force in 2018: a signed-in
 * customer's own product views, joined with their own orders, recommend products to that
 * customer and to no one else. Staff, partners, tracking tools and the statistics routes are
 * refused by the gate naming Z16-08; GPC and DNT record nothing; erasure removes the views.
 */
const SITE = "https://zones.example";
const PURPOSE = "personalize.recommendations";
let f: RecsFixture;
let a: Signed;
beforeAll(async () => {
  f = await recsFixture();
  a = await f.customer();
  // A's orders: printer and toner; toner and paper, twice; a laptop, cancelled.
  for (const [id, items] of [
    [
      "O-1",
      [
        { sku: "PRN-1", description: "Laser printer" },
        { sku: "TNR-1", description: "Toner" },
      ],
    ],
    ["O-2", [{ sku: "TNR-1" }, { sku: "PPR-1", description: "Paper" }]],
    ["O-3", [{ sku: "TNR-1" }, { sku: "PPR-1", description: "Paper, 500 sheets" }]],
    ["O-4", [{ sku: "LAP-9", description: "Laptop" }]],
  ] as const) {
    const res = await f.order(a, id, items);
    if (res.statusCode !== 201) throw new Error(`order answered ${res.statusCode}: ${res.body}`);
  }
  const cancel = await f.t.app.inject({
    method: "POST",
    url: `/v1/subjects/${a.subjectId}/orders/moves`,
    headers: { authorization: `Bearer ${f.keys.customer_service}`, "if-match": "*" },
    payload: { orderId: "O-4", action: "cancel", purpose: "essential.service.order_fulfilment" },
  });
  if (cancel.statusCode !== 200) throw new Error(`cancel answered ${cancel.statusCode}: ${cancel.body}`);
  // 100 days before: a view that is past the window by the time of the others.
  f.at("2018-02-20T12:00:00Z");
  expect((await f.view(a, `${SITE}/p/old-1`, "OLD-1")).statusCode).toBe(204);
  const views: [string, string, string][] = [
    ["2018-06-01T12:00:00Z", "/p/lap-9?ref=ada@example.com#x", "LAP-9"],
    ["2018-06-01T12:01:00Z", "/p/mon-2", "MON-2"],
    ["2018-06-01T12:02:00Z", "/p/mon-2", "MON-2"],
    ["2018-06-01T12:03:00Z", "/p/tnr-1", "TNR-1"],
    ["2018-06-01T12:04:00Z", "/p/kbd-3", "KBD-3"],
  ];
  for (const [at, path, product] of views) {
    f.at(at);
    const res = await f.view(a, `${SITE}${path}`, product);
    if (res.statusCode !== 204) throw new Error(`view answered ${res.statusCode}: ${res.body}`);
  }
  f.at("2018-06-01T13:00:00Z");
});
afterAll(() => f.t.close());

const EXPECTED = [
  {
    product: "KBD-3",
    reason: "viewed",
    views: 1,
    lastViewedAt: "2018-06-01T12:04:00.000Z",
    page: { site: "zones.example", path: "/p/kbd-3" },
  },
  {
    product: "MON-2",
    reason: "viewed",
    views: 2,
    lastViewedAt: "2018-06-01T12:02:00.000Z",
    page: { site: "zones.example", path: "/p/mon-2" },
  },
  {
    product: "LAP-9",
    reason: "viewed",
    views: 1,
    lastViewedAt: "2018-06-01T12:00:00.000Z",
    page: { site: "zones.example", path: "/p/lap-9" },
  },
  {
    product: "PPR-1",
    reason: "bought_with",
    boughtWith: "TNR-1",
    orders: 2,
    description: "Paper, 500 sheets",
  },
  { product: "PRN-1", reason: "bought_with", boughtWith: "TNR-1", orders: 1, description: "Laser printer" },
];

describe("Z16-08: recommendations to the signed-in customer", () => {
  it("joins the customer's own product views with their own orders, as documented", async () => {
    const res = await f.recommendations(a);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.json()).toEqual({ purpose: PURPOSE, items: EXPECTED });
    // The view past 90 days was deleted when a later view was recorded; the query string never kept.
    expect(await f.stored(a)).toBe(5);
    expect(res.body).not.toContain("OLD-1");
    const two = await f.recommendations(a, "?limit=2");
    expect(two.json().items).toEqual(EXPECTED.slice(0, 2));
    expect((await f.recommendations(a, "?limit=0")).statusCode).toBe(400);
  });

  it("keeps the views apart from the site statistics, sealed, and audits each decision as the customer", async () => {
    expect(await f.t.store.db.selectFrom("page_views").selectAll().execute()).toEqual([]);
    const rows = await f.t.store.db
      .selectFrom("product_views")
      .select("view_enc")
      .where("subject_id", "=", a.subjectId)
      .execute();
    expect(JSON.stringify(rows)).not.toContain("KBD-3");
    const decisions = await f.t.store.db
      .selectFrom("audit_log")
      .select(["actor", "payload"])
      .where("type", "=", "decision")
      .where("subject_id", "=", a.subjectId)
      .execute();
    const mine = decisions
      .map((d) => ({
        actor: d.actor,
        ...(d.payload as { purpose: string; action: string; outcome: string }),
      }))
      .filter((d) => d.purpose === PURPOSE);
    expect(mine.filter((d) => d.action === "collect")).toHaveLength(6);
    expect(mine.filter((d) => d.action === "read").length).toBeGreaterThan(0);
    for (const d of mine) {
      expect(d).toMatchObject({
        actor: `customer:${a.subjectId}`,
        outcome: "allow",
        clauses: ["Z16-08"],
      });
    }
  });

  it("another customer's session gets that customer's recommendations only", async () => {
    const b = await f.customer();
    expect((await f.recommendations(b)).json()).toEqual({ purpose: PURPOSE, items: [] });
    expect((await f.view(b, `${SITE}/p/cam-7`, "CAM-7")).statusCode).toBe(204);
    const theirs = await f.recommendations(b);
    expect(theirs.json().items).toEqual([
      {
        product: "CAM-7",
        reason: "viewed",
        views: 1,
        lastViewedAt: "2018-06-01T13:00:00.000Z",
        page: { site: "zones.example", path: "/p/cam-7" },
      },
    ]);
    expect((await f.recommendations(a)).json().items).toEqual(EXPECTED);
  });

  it("records nothing under Sec-GPC: 1 or DNT: 1, and still answers 204", async () => {
    const c = await f.customer();
    for (const signal of [{ "sec-gpc": "1" }, { dnt: "1" }] as Record<string, string>[]) {
      const res = await f.view(c, `${SITE}/p/mon-2`, "MON-2", signal);
      expect(res.statusCode).toBe(204);
    }
    expect(await f.stored(c)).toBe(0);
    expect((await f.recommendations(c)).json().items).toEqual([]);
    expect((await f.view(c, `${SITE}/p/mon-2`, "MON-2", { dnt: "0" })).statusCode).toBe(204);
    expect(await f.stored(c)).toBe(1);
  });

  it("records only while signed in, with the session's CSRF token, and refuses a page that is no web page", async () => {
    const c = await f.customer();
    const anonymous = await f.t.app.inject({
      method: "POST",
      url: "/v1/account/views",
      payload: { page: `${SITE}/p/x`, product: "X-1" },
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe("PLEDGE_SESSION_REQUIRED");
    const forged = await f.t.app.inject({
      method: "POST",
      url: "/v1/account/views",
      headers: as(c, {}, false),
      payload: { page: `${SITE}/p/x`, product: "X-1" },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().code).toBe("PLEDGE_CSRF_FAILED");
    const bad = await f.view(c, "javascript:alert(1)", "X-1");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe("PLEDGE_VALIDATION_FAILED");
    expect((await f.t.app.inject({ method: "GET", url: "/v1/account/recommendations" })).statusCode).toBe(
      401,
    );
    expect(await f.stored(c)).toBe(0);
  });
});

describe("Z16-08: never exported", () => {
  it("a staff export for the purpose is refused, whatever the role; an export for another purpose has no product views", async () => {
    for (const key of Object.values(f.keys)) {
      const res = await f.staff("GET", `/v1/subjects/${a.subjectId}/export?purpose=${PURPOSE}`, key);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED", clauses: ["Z16-08"] });
      expect(res.body).not.toContain("KBD-3");
    }
    // The legal role's purpose reaches web logs, yet the customer's own views are no part of it.
    const legal = await f.staff(
      "GET",
      `/v1/subjects/${a.subjectId}/export?purpose=essential.legal_obligation`,
      f.keys.legal,
    );
    expect(legal.statusCode, legal.body).toBe(200);
    expect(Object.keys(legal.json().sections as object)).not.toContain("product_views");
    expect(legal.body).not.toContain("KBD-3");
  });

  it("the statistics report, a tracking tool and a partner export are refused naming Z16-08", async () => {
    const report = await f.staff(
      "GET",
      `/v1/analytics/report?site=zones.example&from=2018-06-01&to=2018-06-01&purpose=${PURPOSE}`,
      f.keys.analyst,
    );
    expect(report.statusCode, report.body).toBe(403);
    expect(report.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED", clauses: ["Z16-08"] });
    const tracker = await f.staff("POST", "/v1/analytics/exports", f.keys.analyst, {
      site: "zones.example",
      from: "2018-06-01",
      to: "2018-06-01",
      purpose: PURPOSE,
      recipient: "tracking-vendor",
    });
    expect(tracker.statusCode, tracker.body).toBe(403);
    expect(tracker.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED", clauses: ["Z16-08"] });
    const partner = await f.staff("POST", "/v1/exports", f.keys.marketing, {
      recipient: "marketing-partners",
      purpose: PURPOSE,
      fields: ["web_log"],
      format: "csv",
    });
    expect(partner.statusCode, partner.body).toBe(403);
    expect(partner.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED", clauses: ["Z16-08"] });
    const ledger = await f.t.store.db.selectFrom("disclosures").selectAll().execute();
    expect(ledger).toEqual([]);
  });

  it("a staff key asking the gate directly is refused naming Z16-08", async () => {
    const res = await f.staff("POST", "/v1/decisions", f.keys.marketing, {
      use: { action: "read", purpose: PURPOSE, fields: ["web_log", "order_items"] },
      subjectId: a.subjectId,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().decision).toMatchObject({ outcome: "deny", reasons: [{ clause: "Z16-08", rule: 5 }] });
  });
});

describe("Z16-08: the customer's own data", () => {
  it("the access export and the package of an access request show the views; erasure removes them", async () => {
    const c = await f.customer();
    expect((await f.view(c, `${SITE}/p/mon-2?email=query-probe@example.net`, "MON-2")).statusCode).toBe(204);
    const own = await f.t.app.inject({
      method: "GET",
      url: "/v1/account/me/export",
      headers: as(c, {}, false),
    });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().sections.product_views).toEqual([
      {
        site: "zones.example",
        path: "/p/mon-2",
        product: "MON-2",
        at: "2018-06-01T13:00:00.000Z",
        policyVersion: "2016-11-28",
      },
    ]);
    expect(own.body).not.toContain("query-probe@example.net");
    const made = await f.t.app.inject({
      method: "POST",
      url: "/v1/account/requests",
      headers: as(c),
      payload: { kind: "access" },
    });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().request.id as string;
    const current = await f.staff("GET", `/v1/requests/${id}`, f.keys.admin);
    const done = await f.t.app.inject({
      method: "POST",
      url: `/v1/requests/${id}/moves`,
      headers: { authorization: `Bearer ${f.keys.admin}`, "if-match": String(current.headers.etag) },
      payload: { to: "fulfilled" },
    });
    expect(done.statusCode, done.body).toBe(200);
    const zip = await f.t.app.inject({
      method: "GET",
      url: `/v1/account/requests/${id}/package`,
      headers: as(c, {}, false),
    });
    expect(zip.statusCode).toBe(200);
    const files = unzipSync(new Uint8Array(zip.rawPayload));
    const data = JSON.parse(strFromU8(files["data.json"]!)) as { sections: Record<string, unknown> };
    expect(data.sections.product_views).toEqual(own.json().sections.product_views);

    const erased = await f.staff("DELETE", `/v1/subjects/${c.subjectId}`, f.keys.admin);
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json().sections).toContainEqual({
      name: "product_views",
      deleted: 1,
      kept: 0,
      keptReason: null,
    });
    expect(await f.stored(c)).toBe(0);
    expect((await f.recommendations(c)).statusCode).toBe(401);
  });
});
