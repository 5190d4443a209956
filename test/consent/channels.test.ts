import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordGpcSignal } from "../../src/modules/consent/consent.service.ts";
import { inForce, loadPolicyHistory } from "../../src/policy/history.ts";
import { POLICIES_DIR } from "../harness/app.ts";
import { fixture, marketing, type Fixture } from "./fixture.ts";

/** Stopping a channel in one call (ZM-06), the GPC signal, and consent across policy versions (Z19-11). */
const open: Fixture[] = [];
const make = async (company: string, clock?: () => Date) => {
  const f = await fixture(company, clock);
  open.push(f);
  return f;
};
afterAll(async () => {
  for (const f of open) await f.t.close();
});

describe("stopping one channel", () => {
  it("withdraws every marketing purpose and topic on the channel at once, and a second call changes nothing", async () => {
    const f = await make("zmailcloud");
    const id = await f.subject();
    const res = await f.req("POST", `/v1/subjects/${id}/channels/email/stop`, {
      purpose: f.purpose,
      source: "email-link",
      evidence: { messageId: "m-1" },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.channel).toBe("email");
    expect(
      body.events.map((e: { targetKind: string; target: string }) => `${e.targetKind}:${e.target}`).sort(),
    ).toEqual(["purpose:marketing.communications", "topic:blog", "topic:newsletter", "topic:surveys"]);
    for (const e of body.events)
      expect(e).toMatchObject({ channel: "email", action: "withdrawn", source: "email-link" });
    expect((await f.decide(id, marketing("marketing.communications", "email"))).outcome).toBe("deny");
    expect((await f.decide(id, marketing("marketing.communications", "email", "newsletter"))).outcome).toBe(
      "deny",
    );
    // Other channels and essential mail are untouched.
    expect((await f.decide(id, marketing("marketing.communications", "postal"))).outcome).toBe("allow");
    const service = {
      action: "send",
      purpose: "essential.service.provision_billing",
      channel: "email",
      messageClass: "billing",
      fields: ["email"],
    };
    expect((await f.decide(id, service)).outcome).toBe("allow");

    const events = await f.count("consent_events");
    const again = await f.req("POST", `/v1/subjects/${id}/channels/email/stop`, {
      purpose: f.purpose,
      source: "web",
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().events).toEqual([]);
    expect(await f.count("consent_events")).toBe(events);
  });

  it("a channel already stopped for every channel ('') gets no new event", async () => {
    const f = await make("zmailcloud");
    const id = await f.subject();
    await f.req("POST", `/v1/subjects/${id}/consents`, {
      purpose: f.purpose,
      targetKind: "purpose",
      target: "marketing.communications",
      action: "objected",
      source: "staff",
    });
    const res = await f.req("POST", `/v1/subjects/${id}/channels/phone/stop`, {
      purpose: f.purpose,
      source: "web",
    });
    expect(res.json().events).toEqual([]);
    expect(
      (
        await f.req("POST", `/v1/subjects/${id}/channels/sms/stop`, { purpose: f.purpose, source: "web" })
      ).json().events,
    ).toEqual([]);
    expect(
      (await f.req("POST", `/v1/subjects/${id}/channels/fax/stop`, { purpose: f.purpose, source: "web" }))
        .statusCode,
    ).toBe(400);
  });
});

describe("Global Privacy Control", () => {
  it("recordGpcSignal withdraws the sale permission and stops sharing with outside parties, once", async () => {
    const f = await make("partstore");
    const id = await f.subject();
    await f.req("POST", `/v1/subjects/${id}/consents`, {
      purpose: f.purpose,
      targetKind: "permission",
      target: "sale",
      action: "granted",
      source: "web",
    });
    const pack = inForce(
      await loadPolicyHistory(path.join(POLICIES_DIR, "partstore")),
      new Date().toISOString(),
    );
    const ctx = { actor: "system", now: new Date() };
    const events = await recordGpcSignal(f.t.store.db, pack, id, ctx, { requestId: "req-gpc" });
    expect(events.map((e) => [e.targetKind, e.target, e.action, e.source])).toEqual([
      ["permission", "sale", "withdrawn", "gpc"],
      ["sharing", "catalogues", "withdrawn", "gpc"],
    ]);
    const prefs = (await f.req("GET", `/v1/subjects/${id}/preferences?purpose=${f.purpose}`)).json();
    expect(prefs.permissions).toEqual([]);
    expect(prefs.optOuts).toEqual(["catalogues"]);
    expect(await recordGpcSignal(f.t.store.db, pack, id, ctx)).toEqual([]);
    const history = (await f.req("GET", `/v1/subjects/${id}/consents?purpose=${f.purpose}`)).json();
    expect(history.items.filter((e: { source: string }) => e.source === "gpc")).toHaveLength(2);
  });
});

describe("consent across policy versions", () => {
  it("a consent given under zones 2016 still governs a decision under 2019", async () => {
    let now = new Date("2017-03-01T12:00:00Z");
    const f = await make("zones", () => now);
    const id = await f.subject();
    const grant = await f.req("POST", `/v1/subjects/${id}/consents`, {
      purpose: f.purpose,
      targetKind: "purpose",
      target: "marketing.communications.email",
      channel: "email",
      action: "granted",
      source: "web",
    });
    expect(grant.json().policyVersion).toBe("2016-11-28");
    now = new Date("2020-06-01T12:00:00Z");
    const d = await f.decide(id, marketing("marketing.communications.email", "email"));
    expect(d.outcome).toBe("allow");
    expect(d.policy.version).toBe("2019-12-31");
    const history = (await f.req("GET", `/v1/subjects/${id}/consents?purpose=${f.purpose}`)).json();
    expect(history.items.map((e: { policyVersion: string }) => e.policyVersion)).toEqual(["2016-11-28"]);
  });
});
