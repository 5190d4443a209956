import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requestsFixture,
  subjectLine,
  textOf,
  type Person,
  type RequestsFixture,
} from "../requests/helpers.ts";
import { legalApi, SUBPOENA, type LegalApi } from "./helpers.ts";

/**
 * Legal requests through the API on the zones pack in force in 2026 (2019-12-31: Z19-05), with a
 * clock the test moves and a real SMTP sink for the people's notices.
 */
let f: RequestsFixture;
let api: LegalApi;
let receiver: string;
let second: string;
let third: string;
let p1: Person;
let p2: Person;
let p3: Person;
beforeAll(async () => {
  f = await requestsFixture();
  api = legalApi(f.req);
  receiver = await f.t.apiKey("legal");
  second = await f.t.apiKey("legal");
  third = await f.t.apiKey("legal");
  p1 = await f.person();
  p2 = await f.person();
  p3 = await f.person();
});
afterAll(() => f.close());

const count = async (table: "legal_requests" | "disclosures") =>
  Number(
    (
      await f.t.store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );
const ledgerOf = (subjectId: string) =>
  f.t.store.db
    .selectFrom("disclosure_subjects as s")
    .innerJoin("disclosures as d", "d.disclosure_id", "s.disclosure_id")
    .select(["d.recipient_id", "d.kind", "d.ground", "d.fields", "d.purpose"])
    .where("s.subject_id", "=", subjectId)
    .execute();

describe("legal requests", () => {
  it("Z19-05: a request on a ground the policy does not list is refused, naming the clause, and nothing is written", async () => {
    const before = await count("legal_requests");
    const res = await api.register(receiver, {
      ...SUBPOENA,
      ground: "tax_investigation",
      subjects: [p1.id],
      fields: ["email"],
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: "PLEDGE_LEGAL_GROUND_REFUSED", clauses: ["Z19-05"] });
    expect(await count("legal_requests")).toBe(before);
  });

  it("another spelling of the instrument, an unknown field or an unknown person is refused", async () => {
    const base = { ...SUBPOENA, ground: "card_fraud", subjects: [p1.id], fields: ["email"] };
    for (const instrument of ["Subpoena", "court order", "court-order", "warrant "]) {
      const res = await api.register(receiver, { ...base, instrument });
      expect(res.statusCode, instrument).toBe(400);
      expect(res.json().code).toBe("PLEDGE_VALIDATION_FAILED");
    }
    expect((await api.register(receiver, { ...base, fields: ["shoe_size"] })).json().code).toBe(
      "PLEDGE_UNKNOWN_FIELD",
    );
    const nobody = await api.register(receiver, {
      ...base,
      subjects: ["00000000-0000-4000-8000-000000000000"],
    });
    expect(nobody.statusCode).toBe(404);
    expect((await api.register(receiver, { ...base, instrument: "emergency" })).statusCode).toBe(400);
    const cs = await f.t.apiKey("customer_service");
    expect((await api.register(cs, base)).statusCode).toBe(403);
  });

  it("Z19-05: two approvals by two staff members other than the receiver, then exactly the scoped data is produced into the ledger", async () => {
    const res = await api.register(receiver, {
      ...SUBPOENA,
      ground: "card_fraud",
      subjects: [p1.id, p2.id],
      fields: ["first_name", "email"],
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    expect(res.json()).toMatchObject({
      state: "received",
      approvals: [],
      receivedBy: expect.stringMatching(/^staff:/),
    });
    expect(res.body).not.toContain(p1.email);

    const refused = async (r: Awaited<ReturnType<LegalApi["produce"]>>, code: string) => {
      expect(r.statusCode, r.body).toBe(code === "PLEDGE_LEGAL_OUT_OF_SCOPE" ? 403 : 409);
      expect(r.json().code).toBe(code);
      expect(r.body).not.toContain(p1.email);
    };
    await refused(await api.produce(second, id), "PLEDGE_LEGAL_NOT_APPROVED");
    // The receiver does not approve; nobody approves twice.
    await refused(await api.approve(receiver, id), "PLEDGE_LEGAL_APPROVAL_REFUSED");
    expect((await api.approve(second, id)).json()).toMatchObject({ state: "received" });
    await refused(await api.approve(second, id), "PLEDGE_LEGAL_APPROVAL_REFUSED");
    await refused(await api.produce(second, id), "PLEDGE_LEGAL_NOT_APPROVED");
    expect(await ledgerOf(p1.id)).toEqual([]);
    const approved = (await api.approve(third, id)).json();
    expect(approved.state).toBe("approved");
    expect(approved.approvals).toHaveLength(2);

    // Outside the scope: a person it does not name, a field it does not name.
    await refused(await api.produce(receiver, id, { subjects: [p3.id] }), "PLEDGE_LEGAL_OUT_OF_SCOPE");
    await refused(await api.produce(receiver, id, { fields: ["last_name"] }), "PLEDGE_LEGAL_OUT_OF_SCOPE");
    expect(await ledgerOf(p1.id)).toEqual([]);

    const produced = await api.produce(receiver, id);
    expect(produced.statusCode, produced.body).toBe(200);
    const body = produced.json();
    expect(body.request.state).toBe("produced");
    expect(body.withheld).toEqual([]);
    const values = Object.fromEntries(
      (body.records as { subjectId: string; values: Record<string, string> }[]).map((r) => [
        r.subjectId,
        r.values,
      ]),
    );
    expect(values).toEqual({
      [p1.id]: { first_name: "Grace", email: p1.email },
      [p2.id]: { first_name: "Grace", email: p2.email },
    });
    for (const p of [p1, p2]) {
      expect(await ledgerOf(p.id)).toEqual([
        {
          recipient_id: "authorities",
          kind: "legal",
          ground: "card_fraud",
          fields: ["first_name", "email"],
          purpose: "essential.legal_obligation",
        },
      ]);
    }
    expect(await ledgerOf(p3.id)).toEqual([]);
    // The gate was asked for each person and said allow, under Z19-05.
    const decisions = await f.t.store.db
      .selectFrom("audit_log")
      .select(["payload"])
      .where("type", "=", "decision")
      .where("subject_id", "=", p1.id)
      .where(sql`payload->>'action'`, "=", "disclose")
      .orderBy("seq")
      .execute();
    expect(decisions.at(-1)?.payload).toMatchObject({ outcome: "allow", action: "disclose" });
    // Each person is told, by an essential email.
    const notice = await f.notice(p1.email, /disclosed information/);
    expect(textOf(notice)).toContain("Arlington County Police");
    expect(textOf(notice)).toMatch(/cannot be unsubscribed/);
    expect(subjectLine(await f.notice(p2.email, /disclosed information/))).toMatch(/disclosed/);
    // Produced once: a second production is refused.
    await refused(await api.produce(receiver, id), "PLEDGE_LEGAL_STATE");
    const moves = await f.t.store.db
      .selectFrom("audit_log")
      .select(["type", "payload"])
      .where("type", "in", ["legal.received", "legal.approved", "legal.moved"])
      .orderBy("seq")
      .execute();
    const mine = moves.filter((m) => (m.payload as { requestId: string }).requestId === id);
    expect(mine.map((m) => m.type)).toEqual([
      "legal.received",
      "legal.approved",
      "legal.approved",
      "legal.moved",
      "legal.moved",
    ]);
  });

  it("a withdrawn or refused request is never produced, whatever its approvals", async () => {
    const scope = { ...SUBPOENA, ground: "site_misuse", subjects: [p3.id], fields: ["email"] };
    const withdrawn = await api.approved(receiver, [second, third], scope);
    const w = await f.req("POST", `/v1/legal/requests/${withdrawn}/withdraw`, { key: receiver, body: {} });
    expect(w.json()).toMatchObject({ state: "withdrawn", closedBy: expect.stringMatching(/^staff:/) });
    const after = await api.produce(second, withdrawn);
    expect(after.statusCode).toBe(409);
    expect(after.json().code).toBe("PLEDGE_LEGAL_STATE");
    const refusedId = (await api.register(receiver, scope)).json().id as string;
    await f.req("POST", `/v1/legal/requests/${refusedId}/refuse`, {
      key: second,
      body: { note: "overbroad" },
    });
    expect((await api.approve(third, refusedId)).json().code).toBe("PLEDGE_LEGAL_STATE");
    expect((await api.produce(third, refusedId)).json().code).toBe("PLEDGE_LEGAL_STATE");
    expect(await ledgerOf(p3.id)).toEqual([]);
  });

  it("under a non-disclosure order the person is told only once it ends", async () => {
    const p = await f.person();
    const until = new Date(f.now.getTime() + 30 * 86_400_000).toISOString();
    const id = await api.approved(receiver, [second, third], {
      ...SUBPOENA,
      instrument: "court_order",
      reference: "1:26-mj-00017",
      ground: "illegal_internet_use",
      subjects: [p.id],
      fields: ["email"],
      nondisclosureUntil: until,
    });
    expect((await api.produce(receiver, id)).statusCode).toBe(200);
    const early = await f.req("POST", "/v1/legal/notices/send", { key: receiver });
    expect(early.json()).toEqual({ sent: 0 });
    expect(f.sink.messages.filter((m) => m.envelope.to.includes(p.email))).toEqual([]);
    f.now = new Date(new Date(until).getTime() + 60_000);
    await f.req("POST", "/v1/legal/notices/send", { key: receiver });
    const notice = await f.notice(p.email, /disclosed information/);
    expect(textOf(notice)).toContain("a court order");
    const sent = await f.req("POST", "/v1/legal/notices/send", { key: receiver });
    expect(sent.json()).toEqual({ sent: 0 });
    expect(f.sink.messages.filter((m) => m.envelope.to.includes(p.email))).toHaveLength(1);
  });

  it("an emergency disclosure is recorded after the fact with its justification, through the gate into the ledger", async () => {
    const p = await f.person();
    const body = {
      authority: "Virginia State Police",
      country: "US",
      reference: "VSP-EM-7",
      ground: "other_criminal_activity",
      subjects: [p.id],
      fields: ["phone", "email"],
    };
    const bare = await f.req("POST", "/v1/legal/emergencies", { key: receiver, body });
    expect(bare.statusCode).toBe(400);
    const res = await f.req("POST", "/v1/legal/emergencies", {
      key: receiver,
      body: { ...body, justification: "a caller threatened to harm a named person that night" },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().request).toMatchObject({
      instrument: "emergency",
      state: "produced",
      justification: "a caller threatened to harm a named person that night",
    });
    expect(await ledgerOf(p.id)).toEqual([
      expect.objectContaining({
        recipient_id: "authorities",
        kind: "legal",
        ground: "other_criminal_activity",
      }),
    ]);
    const wrongGround = await f.req("POST", "/v1/legal/emergencies", {
      key: receiver,
      body: { ...body, ground: "curiosity", justification: "no reason that the policy lists" },
    });
    expect(wrongGround.json()).toMatchObject({ code: "PLEDGE_LEGAL_GROUND_REFUSED", clauses: ["Z19-05"] });
  });

  it("an emergency asking for what authorities do not receive is refused, recorded as a refused use, and registers nothing", async () => {
    const p = await f.person();
    const before = await count("legal_requests");
    const res = await f.req("POST", "/v1/legal/emergencies", {
      key: receiver,
      body: {
        authority: "Virginia State Police",
        country: "US",
        reference: "VSP-EM-8",
        ground: "other_criminal_activity",
        subjects: [p.id],
        fields: ["email", "interests"],
        justification: "asked for the person's interests to find them that night",
      },
    });
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json().code).toBe("PLEDGE_USE_REFUSED");
    expect(res.body).not.toContain(p.email);
    expect(await count("legal_requests")).toBe(before);
    expect(await ledgerOf(p.id)).toEqual([]);
    const audit = await f.req("GET", `/v1/audit/events?subjectId=${p.id}&type=decision`);
    const refused = (audit.json().items as { payload: Record<string, unknown> }[]).filter(
      (e) => e.payload.action === "disclose",
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]!.payload).toMatchObject({ outcome: "deny", recipient: "authorities" });
  });

  it("the transparency report counts a half-year's requests by instrument and by country, from the register", async () => {
    f.now = new Date("2026-08-03T09:00:00.000Z");
    const a = await f.person();
    const b = await f.person();
    const us = { ...SUBPOENA, ground: "card_fraud", fields: ["email"] };
    const produced = await api.approved(receiver, [second, third], { ...us, subjects: [a.id, b.id] });
    await api.produce(receiver, produced);
    await api.register(receiver, { ...us, instrument: "warrant", subjects: [a.id] });
    const de = (
      await api.register(receiver, { ...us, country: "DE", authority: "Bundeskriminalamt", subjects: [b.id] })
    ).json().id as string;
    await f.req("POST", `/v1/legal/requests/${de}/refuse`, { key: second, body: {} });
    const res = await f.req("GET", "/v1/legal/transparency?period=2026-H2", { key: receiver });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({
      period: "2026-H2",
      from: "2026-07-01T00:00:00.000Z",
      to: "2027-01-01T00:00:00.000Z",
      total: { requests: 3, accounts: 4, produced: 1, producedPercent: 33 },
      byCountry: [
        { country: "DE", requests: 1, accounts: 1, produced: 0 },
        { country: "US", requests: 2, accounts: 3, produced: 1 },
      ],
    });
    const byInstrument = Object.fromEntries(
      (report.byInstrument as { instrument: string; requests: number }[]).map((l) => [
        l.instrument,
        l.requests,
      ]),
    );
    expect(byInstrument).toEqual({ subpoena: 2, court_order: 0, warrant: 1, emergency: 0, other: 0 });
    expect(res.body).not.toContain(a.id);
    expect(res.body).not.toContain("ACPD");
    const h1 = (await f.req("GET", "/v1/legal/transparency?period=2026-H1", { key: receiver })).json();
    expect(h1.total.requests).toBeGreaterThan(0);
    expect((await f.req("GET", "/v1/legal/transparency?period=2026-Q1", { key: receiver })).statusCode).toBe(
      400,
    );
  });
});
