import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { cookiesOf, signUp } from "./helpers.ts";

/** Sign-up on Zones 2019 (minimum age 13, Z19-07): an adult gets an account, a child nothing. */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ company: "zones" });
});
afterAll(() => t.close());

async function counts() {
  const db = t.store.db;
  const n = async (
    table: "subjects" | "subject_fields" | "subject_identities" | "customer_accounts" | "customer_sessions",
  ) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    subjects: await n("subjects"),
    fields: await n("subject_fields"),
    identities: await n("subject_identities"),
    accounts: await n("customer_accounts"),
    sessions: await n("customer_sessions"),
  };
}

describe("POST /v1/account/signup", () => {
  it("registers an adult: a record, an argon2id account and a session, answered with cookies", async () => {
    const { res } = await signUp(t.app);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as {
      subjectId: string;
      customerNumber: string;
      csrfToken: string;
      expiresAt: string;
    };
    expect(body.customerNumber).toMatch(/^C[A-Z2-7]{12}$/);
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookies = cookiesOf(res);
    expect(cookies.get("pledge_session")).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: "Lax",
      path: "/",
    });
    expect(cookies.get("pledge_customer")).toMatchObject({
      value: body.customerNumber,
      secure: true,
      path: "/",
    });
    const account = await t.store.db
      .selectFrom("customer_accounts")
      .selectAll()
      .where("subject_id", "=", body.subjectId)
      .executeTakeFirstOrThrow();
    expect(account.password_hash).toMatch(/^\$argon2id\$/);
    // Only the session id's hash is stored.
    const session = cookies.get("pledge_session")!.value;
    const rows = await t.store.db
      .selectFrom("customer_sessions")
      .selectAll()
      .where("subject_id", "=", body.subjectId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id_hash).not.toContain(session);
    expect(rows[0]!.id_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("Z19-07: refuses a child under 13 and keeps nothing the child sent", async () => {
    const before = await counts();
    const twelve = new Date();
    twelve.setUTCFullYear(twelve.getUTCFullYear() - 12);
    const { res } = await signUp(t.app, {
      birthDate: twelve.toISOString().slice(0, 10),
      firstName: "Kidname",
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: "PLEDGE_UNDER_MINIMUM_AGE",
      clauses: expect.arrayContaining(["Z19-07"]),
    });
    expect(cookiesOf(res).size).toBe(0);
    expect(await counts()).toEqual(before);
    expect(res.body).not.toContain("Kidname");
  });

  it.each([
    ["short", "too short 1"],
    ["common", "Password123456"],
  ])("refuses a %s password with PLEDGE_PASSWORD_WEAK and keeps nothing", async (_, password) => {
    const before = await counts();
    const { res } = await signUp(t.app, { password });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "PLEDGE_PASSWORD_WEAK" });
    expect(res.body).not.toContain(password);
    expect(await counts()).toEqual(before);
  });

  it("refuses an email that is already registered, without a second record", async () => {
    const { body } = await signUp(t.app);
    const before = await counts();
    const { res } = await signUp(t.app, { email: String(body.email).toUpperCase() });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: "PLEDGE_DUPLICATE_IDENTITY" });
    expect(await counts()).toEqual(before);
  });

  it("refuses an invalid email with its own code and keeps nothing", async () => {
    const before = await counts();
    const { res } = await signUp(t.app, { email: "not-an-address" });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "PLEDGE_INVALID_EMAIL" });
    expect(await counts()).toEqual(before);
  });

  it("records the consent choices ticked on the form, with source web", async () => {
    const { res } = await signUp(t.app, {
      consents: [{ targetKind: "purpose", target: "marketing.communications.email", action: "granted" }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const { subjectId } = res.json() as { subjectId: string };
    const rows = await t.store.db
      .selectFrom("subject_consents")
      .selectAll()
      .where("subject_id", "=", subjectId)
      .execute();
    expect(rows.map((r) => [r.scope, r.state])).toEqual([["marketing.communications.email", "granted"]]);
  });

  it("refuses plain HTTP to a host other than localhost", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/account/signup",
      headers: { host: "shop.example.com" },
      payload: {},
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: "PLEDGE_TLS_REQUIRED" });
  });
});
