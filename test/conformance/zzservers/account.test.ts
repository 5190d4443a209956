import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../harness/app.ts";
import { as, signedUp } from "../../customers/helpers.ts";

/** ZZ Servers: customers' own changes and billing staff's changes on their behalf (ZZ-09). */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ company: "zzservers" });
});
afterAll(() => t.close());

const lastUpdate = (subjectId: string) =>
  t.store.db
    .selectFrom("audit_log")
    .select(["actor", "payload"])
    .where("subject_id", "=", subjectId)
    .where("type", "=", "subject.updated")
    .orderBy("seq", "desc")
    .executeTakeFirstOrThrow();

describe("zzservers: own access", () => {
  it("ZZ-09: customers change their own information in the control panel, audited as themselves", async () => {
    const c = await signedUp(t.app);
    const res = await t.app.inject({
      method: "PATCH",
      url: "/v1/account/me",
      headers: as(c, { "if-match": '"1"' }),
      payload: { phone: "+1 212 555 0199", last_name: "Byron" },
    });
    expect(res.statusCode, res.body).toBe(200);
    const event = await lastUpdate(c.subjectId);
    expect(event.actor).toBe(`customer:${c.subjectId}`);
    expect(event.payload).toMatchObject({
      purpose: "essential.service.provisioning",
      collectionPoint: "web.account",
    });
    expect((event.payload as { fields: string[] }).fields.sort()).toEqual(["last_name", "phone"]);
    expect(JSON.stringify(event)).not.toContain("Byron");
  });

  it("ZZ-09: others' changes go through billing staff, audited with who made them and which fields", async () => {
    const c = await signedUp(t.app);
    const billing = await t.staff("billing", { attested: true });
    const res = await t.app.inject({
      method: "PATCH",
      url: `/v1/subjects/${c.subjectId}`,
      headers: { authorization: `Bearer ${billing.key}`, "if-match": '"1"' },
      payload: {
        purpose: "essential.service.provisioning",
        collectionPoint: "phone.billing",
        fields: { first_name: "Augusta" },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const event = await lastUpdate(c.subjectId);
    expect(event.actor).toBe(`staff:${billing.staffId}`);
    expect(event.payload).toMatchObject({ fields: ["first_name"], collectionPoint: "phone.billing" });
    // The customer sees the change on their own record, with where it was made.
    const view = await t.app.inject({ method: "GET", url: "/v1/account/me", headers: as(c) });
    expect(view.json()).toMatchObject({
      version: 2,
      fields: { first_name: { value: "Augusta", collectionPoint: "phone.billing" } },
    });
  });

  it("ZZ-09: a role that may not maintain accounts cannot make the change", async () => {
    const c = await signedUp(t.app);
    const marketing = await t.staff("marketing", { attested: true });
    const res = await t.app.inject({
      method: "PATCH",
      url: `/v1/subjects/${c.subjectId}`,
      headers: { authorization: `Bearer ${marketing.key}`, "if-match": '"1"' },
      payload: {
        purpose: "essential.service.provisioning",
        collectionPoint: "phone.marketing",
        fields: { first_name: "Eve" },
      },
    });
    expect(res.statusCode).toBe(403);
    const view = await t.app.inject({ method: "GET", url: "/v1/account/me", headers: as(c) });
    expect(view.json()).toMatchObject({ version: 1, fields: { first_name: { value: "Ada" } } });
  });
});
