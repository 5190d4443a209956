import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "../../records/helpers.ts";
import { ledgerOf, legalApi, SUBPOENA, type LegalApi } from "../../legal/helpers.ts";

/**
 * Z16-07 through the register of legal requests (docs/legal.md), not the gate alone: a request on
 * a ground outside the 2016 list is refused; one on a listed ground, approved twice, produces
 * exactly what is asked within its scope into the disclosure ledger.
 */
describe("zones 2016-11-28 through the register", () => {
  let f: RecordsFixture;
  let api: LegalApi;
  let keys: string[];
  beforeAll(async () => {
    f = await recordsFixture("zones", () => new Date("2018-05-02T10:00:00.000Z"));
    api = legalApi(f.req);
    keys = [await f.t.apiKey("legal"), await f.t.apiKey("legal"), await f.t.apiKey("legal")];
  });
  afterAll(() => f.t.close());

  it("Z16-07: information goes to authorities only on a recorded legal request on a listed ground", async () => {
    const id = await f.subject();
    const [receiver, a, b] = keys as [string, string, string];
    const scope = { ...SUBPOENA, subjects: [id], fields: ["first_name", "last_name"] };
    // other_criminal_activity came with the 2019 version: in 2018 it is not a ground.
    const refused = await api.register(receiver, { ...scope, ground: "other_criminal_activity" });
    expect(refused.json()).toMatchObject({ code: "PLEDGE_LEGAL_GROUND_REFUSED", clauses: ["Z16-07"] });
    const rid = await api.approved(receiver, [a], { ...scope, ground: "card_fraud" });
    const early = await api.produce(receiver, rid);
    expect(early.json().code).toBe("PLEDGE_LEGAL_NOT_APPROVED");
    expect(await ledgerOf(f, id)).toEqual([]);
    await api.approve(b, rid);
    const produced = await api.produce(a, rid, { fields: ["last_name"] });
    expect(produced.statusCode, produced.body).toBe(200);
    expect(produced.json().records[0].values).toEqual({ last_name: "Lovelace" });
    expect(await ledgerOf(f, id)).toEqual([
      {
        recipient_id: "authorities",
        ground: "card_fraud",
        fields: ["last_name"],
        policy_version: "2016-11-28",
      },
    ]);
  });
});
