import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { PASSWORD, cookiesOf, signIn, signedFrom, signedUp } from "./helpers.ts";

/** Sign-in on PartStore: one answer for every failure, audit, rate limit, rotation, cookies. */
let t: TestApp;
let now = new Date("2026-01-10T10:00:00Z");
beforeAll(async () => {
  t = await buildTestApp({ company: "partstore", clock: () => now });
});
afterAll(() => t.close());

const problemOf = (res: { json(): unknown }) => {
  const { instance: _, ...rest } = res.json() as Record<string, unknown>;
  return rest;
};
let ipCounter = 0;
/** A fresh client address, so the per-IP limits stay out of tests about other things. */
const freshIp = () => `198.51.100.${++ipCounter}`;

describe("POST /v1/account/signin", () => {
  it("signs in with the right password: a new session, the same customer number", async () => {
    const first = await signedUp(t.app);
    const res = await signIn(t.app, first.email.toUpperCase(), PASSWORD, { ip: freshIp() });
    expect(res.statusCode, res.body).toBe(200);
    const again = signedFrom(res);
    expect(again.subjectId).toBe(first.subjectId);
    expect(again.session).not.toBe(first.session);
    expect(again.csrfToken).not.toBe(first.csrfToken);
    expect(cookiesOf(res).get("pledge_session")).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: "Lax",
      path: "/",
    });
    const customer = cookiesOf(res).get("pledge_customer")!;
    expect(customer.value).toBe(first.customer);
    expect(customer.httpOnly).not.toBe(true);
  });

  it("answers a wrong password, an unknown email and a malformed one identically", async () => {
    const known = await signedUp(t.app);
    const wrong = await signIn(t.app, known.email, "not the password at all", { ip: freshIp() });
    const unknown = await signIn(t.app, "nobody-here@example.com", PASSWORD, { ip: freshIp() });
    const malformed = await signIn(t.app, "not an email", PASSWORD, { ip: freshIp() });
    for (const res of [wrong, unknown, malformed]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers["set-cookie"]).toBeUndefined();
      expect(problemOf(res)).toEqual(problemOf(wrong));
    }
    expect(problemOf(wrong)).toMatchObject({ code: "PLEDGE_SIGNIN_FAILED" });
  });

  it("audits wrong passwords on an account with the count and the back-off, never the email", async () => {
    const c = await signedUp(t.app);
    for (let i = 0; i < 5; i++) await signIn(t.app, c.email, `wrong password ${i}`, { ip: freshIp() });
    const failures = await t.store.db
      .selectFrom("audit_log")
      .select(["actor", "payload"])
      .where("subject_id", "=", c.subjectId)
      .where("type", "=", "customer.signin_failed")
      .orderBy("seq")
      .execute();
    expect(failures.map((f) => f.payload)).toEqual([
      ...[1, 2, 3, 4].map((n) => ({
        reason: "wrong_password",
        failedAttempts: n,
        retryAt: null,
        knownDevice: false,
      })),
      {
        reason: "wrong_password",
        failedAttempts: 5,
        retryAt: new Date(now.getTime() + 1000).toISOString(),
        knownDevice: false,
      },
    ]);
    expect(JSON.stringify(failures)).not.toContain(c.email);
    now = new Date(now.getTime() + 1000);
  });

  it("rate-limits 5 attempts a minute per IP and account with 429 and Retry-After", async () => {
    const c = await signedUp(t.app);
    const ip = freshIp();
    for (let i = 0; i < 5; i++)
      expect((await signIn(t.app, c.email, `wrong ${i} password`, { ip })).statusCode).toBe(401);
    const limited = await signIn(t.app, c.email, PASSWORD, { ip });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: "PLEDGE_RATE_LIMITED" });
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    // Another address, once the account's back-off (1 s after five failures) is over, or the
    // same address for another account, is not held back.
    now = new Date(now.getTime() + 1000);
    expect((await signIn(t.app, c.email, PASSWORD, { ip: freshIp() })).statusCode).toBe(200);
    expect((await signIn(t.app, "someone-else@example.com", PASSWORD, { ip })).statusCode).toBe(401);
    now = new Date(now.getTime() + 12_000);
    expect((await signIn(t.app, c.email, PASSWORD, { ip })).statusCode).toBe(200);
  });

  it("rotates the session: signing in from a browser that holds a session ends that session", async () => {
    const c = await signedUp(t.app);
    const res = await signIn(t.app, c.email, PASSWORD, { ip: freshIp(), cookie: c.cookie });
    const next = signedFrom(res);
    const old = await t.app.inject({ method: "GET", url: "/v1/account/csrf", headers: { cookie: c.cookie } });
    expect(old.statusCode).toBe(401);
    expect(old.json()).toMatchObject({ code: "PLEDGE_SESSION_REQUIRED" });
    const fresh = await t.app.inject({
      method: "GET",
      url: "/v1/account/csrf",
      headers: { cookie: next.cookie },
    });
    expect(fresh.json()).toMatchObject({ csrfToken: next.csrfToken });
  });

  it("expires sessions at their absolute expiry", async () => {
    const c = await signedUp(t.app);
    now = new Date(now.getTime() + 12 * 60 * 60_000 + 1);
    const res = await t.app.inject({ method: "GET", url: "/v1/account/csrf", headers: { cookie: c.cookie } });
    expect(res.statusCode).toBe(401);
  });
});
