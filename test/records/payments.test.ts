import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "./helpers.ts";

const BILLING = "essential.service.provision_billing";
const SAVED = "functional.service.saved_details";
const method = (over: Record<string, unknown> = {}) => ({
  token: "tok_1N3xYz2eZvKYlo2C",
  brand: "visa",
  last4: "4242",
  expiry: "09/2029",
  orderId: "ORD-1",
  reuseAllowed: false,
  purpose: BILLING,
  collectionPoint: "web.checkout",
  ...over,
});

describe("payment methods (zmailcloud)", () => {
  let f: RecordsFixture;
  let id: string;
  beforeAll(async () => {
    f = await recordsFixture("zmailcloud");
    id = await f.subject();
  });
  afterAll(async () => f.t.close());

  const add = async (over: Record<string, unknown> = {}) => {
    const res = await f.req("POST", `/v1/subjects/${id}/payment-methods`, { body: method(over) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { paymentMethodId: string; version: number; token?: string };
  };
  const charge = (pm: string, orderId: string, purpose = BILLING, headers: Record<string, string> = {}) =>
    f.req("POST", `/v1/subjects/${id}/payment-methods/${pm}/charges`, {
      body: { orderId, purpose },
      headers,
    });

  it("stores the token, brand, last four and expiry encrypted; the answer carries none of them", async () => {
    const pm = await add();
    expect(pm.token).toBeUndefined();
    const row = await f.t.store.db
      .selectFrom("payment_methods")
      .selectAll()
      .where("payment_method_id", "=", pm.paymentMethodId)
      .executeTakeFirstOrThrow();
    for (const v of [row.token_enc, row.last4_enc, row.brand_enc, row.expiry_enc]) {
      expect(v).not.toMatch(/tok_|4242|visa|2029/);
    }
    const list = (await f.req("GET", `/v1/subjects/${id}/payment-methods?purpose=${BILLING}`)).json();
    expect(list.items[0]).toMatchObject({
      brand: "visa",
      last4: "4242",
      givenForOrder: "ORD-1",
      reuseAllowed: false,
    });
  });

  it("refuses a card number anywhere, a last4 that is not 4 digits, and a token hiding a card", async () => {
    const card = await f.req("POST", `/v1/subjects/${id}/payment-methods`, {
      body: method({ token: "4111 1111 1111 1111" }),
    });
    expect(card.statusCode).toBe(400);
    expect(card.json().code).toBe("PLEDGE_CARD_NUMBER_REFUSED");
    expect(card.body).not.toContain("4111");
    const last4 = await f.req("POST", `/v1/subjects/${id}/payment-methods`, {
      body: method({ last4: "424" }),
    });
    expect(last4.json().code).toBe("PLEDGE_PAYMENT_METHOD_INVALID");
    const hidden = await f.req("POST", `/v1/subjects/${id}/payment-methods`, {
      body: method({ token: "tok4111111111111111x" }),
    });
    expect(hidden.statusCode).toBe(400);
    expect(hidden.body).not.toContain("4111111111111111");
  });

  it("ZM-14: charges for the order it was given for; for another order only with reuse allowed", async () => {
    const pm = await add();
    const own = await charge(pm.paymentMethodId, "ORD-1");
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json()).toMatchObject({ orderId: "ORD-1", reuse: false, token: "tok_1N3xYz2eZvKYlo2C" });

    const other = await charge(pm.paymentMethodId, "ORD-2", SAVED);
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ code: "PLEDGE_CHARGE_REFUSED" });
    expect(other.json().clauses).toContain("ZM-14");

    const wrongPurpose = await charge(pm.paymentMethodId, "ORD-2", BILLING);
    expect(wrongPurpose.statusCode).toBe(403);
    expect(wrongPurpose.json().clauses).toContain("ZM-14");

    const allowed = await f.req("PATCH", `/v1/subjects/${id}/payment-methods/${pm.paymentMethodId}`, {
      body: { reuseAllowed: true, purpose: BILLING, collectionPoint: "web.billing-manager" },
      headers: { "if-match": `"${pm.version}"` },
    });
    expect(allowed.statusCode, allowed.body).toBe(200);
    const reused = await charge(pm.paymentMethodId, "ORD-2", SAVED);
    expect(reused.statusCode, reused.body).toBe(201);
    expect(reused.json()).toMatchObject({ orderId: "ORD-2", reuse: true });
  });

  it("the permission is per method too: another method without reuse stays refused", async () => {
    const pm = await add({ orderId: "ORD-9" });
    const res = await charge(pm.paymentMethodId, "ORD-10", SAVED);
    expect(res.statusCode).toBe(403);
  });

  it("every charge and refusal is audited, never with the token or the caller's order id", async () => {
    const audit = await f.auditOf(id);
    const types = audit.map((a) => a.type);
    expect(types).toContain("payment.charged");
    expect(types).toContain("payment.charge_refused");
    expect(JSON.stringify(audit)).not.toContain("tok_1N3xYz2eZvKYlo2C");
    expect(JSON.stringify(audit)).not.toContain("ORD-");
  });

  it("a charge retried with its Idempotency-Key returns the same charge; another charge with it is 422", async () => {
    const pm = await add({ orderId: "ORD-20" });
    const headers = { "idempotency-key": "charge-key-0001" };
    const a = await charge(pm.paymentMethodId, "ORD-20", BILLING, headers);
    const b = await charge(pm.paymentMethodId, "ORD-20", BILLING, headers);
    expect(a.statusCode).toBe(201);
    expect(b.json().chargeId).toBe(a.json().chargeId);
    const charges = await f.t.store.db
      .selectFrom("payment_charges")
      .select("charge_id")
      .where("payment_method_id", "=", pm.paymentMethodId)
      .execute();
    expect(charges).toHaveLength(1);
    const c = await charge(pm.paymentMethodId, "ORD-21", BILLING, headers);
    expect(c.statusCode).toBe(422);
    expect(c.json().code).toBe("PLEDGE_IDEMPOTENCY_MISMATCH");
  });

  it("an unknown method answers 404", async () => {
    const res = await charge("00000000-0000-4000-8000-000000000000", "ORD-1");
    expect(res.statusCode).toBe(404);
  });
});
