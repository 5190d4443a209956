import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "../../records/helpers.ts";
import { ledgerOf, legalApi, SUBPOENA, type LegalApi } from "../../legal/helpers.ts";

/**
 * ZZ-10 and ZZ-11 through the register of legal requests (docs/legal.md), not the gate alone:
 * account information leaves only on a listed ground with two approvals; the content of
 * communications only on ZZ-11's grounds, and never by widening an account request.
 */
describe("zzservers 2014-06-01 through the register", () => {
  let f: RecordsFixture;
  let api: LegalApi;
  let keys: [string, string, string];
  let id: string;
  beforeAll(async () => {
    f = await recordsFixture("zzservers");
    api = legalApi(f.req);
    keys = [await f.t.apiKey("legal"), await f.t.apiKey("legal"), await f.t.apiKey("legal")];
    id = await f.subject();
    const support = await f.t.apiKey("support");
    const stored = await f.req("POST", `/v1/subjects/${id}/communications`, {
      key: support,
      body: {
        direction: "outbound",
        channel: "email",
        content: "meet me behind the data centre",
        purpose: "essential.service.communications",
        collectionPoint: "smtp.relay",
      },
    });
    if (stored.statusCode !== 201) throw new Error(stored.body);
  });
  afterAll(() => f.t.close());

  it("ZZ-10: account information goes to authorities only on a listed ground, with two approvals", async () => {
    const [receiver, a, b] = keys;
    const scope = { ...SUBPOENA, subjects: [id], fields: ["email", "account_status"] };
    const refused = await api.register(receiver, { ...scope, ground: "marketing_request" });
    expect(refused.json()).toMatchObject({ code: "PLEDGE_LEGAL_GROUND_REFUSED" });
    expect(refused.json().clauses).toContain("ZZ-10");
    const rid = await api.approved(receiver, [a, b], { ...scope, ground: "harm_prevention" });
    const produced = await api.produce(receiver, rid);
    expect(produced.statusCode, produced.body).toBe(200);
    expect(Object.keys(produced.json().records[0].values).sort()).toEqual(["account_status", "email"]);
    expect(produced.body).not.toContain("data centre");
    expect(await ledgerOf(f, id)).toContainEqual({
      recipient_id: "authorities",
      ground: "harm_prevention",
      fields: ["email", "account_status"],
      policy_version: "2014-06-01",
    });
  });

  it("ZZ-11: the content of communications leaves only under legal process or as evidence of a crime", async () => {
    const [receiver, a, b] = keys;
    const scope = { ...SUBPOENA, instrument: "warrant", subjects: [id], fields: ["message_content"] };
    // harm_prevention is a disclosure ground (ZZ-10) but not one for content (ZZ-11).
    const refused = await api.register(receiver, { ...scope, ground: "harm_prevention" });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: "PLEDGE_LEGAL_GROUND_REFUSED" });
    expect(refused.json().clauses).toContain("ZZ-11");
    // An account request cannot be widened to content at production.
    const accountOnly = await api.approved(receiver, [a, b], {
      ...scope,
      fields: ["email"],
      ground: "legal_process",
    });
    const widened = await api.produce(a, accountOnly, { fields: ["message_content"] });
    expect(widened.json().code).toBe("PLEDGE_LEGAL_OUT_OF_SCOPE");
    const rid = await api.approved(receiver, [a, b], { ...scope, ground: "legal_process" });
    const produced = await api.produce(receiver, rid);
    expect(produced.statusCode, produced.body).toBe(200);
    expect(produced.json().records[0].messages).toEqual([
      expect.objectContaining({ content: "meet me behind the data centre" }),
    ]);
    expect(await ledgerOf(f, id)).toContainEqual(
      expect.objectContaining({ ground: "legal_process", fields: ["message_content"] }),
    );
  });
});
