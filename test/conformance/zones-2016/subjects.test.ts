import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpAll, rowCounts, subjectsFixture, type SubjectsFixture } from "../../subjects/helpers.ts";

/** Zones 2016-11-28 (clock pinned inside that version): the customer record through /v1/subjects. */
const P = "essential.service.account";
const AT = new Date("2017-06-01T12:00:00Z");
let f: SubjectsFixture;
beforeAll(async () => {
  f = await subjectsFixture("zones", () => AT);
});
afterAll(() => f.t.close());

describe("zones 2016 subjects", () => {
  it("Z16-01: a card number in any field is refused and never stored", async () => {
    const r = await f.create({ fields: { email: "z1601@example.com", interests: "5500-0000-0000-0004" } });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe("PLEDGE_CARD_NUMBER_REFUSED");
    expect((await dumpAll(f.t)).replace(/[ -]/g, "")).not.toContain("5500000000000004");
  });

  it("Z16-02: each datum records where and when it was given and the policy version, and the export says so", async () => {
    const { id } = (
      await f.create({ collectionPoint: "survey.2017", fields: { email: "z1602@example.com" } })
    ).json();
    const doc = (await f.req("GET", `/v1/subjects/${id}/export?purpose=${P}`)).json();
    expect(doc.sections.profile.fields.email).toEqual({
      value: "z1602@example.com",
      collectionPoint: "survey.2017",
      purpose: P,
      collectedAt: AT.toISOString(),
      policyVersion: "2016-11-28",
    });
  });

  it("Z16-15: a child under 13 is refused and nothing they sent is kept", async () => {
    const before = await rowCounts(f.t);
    const r = await f.create({
      birthDate: "2008-01-01",
      fields: { first_name: "Tim", email: "z1615@example.com" },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().clauses).toEqual(["Z16-15"]);
    const after = await rowCounts(f.t);
    for (const t of Object.keys(after)) if (!t.startsWith("audit_")) expect(after[t], t).toBe(before[t]);
    expect(await dumpAll(f.t)).not.toContain("z1615@example.com");
  });

  it("ALL-04: export gives everything; erasure removes it, destroys the key and states what was kept", async () => {
    const { id } = (await f.create({ fields: { first_name: "Ann", email: "all04@example.com" } })).json();
    expect(
      (await f.req("GET", `/v1/subjects/${id}/export?purpose=${P}`)).json().sections.identities[0].value,
    ).toBe("all04@example.com");
    const erased = (await f.req("DELETE", `/v1/subjects/${id}`)).json();
    expect(erased.keyDestroyed).toBe(true);
    expect(Array.isArray(erased.kept)).toBe(true);
    for (const s of erased.sections) if (s.kept > 0) expect(s.keptReason).not.toBeNull();
    expect((await f.req("GET", `/v1/subjects/${id}/export?purpose=${P}`)).statusCode).toBe(404);
  });
});
