import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "../records/helpers.ts";

/**
 * Billing details under retention, through the API on the zmailcloud pack: "Billing records are
 * kept for tax and accounting law" for seven years (credit card and billing address), days in UTC.
 * A billing address and a saved card serve the person's billing while it goes on, so their
 * period runs from the later of the day they were recorded and the person's last order or charge.
 */
const BILLING = "essential.service.provision_billing";
let f: RecordsFixture;
let now = new Date("2018-03-01T12:00:00.000Z");
beforeAll(async () => {
  f = await recordsFixture("zmailcloud", () => now);
});
afterAll(() => f.t.close());

let orders = 0;
/** A customer with a billing address and a card, both recorded at `at`, the card charged then. */
async function billedCustomer(at: string) {
  now = new Date(at);
  const id = await f.subject();
  const addressId = await billingAddress(id, "1 Main St");
  const orderId = `ORD-${++orders}`;
  const card = await f.req("POST", `/v1/subjects/${id}/payment-methods`, {
    body: {
      token: "tok_1N3xYz2eZvKYlo2C",
      brand: "visa",
      last4: "4242",
      expiry: "09/2029",
      orderId,
      reuseAllowed: true,
      purpose: BILLING,
      collectionPoint: "web.checkout",
    },
  });
  expect(card.statusCode, card.body).toBe(201);
  const pm = (card.json() as { paymentMethodId: string }).paymentMethodId;
  const chargeId = await charge(id, pm, orderId);
  return { id, addressId, pm, chargeId };
}
async function billingAddress(id: string, line1: string): Promise<string> {
  const res = await f.req("POST", `/v1/subjects/${id}/addresses`, {
    body: {
      purpose: BILLING,
      collectionPoint: "web.checkout",
      kind: "billing",
      address: { line1, city: "Austin", postalCode: "78701", country: "US" },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { addressId: string }).addressId;
}
/** A charge; for another order than the card was given for, under the saved-details purpose (ZM-14). */
async function charge(id: string, pm: string, orderId: string, purpose = BILLING): Promise<string> {
  const res = await f.req("POST", `/v1/subjects/${id}/payment-methods/${pm}/charges`, {
    body: { orderId, purpose },
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { chargeId: string }).chargeId;
}
const held = async (id: string) =>
  Promise.all(
    (["subject_addresses", "payment_methods", "payment_charges"] as const).map(
      async (table) =>
        (
          await f.t.store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("subject_id", "=", id)
            .executeTakeFirstOrThrow()
        ).n,
    ),
  ).then((ns) => ns.map(Number));
const run = async (body: Record<string, unknown> = {}) => {
  const res = await f.req("POST", "/v1/retention/runs", { body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    id: string;
    report: {
      items: { item: string; erased: number; keptByHold: number; from: string }[];
      unenforced: unknown[];
    };
  };
};
const item = (r: Awaited<ReturnType<typeof run>>, name: string) =>
  r.report.items.find((i) => i.item === name)!;

describe("retention of billing details (zmailcloud, P7Y)", () => {
  it("a billing address and a saved card go seven years after the person's last charge, not after they were recorded; a legal hold keeps them", async () => {
    const lapsed = await billedCustomer("2018-03-01T12:00:00.000Z");
    const active = await billedCustomer("2018-03-01T12:00:00.000Z");
    const holdOn = await billedCustomer("2018-03-01T12:00:00.000Z");
    now = new Date("2018-03-02T12:00:00.000Z");
    const hold = await f.req("POST", `/v1/subjects/${holdOn.id}/legal-holds`, {
      key: await f.t.apiKey("legal"),
      body: { matter: "2025-CV-0007" },
    });
    expect(hold.statusCode, hold.body).toBe(201);
    // The active customer is charged again three years on: their billing goes on.
    now = new Date("2021-06-15T12:00:00.000Z");
    const later = await charge(active.id, active.pm, `ORD-${++orders}`, "functional.service.saved_details");

    // The last day of the period (UTC): everything stays.
    now = new Date("2025-03-01T23:59:00.000Z");
    const before = await run();
    expect(item(before, "billing_addresses").erased).toBe(0);
    expect(item(before, "payment_methods").erased).toBe(0);
    expect(await held(lapsed.id)).toEqual([1, 1, 1]);

    // The next midnight: the lapsed customer's address, card and charge go; the active customer
    // keeps address and card (their last charge is recent) and loses only the old charge.
    now = new Date("2025-03-02T00:00:00.000Z");
    const dry = await run({ dryRun: true });
    expect(item(dry, "billing_addresses")).toMatchObject({ erased: 1, keptByHold: 1 });
    expect(item(dry, "payment_methods")).toMatchObject({ erased: 1, keptByHold: 1 });
    expect(await held(lapsed.id)).toEqual([1, 1, 1]);
    const after = await run();
    expect(item(after, "billing_addresses")).toMatchObject({
      erased: 1,
      keptByHold: 1,
      from: "the day the address was recorded, or the person's last order or charge if later",
    });
    expect(item(after, "payment_methods")).toMatchObject({ erased: 1, keptByHold: 1 });
    expect(item(after, "charges")).toMatchObject({ erased: 2, keptByHold: 1 });
    expect(after.report.unenforced).toEqual([]);
    expect(await held(lapsed.id)).toEqual([0, 0, 0]);
    expect(await held(active.id)).toEqual([1, 1, 1]);
    expect(await held(holdOn.id)).toEqual([1, 1, 1]);
    const erased = await f.t.store.db
      .selectFrom("audit_log")
      .select("payload")
      .where("type", "=", "retention.erased")
      .where("subject_id", "=", lapsed.id)
      .execute();
    expect(erased.map((e) => e.payload)).toEqual([
      {
        runId: after.id,
        orders: [],
        charges: [lapsed.chargeId],
        billing_addresses: [lapsed.addressId],
        payment_methods: [lapsed.pm],
      },
    ]);
    const remaining = await f.t.store.db
      .selectFrom("payment_charges")
      .select("charge_id")
      .where("subject_id", "=", active.id)
      .execute();
    expect(remaining.map((c) => c.charge_id)).toEqual([later]);

    // Seven years after the active customer's last charge, theirs go too.
    now = new Date("2028-06-16T00:00:00.000Z");
    const last = await run();
    expect(item(last, "billing_addresses").erased).toBe(1);
    expect(item(last, "payment_methods").erased).toBe(1);
    expect(await held(active.id)).toEqual([0, 0, 0]);
    expect(await held(holdOn.id)).toEqual([1, 1, 1]);
  });

  it("an address recorded for a person never billed goes seven years after it was recorded", async () => {
    now = new Date("2019-01-10T09:00:00.000Z");
    const id = await f.subject();
    await billingAddress(id, "2 Side St");
    now = new Date("2026-01-10T23:00:00.000Z");
    await run();
    expect((await held(id))[0]).toBe(1);
    now = new Date("2026-01-11T00:00:00.000Z");
    await run();
    expect((await held(id))[0]).toBe(0);
  });
});
