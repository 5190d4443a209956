import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, marketing, type Fixture } from "./fixture.ts";

/** POST /v1/decisions with `subjectId`: the gate reads the stored subject's facts. */
describe("decisions for a stored subject", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture("zones");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  it("reads the stored facts, names the subject in the audit row, and refuses unknown ids or both forms", async () => {
    const id = await f.subject();
    const use = marketing("marketing.communications.email", "email");
    expect((await f.decide(id, use)).reasons.map((r) => r.code)).toEqual(["consent_missing"]);
    const res = await f.req("POST", "/v1/decisions", { use, subjectId: id });
    const seq = res.json().audit.seq as number;
    const row = await f.t.store.db
      .selectFrom("audit_log")
      .select("subject_id")
      .where("seq", "=", seq)
      .executeTakeFirstOrThrow();
    expect(row.subject_id).toBe(id);
    const ghost = await f.req("POST", "/v1/decisions", {
      use,
      subjectId: "00000000-0000-4000-8000-00000000beef",
    });
    expect(ghost.statusCode).toBe(404);
    const both = await f.req("POST", "/v1/decisions", {
      use,
      subjectId: id,
      facts: { subject: { status: "customer" } },
    });
    expect(both.statusCode).toBe(400);
  });
});
