import { ACCOUNT } from "../../harness/purposes.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, marketing, type Fixture } from "../../consent/fixture.ts";

describe("zones 2019: records kept across versions", () => {
  let now = new Date("2018-05-01T12:00:00Z");
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture("zones", () => now);
  });
  afterAll(async () => {
    await f?.t.close();
  });

  it("Z19-11: moving from 2016 to 2019 keeps every consent and opt-out record made under 2016", async () => {
    now = new Date("2018-05-01T12:00:00Z");
    const id = await f.subject();
    const post = (body: Record<string, unknown>) =>
      f.req("POST", `/v1/subjects/${id}/consents`, { purpose: ACCOUNT.zones, ...body });
    await post({
      targetKind: "purpose",
      target: "marketing.communications.email",
      channel: "email",
      action: "granted",
      source: "web",
    });
    await post({ targetKind: "sharing", target: "partner_sharing", action: "withdrawn", source: "web" });
    now = new Date("2020-02-01T12:00:00Z");
    const email = await f.decide(id, marketing("marketing.communications.email", "email"));
    expect(email.outcome).toBe("allow");
    expect(email.policy.version).toBe("2019-12-31");
    const partners = {
      action: "export",
      purpose: "third_party_sharing.marketing",
      recipient: "marketing-partners",
      fields: ["first_name"],
    };
    const shared = await f.decide(id, partners, { recipientContractOnFile: true });
    expect(shared.outcome).toBe("deny");
    expect(shared.policy.version).toBe("2019-12-31");
    const history = (await f.req("GET", `/v1/subjects/${id}/consents?purpose=${ACCOUNT.zones}`)).json();
    const kept: string[][] = history.items.map((e: { target: string; policyVersion: string }) => [
      e.target,
      e.policyVersion,
    ]);
    // Both were recorded at the same instant, and the ledger orders those by event id: sort here.
    expect(kept.sort()).toEqual([
      ["marketing.communications.email", "2016-11-28"],
      ["partner_sharing", "2016-11-28"],
    ]);
  });
});
