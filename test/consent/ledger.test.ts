import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, marketing, type Fixture } from "./fixture.ts";
import { appendedSince, auditMark } from "../harness/audit-mark.ts";

/** The consent ledger through the HTTP API: append, derived state, history, refusals. */
describe("consent ledger (zmailcloud)", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture("zmailcloud");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  const record = (id: string, body: Record<string, unknown>) =>
    f.req("POST", `/v1/subjects/${id}/consents`, { purpose: f.purpose, ...body });

  it("appends an event, updates the gate's state in the same call and audits it", async () => {
    const id = await f.subject();
    const auditBefore = await auditMark(f.t.store.db);
    const res = await record(id, {
      targetKind: "purpose",
      target: "marketing.communications",
      channel: "postal",
      action: "withdrawn",
      source: "web",
      evidence: { page: "/preferences", requestId: "req-1" },
    });
    expect(res.statusCode).toBe(201);
    const event = res.json();
    expect(event).toMatchObject({
      subjectId: id,
      targetKind: "purpose",
      target: "marketing.communications",
      channel: "postal",
      action: "withdrawn",
      source: "web",
      policyVersion: "2015-10-17",
      evidence: { page: "/preferences", requestId: "req-1" },
    });
    expect(event.actor).toMatch(/^staff:/);
    const prefs = (await f.req("GET", `/v1/subjects/${id}/preferences?purpose=${f.purpose}`)).json();
    expect(prefs.consents).toEqual([
      { scope: "marketing.communications", channel: "postal", state: "withdrawn", updatedAt: event.at },
    ]);
    const audit = await f.t.store.db
      .selectFrom("audit_log")
      .select(["type", "subject_id", "payload"])
      .where(appendedSince(auditBefore))
      .where("type", "=", "consent.recorded")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.subject_id).toBe(id);
    // The gate reads the new state: postal marketing stops, email marketing does not.
    expect((await f.decide(id, marketing("marketing.communications", "postal"))).outcome).toBe("deny");
    expect((await f.decide(id, marketing("marketing.communications", "email"))).outcome).toBe("allow");
  });

  it("keeps the history oldest first, paged by cursor, and a '' event covers every channel", async () => {
    const id = await f.subject();
    for (const [channel, action] of [
      ["email", "withdrawn"],
      ["phone", "withdrawn"],
      ["", "granted"],
    ] as const) {
      const res = await record(id, {
        targetKind: "purpose",
        target: "marketing.communications",
        channel,
        action,
        source: "staff",
      });
      expect(res.statusCode).toBe(201);
    }
    const prefs = (await f.req("GET", `/v1/subjects/${id}/preferences?purpose=${f.purpose}`)).json();
    expect(prefs.consents.map((c: { channel: string; state: string }) => [c.channel, c.state])).toEqual([
      ["", "granted"],
    ]);
    expect((await f.decide(id, marketing("marketing.communications", "email"))).outcome).toBe("allow");

    const first = await f.req("GET", `/v1/subjects/${id}/consents?limit=2&purpose=${f.purpose}`);
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items.map((e: { channel: string }) => e.channel)).toEqual(["email", "phone"]);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = (
      await f.req(
        "GET",
        `/v1/subjects/${id}/consents?limit=2&cursor=${page1.nextCursor}&purpose=${f.purpose}`,
      )
    ).json();
    expect(page2.items.map((e: { channel: string; action: string }) => [e.channel, e.action])).toEqual([
      ["", "granted"],
    ]);
    expect(page2.nextCursor).toBeNull();
  });

  it("a topic is stopped on its own, and the gate refuses that topic only", async () => {
    const id = await f.subject();
    const res = await record(id, {
      targetKind: "topic",
      target: "newsletter",
      channel: "email",
      action: "withdrawn",
      source: "email-link",
    });
    expect(res.statusCode).toBe(201);
    expect((await f.decide(id, marketing("marketing.communications", "email", "newsletter"))).outcome).toBe(
      "deny",
    );
    expect((await f.decide(id, marketing("marketing.communications", "email", "blog"))).outcome).toBe(
      "allow",
    );
  });

  it("refuses unknown targets, channels and subjects, and writes nothing", async () => {
    const id = await f.subject();
    const before = {
      events: await f.count("consent_events"),
      audit: await f.count("audit_log"),
      state: await f.count("subject_consents"),
    };
    const cases: [Record<string, unknown>, number, string][] = [
      [
        { targetKind: "purpose", target: "marketing.telepathy", action: "granted", source: "web" },
        400,
        "PLEDGE_UNKNOWN_PURPOSE",
      ],
      [
        { targetKind: "topic", target: "horoscopes", action: "granted", source: "web" },
        400,
        "PLEDGE_UNKNOWN_TOPIC",
      ],
      [
        { targetKind: "sharing", target: "partner_sharing", action: "withdrawn", source: "web" },
        400,
        "PLEDGE_UNKNOWN_SHARING_SCOPE",
      ],
      [
        { targetKind: "permission", target: "mind_reading", action: "granted", source: "web" },
        400,
        "PLEDGE_UNKNOWN_PERMISSION",
      ],
      [
        { targetKind: "topic", target: "newsletter", channel: "postal", action: "granted", source: "web" },
        400,
        "PLEDGE_CONSENT_CHANNEL_INVALID",
      ],
      [
        { targetKind: "permission", target: "sale", channel: "email", action: "granted", source: "web" },
        400,
        "PLEDGE_CONSENT_CHANNEL_INVALID",
      ],
      [
        { targetKind: "purpose", target: "marketing.communications", action: "maybe", source: "web" },
        400,
        "PLEDGE_VALIDATION_FAILED",
      ],
      [
        {
          targetKind: "purpose",
          target: "marketing.communications",
          action: "granted",
          source: "web",
          evidence: { email: "a@b.example" },
        },
        400,
        "PLEDGE_VALIDATION_FAILED",
      ],
    ];
    for (const [body, status, code] of cases) {
      const res = await record(id, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().code).toBe(code);
    }
    const ghost = "00000000-0000-4000-8000-00000000dead";
    const missing = await record(ghost, {
      targetKind: "purpose",
      target: "marketing.communications",
      action: "granted",
      source: "web",
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("PLEDGE_NOT_FOUND");
    expect((await f.req("GET", `/v1/subjects/${ghost}/consents?purpose=${f.purpose}`)).statusCode).toBe(404);
    expect(
      (
        await f.req("POST", `/v1/subjects/${ghost}/channels/email/stop`, {
          purpose: f.purpose,
          source: "web",
        })
      ).statusCode,
    ).toBe(404);
    expect(await f.count("consent_events")).toBe(before.events);
    // Malformed requests write nothing; the three uses of a subject that does not exist leave
    // only their audited decisions.
    expect(await f.count("audit_log")).toBe(before.audit + 3);
    expect(await f.count("subject_consents")).toBe(before.state);
  });
});

