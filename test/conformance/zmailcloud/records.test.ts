import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "../../records/helpers.ts";

/** zMailCloud 2015-10-17: services (ZM-07) and payment methods (ZM-07, ZM-14), as the billing desk. */
const BILLING = "essential.service.provision_billing";
const SAVED = "functional.service.saved_details";
let f: RecordsFixture;
let billing: string;
beforeAll(async () => {
  f = await recordsFixture("zmailcloud");
  billing = await f.t.apiKey("billing");
});
afterAll(() => f.t.close());

const card = (orderId: string, reuseAllowed: boolean) => ({
  token: "tok_zm_visa_01",
  brand: "visa",
  last4: "1881",
  expiry: "12/2028",
  orderId,
  reuseAllowed,
  purpose: BILLING,
  collectionPoint: "billing.manager",
});

describe("zmailcloud records", () => {
  it("ZM-07: a customer's services can be added, changed and cancelled, each step kept", async () => {
    const id = await f.subject();
    const base = { purpose: BILLING, collectionPoint: "billing.manager" };
    const added = await f.req("POST", `/v1/subjects/${id}/services`, {
      key: billing,
      body: { plan: "hosted-exchange-basic", ...base },
    });
    expect(added.statusCode, added.body).toBe(201);
    const url = `/v1/subjects/${id}/services/${added.json().serviceId}`;
    const changed = await f.req("PATCH", url, {
      key: billing,
      body: { action: "change", plan: "hosted-exchange-pro", ...base },
      headers: { "if-match": added.headers.etag as string },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const cancelled = await f.req("PATCH", url, {
      key: billing,
      body: { action: "cancel", ...base },
      headers: { "if-match": changed.headers.etag as string },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    const read = (await f.req("GET", `${url}?purpose=${BILLING}`, { key: billing })).json();
    expect(read).toMatchObject({ status: "cancelled", plan: "hosted-exchange-pro" });
    expect(read.history.map((h: { action: string }) => h.action)).toEqual(["add", "change", "cancel"]);
  });

  it("ZM-07: billing details are added as the provider's token, with where they were given", async () => {
    const id = await f.subject();
    const res = await f.req("POST", `/v1/subjects/${id}/payment-methods`, {
      key: billing,
      body: card("INV-1", false),
    });
    expect(res.statusCode, res.body).toBe(201);
    const list = (
      await f.req("GET", `/v1/subjects/${id}/payment-methods?purpose=${BILLING}`, { key: billing })
    ).json();
    expect(list.items[0]).toMatchObject({
      brand: "visa",
      last4: "1881",
      givenForOrder: "INV-1",
      provenance: { collectionPoint: "billing.manager", policyVersion: "2015-10-17" },
    });
  });

  it("ZM-14: a card is charged for the order it was given for; for another order only with permission", async () => {
    const id = await f.subject();
    const pm = (
      await f.req("POST", `/v1/subjects/${id}/payment-methods`, { key: billing, body: card("INV-7", false) })
    ).json();
    const charge = (orderId: string, purpose: string) =>
      f.req("POST", `/v1/subjects/${id}/payment-methods/${pm.paymentMethodId}/charges`, {
        key: billing,
        body: { orderId, purpose },
      });

    const own = await charge("INV-7", BILLING);
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json()).toMatchObject({ reuse: false, policyVersion: "2015-10-17" });

    const refused = await charge("INV-8", SAVED);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      code: "PLEDGE_CHARGE_REFUSED",
      clauses: expect.arrayContaining(["ZM-14"]),
    });

    const permitted = await f.req("PATCH", `/v1/subjects/${id}/payment-methods/${pm.paymentMethodId}`, {
      key: billing,
      body: { reuseAllowed: true, purpose: BILLING, collectionPoint: "billing.manager" },
      headers: { "if-match": `"${pm.version}"` },
    });
    expect(permitted.statusCode, permitted.body).toBe(200);
    const consent = await f.t.store.db
      .selectFrom("subject_permissions")
      .select("permission")
      .where("subject_id", "=", id)
      .execute();
    expect(consent).toEqual([{ permission: "card_reuse" }]);

    const reused = await charge("INV-8", SAVED);
    expect(reused.statusCode, reused.body).toBe(201);
    expect(reused.json()).toMatchObject({ orderId: "INV-8", reuse: true });
  });
});
