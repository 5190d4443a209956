import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardVerdict, type SendGuard } from "../../src/modules/campaigns/guard.ts";
import { signBody } from "../../src/modules/deliverability/signature.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { reportableId, sendingCampaign } from "./helpers.ts";

const GUARD: SendGuard = {
  max_bounce_rate: 0.05,
  max_complaint_rate: 0.001,
  min_sample: 200,
  clauses: ["ZM-10"],
};
const SECRET = "s".repeat(16) + "e".repeat(16) + "cret";
const PURPOSE = "marketing.communications";

describe("send guard verdict (pure)", () => {
  it.each([
    [{ sent: 199, bounces: 150, complaints: 100 }, null],
    [{ sent: 200, bounces: 10, complaints: 0 }, null],
    [{ sent: 200, bounces: 11, complaints: 0 }, "bounce_rate_exceeded"],
    [{ sent: 1000, bounces: 0, complaints: 1 }, null],
    [{ sent: 1000, bounces: 0, complaints: 2 }, "complaint_rate_exceeded"],
    [{ sent: 300, bounces: 16, complaints: 5 }, "bounce_rate_exceeded"],
  ])("%o → %s", (counts, expected) => {
    expect(guardVerdict(GUARD, counts)).toBe(expected);
  });
});

describe("bounces and complaints (zmailcloud: send guard 5 % bounces, 0.1 % complaints, 200 sent)", () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await buildTestApp({ company: "zmailcloud", env: { PLEDGE_WEBHOOK_SECRET: SECRET } });
    admin = await t.apiKey("admin");
  });
  afterAll(async () => {
    await t?.close();
  });

  const report = (campaignId: string, body: unknown, key = admin) =>
    t.app.inject({
      method: "POST",
      url: `/v1/campaigns/${campaignId}/events`,
      headers: { authorization: `Bearer ${key}` },
      payload: body as object,
    });
  const webhook = (body: string, signature: string | null) =>
    t.app.inject({
      method: "POST",
      url: "/v1/webhooks/deliverability",
      headers: {
        "content-type": "application/json",
        ...(signature === null ? {} : { "x-pledge-signature": signature }),
      },
      payload: body,
    });
  const events = async (campaignId: string) =>
    (
      await t.store.db
        .selectFrom("deliverability_events")
        .select("kind")
        .where("campaign_id", "=", campaignId)
        .execute()
    ).length;
  const status = async (campaignId: string) =>
    t.store.db
      .selectFrom("campaigns")
      .select(["status", "stopped_reason", "stopped_clause"])
      .where("campaign_id", "=", campaignId)
      .executeTakeFirstOrThrow();

  it("a bounce is recorded once; a repeat counts once; an unknown message or another campaign's is 404", async () => {
    const a = await sendingCampaign(t.store.db, { purpose: PURPOSE, sent: 5 });
    const b = await sendingCampaign(t.store.db, { purpose: PURPOSE, sent: 1 });
    const first = await report(a.campaignId, { messageId: a.sent[0], kind: "bounce", detail: "5.1.1" });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      recorded: true,
      suppressed: false,
      campaign: { status: "sending", sent: 5, bounces: 1 },
    });
    const again = await report(a.campaignId, { messageId: a.sent[0], kind: "bounce" });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ recorded: false, campaign: { bounces: 1 } });
    expect((await report(a.campaignId, { messageId: reportableId(), kind: "bounce" })).statusCode).toBe(404);
    expect((await report(a.campaignId, { messageId: b.sent[0], kind: "bounce" })).statusCode).toBe(404);
    expect((await report(crypto.randomUUID(), { messageId: a.sent[1], kind: "bounce" })).statusCode).toBe(
      404,
    );
    expect(await events(a.campaignId)).toBe(1);
    expect(await events(b.campaignId)).toBe(0);
  });

  it("a delivery report settles a message a crash left uncertain, found by its Message-ID; it is never resent", async () => {
    const a = await sendingCampaign(t.store.db, { purpose: PURPOSE, sent: 2 });
    const [settled, unknown] = a.sent as [string, string];
    await t.store.db
      .updateTable("campaign_messages")
      .set({ state: "uncertain", header_message_id: null, sent_at: null })
      .where("message_id", "in", [settled, unknown])
      .execute();
    const delivered = await report(a.campaignId, {
      messageId: `<${settled}@mail.example.test>`,
      kind: "delivered",
    });
    expect(delivered.statusCode, delivered.body).toBe(201);
    // A delivery is not a bounce or a complaint: the guard's counts do not move.
    expect(delivered.json()).toMatchObject({ campaign: { bounces: 0, complaints: 0 } });
    const states = await t.store.db
      .selectFrom("campaign_messages")
      .select(["message_id", "state"])
      .where("campaign_id", "=", a.campaignId)
      .execute();
    expect(states.find((m) => m.message_id === settled)?.state).toBe("sent");
    expect(states.find((m) => m.message_id === unknown)?.state).toBe("uncertain");
    const audit = await t.store.db
      .selectFrom("audit_log")
      .select("payload")
      .where("type", "=", "campaign.message_confirmed")
      .execute();
    expect(audit.map((r) => r.payload)).toContainEqual({
      campaignId: a.campaignId,
      messageId: settled,
      by: "delivered",
    });
  });

  it("ZM-10: bounces past 5 % of 200 sent stop the campaign, with the reason and the clause, audited", async () => {
    const c = await sendingCampaign(t.store.db, { purpose: PURPOSE, sent: 200, queued: 50 });
    for (const id of c.sent.slice(0, 10)) {
      const r = await report(c.campaignId, { messageId: id, kind: "bounce" });
      expect(r.statusCode, r.body).toBe(201);
    }
    expect((await status(c.campaignId)).status).toBe("sending");
    const last = await report(c.campaignId, { messageId: c.sent[10], kind: "bounce" });
    expect(last.json()).toMatchObject({
      campaign: {
        status: "stopped",
        stoppedReason: "bounce_rate_exceeded",
        stoppedClause: "ZM-10",
        sent: 200,
        bounces: 11,
      },
    });
    expect(await status(c.campaignId)).toEqual({
      status: "stopped",
      stopped_reason: "bounce_rate_exceeded",
      stopped_clause: "ZM-10",
    });
    const audit = await t.store.db
      .selectFrom("audit_log")
      .select("payload")
      .where("type", "=", "send_guard.stopped")
      .execute();
    expect(audit.map((a) => a.payload)).toContainEqual(
      expect.objectContaining({
        campaignId: c.campaignId,
        reason: "bounce_rate_exceeded",
        clause: "ZM-10",
        sent: 200,
        bounces: 11,
      }),
    );
  });

  it("ZM-10: one complaint in 200 sent passes 0.1 % and stops the campaign; under 200 sent nothing stops", async () => {
    const c = await sendingCampaign(t.store.db, { purpose: PURPOSE, sent: 200, queued: 5 });
    const res = await report(c.campaignId, { messageId: c.sent[3], kind: "complaint" });
    expect(res.json()).toMatchObject({
      campaign: { status: "stopped", stoppedReason: "complaint_rate_exceeded" },
    });
    const small = await sendingCampaign(t.store.db, { purpose: PURPOSE, sent: 150, queued: 100 });
    for (const id of small.sent.slice(0, 20))
      await report(small.campaignId, { messageId: id, kind: "bounce" });
    expect((await status(small.campaignId)).status).toBe("sending");
  });

  it("a role that does not send the campaign's purpose may not report for it", async () => {
    const c = await sendingCampaign(t.store.db, { purpose: PURPOSE, sent: 1 });
    const billing = await t.apiKey("billing");
    const res = await report(c.campaignId, { messageId: c.sent[0], kind: "bounce" }, billing);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("PLEDGE_FORBIDDEN_ROLE");
    const marketing = await t.apiKey("marketing");
    expect((await report(c.campaignId, { messageId: c.sent[0], kind: "bounce" }, marketing)).statusCode).toBe(
      201,
    );
  });

  it("ZM-10: GET …/deliverability gives the rates beside the pack's limits, to roles that send the purpose", async () => {
    const c = await sendingCampaign(t.store.db, { purpose: PURPOSE, sent: 200, queued: 5 });
    const rates = (key = admin) =>
      t.app.inject({
        method: "GET",
        url: `/v1/campaigns/${c.campaignId}/deliverability`,
        headers: { authorization: `Bearer ${key}` },
      });
    const before = await rates();
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json()).toEqual({
      campaignId: c.campaignId,
      status: "sending",
      stoppedReason: null,
      stoppedClause: null,
      sent: 200,
      bounces: 0,
      complaints: 0,
      bounceRate: 0,
      complaintRate: 0,
      guard: { maxBounceRate: 0.05, maxComplaintRate: 0.001, minSample: 200, clauses: ["ZM-10"] },
      policyVersion: "2015-10-17",
    });
    await report(c.campaignId, { messageId: c.sent[0], kind: "complaint" });
    await report(c.campaignId, { messageId: c.sent[1], kind: "bounce" });
    expect((await rates()).json()).toMatchObject({
      status: "stopped",
      stoppedReason: "complaint_rate_exceeded",
      bounces: 1,
      complaints: 1,
      bounceRate: 0.005,
      complaintRate: 0.005,
    });
    const empty = await sendingCampaign(t.store.db, { purpose: PURPOSE, sent: 0, queued: 3 });
    const none = await t.app.inject({
      method: "GET",
      url: `/v1/campaigns/${empty.campaignId}/deliverability`,
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(none.json()).toMatchObject({ sent: 0, bounceRate: null, complaintRate: null });
    expect((await rates(await t.apiKey("marketing"))).statusCode).toBe(200);
    const billing = await rates(await t.apiKey("billing"));
    expect(billing.statusCode).toBe(403);
    expect(billing.json().code).toBe("PLEDGE_FORBIDDEN_ROLE");
    const unknown = await t.app.inject({
      method: "GET",
      url: `/v1/campaigns/${crypto.randomUUID()}/deliverability`,
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it("the webhook takes bulk reports signed over the raw body, by message id or Message-ID header", async () => {
    const c = await sendingCampaign(t.store.db, { purpose: PURPOSE, sent: 300, queued: 10 });
    const headers = await t.store.db
      .selectFrom("campaign_messages")
      .select(["message_id", "header_message_id"])
      .where("campaign_id", "=", c.campaignId)
      .where("state", "=", "sent")
      .limit(20)
      .execute();
    const at = new Date().toISOString();
    const reports = headers.map((h, i) =>
      i % 2 === 0
        ? { messageId: h.message_id, kind: "bounce", at }
        : { messageId: `<${h.header_message_id as string}>`, kind: "bounce", at },
    );
    const body = JSON.stringify(reports);
    const res = await webhook(body, signBody(SECRET, body));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      recorded: 20,
      duplicates: 0,
      campaigns: [
        { campaignId: c.campaignId, status: "stopped", stoppedReason: "bounce_rate_exceeded", bounces: 20 },
      ],
    });
    const replay = await webhook(body, signBody(SECRET, body));
    expect(replay.json()).toMatchObject({ recorded: 0, duplicates: 20 });
    expect(await events(c.campaignId)).toBe(20);
  });

  it("a bad, missing or other-secret signature is 401 and writes nothing; an unknown message in a batch writes nothing", async () => {
    const c = await sendingCampaign(t.store.db, { purpose: PURPOSE, sent: 3 });
    const at = new Date().toISOString();
    const body = JSON.stringify([{ messageId: c.sent[0], kind: "complaint", at }]);
    for (const signature of [
      null,
      "sha256=00",
      signBody("another secret of enough length....", body),
      signBody(SECRET, `${body} `),
    ]) {
      const res = await webhook(body, signature);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe("PLEDGE_WEBHOOK_SIGNATURE_INVALID");
    }
    const text = await t.app.inject({
      method: "POST",
      url: "/v1/webhooks/deliverability",
      headers: { "content-type": "text/plain", "x-pledge-signature": signBody(SECRET, body) },
      payload: body,
    });
    expect(text.statusCode).toBe(401);
    const mixed = JSON.stringify([
      { messageId: c.sent[1], kind: "bounce", at },
      { messageId: reportableId(), kind: "bounce", at },
    ]);
    const unknown = await webhook(mixed, signBody(SECRET, mixed));
    expect(unknown.statusCode).toBe(404);
    expect(await events(c.campaignId)).toBe(0);
  });
});
