import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditOf, subjectsFixture, type SubjectsFixture } from "../../subjects/helpers.ts";
import { aCharge, exportCorrectErase } from "../../customers/all04.ts";

/** ZZ Servers: the customer record through /v1/subjects. */
const P = "essential.service.provisioning";
let f: SubjectsFixture;
beforeAll(async () => {
  f = await subjectsFixture("zzservers");
});
afterAll(() => f.t.close());

describe("zzservers subjects", () => {
  it("ZZ-01: name, address, phone and email are taken in to set up service, each with its provenance", async () => {
    const c = await f.create({
      birthDate: null,
      fields: { first_name: "Sam", email: "zz01@example.com", phone: "+1 212 555 0101" },
    });
    expect(c.statusCode).toBe(201);
    const r = await f.req("GET", `/v1/subjects/${c.json().id}?purpose=${P}&fields=first_name,phone`);
    expect(r.json().fields.phone).toMatchObject({
      value: "+12125550101",
      collectionPoint: "web.signup",
      policyVersion: "2014-06-01",
    });
  });

  it("ZZ-04: staff without an attestation on file read nothing; with one, they read", async () => {
    const { id } = (await f.create({ birthDate: null, fields: { email: "zz04@example.com" } })).json();
    const unattested = await f.t.apiKey("support", { attested: false });
    const refused = await f.req("GET", `/v1/subjects/${id}?purpose=${P}&fields=email`, { key: unattested });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().clauses).toContain("ZZ-04");
    expect(refused.body).not.toContain("zz04@example.com");
    const attested = await f.t.apiKey("support", { attested: true });
    const ok = await f.req("GET", `/v1/subjects/${id}?purpose=${P}&fields=email`, { key: attested });
    expect(ok.json().fields.email.value).toBe("zz04@example.com");
  });

  it("ZZ-09: a billing staff edit on a customer's behalf is recorded with the staff member and the fields", async () => {
    const { id } = (await f.create({ birthDate: null, fields: { email: "zz09@example.com" } })).json();
    const billing = await f.t.staff("billing", { attested: true });
    const r = await f.req("PATCH", `/v1/subjects/${id}`, {
      key: billing.key,
      body: { purpose: P, collectionPoint: "phone.billing", fields: { phone: "+1 212 555 0109" } },
      headers: { "if-match": '"1"' },
    });
    expect(r.statusCode).toBe(200);
    const event = (await auditOf(f.t, id)).find((e) => e.type === "subject.updated");
    expect(event).toMatchObject({
      actor: `staff:${billing.staffId}`,
      payload: { fields: ["phone"], collectionPoint: "phone.billing" },
    });
    // The number as typed and as stored; a shorter piece of it turns up by chance in ids.
    for (const phone of ["555 0109", "5550109"]) expect(JSON.stringify(event)).not.toContain(phone);
  });

  it("ALL-02: every read decision is audited with the policy version and clauses", async () => {
    const { id } = (await f.create({ birthDate: null, fields: { email: "all02@example.com" } })).json();
    await f.req("GET", `/v1/subjects/${id}?purpose=${P}&fields=email`);
    const last = (await auditOf(f.t, id)).at(-1);
    expect(last).toMatchObject({
      type: "decision",
      payload: { outcome: "allow", policy: { company: "zzservers", version: "2014-06-01" } },
    });
    expect((last?.payload as { clauses: string[] }).clauses.length).toBeGreaterThan(0);
  });

  it("ALL-04: a person's data is exported, corrected and erased; the charges the law keeps stay and the erasure says so; the export shows who it was given to", async () => {
    await exportCorrectErase(f, {
      purpose: "essential.service.provisioning",
      email: "all04-zzservers@example.com",
      kept: aCharge("essential.service.provisioning"),
    });
  });
});
