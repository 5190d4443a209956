import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disclosureFixture, type DisclosureFixture } from "../../disclosures/helpers.ts";

describe("zzservers: no third parties; order forms stay in sales tracking; the ledger", () => {
  let f: DisclosureFixture;
  beforeAll(async () => {
    f = await disclosureFixture("zzservers", "2015-06-01T12:00:00Z");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  it("ZZ-06: every third-party export is refused, and nothing is recorded as sent", async () => {
    await f.subject();
    for (const recipient of ["marketing-partners", "email-list-rental", "affiliates"]) {
      const res = await f.req("POST", "/v1/exports", {
        recipient,
        purpose: "marketing.communications.email",
        fields: ["first_name"],
        format: "csv",
      });
      expect(res.statusCode).toBe(400);
      expect((res.json() as { clauses: string[] }).clauses).toContain("ZZ-06");
    }
    expect(await f.ledger()).toEqual([]);
  });

  it("ZZ-02: order-form data goes only to the internal sales-tracking store, and never leaves it", async () => {
    const marketing = await f.t.apiKey("marketing", { attested: true });
    const support = await f.t.apiKey("support", { attested: true });
    const form = { cookieId: "ck_0123456789", orderForm: { plan: "vps-2", coupon: "SPRING" } };
    const stored = await f.req("POST", "/v1/sales-tracking", form, marketing);
    expect(stored.statusCode).toBe(201);
    const read = await f.req("POST", "/v1/sales-tracking/search", { cookieId: form.cookieId }, marketing);
    expect(read.json()).toMatchObject({ items: [{ cookieId: form.cookieId, orderForm: form.orderForm }] });
    expect(
      (await f.req("POST", "/v1/sales-tracking/search", { cookieId: form.cookieId }, support)).statusCode,
    ).toBe(403);
    const id = await f.subject();
    const out = await f.req("POST", `/v1/subjects/${id}/disclosures`, {
      recipient: "authorities",
      purpose: "essential.legal_obligation",
      fields: ["landing_order_form"],
    });
    expect(out.statusCode).toBe(403);
    expect((out.json() as { clauses: string[] }).clauses).toEqual(["ZZ-02"]);
    const list = await f.req("POST", "/v1/exports", {
      recipient: "authorities",
      purpose: "marketing.sales_tracking",
      fields: ["cookie_id", "landing_order_form"],
      format: "csv",
    });
    expect(list.statusCode).toBe(403);
    expect((list.json() as { clauses: string[] }).clauses).toEqual(["ZZ-02"]);
    expect(await f.ledger()).toEqual([]);
  });

  it("ALL-03: every disclosure is in the ledger: recipient, fields, subjects, purpose, time", async () => {
    // The only recipients are internal and the authorities (legal requests, recorded by the legal
    // module with the same ledger): a refused disclosure writes nothing, an allowed one writes a row.
    const id = await f.subject();
    const refused = await f.req("POST", `/v1/subjects/${id}/disclosures`, {
      recipient: "authorities",
      purpose: "essential.legal_obligation",
      fields: ["first_name"],
    });
    expect(refused.statusCode).toBe(403);
    expect(await f.ledger()).toEqual([]);
    const res = await f.req("POST", "/v1/exports", {
      recipient: "sales-tracking",
      purpose: "marketing.sales_tracking",
      fields: ["cookie_id"],
      format: "csv",
    });
    expect(res.statusCode).toBe(400);
    expect(await f.ledger()).toEqual([]);
  });
});
