import { ACCOUNT } from "../../harness/purposes.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, marketing, type Fixture } from "../../consent/fixture.ts";

describe("zones 2016: own marketing and partner sharing", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture("zones", () => new Date("2017-06-01T12:00:00Z"));
  });
  afterAll(async () => {
    await f?.t.close();
  });

  const partners = {
    action: "export",
    purpose: "third_party_sharing.marketing",
    recipient: "marketing-partners",
    fields: ["first_name"],
  };
  const contract = { recipientContractOnFile: true };

  it("Z16-13: own marketing can be stopped at any time, separately from stopping partner sharing", async () => {
    const id = await f.subject();
    const own = marketing("marketing.communications.postal", "postal");
    expect(
      (
        await f.req("POST", `/v1/subjects/${id}/channels/postal/stop`, {
          purpose: ACCOUNT.zones,
          source: "web",
        })
      ).statusCode,
    ).toBe(200);
    expect((await f.decide(id, own)).outcome).toBe("deny");
    expect((await f.decide(id, partners, contract)).outcome).toBe("allow");

    const other = await f.subject();
    const stop = await f.req("POST", `/v1/subjects/${other}/consents`, {
      purpose: ACCOUNT.zones,
      targetKind: "sharing",
      target: "partner_sharing",
      action: "withdrawn",
      source: "web",
    });
    expect(stop.statusCode).toBe(201);
    expect((await f.decide(other, partners, contract)).outcome).toBe("deny");
    expect((await f.decide(other, own)).outcome).toBe("allow");
  });
});
