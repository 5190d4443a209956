import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, signedUp, type Signed } from "../customers/helpers.ts";
import { recordsFixture, type RecordsFixture } from "./helpers.ts";

const FULFIL = "essential.service.order_fulfilment";
const ACCOUNT = "essential.service.account";

describe("records in access export and erasure (zones 2019)", () => {
  let f: RecordsFixture;
  let id: string;
  let customer: Signed;
  beforeAll(async () => {
    f = await recordsFixture("zones");
    customer = await signedUp(f.t.app);
    id = customer.subjectId;
    const ok = (r: { statusCode: number; body: string }) => expect(r.statusCode, r.body).toBe(201);
    ok(
      await f.req("POST", `/v1/subjects/${id}/orders`, {
        body: {
          orderId: "Z-1",
          items: [{ sku: "SRV-1", quantity: 1, unitAmount: "999.00" }],
          total: { amount: "999.00", currency: "USD" },
          purpose: FULFIL,
          collectionPoint: "web.checkout",
        },
      }),
    );
    ok(
      await f.req("POST", `/v1/subjects/${id}/payment-methods`, {
        body: {
          token: "tok_zones_0001",
          brand: "amex",
          last4: "0005",
          expiry: "01/2030",
          orderId: "Z-1",
          reuseAllowed: false,
          purpose: FULFIL,
          collectionPoint: "web.checkout",
        },
      }),
    );
    ok(
      await f.req("POST", `/v1/subjects/${id}/surveys/s1/answers`, {
        body: {
          answers: [{ questionId: "q1", answer: "often" }],
          purpose: ACCOUNT,
          collectionPoint: "web.survey",
        },
      }),
    );
    ok(
      await f.req("POST", `/v1/subjects/${id}/quote-requests`, {
        body: { details: "a quote for 3 laptops", purpose: FULFIL, collectionPoint: "web.quote" },
      }),
    );
  });
  afterAll(async () => f.t.close());

  it("ALL-04: the person's own export carries every record section, decrypted", async () => {
    const res = await f.t.app.inject({ method: "GET", url: "/v1/account/me/export", headers: as(customer) });
    expect(res.statusCode, res.body).toBe(200);
    const { sections } = res.json();
    expect(sections.orders[0]).toMatchObject({
      orderId: "Z-1",
      total: { amount: "999.00", currency: "USD" },
    });
    expect(sections.payment_methods.methods[0]).toMatchObject({ token: "tok_zones_0001", last4: "0005" });
    expect(sections.survey_answers[0]).toMatchObject({ surveyId: "s1", answer: "often" });
    expect(sections.quote_requests[0]).toMatchObject({ details: "a quote for 3 laptops" });
    expect(sections.services).toEqual([]);
    expect(sections.communications).toEqual([]);
  });

  it("erasure deletes what may go, keeps orders with the reason, and leaves them unreadable", async () => {
    const res = await f.req("DELETE", `/v1/subjects/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const byName = Object.fromEntries(body.sections.map((s: { name: string }) => [s.name, s]));
    expect(byName.orders).toMatchObject({ deleted: 0, kept: 1 });
    expect(byName.orders.keptReason).toMatch(/tax/);
    expect(byName.payment_methods).toMatchObject({ deleted: 1, kept: 0 });
    expect(byName.survey_answers).toMatchObject({ deleted: 1 });
    expect(byName.quote_requests).toMatchObject({ deleted: 1 });
    expect(body.keyDestroyed).toBe(true);

    const db = f.t.store.db;
    const order = await db
      .selectFrom("orders")
      .selectAll()
      .where("subject_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(order.items_enc).not.toContain("SRV-1");
    for (const table of [
      "payment_methods",
      "survey_answers",
      "quote_requests",
      "communications",
      "services",
    ] as const) {
      const rows = await db.selectFrom(table).select("subject_id").where("subject_id", "=", id).execute();
      expect(rows, table).toEqual([]);
    }
    const read = await f.req("GET", `/v1/subjects/${id}/orders?purpose=${FULFIL}`);
    expect(read.statusCode).toBe(404);
  });
});
