import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BILLING, fraudFixture, PARIS, TEXAS, type FraudFixture } from "../../fraud/helpers.ts";
import { as, signedUp } from "../../customers/helpers.ts";
import { until } from "../../harness/wait.ts";

/**
 * zMailCloud ZM-09: "A first order passes automated fraud checks; some sign-ups are held for
 * manual verification; unverifiable ones are rejected." Driven as the customer (sign-up, their own
 * addresses, ordering a service from their own IP address), as the billing desk charging the card
 * for the order, and as the billing desk reviewing the holds.
 */
let f: FraudFixture;
beforeAll(async () => {
  f = await fraudFixture();
});
afterAll(async () => {
  await f.t.close();
  await f.sink.close();
});

interface Hold {
  holdId: string;
  subjectId: string;
  status: string;
  reasons: { code: string; reason: string }[];
  closedBy: string | null;
}

const holdOf = async (holdId: string): Promise<Hold> =>
  (await f.req("GET", `/v1/fraud/holds/${holdId}`)).json() as Hold;

/** The reason codes of the hold an order's answer names, as staff see them (the customer sees none). */
const reasonsOf = async (placed: LightMyRequestResponse): Promise<string[]> =>
  (await holdOf(placed.json().fraudHold.holdId as string)).reasons.map((r) => r.code);

