import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/**
 * Console sign-in through the API (docs/console.md): an admin's invitation, the member's set-up
 * with a password and an authenticator code, sign-in with all three, the session cookie standing
 * in for an API key (with its CSRF token), the member's own attestation, and sign-out.
 */
const PASSWORD = "correct horse battery staple 7";

/** The code an authenticator app shows for `secret` at `at`, as the member would type it. */
export function totpCode(secret: string, at: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: at,
  });
}

function cookieOf(setCookie: string | string[] | undefined): string {
  const line = Array.isArray(setCookie) ? setCookie.find((c) => c.startsWith("pledge_staff=")) : setCookie;
  const value = /^pledge_staff=([^;]*)/.exec(line ?? "")?.[1];
  if (value === undefined) throw new Error("no pledge_staff cookie was set");
  return `pledge_staff=${value}`;
}

describe("console sign-in", () => {
  let t: TestApp;
  let admin: string;
  let now = Date.parse("2026-12-07T10:00:05Z");
  beforeAll(async () => {
    t = await buildTestApp({ company: "zzservers", clock: () => new Date(now) });
    admin = await t.apiKey("admin");
  });
  afterAll(async () => t.close());
  const asAdmin = () => ({ authorization: `Bearer ${admin}` });

  async function newMember(role: string, username: string) {
    const made = await t.app.inject({
      method: "POST",
      url: "/v1/staff",
      headers: asAdmin(),
      payload: { displayName: `Member ${username}`, role },
    });
    const staffId: string = made.json().id;
    const invited = await t.app.inject({
      method: "POST",
      url: `/v1/staff/${staffId}/invitation`,
      headers: asAdmin(),
      payload: { username },
    });
    expect(invited.statusCode, invited.body).toBe(201);
    return { staffId, setupCode: invited.json().setupCode as string };
  }

  async function setUp(username: string, setupCode: string) {
    const secret = await t.app.inject({
      method: "POST",
      url: "/v1/console/setup/secret",
      payload: { username, setupCode },
    });
    expect(secret.statusCode, secret.body).toBe(200);
    const key: string = secret.json().secret;
    const done = await t.app.inject({
      method: "POST",
      url: "/v1/console/setup",
      payload: { username, setupCode, password: PASSWORD, code: totpCode(key, now) },
    });
    return { key, done };
  }

  it("an invited member sets up a password and an authenticator, and is signed in", async () => {
    const { staffId, setupCode } = await newMember("support", "robin.s");
    const secret = await t.app.inject({
      method: "POST",
      url: "/v1/console/setup/secret",
      payload: { username: "robin.s", setupCode },
    });
    expect(secret.json().uri).toMatch(/^otpauth:\/\/totp\/Pledge:robin\.s\?/);
    expect(secret.json().qrSvg).toMatch(/^<svg/);
    const { done } = await setUp("robin.s", setupCode);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ staffId, csrfToken: expect.any(String) });
    const setCookie = String(done.headers["set-cookie"]);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);

    // The store keeps no password, key or session id in the clear.
    const row = await t.store.db
      .selectFrom("staff_logins")
      .selectAll()
      .where("staff_id", "=", staffId)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.totp_secret).not.toContain(secret.json().secret);
    expect(row.setup_code_hash).toBeNull();

    // The set-up code is spent.
    const again = await t.app.inject({
      method: "POST",
      url: "/v1/console/setup/secret",
      payload: { username: "robin.s", setupCode },
    });
    expect(again.statusCode).toBe(403);
    expect(again.json().code).toBe("PLEDGE_STAFF_SETUP_INVALID");
  });

  it("a wrong authenticator code leaves the invitation open and nothing set", async () => {
    const { staffId, setupCode } = await newMember("billing", "kim");
    const bad = await t.app.inject({
      method: "POST",
      url: "/v1/console/setup",
      payload: { username: "kim", setupCode, password: PASSWORD, code: "000000" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe("PLEDGE_STAFF_CODE_INVALID");
    const weak = await t.app.inject({
      method: "POST",
      url: "/v1/console/setup",
      payload: { username: "kim", setupCode, password: "password123", code: "000000" },
    });
    expect(weak.json().code).toBe("PLEDGE_PASSWORD_WEAK");
    const row = await t.store.db
      .selectFrom("staff_logins")
      .select(["password_hash", "setup_code_hash"])
      .where("staff_id", "=", staffId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ password_hash: null, setup_code_hash: expect.any(String) });
    const { done } = await setUp("kim", setupCode);
    expect(done.statusCode).toBe(200);
  });

  it("signs in with username, password and a fresh code; a code is good once; every failure looks the same", async () => {
    const { setupCode } = await newMember("support", "alex");
    const { key } = await setUp("alex", setupCode);
    now += 30_000;
    const code = totpCode(key, now);
    const signIn = (body: object) =>
      t.app.inject({ method: "POST", url: "/v1/console/signin", payload: body });
    const ok = await signIn({ username: "alex", password: PASSWORD, code });
    expect(ok.statusCode, ok.body).toBe(200);
    for (const body of [
      { username: "alex", password: PASSWORD, code }, // the same code again
      { username: "alex", password: "not the password at all", code: totpCode(key, now + 30_000) },
      { username: "nobody-here", password: PASSWORD, code: totpCode(key, now + 30_000) },
      { username: "alex", password: PASSWORD, code: "12345" },
    ]) {
      const refused = await signIn(body);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({
        code: "PLEDGE_STAFF_SIGNIN_FAILED",
        detail: "the username, password or code is not right",
      });
    }
  });

  it("the session cookie works for staff routes, with its CSRF token for changes; sign-out ends it", async () => {
    const { staffId, setupCode } = await newMember("support", "sam");
    const { done } = await setUp("sam", setupCode);
    const cookie = cookieOf(done.headers["set-cookie"]);
    const csrf: string = done.json().csrfToken;

    const me = await t.app.inject({ method: "GET", url: "/v1/console/me", headers: { cookie } });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({
      staffId,
      role: "support",
      attestedAt: null,
      attestation: { required: true },
      csrfToken: csrf,
    });
    expect(me.json().attestation.clauses.map((c: { id: string }) => c.id)).toContain("ZZ-04");
    expect(me.json().purposes).toContain("essential.service.provisioning");
    // The roles an administrator can give, for the console's form to add staff.
    expect(me.json().roles).toContainEqual({ id: "support", name: expect.any(String) });
    expect(me.json().roles.at(-1)).toEqual({ id: "admin", name: "Administrator" });

    // ZZ-04: no personal data before the attestation, with a session as with a key.
    const list = () => t.app.inject({ method: "GET", url: "/v1/subjects", headers: { cookie } });
    expect((await list()).json().code).toBe("PLEDGE_USE_REFUSED");

    const noToken = await t.app.inject({
      method: "POST",
      url: "/v1/console/attestation",
      headers: { cookie },
      payload: { confirm: true },
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().code).toBe("PLEDGE_CSRF_FAILED");
    const attested = await t.app.inject({
      method: "POST",
      url: "/v1/console/attestation",
      headers: { cookie, "x-csrf-token": csrf },
      payload: { confirm: true },
    });
    expect(attested.statusCode, attested.body).toBe(200);
    expect(attested.json().attestedAt).toEqual(new Date(now).toISOString());
    expect((await list()).statusCode).toBe(200);

    // A role's limits hold for a session as for a key.
    const staffList = await t.app.inject({ method: "GET", url: "/v1/staff", headers: { cookie } });
    expect(staffList.json().code).toBe("PLEDGE_FORBIDDEN_ROLE");

    const out = await t.app.inject({ method: "POST", url: "/v1/console/signout", headers: { cookie } });
    expect(out.statusCode).toBe(204);
    const after = await list();
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe("PLEDGE_AUTH_MISSING");

    const events = await t.store.db
      .selectFrom("audit_log")
      .select("type")
      .where("actor", "=", `staff:${staffId}`)
      .orderBy("seq")
      .execute();
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["staff.sign_in_set_up", "staff.attested", "staff.signed_out"]),
    );
  });

  it("a new invitation keeps the old sign-in until it is completed, then ends the old sessions", async () => {
    const { staffId, setupCode } = await newMember("support", "lee");
    const { done } = await setUp("lee", setupCode);
    const oldCookie = cookieOf(done.headers["set-cookie"]);
    const reinvited = await t.app.inject({
      method: "POST",
      url: `/v1/staff/${staffId}/invitation`,
      headers: asAdmin(),
      payload: { username: "lee" },
    });
    const me = () => t.app.inject({ method: "GET", url: "/v1/console/me", headers: { cookie: oldCookie } });
    expect((await me()).statusCode).toBe(200);
    now += 60_000;
    const second = await setUp("lee", reinvited.json().setupCode);
    expect(second.done.statusCode).toBe(200);
    expect((await me()).statusCode).toBe(401);
  });

  it("refuses a username another member has, and an expired invitation", async () => {
    const { staffId } = await newMember("support", "taken");
    const other = await t.app.inject({
      method: "POST",
      url: "/v1/staff",
      headers: asAdmin(),
      payload: { displayName: "Other", role: "support" },
    });
    const clash = await t.app.inject({
      method: "POST",
      url: `/v1/staff/${other.json().id}/invitation`,
      headers: asAdmin(),
      payload: { username: "Taken" },
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().code).toBe("PLEDGE_USERNAME_TAKEN");
    const invited = await t.app.inject({
      method: "POST",
      url: `/v1/staff/${staffId}/invitation`,
      headers: asAdmin(),
      payload: { username: "taken" },
    });
    now += 73 * 3600_000;
    const late = await t.app.inject({
      method: "POST",
      url: "/v1/console/setup/secret",
      payload: { username: "taken", setupCode: invited.json().setupCode },
    });
    expect(late.json().code).toBe("PLEDGE_STAFF_SETUP_INVALID");
    const login = await t.app.inject({
      method: "GET",
      url: `/v1/staff/${staffId}/login`,
      headers: asAdmin(),
    });
    expect(login.json()).toEqual({ username: "taken", canSignIn: false, invitationOpen: false });
  });

  it("limits failed sign-ins per source address", async () => {
    const attempts = [];
    for (let i = 0; i < 12; i++) {
      attempts.push(
        await t.app.inject({
          method: "POST",
          url: "/v1/console/signin",
          remoteAddress: "203.0.113.9",
          payload: { username: "nobody", password: "wrong wrong wrong", code: "000000" },
        }),
      );
    }
    expect(attempts.slice(0, 10).every((r) => r.statusCode === 401)).toBe(true);
    expect(attempts.at(-1)?.statusCode).toBe(429);
  });
});
