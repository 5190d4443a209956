import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditOf, dumpAll, rowCounts, subjectsFixture, type SubjectsFixture } from "./helpers.ts";

const P = "essential.service.account";
const CARD = "4111 1111 1111 1111";
let f: SubjectsFixture;
beforeAll(async () => {
  f = await subjectsFixture("zones");
});
afterAll(() => f.t.close());

const withoutInstance = (body: string) => {
  const { instance: _i, ...rest } = JSON.parse(body) as Record<string, unknown>;
  return JSON.stringify(rest);
};

describe("what the record never keeps or tells", () => {
  it.each([
    ["a profile field", { fields: { interests: `pay with ${CARD}` } }, "/fields/interests"],
    [
      "an address line",
      {
        addresses: [
          { kind: "billing", line1: CARD.replace(/ /g, "-"), city: "X", postalCode: "10001", country: "US" },
        ],
      },
      "/addresses/0/line1",
    ],
  ])(
    "a card number in %s is refused naming the path, and is nowhere in the store",
    async (_w, body, path) => {
      const before = await rowCounts(f.t);
      const r = await f.create({
        ...body,
        fields: { email: "card@example.com", ...(body as { fields?: object }).fields },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: "PLEDGE_CARD_NUMBER_REFUSED" });
      expect(r.json().detail).toContain(path);
      expect(r.body).not.toMatch(/4111/);
      expect(await rowCounts(f.t)).toEqual(before);
      expect((await dumpAll(f.t)).replace(/[ -]/g, "")).not.toContain("4111111111111111");
    },
  );

  it("a card number in an update or a contact is refused too", async () => {
    const { id } = (await f.create({ fields: { email: "card2@example.com" } })).json();
    const patch = await f.req("PATCH", `/v1/subjects/${id}`, {
      body: { purpose: P, collectionPoint: "x", fields: { last_name: CARD } },
      headers: { "if-match": '"1"' },
    });
    expect(patch.json().code).toBe("PLEDGE_CARD_NUMBER_REFUSED");
    const contact = await f.req("POST", `/v1/subjects/${id}/contacts`, {
      body: { purpose: P, collectionPoint: "x", contact: { name: "n", phone: CARD } },
    });
    expect(contact.json().code).toBe("PLEDGE_CARD_NUMBER_REFUSED");
    expect((await dumpAll(f.t)).replace(/[ -]/g, "")).not.toContain("4111111111111111");
  });

  it("an under-age sign-up is refused and keeps nothing but a refusal naming fields", async () => {
    const before = await rowCounts(f.t);
    // A ten-year-old's birth date that appears nowhere in the store yet (policy texts carry dates).
    const stored = await dumpAll(f.t);
    let ten = "";
    for (let back = 0; ten === "" || stored.includes(ten); back++)
      ten = new Date(Date.now() - (10 * 365.25 + back) * 864e5).toISOString().slice(0, 10);
    // A first name long enough that no encrypted or indexed value in the dump contains it by chance.
    const name = "Underagekidname";
    const r = await f.create({ birthDate: ten, fields: { first_name: name, email: "kid@example.com" } });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: "PLEDGE_UNDER_MINIMUM_AGE" });
    expect(r.json().clauses).toContain("Z19-07");
    const after = await rowCounts(f.t);
    for (const [table, n] of Object.entries(after)) {
      if (table !== "audit_log" && table !== "audit_head") expect(n, table).toBe(before[table]);
    }
    const dump = await dumpAll(f.t);
    expect(dump).not.toContain("kid@example.com");
    expect(dump).not.toContain(name);
    expect(dump).not.toContain(ten);
    const refusal = await f.t.store.db
      .selectFrom("audit_log")
      .where("type", "=", "subject.collection_refused")
      .select("payload")
      .orderBy("seq", "desc")
      .executeTakeFirstOrThrow();
    expect(refusal.payload).toMatchObject({ fields: ["first_name", "email"], purpose: P });
  });

  it("a refusal that depends on the person and an unknown id answer the same 404", async () => {
    const { id } = (await f.create({ fields: { email: "noconsent@example.com" } })).json();
    const refused = await f.req(
      "GET",
      `/v1/subjects/${id}?purpose=marketing.communications.email&fields=email`,
    );
    const missing = await f.req(
      "GET",
      `/v1/subjects/00000000-0000-4000-8000-000000000000?purpose=marketing.communications.email&fields=email`,
    );
    expect(refused.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(withoutInstance(refused.body)).toBe(withoutInstance(missing.body));
    const audited = await auditOf(f.t, id);
    expect(audited.at(-1)).toMatchObject({
      type: "decision",
      payload: { outcome: "deny", purpose: "marketing.communications.email" },
    });
  });

  it("a field the purpose does not cover is a 403 naming the clause (it does not depend on the person)", async () => {
    const { id } = (await f.create({ fields: { email: "scope@example.com" } })).json();
    const r = await f.req(
      "GET",
      `/v1/subjects/${id}?purpose=essential.service.order_fulfilment&fields=interests`,
    );
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe("PLEDGE_USE_REFUSED");
    expect(r.json().clauses.length).toBeGreaterThan(0);
  });

  it("exports every section with provenance, erases, and afterwards reads as not found", async () => {
    const { id } = (await f.create({ fields: { first_name: "Erin", email: "erase@example.com" } })).json();
    const exp = await f.req("GET", `/v1/subjects/${id}/export?purpose=${P}`);
    expect(exp.statusCode).toBe(200);
    const doc = exp.json();
    expect(Object.keys(doc.sections)).toEqual(
      expect.arrayContaining(["profile", "identities", "addresses", "contacts"]),
    );
    expect(doc.sections.profile.fields.first_name).toMatchObject({
      value: "Erin",
      collectionPoint: "web.signup",
      purpose: P,
    });
    const del = await f.req("DELETE", `/v1/subjects/${id}`);
    expect(del.statusCode).toBe(200);
    expect(del.json()).toMatchObject({ id, keyDestroyed: true });
    const after = await f.req("GET", `/v1/subjects/${id}?purpose=${P}`);
    const missing = await f.req("GET", `/v1/subjects/00000000-0000-4000-8000-000000000001?purpose=${P}`);
    expect(after.statusCode).toBe(404);
    expect(withoutInstance(after.body)).toBe(withoutInstance(missing.body));
    expect((await f.req("DELETE", `/v1/subjects/${id}`)).statusCode).toBe(404);
    expect(await dumpAll(f.t)).not.toContain("erase@example.com");
    const types = (await auditOf(f.t, id)).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(["subject.exported", "subject.erased"]));
    // The email is free again: the erased subject holds no identity.
    expect((await f.create({ fields: { email: "erase@example.com" } })).statusCode).toBe(201);
  });

  it("only admin or a privacy role may erase", async () => {
    const { id } = (await f.create({ fields: { email: "keep@example.com" } })).json();
    const cs = await f.t.apiKey("customer_service");
    expect((await f.req("DELETE", `/v1/subjects/${id}`, { key: cs })).statusCode).toBe(403);
  });
});
