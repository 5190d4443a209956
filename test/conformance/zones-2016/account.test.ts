import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../harness/app.ts";
import { as, signUp, signedUp } from "../../customers/helpers.ts";
import { keptRows } from "../../customers/kept.ts";

/** Zones 2016-11-28, in force on 2017-06-01: age gate at sign-up (Z16-15), own access (Z16-17). */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ company: "zones", clock: () => new Date("2017-06-01T12:00:00Z") });
});
afterAll(() => t.close());

describe("zones 2016: own access", () => {
  it("Z16-15: a child under 13 is refused at sign-up and nothing the child submitted is kept", async () => {
    const before = await keptRows(t.store.db);
    const { res } = await signUp(t.app, { birthDate: "2006-01-01", firstName: "Tommy" });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: "PLEDGE_UNDER_MINIMUM_AGE",
      clauses: expect.arrayContaining(["Z16-15"]),
    });
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(await keptRows(t.store.db)).toEqual(before);
  });

  it("Z16-15: a 13-year-old may register", async () => {
    const { res } = await signUp(t.app, { birthDate: "2004-06-01" });
    expect(res.statusCode, res.body).toBe(201);
  });

  it("Z16-17: customers can see and update their own information online", async () => {
    const c = await signedUp(t.app);
    const seen = await t.app.inject({ method: "GET", url: "/v1/account/me", headers: as(c) });
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json()).toMatchObject({
      fields: { email: { value: c.email, policyVersion: "2016-11-28" }, first_name: { value: "Ada" } },
      decision: { outcome: "allow", policy: { company: "zones", version: "2016-11-28" } },
    });
    const updated = await t.app.inject({
      method: "PATCH",
      url: "/v1/account/me",
      headers: as(c, { "if-match": seen.headers.etag as string }),
      payload: { last_name: "King", zip: "94105" },
    });
    expect(updated.statusCode, updated.body).toBe(200);
    const after = await t.app.inject({ method: "GET", url: "/v1/account/me", headers: as(c) });
    expect(after.json()).toMatchObject({ fields: { last_name: { value: "King" }, zip: { value: "94105" } } });
  });
});
