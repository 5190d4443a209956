import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "../../records/helpers.ts";
import { ledgerOf, legalApi, SUBPOENA, type LegalApi } from "../../legal/helpers.ts";

/**
 * Z19-05 through the register of legal requests (docs/legal.md): the 2019 version adds other
 * criminal activity to the grounds; a ground outside the list is refused. The whole flow (two
 * approvals, scope, notices) is tested in test/legal/legal.test.ts on this pack.
 */
describe("zones 2019-12-31 through the register", () => {
  let f: RecordsFixture;
  let api: LegalApi;
  let keys: [string, string, string];
  beforeAll(async () => {
    f = await recordsFixture("zones", () => new Date("2026-02-02T10:00:00.000Z"));
    api = legalApi(f.req);
    keys = [await f.t.apiKey("legal"), await f.t.apiKey("legal"), await f.t.apiKey("legal")];
  });
  afterAll(() => f.t.close());

  it("Z19-05: release to authorities on a listed ground, other criminal activity included, and on no other", async () => {
    const id = await f.subject();
    const [receiver, a, b] = keys;
    const scope = { ...SUBPOENA, instrument: "court_order", subjects: [id], fields: ["email"] };
    const refused = await api.register(receiver, { ...scope, ground: "journalism" });
    expect(refused.json()).toMatchObject({ code: "PLEDGE_LEGAL_GROUND_REFUSED", clauses: ["Z19-05"] });
    const rid = await api.approved(receiver, [a, b], { ...scope, ground: "other_criminal_activity" });
    const produced = await api.produce(b, rid);
    expect(produced.statusCode, produced.body).toBe(200);
    expect(Object.keys(produced.json().records[0].values)).toEqual(["email"]);
    expect(await ledgerOf(f, id)).toEqual([
      {
        recipient_id: "authorities",
        ground: "other_criminal_activity",
        fields: ["email"],
        policy_version: "2019-12-31",
      },
    ]);
  });
});
