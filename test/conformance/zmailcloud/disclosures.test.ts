import { ACCOUNT } from "../../harness/purposes.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disclosureFixture, type DisclosureFixture } from "../../disclosures/helpers.ts";

describe("zmailcloud: nothing sold; the customer organisation; the ledger", () => {
  let f: DisclosureFixture;
  beforeAll(async () => {
    f = await disclosureFixture("zmailcloud", "2016-06-01T12:00:00Z");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  it("ZM-01: no list leaves for a buyer: an export to a recipient outside the policy is refused and nothing is recorded", async () => {
    await f.subject();
    const res = await f.req("POST", "/v1/exports", {
      recipient: "list-buyer",
      purpose: "marketing.communications",
      fields: ["email"],
      format: "csv",
    });
    expect(res.statusCode).toBe(400);
    expect((res.json() as { clauses: string[] }).clauses).toContain("ZM-01");
    const misuse = await f.req("POST", "/v1/exports", {
      recipient: "customer-organisation",
      purpose: "marketing.communications",
      fields: ["email"],
      format: "csv",
    });
    expect(misuse.statusCode).toBe(403);
    expect(await f.ledger()).toEqual([]);
  });

  it("ZM-15: the organisation that is itself the customer gets its member's data under contract, and it is in the ledger", async () => {
    const id = await f.subject();
    const ask = {
      recipient: "customer-organisation",
      purpose: "essential.service.provision_billing",
      fields: ["first_name", "email"],
    };
    expect((await f.req("POST", `/v1/subjects/${id}/disclosures`, ask)).statusCode).toBe(403);
    await f.contract("customer-organisation");
    const res = await f.req("POST", `/v1/subjects/${id}/disclosures`, ask);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ values: { first_name: "Ada" } });
  });

  it("ALL-03: every disclosure is in the ledger: recipient, fields, subjects, purpose, time", async () => {
    const id = await f.subject();
    await f.req("POST", `/v1/subjects/${id}/disclosures`, {
      recipient: "customer-organisation",
      purpose: "essential.service.provision_billing",
      fields: ["last_name"],
    });
    const mine = await f.req("GET", `/v1/subjects/${id}/disclosures?purpose=${ACCOUNT.zmailcloud}`);
    expect(mine.json()).toMatchObject({
      items: [
        {
          recipient: "customer-organisation",
          recipientKind: "organisation_admin",
          kind: "share",
          purpose: "essential.service.provision_billing",
          fields: ["last_name"],
          at: "2016-06-01T12:00:00.000Z",
        },
      ],
    });
  });
});
