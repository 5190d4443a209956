import { ACCOUNT } from "../harness/purposes.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, signedUp } from "../customers/helpers.ts";
import { disclosureFixture, parseCsv, type DisclosureFixture } from "./helpers.ts";

const PARTNER_EXPORT = {
  recipient: "marketing-partners",
  purpose: "third_party_sharing.marketing",
  fields: ["first_name", "last_name", "postal_address", "zip"],
  format: "csv",
};

describe("disclosures: recipients, exports, shares, affiliates, ledger and reports (zones)", () => {
  let f: DisclosureFixture;
  beforeAll(async () => {
    f = await disclosureFixture("zones", "2017-06-01T12:00:00Z");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  it("lists the pack's recipients with what is on file, and records a contract (admin only, audited)", async () => {
    const before = await f.req("GET", "/v1/recipients");
    expect(before.statusCode).toBe(200);
    const partners = (
      before.json() as {
        items: { id: string; contractOnFile: boolean; onFile: unknown; kind: string; categories: string[] }[];
      }
    ).items.find((r) => r.id === "marketing-partners");
    expect(partners).toMatchObject({ kind: "marketing_partner", contractOnFile: false, onFile: null });
    expect(partners?.categories).toEqual(["user.name", "user.contact.address.postal"]);

    const marketing = await f.t.apiKey("marketing");
    const body = {
      legalName: "Partners LLC",
      address: "9 Pier, Oakland, CA 94607, US",
      contractRef: "P-1",
      contractSignedOn: "2017-01-01",
    };
    expect((await f.req("PUT", "/v1/recipients/marketing-partners", body, marketing)).statusCode).toBe(403);
    expect((await f.req("PUT", "/v1/recipients/no-such-recipient", body)).statusCode).toBe(404);
    const put = await f.req("PUT", "/v1/recipients/marketing-partners", body);
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      contractOnFile: true,
      onFile: {
        legalName: "Partners LLC",
        contractRef: "P-1",
        contractSignedOn: "2017-01-01",
        contractExpiresOn: null,
      },
    });
    const audited = await f.t.store.db
      .selectFrom("audit_log")
      .select("type")
      .where("type", "=", "recipient.updated")
      .execute();
    expect(audited.length).toBe(1);
  });

  it("exports names and postal addresses to partners, leaving out who stopped partner sharing; ledger first", async () => {
    const a = await f.subject({ first_name: '=HYPERLINK("x")' }, '1 Main St, Apt "B"');
    const b = await f.subject();
    await f.consent(b, "sharing", "partner_sharing", "withdrawn");
    const res = await f.req("POST", "/v1/exports", PARTNER_EXPORT);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/csv");
    const id = res.headers["pledge-disclosure-id"] as string;
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual(["first_name", "last_name", "postal_address", "zip"]);
    expect(await f.ledgerSubjects(id)).toContain(a);
    expect(await f.ledgerSubjects(id)).not.toContain(b);
    expect(Number(res.headers["pledge-disclosure-count"])).toBe(rows.length - 1);
    expect(rows.length - 1).toBe((await f.ledgerSubjects(id)).length);
    const first = rows.find((r) => r[0]?.includes("HYPERLINK"));
    expect(first?.[0]).toBe('\'=HYPERLINK("x")');
    expect(first?.[2]).toBe('1 Main St, Apt "B", Springfield, IL 62701, US');
    expect(res.body).not.toContain("@example.com");
    const entry = (await f.ledger()).find((l) => l.disclosure_id === id);
    expect(entry).toMatchObject({
      recipient_id: "marketing-partners",
      kind: "export",
      fields: PARTNER_EXPORT.fields,
    });
    const audit = await f.t.store.db
      .selectFrom("audit_log")
      .select("payload")
      .where("type", "=", "disclosure.recorded")
      .execute();
    expect(JSON.stringify(audit)).not.toContain("Springfield");
  });

  it("refuses an export asking for email whole, naming the clause; trims it only with projection", async () => {
    const before = (await f.ledger()).length;
    const refused = await f.req("POST", "/v1/exports", {
      ...PARTNER_EXPORT,
      fields: ["first_name", "email"],
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED" });
    expect((refused.json() as { clauses: string[] }).clauses).toContain("Z16-04");
    expect((await f.ledger()).length).toBe(before);

    const trimmed = await f.req("POST", "/v1/exports", {
      ...PARTNER_EXPORT,
      fields: ["first_name", "email"],
      projection: true,
      format: "ndjson",
    });
    expect(trimmed.statusCode).toBe(200);
    expect(trimmed.headers["pledge-fields-removed"]).toBe("email");
    const lines = trimmed.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(Object.keys(l)).toEqual(["first_name"]);
  });

  it("refuses a bulk export to a single-subject processor, and shares one customer's data with it", async () => {
    await f.contract("service-providers");
    const id = await f.subject();
    const bulk = await f.req("POST", "/v1/exports", {
      recipient: "service-providers",
      purpose: "essential.service.order_fulfilment",
      fields: ["first_name"],
      format: "csv",
    });
    expect(bulk.statusCode).toBe(403);
    expect((bulk.json() as { detail: string }).detail).toContain("single_subject");
    const share = await f.req("POST", `/v1/subjects/${id}/disclosures`, {
      recipient: "service-providers",
      purpose: "essential.service.order_fulfilment",
      fields: ["first_name", "postal_address"],
    });
    expect(share.statusCode).toBe(201);
    expect(share.json()).toMatchObject({
      fields: ["first_name", "postal_address"],
      values: { first_name: "Ada" },
    });
    const d = (share.json() as { disclosureId: string }).disclosureId;
    expect(await f.ledgerSubjects(d)).toEqual([id]);
    const wrongPurpose = await f.req("POST", `/v1/subjects/${id}/disclosures`, {
      recipient: "service-providers",
      purpose: "marketing.communications.postal",
      fields: ["first_name"],
    });
    expect(wrongPurpose.statusCode).toBe(403);
  });

  it("sends affiliate conversions as a stable non-identifying token; identity only with permission", async () => {
    await f.contract("affiliate-tracker");
    const id = await f.subject();
    const one = await f.req("POST", "/v1/affiliate-conversions", { subjectId: id, affiliate: "site-a" });
    expect(one.statusCode).toBe(201);
    const again = await f.req("POST", "/v1/affiliate-conversions", { subjectId: id, affiliate: "site-a" });
    const other = await f.req("POST", "/v1/affiliate-conversions", { subjectId: id, affiliate: "site-b" });
    const tok = (r: typeof one) => (r.json() as { token: string }).token;
    expect(tok(one)).toBe(tok(again));
    expect(tok(one)).not.toBe(tok(other));
    expect(tok(one)).not.toContain(id);
    expect(one.json()).toMatchObject({ identity: null });
    expect(
      (one.json() as { disclosures: { recipient: string }[] }).disclosures.map((d) => d.recipient),
    ).toEqual(["affiliate-tracker"]);

    await f.consent(id, "purpose", "marketing.affiliate.identity");
    await f.consent(id, "permission", "affiliate_identity");
    const allowed = await f.req("POST", "/v1/affiliate-conversions", { subjectId: id, affiliate: "site-a" });
    expect(allowed.statusCode).toBe(201);
    expect(allowed.json()).toMatchObject({ identity: { first_name: "Ada" } });
    const ledger = await f.req("GET", `/v1/subjects/${id}/disclosures?purpose=${ACCOUNT.zones}`);
    const kinds = (ledger.json() as { items: { recipient: string; kind: string }[] }).items.map(
      (i) => `${i.recipient}:${i.kind}`,
    );
    expect(kinds.sort()).toEqual([
      "affiliate-tracker:conversion",
      "affiliate-tracker:conversion",
      "affiliate-tracker:conversion",
      "affiliate-tracker:conversion",
      "affiliates:conversion",
    ]);
  });

  it("ALL-04: the signed-in person sees who their data was given to, and nobody else's", async () => {
    await f.contract("service-providers");
    const c = await signedUp(f.t.app);
    const other = await signedUp(f.t.app);
    const share = await f.req("POST", `/v1/subjects/${c.subjectId}/disclosures`, {
      recipient: "service-providers",
      purpose: "essential.service.order_fulfilment",
      fields: ["first_name"],
    });
    expect(share.statusCode, share.body).toBe(201);
    const mine = await f.t.app.inject({ method: "GET", url: "/v1/account/me/disclosures", headers: as(c) });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().items).toEqual([
      expect.objectContaining({
        recipient: "service-providers",
        purpose: "essential.service.order_fulfilment",
        fields: ["first_name"],
      }),
    ]);
    const theirs = await f.t.app.inject({
      method: "GET",
      url: "/v1/account/me/disclosures",
      headers: as(other),
    });
    expect(theirs.json().items).toEqual([]);
    expect((await f.t.app.inject({ method: "GET", url: "/v1/account/me/disclosures" })).statusCode).toBe(401);
  });

  it("shows the ledger to staff for a purpose and keeps it on erasure, saying so", async () => {
    const id = await f.subject();
    await f.req("POST", `/v1/subjects/${id}/disclosures`, {
      recipient: "service-providers",
      purpose: "essential.service.order_fulfilment",
      fields: ["first_name"],
    });
    const ledger = await f.req("GET", `/v1/subjects/${id}/disclosures?purpose=${ACCOUNT.zones}`);
    expect(ledger.statusCode).toBe(200);
    expect(JSON.stringify(ledger.json())).toContain("service-providers");
    const erased = await f.req("DELETE", `/v1/subjects/${id}`);
    expect(erased.statusCode).toBe(200);
    expect((erased.json() as { kept: string[] }).kept.join(" ")).toContain("disclosures: 1 kept");
    // The rows stay (the company-wide report counts them); the erased person is nobody to look up.
    const rows = await f.t.store.db
      .selectFrom("disclosure_subjects")
      .select("disclosure_id")
      .where("subject_id", "=", id)
      .execute();
    expect(rows).toHaveLength(1);
    const after = await f.req("GET", `/v1/subjects/${id}/disclosures?purpose=${ACCOUNT.zones}`);
    expect(after.statusCode).toBe(404);
  });

  it("reports disclosures company-wide by recipient and category, as JSON and CSV", async () => {
    const res = await f.req(
      "GET",
      `/v1/reports/disclosures?from=2017-01-01T00:00:00Z&to=2018-01-01T00:00:00Z&purpose=${ACCOUNT.zones}`,
    );
    expect(res.statusCode).toBe(200);
    const items = (
      res.json() as { items: { recipient: string; category: string; disclosures: number; people: number }[] }
    ).items;
    const partnersName = items.find(
      (i) => i.recipient === "marketing-partners" && i.category === "user.name",
    );
    expect(partnersName?.disclosures).toBe(2);
    expect(partnersName?.people).toBeGreaterThan(0);
    const csv = await f.req(
      "GET",
      `/v1/reports/disclosures?from=2017-01-01T00:00:00Z&to=2018-01-01T00:00:00Z&format=csv&purpose=${ACCOUNT.zones}`,
    );
    expect(csv.statusCode).toBe(200);
    expect(parseCsv(csv.body)[0]).toEqual([
      "recipient",
      "recipient_kind",
      "category",
      "disclosures",
      "people",
    ]);
    const none = await f.req(
      "GET",
      `/v1/reports/disclosures?from=2010-01-01T00:00:00Z&to=2011-01-01T00:00:00Z&purpose=${ACCOUNT.zones}`,
    );
    expect((none.json() as { items: unknown[] }).items).toEqual([]);
  });
});
