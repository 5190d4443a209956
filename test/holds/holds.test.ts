import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestsFixture, textOf, type RequestsFixture } from "../requests/helpers.ts";

/**
 * Legal holds through the API, on the zones pack (which has a `legal` role): a held person is not
 * erased by the erasure route nor by a deletion request, which is denied `legal_hold` and told.
 */
let f: RequestsFixture;
let legal: string;
beforeAll(async () => {
  f = await requestsFixture();
  legal = await f.t.apiKey("legal");
});
afterAll(() => f.close());

const holds = (id: string, key = legal) => f.req("GET", `/v1/subjects/${id}/legal-holds`, { key });
const place = (id: string, matter: string, key = legal) =>
  f.req("POST", `/v1/subjects/${id}/legal-holds`, { key, body: { matter } });
const live = async (id: string) =>
  (
    await f.t.store.db
      .selectFrom("subjects")
      .select("erased_at")
      .where("subject_id", "=", id)
      .executeTakeFirstOrThrow()
  ).erased_at === null;

describe("legal holds", () => {
  it("are placed and released by legal or admin only, name a matter by reference, and are audited", async () => {
    const p = await f.person();
    const cs = await f.t.apiKey("customer_service");
    expect((await place(p.id, "2026-CV-0142", cs)).statusCode).toBe(403);
    expect((await place(p.id, "Grace's divorce\nfiled by her husband")).statusCode).toBe(400);
    expect((await place("00000000-0000-4000-8000-000000000000", "2026-CV-0142")).statusCode).toBe(404);
    const placed = await place(p.id, "2026-CV-0142");
    expect(placed.statusCode, placed.body).toBe(201);
    const hold = placed.json();
    expect(hold).toMatchObject({ subjectId: p.id, matter: "2026-CV-0142", releasedAt: null });
    expect((await holds(p.id)).json().items).toEqual([hold]);
    const released = await f.req("POST", `/v1/subjects/${p.id}/legal-holds/${hold.id}/release`, {
      key: legal,
    });
    expect(released.json()).toMatchObject({ id: hold.id, releasedAt: expect.any(String) });
    const again = await f.req("POST", `/v1/subjects/${p.id}/legal-holds/${hold.id}/release`, { key: legal });
    expect(again.json()).toEqual(released.json());
    const other = await f.person();
    const wrongPerson = await f.req("POST", `/v1/subjects/${other.id}/legal-holds/${hold.id}/release`, {
      key: legal,
    });
    expect(wrongPerson.statusCode).toBe(404);
    const audit = await f.t.store.db
      .selectFrom("audit_log")
      .select(["type", "subject_id"])
      .where("type", "in", ["hold.placed", "hold.released"])
      .where("subject_id", "=", p.id)
      .orderBy("seq")
      .execute();
    expect(audit.map((a) => a.type)).toEqual(["hold.placed", "hold.released"]);
  });

  it("the erasure route refuses a held person with PLEDGE_LEGAL_HOLD and erases nothing; released, it erases", async () => {
    const p = await f.person();
    const hold = (await place(p.id, "DOJ-2026-17")).json();
    const refused = await f.req("DELETE", `/v1/subjects/${p.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: "PLEDGE_LEGAL_HOLD" });
    expect(refused.body).not.toContain(p.email);
    expect(await live(p.id)).toBe(true);
    await f.req("POST", `/v1/subjects/${p.id}/legal-holds/${hold.id}/release`, { key: legal });
    const erased = await f.req("DELETE", `/v1/subjects/${p.id}`);
    expect(erased.statusCode, erased.body).toBe(200);
    expect(await live(p.id)).toBe(false);
  });

  it("a deletion request for a held person is denied legal_hold, the person is told, and nothing is erased", async () => {
    const p = await f.person();
    await place(p.id, "2026-CV-0200");
    const received = await f.req("POST", "/v1/requests", {
      body: { kind: "deletion", claimant: { email: p.email } },
    });
    expect(received.statusCode, received.body).toBe(201);
    const id = received.json().request.id;
    const moved = await f.move(id, { to: "fulfilled" });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ state: "denied", denialReason: "legal_hold" });
    expect(await live(p.id)).toBe(true);
    const detail = (await f.req("GET", `/v1/requests/${id}`)).json();
    expect(detail.result).toMatchObject({ holds: 1 });
    expect(JSON.stringify(detail.result)).not.toContain("2026-CV-0200");
    const denial = await f.notice(p.email, /we cannot complete your privacy request/);
    expect(textOf(denial)).toContain("the law requires us to keep this information");
  });
});
