import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerOf, legalApi, SUBPOENA, type LegalApi } from "../../legal/helpers.ts";
import { requestsFixture, textOf, type RequestsFixture } from "../../requests/helpers.ts";

/**
 * ZM-15 through the register of legal requests (docs/legal.md), not the gate alone: "We disclose
 * personal information without telling you only when the law requires it, to protect our rights or
 * property, in an emergency to protect someone's safety, or to your own organisation […]". A
 * release rests on one of those grounds; the person is told afterwards unless a non-disclosure
 * order runs, and then when it ends; an emergency is recorded after the fact with its
 * justification; the mailboxes' content is not among what authorities receive. (The organisation
 * case is in disclosures.test.ts.) Real SMTP for the notices.
 */
describe("zmailcloud 2015-10-17 through the register", () => {
  let f: RequestsFixture;
  let api: LegalApi;
  let receiver: string;
  let a: string;
  let b: string;
  beforeAll(async () => {
    f = await requestsFixture("2026-03-02T17:00:00.000Z", "zmailcloud");
    api = legalApi(f.req);
    [receiver, a, b] = [await f.t.apiKey("legal"), await f.t.apiKey("legal"), await f.t.apiKey("legal")];
  });
  afterAll(() => f.close());

  const sentTo = (email: string) => f.sink.messages.filter((m) => m.envelope.to.includes(email));

  it("ZM-15: a release on a ground the policy does not list is refused naming the clause, and nothing is written", async () => {
    const p = await f.person();
    for (const ground of ["law_enforcement_courtesy", "Legal_Requirement", "legal requirement", "safety"]) {
      const res = await api.register(receiver, { ...SUBPOENA, ground, subjects: [p.id], fields: ["email"] });
      expect(res.statusCode, ground).toBe(403);
      expect(res.json()).toMatchObject({ code: "PLEDGE_LEGAL_GROUND_REFUSED", clauses: ["ZM-15"] });
    }
    const emergency = await f.req("POST", "/v1/legal/emergencies", {
      key: receiver,
      body: {
        authority: SUBPOENA.authority,
        country: "US",
        reference: "ACPD-EM-1",
        ground: "customer_service_courtesy",
        subjects: [p.id],
        fields: ["email"],
        justification: "no emergency, only a wish to help",
      },
    });
    expect(emergency.json()).toMatchObject({ code: "PLEDGE_LEGAL_GROUND_REFUSED", clauses: ["ZM-15"] });
    const listed = await f.req("GET", "/v1/legal/requests", { key: receiver });
    expect(listed.json().items).toEqual([]);
    expect(await ledgerOf(f, p.id)).toEqual([]);
  });

  it("ZM-15: when the law requires it, the release is made with two approvals, and the person is told afterwards", async () => {
    const p = await f.person();
    const id = await api.approved(receiver, [a, b], {
      ...SUBPOENA,
      ground: "legal_requirement",
      subjects: [p.id],
      fields: ["email", "phone"],
    });
    const produced = await api.produce(receiver, id);
    expect(produced.statusCode, produced.body).toBe(200);
    expect(produced.json().records[0].values).toMatchObject({ email: p.email });
    expect(Object.keys(produced.json().records[0].values).sort()).toEqual(["email", "phone"]);
    expect(await ledgerOf(f, p.id)).toEqual([
      {
        recipient_id: "authorities",
        ground: "legal_requirement",
        fields: ["email", "phone"],
        policy_version: "2015-10-17",
      },
    ]);
    await f.req("POST", "/v1/legal/notices/send", { key: receiver });
    const notice = await f.notice(p.email, /disclosed information/);
    expect(textOf(notice)).toContain(SUBPOENA.authority);
  });

  it("ZM-15: without telling the person only while a non-disclosure order runs; told when it ends", async () => {
    const p = await f.person();
    const until = new Date(f.now.getTime() + 90 * 86_400_000).toISOString();
    const id = await api.approved(receiver, [a, b], {
      ...SUBPOENA,
      instrument: "court_order",
      reference: "2:26-mc-00311",
      ground: "protect_rights",
      subjects: [p.id],
      fields: ["email"],
      nondisclosureUntil: until,
    });
    expect((await api.produce(a, id)).statusCode).toBe(200);
    expect((await f.req("POST", "/v1/legal/notices/send", { key: receiver })).json()).toEqual({ sent: 0 });
    expect(sentTo(p.email)).toEqual([]);
    f.now = new Date(new Date(until).getTime() + 1000);
    await f.req("POST", "/v1/legal/notices/send", { key: receiver });
    expect(textOf(await f.notice(p.email, /disclosed information/))).toContain("a court order");
  });

  it("ZM-15: an emergency to protect someone's safety is released first and recorded after the fact, with its justification", async () => {
    const p = await f.person();
    const justification = "a caller said the account holder was in danger that night";
    const res = await f.req("POST", "/v1/legal/emergencies", {
      key: receiver,
      body: {
        authority: "Sampleville Police",
        country: "US",
        reference: "SPD-EM-12",
        ground: "urgent_safety",
        subjects: [p.id],
        fields: ["phone", "email"],
        justification,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().request).toMatchObject({ instrument: "emergency", state: "produced", justification });
    expect(await ledgerOf(f, p.id)).toEqual([
      expect.objectContaining({ recipient_id: "authorities", ground: "urgent_safety" }),
    ]);
    const audit = await f.req("GET", `/v1/audit/events?type=legal.emergency`, { key: f.admin });
    expect(audit.statusCode).toBe(200);
    expect(audit.body).toContain(justification);
  });

  it("ZM-15: the content of hosted mailboxes is not among what authorities receive, whatever the ground", async () => {
    const p = await f.person();
    for (const ground of ["legal_requirement", "urgent_safety"]) {
      const res = await api.register(receiver, {
        ...SUBPOENA,
        instrument: "warrant",
        ground,
        subjects: [p.id],
        fields: ["email", "message_content"],
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: "PLEDGE_LEGAL_GROUND_REFUSED", clauses: ["ZM-15"] });
    }
    // An account request cannot be widened to content at production either.
    const id = await api.approved(receiver, [a, b], {
      ...SUBPOENA,
      ground: "legal_requirement",
      subjects: [p.id],
      fields: ["email"],
    });
    const widened = await api.produce(receiver, id, { fields: ["message_content"] });
    expect(widened.json().code).toBe("PLEDGE_LEGAL_OUT_OF_SCOPE");
    expect(await ledgerOf(f, p.id)).toEqual([]);
  });
});
