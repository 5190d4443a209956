import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Decision } from "../../src/gate/types.ts";
import { signBody } from "../../src/modules/deliverability/signature.ts";
import { listFixture, type ListFixture } from "../lists/fixture.ts";
import { sendingCampaign } from "./helpers.ts";

/**
 * A complaint puts the address on the Do Not Send list where the pack keeps one for the channel
 * (partstore: email); zmailcloud keeps none, so a complaint there only counts for the guard.
 */
describe("complaints and the Do Not Send list", () => {
  let ps: ListFixture;
  let zm: ListFixture;
  beforeAll(async () => {
    [ps, zm] = await Promise.all([listFixture("partstore"), listFixture("zmailcloud")]);
  });
  afterAll(async () => {
    await ps?.t.close();
    await zm?.t.close();
  });

  const marketingEmail = {
    action: "send",
    purpose: "marketing.communications",
    channel: "email",
    messageClass: "marketing",
    fields: ["email"],
  };

  it("partstore: a complaint lists the address the message went to; marketing email to it is then refused (PS-05)", async () => {
    const person = await ps.customer({ email: "complains@example.com" });
    const c = await sendingCampaign(ps.t.store.db, {
      purpose: "marketing.communications",
      sent: 1,
      people: [person],
    });
    const res = await ps.req("POST", `/v1/campaigns/${c.campaignId}/events`, {
      messageId: c.sent[0],
      kind: "complaint",
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ recorded: true, suppressed: true });
    const check = await ps.req("POST", "/v1/suppression/check", {
      channel: "email",
      address: "complains@example.com",
    });
    expect(check.json()).toMatchObject({ suppressed: true, entry: { reason: "complaint" } });
    const decided = await ps.req("POST", "/v1/decisions", { use: marketingEmail, subjectId: person });
    const decision = (decided.json() as { decision: Decision }).decision;
    expect(decision.outcome).toBe("deny");
    expect(decision.reasons[0]?.clause).toBe("PS-05");
    const again = await ps.req("POST", `/v1/campaigns/${c.campaignId}/events`, {
      messageId: c.sent[0],
      kind: "complaint",
    });
    expect(again.json()).toMatchObject({ recorded: false, suppressed: false });
  });

  it("without PLEDGE_WEBHOOK_SECRET the webhook refuses every call and writes nothing", async () => {
    const c = await sendingCampaign(ps.t.store.db, { purpose: "marketing.communications", sent: 1 });
    const body = JSON.stringify([{ messageId: c.sent[0], kind: "bounce", at: new Date().toISOString() }]);
    const res = await ps.t.app.inject({
      method: "POST",
      url: "/v1/webhooks/deliverability",
      headers: {
        "content-type": "application/json",
        "x-pledge-signature": signBody("any secret at all, long enough to be one", body),
      },
      payload: body,
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("PLEDGE_WEBHOOK_SIGNATURE_INVALID");
    expect(
      await ps.t.store.db
        .selectFrom("deliverability_events")
        .select("event_id")
        .where("campaign_id", "=", c.campaignId)
        .execute(),
    ).toHaveLength(0);
  });

  it("zmailcloud keeps no Do Not Send list: a complaint suppresses nothing", async () => {
    const person = await zm.customer({ email: "zm-complains@example.com" });
    const c = await sendingCampaign(zm.t.store.db, {
      purpose: "marketing.communications",
      sent: 1,
      people: [person],
    });
    const res = await zm.req("POST", `/v1/campaigns/${c.campaignId}/events`, {
      messageId: c.sent[0],
      kind: "complaint",
    });
    expect(res.json()).toMatchObject({ recorded: true, suppressed: false });
    expect(await zm.t.store.db.selectFrom("suppression_list").select("channel").execute()).toHaveLength(0);
  });
});
