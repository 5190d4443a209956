import { afterAll, describe, it } from "vitest";
import { provesAll02 } from "../audited.ts";
import { ask, closeApps, expectDecision, type AskFacts, type AskOptions, type AskUse } from "../ask.ts";

/** Zones 2019 (policies/zones/2019-12-31.yaml), proven through POST /v1/decisions. */
const V = "2019-12-31";
const AT = "2020-06-01T12:00:00Z";
const q = (use: AskUse, facts?: AskFacts, opts?: AskOptions) => ask("zones", { at: AT, ...use }, facts, opts);
afterAll(closeApps);

const partnerExport: AskUse = {
  action: "export",
  purpose: "third_party_sharing.marketing",
  recipient: "marketing-partners",
  fields: ["first_name", "last_name", "postal_address", "zip"],
};
const promoEmail: AskUse = {
  action: "send",
  purpose: "marketing.communications.email",
  fields: ["first_name", "email"],
  channel: "email",
  messageClass: "marketing",
};
const toAuthorities: AskUse = {
  action: "disclose",
  purpose: "essential.legal_obligation",
  recipient: "authorities",
  fields: ["first_name", "last_name", "ip_address"],
};

describe("zones-2019", () => {
  it("Z19-02: web logs and cookies give aggregates; tracking tools never get identifiers", async () => {
    const stats: AskUse = {
      action: "analyse",
      purpose: "analytics.reporting.visitors",
      fields: ["cookie_id", "web_log"],
    };
    expectDecision(await q(stats), "deny", "Z19-02", V);
    expectDecision(await q({ ...stats, aggregate: true }, { subject: null }), "allow", "Z19-02", V);
    const vendor: AskUse = { ...stats, action: "disclose", recipient: "tracking-vendor" };
    expectDecision(await q(vendor), "deny", "Z19-02", V);
    expectDecision(await q({ ...vendor, aggregate: true }, { subject: null }), "allow", "Z19-02", V);
  });

  it("Z19-03: order data serves the order; promotions need opt-in by email and stop on request by post", async () => {
    const notice = await q({
      action: "send",
      purpose: "essential.service.order_fulfilment",
      fields: ["email", "order_id"],
      channel: "email",
      messageClass: "delivery",
    });
    expectDecision(notice, "allow", "Z19-03", V);
    expectDecision(await q(promoEmail), "deny", "Z19-03", V);
    const post: AskUse = {
      ...promoEmail,
      purpose: "marketing.communications.postal",
      fields: ["first_name", "postal_address"],
      channel: "postal",
    };
    expectDecision(await q(post), "allow", "Z19-03", V);
    expectDecision(
      await q(post, { subject: { consents: { "marketing.communications.postal": "objected" } } }),
      "deny",
      "Z19-03",
      V,
    );
  });

  it("Z19-03: partners get names and postal addresses, never email, and not after an opt-out", async () => {
    expectDecision(await q(partnerExport), "allow", "Z19-03", V);
    expectDecision(await q({ ...partnerExport, fields: ["first_name", "email"] }), "deny", "Z19-03", V);
    expectDecision(
      await q(partnerExport, { subject: { optOuts: ["partner_sharing"] } }),
      "deny",
      "Z19-03",
      V,
    );
  });

  it("Z19-04: a subcontractor gets one customer's data for its contracted job, under contract", async () => {
    const use: AskUse = {
      action: "disclose",
      purpose: "essential.service.order_fulfilment",
      recipient: "subcontractors",
      fields: ["first_name", "shipping_address", "order_items"],
    };
    expectDecision(await q(use), "allow", "Z19-04", V);
    expectDecision(await q(use, { recipientContractOnFile: false }), "deny", "Z19-04", V);
    expectDecision(await q({ ...use, action: "export" }), "deny", "Z19-04", V);
  });

  it("Z19-05: release to authorities also covers other criminal activity, which 2016 did not", async () => {
    expectDecision(await q({ ...toAuthorities, ground: "other_criminal_activity" }), "allow", "Z19-05", V);
    expectDecision(await q(toAuthorities), "deny", "Z19-05", V);
    const in2018 = await ask("zones", {
      ...toAuthorities,
      ground: "other_criminal_activity",
      at: "2018-06-01T12:00:00Z",
    });
    expectDecision(in2018, "deny", "Z16-07", "2016-11-28");
  });

  it("Z19-07: nothing is taken from a child under 13", async () => {
    const collect: AskUse = {
      action: "collect",
      purpose: "essential.service.order_fulfilment",
      fields: ["first_name", "email"],
    };
    expectDecision(await q(collect, { subject: { age: 12 } }), "deny", "Z19-07", V);
    expectDecision(await q(collect, { subject: { age: 13 } }), "allow", "Z19-03", V);
  });

  it("Z19-08: the new version applies from the instant it is posted", async () => {
    const before = await ask("zones", { ...promoEmail, at: "2019-12-30T23:59:59Z" });
    expectDecision(before, "deny", "Z16-05", "2016-11-28");
    const from = await ask("zones", { ...promoEmail, at: "2019-12-31T00:00:00Z" });
    expectDecision(from, "deny", "Z19-03", V);
  });
});

describe("zones-2019, shared promises", () => {
  provesAll02(
    "zones",
    V,
    [{ ...promoEmail, at: AT }, { subject: { consents: { "marketing.communications.email": "granted" } } }],
    [{ ...promoEmail, at: AT }, {}],
  );
});
