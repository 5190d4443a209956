import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { PASSWORD, as, signIn, signedUp } from "./helpers.ts";

/** The account is a section of the record: export shows it (dates only), erasure removes it. */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ company: "zmailcloud" });
});
afterAll(() => t.close());

describe("the account section", () => {
  it("is in the person's own access export as dates, without the password hash; never in a staff export", async () => {
    const c = await signedUp(t.app);
    const res = await t.app.inject({ method: "GET", url: "/v1/account/me/export", headers: as(c) });
    expect(res.statusCode, res.body).toBe(200);
    const account = (res.json() as { sections: Record<string, unknown> }).sections.account;
    expect(account).toMatchObject({ createdAt: expect.any(String), lastSigninAt: null });
    expect(res.body).not.toContain("$argon2id");
    const key = await t.apiKey("admin");
    const staff = await t.app.inject({
      method: "GET",
      url: `/v1/subjects/${c.subjectId}/export?purpose=essential.service.provision_billing`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(staff.statusCode, staff.body).toBe(200);
    expect(Object.keys((staff.json() as { sections: object }).sections)).not.toContain("account");
  });

  it("is erased with the subject: sessions end and the email no longer signs in", async () => {
    const c = await signedUp(t.app);
    const key = await t.apiKey("admin");
    const erased = await t.app.inject({
      method: "DELETE",
      url: `/v1/subjects/${c.subjectId}`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(erased.statusCode, erased.body).toBe(200);
    expect((await t.app.inject({ method: "GET", url: "/v1/account/me", headers: as(c) })).statusCode).toBe(
      401,
    );
    expect((await signIn(t.app, c.email, PASSWORD, { ip: "192.0.2.99" })).statusCode).toBe(401);
    const rows = await t.store.db
      .selectFrom("customer_accounts")
      .select("subject_id")
      .where("subject_id", "=", c.subjectId)
      .execute();
    expect(rows).toEqual([]);
  });
});
