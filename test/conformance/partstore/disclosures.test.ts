import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disclosureFixture, parseCsv, type DisclosureFixture } from "../../disclosures/helpers.ts";

describe("partstore: email list rental, partner postal lists, the ledger", () => {
  let f: DisclosureFixture;
  beforeAll(async () => {
    f = await disclosureFixture("partstore", "2012-06-01T12:00:00Z");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  const rental = {
    recipient: "email-list-rental",
    purpose: "marketing.communications",
    fields: ["email"],
    format: "csv",
  };

  it("PS-04: email addresses are rented only with a contract, and only those of people who consented", async () => {
    const yes = await f.subject();
    const no = await f.subject();
    await f.consent(yes, "purpose", "marketing.communications");
    const noContract = await f.req("POST", "/v1/exports", rental);
    expect(noContract.statusCode).toBe(403);
    expect((noContract.json() as { clauses: string[] }).clauses).toContain("PS-04");
    await f.contract("email-list-rental");
    const res = await f.req("POST", "/v1/exports", rental);
    expect(res.statusCode).toBe(200);
    const people = await f.ledgerSubjects(res.headers["pledge-disclosure-id"] as string);
    expect(people).toEqual([yes]);
    expect(parseCsv(res.body).length).toBe(2);
    expect(people).not.toContain(no);
  });

  it("ALL-03: every disclosure is in the ledger: recipient, fields, subjects, purpose, time", async () => {
    await f.contract("partner-postal-lists");
    const a = await f.subject();
    const b = await f.subject();
    await f.consent(b, "sharing", "catalogues", "withdrawn");
    const res = await f.req("POST", "/v1/exports", {
      recipient: "partner-postal-lists",
      purpose: "marketing.communications",
      fields: ["last_name", "postal_address"],
      format: "ndjson",
    });
    expect(res.statusCode).toBe(200);
    const d = res.headers["pledge-disclosure-id"] as string;
    const row = (await f.ledger()).find((l) => l.disclosure_id === d);
    expect(row).toMatchObject({
      recipient_id: "partner-postal-lists",
      purpose: "marketing.communications",
      fields: ["last_name", "postal_address"],
    });
    const people = await f.ledgerSubjects(d);
    expect(people).toContain(a);
    expect(people).not.toContain(b);
    expect(res.body.trim().split("\n").length).toBe(people.length);
  });
});
