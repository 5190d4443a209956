import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "../../records/helpers.ts";

/** PartStore.com 2009-09-27: order information (PS-01) and card details (PS-02). */
const FULFIL = "essential.service.order_fulfilment";
let f: RecordsFixture;
beforeAll(async () => {
  f = await recordsFixture("partstore");
});
afterAll(() => f.t.close());

describe("partstore records", () => {
  it("PS-01: order information processes the order and personalises shopping, and serves nothing else", async () => {
    const id = await f.subject();
    const created = await f.req("POST", `/v1/subjects/${id}/orders`, {
      body: {
        orderId: "PS-1001",
        items: [{ sku: "BRAKE-PAD-7", quantity: 4, unitAmount: "12.50" }],
        total: { amount: "50.00", currency: "USD" },
        purpose: FULFIL,
        collectionPoint: "web.checkout",
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    for (const purpose of [FULFIL, "personalize.content"]) {
      const read = await f.req("GET", `/v1/subjects/${id}/orders?purpose=${purpose}`);
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json().items[0]).toMatchObject({ orderId: "PS-1001" });
    }
    const other = await f.req("GET", `/v1/subjects/${id}/orders?purpose=essential.service.policy_notice`);
    expect(other.statusCode).toBe(403);
  });

  it("PS-02: nothing shown ever includes full card details: a card number is never accepted, a token is", async () => {
    const id = await f.subject();
    const body = {
      token: "tok_ps_mc_9",
      brand: "mastercard",
      last4: "4444",
      expiry: "11/2011",
      orderId: "PS-1002",
      reuseAllowed: false,
      purpose: FULFIL,
      collectionPoint: "web.checkout",
    };
    const card = await f.req("POST", `/v1/subjects/${id}/payment-methods`, {
      body: { ...body, token: "5555555555554444" },
    });
    expect(card.statusCode).toBe(400);
    expect(card.body).not.toContain("5555555555554444");
    const hidden = await f.req("POST", `/v1/subjects/${id}/payment-methods`, {
      body: { ...body, token: "tok_55555555555544440000000" },
    });
    expect(hidden.statusCode).toBe(400);
    expect(hidden.json().code).toBe("PLEDGE_PAYMENT_METHOD_INVALID");
    expect((await f.req("POST", `/v1/subjects/${id}/payment-methods`, { body })).statusCode).toBe(201);
    const shown = await f.req("GET", `/v1/subjects/${id}/payment-methods?purpose=${FULFIL}`);
    expect(shown.json().items[0]).toMatchObject({ last4: "4444", token: "tok_ps_mc_9" });
    expect(shown.body).not.toMatch(/\d{13,}/);
  });
});