describe("zmailcloud: fraud checks on a first order", () => {
  it("ZM-09: a first order that passes the automated checks is charged at once", async () => {
    const c = await f.customer({});
    const placed = await f.order(c, "100.64.10.1");
    expect(placed.statusCode, placed.body).toBe(201);
    expect(placed.json().fraudHold).toBeUndefined();
    expect((await f.charge(c, placed.json().serviceId)).statusCode).toBe(201);
  });

  it("ZM-09: a disposable domain with a Texas billing and a Paris shipping address is held, not charged", async () => {
    const c = await f.customer({ email: "drop-1@mailinator.com", billing: TEXAS, shipping: PARIS });
    const placed = await f.order(c, "100.64.20.1");
    expect(placed.statusCode, placed.body).toBe(201);
    // The customer is told the order is held, not which checks tripped.
    const { holdId } = placed.json().fraudHold as { holdId: string };
    expect(placed.json().fraudHold).toEqual({ holdId });
    const reasons = await reasonsOf(placed);
    expect(reasons).toEqual(["disposable_email", "country_mismatch"]);

    const charged = await f.charge(c, placed.json().serviceId);
    expect(charged.statusCode).toBe(409);
    expect(charged.json()).toMatchObject({ code: "PLEDGE_FRAUD_HOLD", clauses: ["ZM-09"] });
    const charges = await f.t.store.db
      .selectFrom("payment_charges")
      .select("charge_id")
      .where("subject_id", "=", c.subjectId)
      .execute();
    expect(charges).toEqual([]);

    // The hold is in the list of held customers, each reason in words; no personal value.
    const list = (await f.req("GET", "/v1/fraud/holds?status=held")).json() as { items: Hold[] };
    const listed = list.items.find((h) => h.holdId === holdId)!;
    expect(listed.subjectId).toBe(c.subjectId);
    expect(listed.reasons.map((r) => r.code)).toEqual(reasons);
    expect(listed.reasons[0]!.reason).toMatch(/disposable/);
    expect(JSON.stringify(list)).not.toContain("mailinator");
    expect((await f.req("GET", "/v1/fraud/holds?status=released")).json().items).not.toContainEqual(
      expect.objectContaining({ holdId }),
    );
  });

  it("ZM-09: getting around it by a second order while the first is held: it is held too", async () => {
    const c = await f.customer({ email: "drop-2@yopmail.com" });
    const first = (await f.order(c, "100.64.30.1")).json();
    const second = await f.order(c, "203.0.113.99");
    expect(second.statusCode).toBe(201);
    expect(second.json().fraudHold.holdId).toBe(first.fraudHold.holdId);
    expect((await f.charge(c, second.json().serviceId)).json()).toMatchObject({ code: "PLEDGE_FRAUD_HOLD" });
  });

  it("ZM-09: staff verify a held customer: released, the order is charged, the customer is told; twice is refused", async () => {
    const c = await f.customer({ billing: TEXAS, shipping: PARIS });
    const placed = (await f.order(c, "100.64.40.1")).json();
    const { holdId } = placed.fraudHold;

    // The help desk does not review holds.
    const helpDesk = await f.req("POST", `/v1/fraud/holds/${holdId}/release`, { key: f.support });
    expect(helpDesk.statusCode).toBe(403);

    const released = await f.req("POST", `/v1/fraud/holds/${holdId}/release`);
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json()).toMatchObject({ status: "released", closedBy: expect.stringMatching(/^staff:/) });
    expect((await f.charge(c, placed.serviceId)).statusCode).toBe(201);

    const mail = await f.mailTo(c.email, /Subject: zMailCloud: your account is verified/);
    expect(mail.raw).toContain(holdId);
    expect(mail.raw).toMatch(/essential message/);
    expect(mail.raw).not.toMatch(/List-Unsubscribe/i);

    for (const move of ["release", "reject"]) {
      const again = await f.req("POST", `/v1/fraud/holds/${holdId}/${move}`);
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ code: "PLEDGE_FRAUD_HOLD_CLOSED" });
    }
    expect((await holdOf(holdId)).status).toBe("released");
    // Once verified, a later order is not a first order and is not held.
    expect((await f.order(c, "100.64.41.1")).json().fraudHold).toBeUndefined();
  });

  it("ZM-09: unverifiable ones are rejected: no order is charged or taken, they are told, every step audited", async () => {
    const c = await f.customer({ email: "drop-3@guerrillamail.com" });
    const placed = (await f.order(c, "100.64.50.1")).json();
    const rejected = await f.req("POST", `/v1/fraud/holds/${placed.fraudHold.holdId}/reject`);
    expect(rejected.statusCode, rejected.body).toBe(200);

    // The service ordered is not taken: it is cancelled, the step in its history.
    const services = await f.t.app.inject({
      method: "GET",
      url: "/v1/account/me/services",
      headers: as(c.session),
    });
    const service = (
      services.json().items as { serviceId: string; status: string; history: { action: string }[] }[]
    ).find((s) => s.serviceId === placed.serviceId)!;
    expect(service.status).toBe("cancelled");
    expect(service.history.map((h) => h.action)).toEqual(["add", "cancel"]);

    const again = await f.order(c, "100.64.51.1");
    expect(again.statusCode).toBe(403);
    expect(again.json()).toMatchObject({ code: "PLEDGE_FRAUD_REJECTED", clauses: ["ZM-09"] });
    expect((await f.charge(c, placed.serviceId)).json()).toMatchObject({ code: "PLEDGE_FRAUD_HOLD" });

    await f.mailTo(c.email, /Subject: zMailCloud: we could not verify your account/);
    const moves = await until("the notice's audit event", async () => {
      const rows = await f.t.store.db
        .selectFrom("audit_log")
        .select("type")
        .where("subject_id", "=", c.subjectId)
        .where("type", "in", ["fraud.checked", "fraud.hold_moved", "fraud.notice_sent"])
        .orderBy("seq")
        .execute();
      return rows.length === 3 ? rows : null;
    });
    expect(moves.map((m) => m.type)).toEqual(["fraud.checked", "fraud.hold_moved", "fraud.notice_sent"]);
  });

  it("ZM-09: getting around it with more accounts from the same network: the third first order is held", async () => {
    // The pack allows two first orders per network a day; a neighbouring address is the same /24.
    const [a, b, c] = [await f.customer({}), await f.customer({}), await f.customer({})];
    expect((await f.order(a, "198.51.100.7")).json().fraudHold).toBeUndefined();
    expect((await f.order(b, "198.51.100.8")).json().fraudHold).toBeUndefined();
    expect(await reasonsOf(await f.order(c, "198.51.100.200"))).toEqual(["velocity_source"]);
    // The same over IPv6 within one /48.
    const [d, e, g] = [await f.customer({}), await f.customer({}), await f.customer({})];
    await f.order(d, "2001:db8:aa::1");
    await f.order(e, "2001:db8:aa:1::1");
    expect(await reasonsOf(await f.order(g, "2001:db8:aa:ffff::9"))).toEqual(["velocity_source"]);
  });

  it("ZM-09: getting around it with aliases of one mailbox: the second account is held", async () => {
    const a = await f.customer({ email: "ada.king@gmail.com" });
    const b = await f.customer({ email: "Adaking+shop@googlemail.com" });
    expect((await f.order(a, "100.64.60.1")).json().fraudHold).toBeUndefined();
    expect(await reasonsOf(await f.order(b, "100.64.61.1"))).toEqual(["velocity_email"]);
  });

  it("ZM-09: getting around it with another spelling of a country: codes are normalised, names refused", async () => {
    const c = await f.customer({
      billing: { ...TEXAS, country: "us" },
      shipping: { ...PARIS, country: "fr" },
    });
    expect(await reasonsOf(await f.order(c, "100.64.70.1"))).toEqual(["country_mismatch"]);
    const d = await signedUp(f.t.app);
    const spelled = await f.t.app.inject({
      method: "POST",
      url: "/v1/account/me/addresses",
      headers: as(d),
      payload: { kind: "postal", address: { line1: "1 Rue de Rivoli", ...PARIS, country: "France" } },
    });
    expect(spelled.statusCode).toBe(400);
    // A billing address outside the countries the policy serves (US) is held too.
    const abroad = await f.customer({ billing: PARIS, shipping: PARIS });
    expect(await reasonsOf(await f.order(abroad, "100.64.72.1"))).toEqual(["billing_outside_served"]);
    // Without a billing address there is nothing to check against: held, not passed.
    const e = await f.customer({ billing: null });
    expect(await reasonsOf(await f.order(e, "100.64.71.1"))).toEqual(["no_billing_address"]);
  });

  it("ZM-09: a hold not verified within the pack's limit (P7D) is rejected as unverifiable by the expiry run", async () => {
    const c = await f.customer({ billing: TEXAS, shipping: PARIS });
    const { holdId } = (await f.order(c, "100.64.80.1")).json().fraudHold;
    const early = await f.req("POST", "/v1/fraud/holds/expire");
    expect(early.json().expired).not.toContain(holdId);

    f.now = new Date(f.now.getTime() + 7 * 24 * 3600 * 1000 + 1000);
    const run = await f.req("POST", "/v1/fraud/holds/expire");
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json().expired).toContain(holdId);
    expect((await holdOf(holdId)).status).toBe("expired");
    // The customer's session has ended by now; the billing desk cannot order for them either.
    const later = await f.req("POST", `/v1/subjects/${c.subjectId}/services`, {
      body: { plan: "hosted-exchange-basic", purpose: BILLING, collectionPoint: "billing.manager" },
    });
    expect(later.statusCode).toBe(403);
    expect(later.json()).toMatchObject({ code: "PLEDGE_FRAUD_REJECTED" });
    const told = await f.mailTo(c.email, /Subject: zMailCloud: we could not verify your account/);
    expect(told.raw).toContain(holdId);
    // A second run finds nothing more to do.
    expect((await f.req("POST", "/v1/fraud/holds/expire")).json().expired).toEqual([]);
  });
});
