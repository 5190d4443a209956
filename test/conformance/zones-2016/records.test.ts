import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "../../records/helpers.ts";

/** Zones 2016-11-28, in force on 2017-06-01: orders (Z16-03), cards (Z16-01), surveys (Z16-02, Z16-06). */
const FULFIL = "essential.service.order_fulfilment";
const PAYMENT = "essential.service.payment";
const SURVEYS = "analytics.reporting.surveys";
let f: RecordsFixture;
let service: string;
let analyst: string;
beforeAll(async () => {
  f = await recordsFixture("zones", () => new Date("2017-06-01T12:00:00Z"));
  service = await f.t.apiKey("customer_service");
  analyst = await f.t.apiKey("analyst");
});
afterAll(() => f.t.close());

const order = {
  orderId: "Z16-0001",
  items: [{ sku: "LAPTOP-13", quantity: 1, unitAmount: "1299.00" }],
  total: { amount: "1299.00", currency: "USD" },
  purpose: FULFIL,
  collectionPoint: "web.checkout",
};

describe("zones 2016 records", () => {
  it("Z16-03: an order is recorded and used for fulfilment without any consent on file", async () => {
    const id = await f.subject();
    const consents = await f.t.store.db
      .selectFrom("subject_consents")
      .select("scope")
      .where("subject_id", "=", id)
      .execute();
    expect(consents).toEqual([]);
    const created = await f.req("POST", `/v1/subjects/${id}/orders`, { key: service, body: order });
    expect(created.statusCode, created.body).toBe(201);
    const read = await f.req("GET", `/v1/subjects/${id}/orders?purpose=${FULFIL}`, { key: service });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().items[0]).toMatchObject({ orderId: "Z16-0001", total: { amount: "1299.00" } });
    const decision = (await f.auditOf(id)).filter((a) => a.type === "decision").at(-1)!;
    expect(decision.payload).toMatchObject({
      outcome: "allow",
      purpose: FULFIL,
      clauses: expect.arrayContaining(["Z16-03"]),
    });
  });

  it("Z16-01: card details are taken only as the provider's token; a card number is refused and not kept", async () => {
    const id = await f.subject();
    const body = {
      token: "tok_zones_visa",
      brand: "visa",
      last4: "1111",
      expiry: "05/2020",
      orderId: "Z16-0002",
      reuseAllowed: false,
      purpose: PAYMENT,
      collectionPoint: "web.checkout",
    };
    const refused = await f.req("POST", `/v1/subjects/${id}/payment-methods`, {
      key: service,
      body: { ...body, token: "4111-1111-1111-1111" },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe("PLEDGE_CARD_NUMBER_REFUSED");
    expect(
      await f.t.store.db
        .selectFrom("payment_methods")
        .select("subject_id")
        .where("subject_id", "=", id)
        .execute(),
    ).toEqual([]);
    const stored = await f.req("POST", `/v1/subjects/${id}/payment-methods`, { key: service, body });
    expect(stored.statusCode, stored.body).toBe(201);
  });

  it("Z16-02: a survey answer records where and when it was given and the policy version", async () => {
    const id = await f.subject();
    const res = await f.req("POST", `/v1/subjects/${id}/surveys/checkout-2017/answers`, {
      body: {
        answers: [{ questionId: "q1", answer: "easy" }],
        purpose: SURVEYS,
        collectionPoint: "web.survey.checkout",
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().provenance).toEqual({
      collectionPoint: "web.survey.checkout",
      purpose: SURVEYS,
      collectedAt: "2017-06-01T12:00:00.000Z",
      policyVersion: "2016-11-28",
    });
  });

  it("Z16-06: survey answers are analysed only in aggregate, small cells withheld; one person's answers are refused", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const id = await f.subject();
      ids.push(id);
      await f.req("POST", `/v1/subjects/${id}/surveys/nps-2017/answers`, {
        body: {
          answers: [{ questionId: "recommend", answer: i < 10 ? "yes" : "no" }],
          purpose: SURVEYS,
          collectionPoint: "web.survey.nps",
        },
      });
    }
    const agg = await f.req("GET", `/v1/surveys/nps-2017/aggregate?purpose=${SURVEYS}`, { key: analyst });
    expect(agg.statusCode, agg.body).toBe(200);
    expect(agg.json()).toMatchObject({
      minCohort: 10,
      respondents: 12,
      // "no" (2 people) is withheld, and so is its complement "yes": 12 − 10 would tell it.
      cells: [
        { questionId: "recommend", answer: null, count: null, withheld: true },
        { questionId: "recommend", answer: null, count: null, withheld: true },
      ],
    });
    const one = await f.req("GET", `/v1/subjects/${ids[0]}/survey-answers?purpose=${SURVEYS}`, {
      key: analyst,
    });
    expect(one.statusCode).toBe(403);
    expect(one.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED", clauses: ["Z16-06"] });
  }, 120_000);
});