describe("sharing scopes and permissions (zones)", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture("zones");
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

  it("withdrawn stops a sharing scope, granted resumes it; permissions are put on file and taken off", async () => {
    const id = await f.subject();
    const post = (body: Record<string, unknown>) =>
      f.req("POST", `/v1/subjects/${id}/consents`, { purpose: f.purpose, ...body });
    expect(
      (await post({ targetKind: "sharing", target: "partner_sharing", action: "withdrawn", source: "web" }))
        .statusCode,
    ).toBe(201);
    expect(
      (await f.req("GET", `/v1/subjects/${id}/preferences?purpose=${f.purpose}`)).json().optOuts,
    ).toEqual(["partner_sharing"]);
    expect(
      (await post({ targetKind: "sharing", target: "partner_sharing", action: "granted", source: "web" }))
        .statusCode,
    ).toBe(201);
    expect(
      (await f.req("GET", `/v1/subjects/${id}/preferences?purpose=${f.purpose}`)).json().optOuts,
    ).toEqual([]);
    expect(
      (
        await post({
          targetKind: "permission",
          target: "affiliate_identity",
          action: "granted",
          source: "web",
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (await f.req("GET", `/v1/subjects/${id}/preferences?purpose=${f.purpose}`)).json().permissions,
    ).toEqual(["affiliate_identity"]);
    expect(
      (
        await post({
          targetKind: "permission",
          target: "affiliate_identity",
          action: "withdrawn",
          source: "staff",
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (await f.req("GET", `/v1/subjects/${id}/preferences?purpose=${f.purpose}`)).json().permissions,
    ).toEqual([]);
    const history = (await f.req("GET", `/v1/subjects/${id}/consents?purpose=${f.purpose}`)).json();
    expect(history.items).toHaveLength(4);
    expect(history.items.map((e: { action: string }) => e.action)).toEqual([
      "withdrawn",
      "granted",
      "granted",
      "withdrawn",
    ]);
    // Stopped again: the gate refuses the partners' list and still allows the company's own post.
    await post({ targetKind: "sharing", target: "partner_sharing", action: "objected", source: "web" });
    const contract = { recipientContractOnFile: true };
    expect((await f.decide(id, partners, contract)).reasons.map((r) => r.code)).toEqual([
      "sharing_opted_out",
    ]);
    expect((await f.decide(id, marketing("marketing.communications.postal", "postal"))).outcome).toBe(
      "allow",
    );
  });
});
