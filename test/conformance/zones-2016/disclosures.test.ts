import { ACCOUNT } from "../../harness/purposes.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disclosureFixture, parseCsv, type DisclosureFixture } from "../../disclosures/helpers.ts";

describe("zones 2016: partner exports, service providers, affiliates, the ledger", () => {
  let f: DisclosureFixture;
  beforeAll(async () => {
    f = await disclosureFixture("zones", "2017-06-01T12:00:00Z");
    await f.contract("marketing-partners");
    await f.contract("service-providers");
    await f.contract("affiliate-tracker");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  const partners = {
    recipient: "marketing-partners",
    purpose: "third_party_sharing.marketing",
    format: "csv",
  };

  it("Z16-04: an export asking for email addresses for marketing partners is refused whole; names and postal addresses go", async () => {
    const id = await f.subject();
    const before = (await f.ledger()).length;
    const refused = await f.req("POST", "/v1/exports", {
      ...partners,
      fields: ["first_name", "postal_address", "email"],
    });
    expect(refused.statusCode).toBe(403);
    expect((refused.json() as { clauses: string[] }).clauses).toContain("Z16-04");
    expect((await f.ledger()).length).toBe(before);
    const res = await f.req("POST", "/v1/exports", { ...partners, fields: ["first_name", "postal_address"] });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain("@");
    expect(parseCsv(res.body)[0]).toEqual(["first_name", "postal_address"]);
    expect(await f.ledgerSubjects(res.headers["pledge-disclosure-id"] as string)).toContain(id);
  });

  it("Z16-10: service providers get one customer's data for the contracted purpose only, never a list", async () => {
    const id = await f.subject();
    const list = await f.req("POST", "/v1/exports", {
      recipient: "service-providers",
      purpose: "essential.service.order_fulfilment",
      fields: ["first_name"],
      format: "csv",
    });
    expect(list.statusCode).toBe(403);
    expect((list.json() as { clauses: string[] }).clauses).toContain("Z16-10");
    const other = await f.req("POST", `/v1/subjects/${id}/disclosures`, {
      recipient: "service-providers",
      purpose: "third_party_sharing.marketing",
      fields: ["first_name"],
    });
    expect(other.statusCode).toBe(403);
    const one = await f.req("POST", `/v1/subjects/${id}/disclosures`, {
      recipient: "service-providers",
      purpose: "essential.service.order_fulfilment",
      fields: ["first_name", "phone"],
    });
    expect(one.statusCode).toBe(201);
    const ledger = (await f.ledger()).find(
      (l) => l.disclosure_id === (one.json() as { disclosureId: string }).disclosureId,
    );
    expect(ledger).toMatchObject({ kind: "share", recipient_id: "service-providers", subject_count: 1 });
  });

  it("Z16-11: affiliate tracking gets a non-identifying token; the affiliate gets identity only with permission", async () => {
    const id = await f.subject();
    const res = await f.req("POST", "/v1/affiliate-conversions", { subjectId: id, affiliate: "shop-42" });
    expect(res.statusCode).toBe(201);
    const body = res.json() as {
      token: string;
      identity: unknown;
      disclosures: { recipient: string; fields: string[] }[];
    };
    expect(body.identity).toBeNull();
    expect(body.disclosures).toEqual([
      expect.objectContaining({ recipient: "affiliate-tracker", fields: ["affiliate_token"] }),
    ]);
    expect(res.body).not.toContain("Ada");
    expect(res.body).not.toContain(id);
    await f.consent(id, "purpose", "marketing.affiliate.identity");
    await f.consent(id, "permission", "affiliate_identity");
    const allowed = await f.req("POST", "/v1/affiliate-conversions", { subjectId: id, affiliate: "shop-42" });
    expect((allowed.json() as { token: string }).token).toBe(body.token);
    expect(allowed.json()).toMatchObject({ identity: { first_name: "Ada" } });
  });

  it("ALL-03: every disclosure is in the ledger: recipient, fields, subjects, purpose, time", async () => {
    const id = await f.subject();
    const share = await f.req("POST", `/v1/subjects/${id}/disclosures`, {
      recipient: "service-providers",
      purpose: "essential.service.order_fulfilment",
      fields: ["last_name"],
    });
    const mine = await f.req("GET", `/v1/subjects/${id}/disclosures?purpose=${ACCOUNT.zones}`);
    expect(mine.json()).toMatchObject({
      items: [
        {
          disclosureId: (share.json() as { disclosureId: string }).disclosureId,
          recipient: "service-providers",
          purpose: "essential.service.order_fulfilment",
          fields: ["last_name"],
          at: "2017-06-01T12:00:00.000Z",
        },
      ],
    });
  });
});
