import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { complaintFixture, type ComplaintFixture } from "../complaints/helpers.ts";
import { subjectsFixture, type SubjectsFixture } from "../subjects/helpers.ts";

/**
 * Ways around the gate that were found from outside, each tried again through the public API:
 * a route that reaches a person's data must decide that use for the caller's role and purpose,
 * name the clause when it refuses, and return nothing the decision did not allow.
 */

const EMAIL = "around.the.gate@example.com";
const PHONE = "+1 415 555 0142";
const LAST = "Gatewalker";
const BIRTH = "1979-03-14";

async function person(f: SubjectsFixture, fields: Record<string, string> = {}): Promise<string> {
  const res = await f.create({
    birthDate: BIRTH,
    fields: { first_name: "Ada", last_name: LAST, email: EMAIL, zip: "94107", ...fields },
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

function expectNoPersonalValues(body: string): void {
  for (const value of [EMAIL, LAST, BIRTH, "555 0142", "5550142"]) expect(body).not.toContain(value);
}

describe("partstore: a staff export gives only the fields of its purpose (PS-08)", () => {
  let f: SubjectsFixture;
  let id: string;
  beforeAll(async () => {
    f = await subjectsFixture("partstore");
    id = await person(f);
  });
  afterAll(() => f.t.close());

  it("a marketing key exporting for personalize.content gets no name, email, phone or birth date", async () => {
    const marketing = await f.t.apiKey("marketing");
    const exported = await f.req("GET", `/v1/subjects/${id}/export?purpose=personalize.content`, {
      key: marketing,
    });
    expectNoPersonalValues(exported.body);
    if (exported.statusCode === 200) {
      // Every field the export holds is one the gate allows this role to read for this purpose.
      const fields = (exported.json() as { fields: string[] }).fields;
      const asked = await f.req("POST", "/v1/decisions", {
        key: marketing,
        body: {
          use: { action: "read", purpose: "personalize.content", fields },
          facts: { subject: { status: "customer", age: 40, jurisdiction: "US" } },
        },
      });
      expect(asked.statusCode, asked.body).toBe(200);
      expect((asked.json() as { decision: { fields: string[] } }).decision.fields.slice().sort()).toEqual(
        fields.slice().sort(),
      );
    } else {
      expect(exported.statusCode).toBe(403);
      expect((exported.json() as { clauses: string[] }).clauses.length).toBeGreaterThan(0);
    }
  });

  it("no staff purpose reaches the whole record: the access export is the person's own", async () => {
    const admin = f.admin;
    for (const purpose of ["essential.service.order_fulfilment", "essential.service.restricted_access"]) {
      const res = await f.req("GET", `/v1/subjects/${id}/export?purpose=${purpose}`, { key: admin });
      expect(res.body).not.toContain(BIRTH);
      if (res.statusCode === 200) expect((res.json() as { fields: string[] }).fields).not.toContain("*");
    }
    const noPurpose = await f.req("GET", `/v1/subjects/${id}/export`, { key: admin });
    expect(noPurpose.statusCode).toBe(400);
    expectNoPersonalValues(noPurpose.body);
  });

  it("an analyst may not record a marketing consent for a person: a write states a purpose the role holds", async () => {
    const analyst = await f.t.apiKey("analyst");
    const consent = {
      targetKind: "purpose",
      target: "marketing.communications",
      action: "granted",
      source: "staff",
    };
    const before = await f.t.store.db.selectFrom("subject_consents").select("subject_id").execute();
    const bare = await f.req("POST", `/v1/subjects/${id}/consents`, { key: analyst, body: consent });
    expect(bare.statusCode).toBe(400);
    const own = await f.req("POST", `/v1/subjects/${id}/consents`, {
      key: analyst,
      body: { ...consent, purpose: "analytics.reporting.site_usage" },
    });
    expect(own.statusCode).toBe(403);
    expect((own.json() as { clauses: string[] }).clauses.length).toBeGreaterThan(0);
    const borrowed = await f.req("POST", `/v1/subjects/${id}/consents`, {
      key: analyst,
      body: { ...consent, purpose: "essential.service.order_fulfilment" },
    });
    expect(borrowed.statusCode).toBe(403);
    expect(await f.t.store.db.selectFrom("subject_consents").select("subject_id").execute()).toEqual(before);
  });
});

describe("zzservers: attestation (ZZ-04), message content (ZZ-11, ZZ-12), no third parties (ZZ-06)", () => {
  const PROVISION = "essential.service.provisioning";
  const CONTENT = "Please reset the router; the serial is on the invoice.";
  let f: SubjectsFixture;
  let id: string;
  beforeAll(async () => {
    f = await subjectsFixture("zzservers");
    id = await person(f, { phone: PHONE });
    const support = await f.t.apiKey("support");
    const message = await f.req("POST", `/v1/subjects/${id}/communications`, {
      key: support,
      body: {
        direction: "inbound",
        channel: "email",
        content: CONTENT,
        purpose: "essential.service.communications",
        collectionPoint: "smtp.inbound",
      },
    });
    expect(message.statusCode, message.body).toBe(201);
  });
  afterAll(() => f.t.close());

  const opened = async () =>
    (
      await f.t.store.db
        .selectFrom("audit_log")
        .select("seq")
        .where("type", "=", "communication.opened")
        .execute()
    ).length;

  it("ZZ-11, ZZ-12: an attested billing export with no content ground and no case carries no message content", async () => {
    const billing = await f.t.apiKey("billing");
    const before = await opened();
    const res = await f.req("GET", `/v1/subjects/${id}/export?purpose=${PROVISION}`, { key: billing });
    expect([200, 403]).toContain(res.statusCode);
    expect(res.body).not.toContain("router");
    expect(await opened()).toBe(before);
    // Listing people and exporting each is the bulk search ZZ-12 forbids: no content that way either.
    const list = await f.req("GET", `/v1/subjects?purpose=${PROVISION}`, { key: billing });
    expect(list.body).not.toContain("router");
  });

  it("ZZ-04: unattested staff get nothing personal from any route, however the person is reached", async () => {
    const unattested = await f.t.apiKey("support", { attested: false });
    const routes = [
      `/v1/subjects/${id}?purpose=${PROVISION}`,
      `/v1/subjects/${id}/export?purpose=${PROVISION}`,
      `/v1/subjects/${id}/consents?purpose=${PROVISION}`,
      `/v1/subjects/${id}/preferences?purpose=${PROVISION}`,
      `/v1/subjects/${id}/disclosures?purpose=${PROVISION}`,
      `/v1/subjects/${id}/communications?purpose=${PROVISION}`,
      `/v1/subjects?purpose=${PROVISION}`,
    ];
    for (const url of routes) {
      const res = await f.req("GET", url, { key: unattested });
      expect(res.statusCode, url).toBe(403);
      expect((res.json() as { clauses: string[] }).clauses, url).toContain("ZZ-04");
      expectNoPersonalValues(res.body);
    }
  });

  it("ZZ-04: an admin without an attestation on file reads neither the record nor its export", async () => {
    const admin = await f.t.apiKey("admin", { attested: false });
    for (const url of [
      `/v1/subjects/${id}?purpose=${PROVISION}`,
      `/v1/subjects/${id}/export?purpose=${PROVISION}`,
    ]) {
      const res = await f.req("GET", url, { key: admin });
      expect(res.statusCode, url).toBe(403);
      expect((res.json() as { clauses: string[] }).clauses, url).toContain("ZZ-04");
      expectNoPersonalValues(res.body);
    }
  });

  it("ZZ-06: an affiliate conversion, a campaign for a marketing partner and an export with no recipient are refused naming ZZ-06", async () => {
    const conversion = await f.req("POST", "/v1/affiliate-conversions", {
      body: { subjectId: id, affiliate: "site-a" },
    });
    expect(conversion.statusCode).toBeGreaterThanOrEqual(400);
    expect((conversion.json() as { clauses: string[] }).clauses).toContain("ZZ-06");

    const campaign = await f.req("POST", "/v1/campaigns", {
      body: {
        name: "partner list",
        purpose: "marketing.communications.email",
        messageClass: "marketing",
        channel: "email",
        recipient: "marketing-partners",
        subjectLine: "Offers",
        text: "Offers from our partners.",
      },
    });
    expect(campaign.statusCode).toBeGreaterThanOrEqual(400);
    expect((campaign.json() as { clauses: string[] }).clauses).toContain("ZZ-06");

    const decision = await f.req("POST", "/v1/decisions", {
      body: {
        use: { action: "export", purpose: "marketing.communications.email", fields: ["email"] },
        facts: { subject: { status: "customer" } },
      },
    });
    expect(decision.statusCode, decision.body).toBe(200);
    const answer = (decision.json() as { decision: { outcome: string; reasons: { clause: string }[] } })
      .decision;
    expect(answer.outcome).toBe("deny");
    expect(answer.reasons.map((r) => r.clause)).toContain("ZZ-06");
  });

  it("ZZ-06: the consent ledger refuses a permission to sell, which this policy never allows", async () => {
    const res = await f.req("POST", `/v1/subjects/${id}/consents`, {
      body: {
        purpose: PROVISION,
        targetKind: "permission",
        target: "sale",
        action: "granted",
        source: "staff",
      },
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect((res.json() as { clauses: string[] }).clauses).toContain("ZZ-06");
    const held = await f.t.store.db
      .selectFrom("subject_consents")
      .select("scope")
      .where("subject_id", "=", id)
      .execute();
    expect(held.map((r) => r.scope).filter((scope) => scope.includes("sale"))).toEqual([]);
  });
});

describe("zmailcloud: closing a privacy complaint is a use with a purpose (ZM-12)", () => {
  let f: ComplaintFixture;
  let complaint: string;
  beforeAll(async () => {
    f = await complaintFixture();
    const res = await f.inbound({ from: "someone@example.org", subject: "Privacy Policy", text: "Why?" });
    expect(res.statusCode, res.body).toBe(201);
    complaint = (res.json() as { complaint: { id: string } }).complaint.id;
  });
  afterAll(() => f.t.close());

  it("a marketing key may not reject a complaint; without a purpose the request is refused; nothing changes", async () => {
    const marketing = await f.t.apiKey("marketing");
    const url = `/v1/privacy-complaints/${complaint}`;
    const headers = { "if-match": '"2"' };
    const rejected = { status: "rejected", note: "no" };
    const bare = await f.req("PATCH", url, { key: marketing, headers, payload: rejected });
    expect(bare.statusCode).toBe(400);
    const own = await f.req("PATCH", url, {
      key: marketing,
      headers,
      payload: { ...rejected, purpose: "marketing.communications" },
    });
    expect(own.statusCode).toBe(403);
    // Nor around it, through the request workflow the complaint belongs to.
    const denied = await f.req("POST", `/v1/requests/${complaint}/moves`, {
      key: marketing,
      headers,
      payload: { to: "denied", reason: "other" },
    });
    expect(denied.statusCode).toBeGreaterThanOrEqual(400);
    expect(denied.json().code).not.toBe(undefined);
    const row = await f.t.store.db
      .selectFrom("rights_requests")
      .select(["state", "version"])
      .where("request_id", "=", complaint)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: "verified", version: 2 });
  });
});
