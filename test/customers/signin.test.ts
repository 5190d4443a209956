import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { PASSWORD, cookiesOf, signIn, signedFrom, signedUp } from "./helpers.ts";

/** Sign-in on PartStore: one answer for every failure, lock-out, rate limit, rotation, cookies. */
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

  it("answers a wrong password, an unknown email and a locked account identically", async () => {
    const known = await signedUp(t.app);
    const locked = await signedUp(t.app);
    await t.store.db
      .updateTable("customer_accounts")
      .set({ locked_until: new Date(now.getTime() + 60_000) })
      .where("subject_id", "=", locked.subjectId)
      .execute();
    const wrong = await signIn(t.app, known.email, "not the password at all", { ip: freshIp() });
    const unknown = await signIn(t.app, "nobody-here@example.com", PASSWORD, { ip: freshIp() });
    const refused = await signIn(t.app, locked.email, PASSWORD, { ip: freshIp() });
    const malformed = await signIn(t.app, "not an email", PASSWORD, { ip: freshIp() });
    for (const res of [wrong, unknown, refused, malformed]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers["set-cookie"]).toBeUndefined();
      expect(problemOf(res)).toEqual(problemOf(wrong));
    }
    expect(problemOf(wrong)).toMatchObject({ code: "PLEDGE_SIGNIN_FAILED" });
  });

  it("locks the account after 10 consecutive failures for 15 minutes, then lets the right password in", async () => {
    const c = await signedUp(t.app);
    for (let i = 0; i < 9; i++)
      expect((await signIn(t.app, c.email, `wrong password ${i}`, { ip: freshIp() })).statusCode).toBe(401);
    // Nine failures: the right password still works and starts the count again.
    expect((await signIn(t.app, c.email, PASSWORD, { ip: freshIp() })).statusCode).toBe(200);
    for (let i = 0; i < 10; i++) await signIn(t.app, c.email, `wrong password ${i}`, { ip: freshIp() });
    const account = await t.store.db
      .selectFrom("customer_accounts")
      .select("locked_until")
      .where("subject_id", "=", c.subjectId)
      .executeTakeFirstOrThrow();
    expect(account.locked_until?.getTime()).toBe(now.getTime() + 15 * 60_000);
    expect((await signIn(t.app, c.email, PASSWORD, { ip: freshIp() })).statusCode).toBe(401);
    now = new Date(now.getTime() + 15 * 60_000 + 1);
    expect((await signIn(t.app, c.email, PASSWORD, { ip: freshIp() })).statusCode).toBe(200);
    const failures = await t.store.db
      .selectFrom("audit_log")
      .select(["actor", "payload"])
      .where("subject_id", "=", c.subjectId)
      .where("type", "=", "customer.signin_failed")
      .execute();
    expect(failures.length).toBe(20);
    expect(JSON.stringify(failures)).not.toContain(c.email);
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
    // Another address, or the same address for another account, is not held back.
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
