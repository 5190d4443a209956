import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../harness/app.ts";
import { as, signUp, signedUp } from "../../customers/helpers.ts";
import { keptRows } from "../../customers/kept.ts";

/** Zones 2019-12-31, in force on 2024-03-01: age gate at sign-up (Z19-07), own access (Z19-09). */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ company: "zones", clock: () => new Date("2024-03-01T12:00:00Z") });
});
afterAll(() => t.close());

describe("zones 2019: own access", () => {
  it("Z19-07: a child under 13 is refused at sign-up and nothing the child submitted is kept", async () => {
    const before = await keptRows(t.store.db);
    const { res } = await signUp(t.app, { birthDate: "2012-01-01" });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: "PLEDGE_UNDER_MINIMUM_AGE",
      clauses: expect.arrayContaining(["Z19-07"]),
    });
    expect(await keptRows(t.store.db)).toEqual(before);
  });

  it("Z19-09: customers can see their own Customer Information online", async () => {
    const c = await signedUp(t.app);
    const seen = await t.app.inject({ method: "GET", url: "/v1/account/me", headers: as(c) });
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json()).toMatchObject({
      id: c.subjectId,
      fields: {
        email: { value: c.email, collectionPoint: "web.signup", policyVersion: "2019-12-31" },
        first_name: { value: "Ada" },
        last_name: { value: "Lovelace" },
        customer_number: { value: c.customer },
      },
      decision: { outcome: "allow", policy: { company: "zones", version: "2019-12-31" } },
    });
    const audit = await t.store.db
      .selectFrom("audit_log")
      .select(["actor", "payload"])
      .where("subject_id", "=", c.subjectId)
      .where("type", "=", "decision")
      .orderBy("seq", "desc")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      actor: `customer:${c.subjectId}`,
      payload: { purpose: "essential.service.account" },
    });
  });

  it("Z19-09: nobody else's record is reachable from a session: the subject is the session's", async () => {
    const a = await signedUp(t.app);
    const b = await signedUp(t.app);
    const seen = await t.app.inject({
      method: "GET",
      url: `/v1/account/me?subject=${b.subjectId}`,
      headers: as(a),
    });
    expect(seen.json()).toMatchObject({ id: a.subjectId });
    const staffRoute = await t.app.inject({
      method: "GET",
      url: `/v1/subjects/${b.subjectId}?purpose=essential.service.account`,
      headers: as(a),
    });
    expect(staffRoute.statusCode).toBe(401);
  });
});
