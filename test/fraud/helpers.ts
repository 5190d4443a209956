import { randomUUID } from "node:crypto";
import type { LightMyRequestResponse } from "fastify";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from "../harness/smtp.ts";
import { until } from "../harness/wait.ts";
import { as, signedFrom, signupBody, type Signed } from "../customers/helpers.ts";

/** zMailCloud with a real SMTP sink and a clock the test moves: customers, orders, charges, holds. */
export const BILLING = "essential.service.provision_billing";

export interface Address {
  readonly city: string;
  readonly region?: string;
  readonly postalCode: string;
  readonly country: string;
}
export const TEXAS: Address = { city: "Austin", region: "TX", postalCode: "73301", country: "US" };
export const PARIS: Address = { city: "Paris", postalCode: "75001", country: "FR" };
export const OHIO: Address = { city: "Columbus", region: "OH", postalCode: "43004", country: "US" };

export interface FraudFixture {
  readonly t: TestApp;
  readonly sink: SmtpSink;
  now: Date;
  /** Keys: the billing desk (reviews holds), the help desk (may not), and an integration (admin). */
  readonly billing: string;
  readonly support: string;
  readonly admin: string;
  req(
    method: "GET" | "POST",
    url: string,
    opts?: { key?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  /** A customer who signed up and entered their billing and shipping (postal) address themself. */
  customer(opts: { email?: string; billing?: Address | null; shipping?: Address | null }): Promise<Customer>;
  /** The customer orders a service themself, from this IP address (their first order, at first). */
  order(c: Customer, source?: string): Promise<LightMyRequestResponse>;
  /** Adds a card for the order and charges it. */
  charge(c: Customer, orderId: string): Promise<LightMyRequestResponse>;
  /** The message the sink received for this address, once it arrived. */
  mailTo(email: string, subject: RegExp): Promise<ReceivedMessage>;
}

export interface Customer {
  readonly subjectId: string;
  readonly email: string;
  readonly session: Signed;
}

let n = 0;
/** A documentation address (RFC 5737) of its own for each sign-up, so sign-up throttling stays out of the way. */
const nextSignupAddress = () => {
  n += 1;
  return `10.${Math.floor(n / 250)}.${n % 250}.1`;
};

export async function fraudFixture(start = "2026-12-01T09:00:00.000Z"): Promise<FraudFixture> {
  const sink = await startSmtpSink();
  const state = { now: new Date(start) };
  const t = await buildTestApp({
    company: "zmailcloud",
    clock: () => state.now,
    env: {
      PLEDGE_SMTP_URL: sink.url,
      PLEDGE_MAIL_FROM: "billing@zmailcloud.test",
      PLEDGE_PUBLIC_URL: "https://privacy.zmailcloud.test",
    },
  });
  const [billing, support, admin] = [await t.apiKey("billing"), await t.apiKey("support"), await t.apiKey()];
  const req: FraudFixture["req"] = (method, url, opts = {}) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${opts.key ?? billing}`, ...opts.headers },
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    });
  const f: FraudFixture = {
    t,
    sink,
    get now() {
      return state.now;
    },
    set now(d: Date) {
      state.now = d;
    },
    billing,
    support,
    admin,
    req,
    async customer(opts) {
      const email = opts.email ?? `c-${randomUUID().slice(0, 8)}@example.com`;
      const signup = await t.app.inject({
        method: "POST",
        url: "/v1/account/signup",
        payload: signupBody({ email }),
        remoteAddress: nextSignupAddress(),
      });
      if (signup.statusCode !== 201) throw new Error(`sign-up answered ${signup.statusCode}: ${signup.body}`);
      const c = signedFrom(signup);
      const addresses = [
        ["billing", opts.billing === undefined ? OHIO : opts.billing],
        ["postal", opts.shipping === undefined ? OHIO : opts.shipping],
      ] as const;
      for (const [kind, address] of addresses) {
        if (address === null) continue;
        const res = await t.app.inject({
          method: "POST",
          url: "/v1/account/me/addresses",
          headers: as(c),
          payload: { kind, address: { line1: "1 Main St", ...address } },
        });
        if (res.statusCode !== 201) throw new Error(`address answered ${res.statusCode}: ${res.body}`);
      }
      return { subjectId: c.subjectId, email, session: c };
    },
    order(c, source = "127.0.0.1") {
      return t.app.inject({
        method: "POST",
        url: "/v1/account/me/services",
        headers: as(c.session),
        payload: { plan: "hosted-exchange-basic" },
        remoteAddress: source,
      });
    },
    async charge(c, orderId) {
      const pm = await req("POST", `/v1/subjects/${c.subjectId}/payment-methods`, {
        body: {
          token: `tok_${randomUUID().slice(0, 8)}`,
          brand: "visa",
          last4: "4242",
          expiry: "12/2029",
          orderId,
          reuseAllowed: false,
          purpose: BILLING,
          collectionPoint: "web.checkout",
        },
      });
      if (pm.statusCode !== 201) throw new Error(`payment method answered ${pm.statusCode}: ${pm.body}`);
      return req("POST", `/v1/subjects/${c.subjectId}/payment-methods/${pm.json().paymentMethodId}/charges`, {
        body: { orderId, purpose: BILLING },
      });
    },
    mailTo(email, subject) {
      return until(`a message to the customer matching ${subject}`, () => {
        const m = sink.messages.find(
          (x) => x.envelope.to.includes(email) && subject.test(x.raw.replace(/\r\n[ \t]+/g, " ")),
        );
        return m ?? null;
      });
    },
  };
  return f;
}
