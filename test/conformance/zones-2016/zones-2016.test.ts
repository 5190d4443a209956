import { afterAll, describe, expect, it } from "vitest";
import { provesAll02 } from "../audited.ts";
import {
  ask,
  askRaw,
  closeApps,
  expectDecision,
  type AskFacts,
  type AskOptions,
  type AskUse,
} from "../ask.ts";

/**
 * Zones 2016 (policies/zones/2016-11-28.yaml), proven through POST /v1/decisions. Every use is
 * dated while the 2016 version was in force, on a server that also holds the 2019 version.
 */
const V = "2016-11-28";
const AT = "2018-06-01T12:00:00Z";
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
const promoPost: AskUse = {
  action: "send",
  purpose: "marketing.communications.postal",
  fields: ["first_name", "last_name", "postal_address", "zip"],
  channel: "postal",
  messageClass: "marketing",
};
const toProvider: AskUse = {
  action: "disclose",
  purpose: "essential.service.order_fulfilment",
  recipient: "service-providers",
  fields: ["first_name", "last_name", "shipping_address", "order_items"],
};

describe("zones-2016", () => {
  it("Z16-01: payment takes the provider's card token and last four digits, never the card number", async () => {
    const d = await q({
      action: "collect",
      purpose: "essential.service.payment",
      fields: ["card_token", "card_last4", "card_brand", "card_expiry", "billing_address"],
    });
    expectDecision(d, "allow", "Z16-01", V);
    const pan = await askRaw("zones", {
      at: AT,
      action: "collect",
      purpose: "essential.service.payment",
      fields: ["card_number"],
    });
    expect(pan.status).toBe(400);
    expect(pan.problem?.code).toBe("PLEDGE_UNKNOWN_FIELD");
  });

  it("Z16-03: order data is used without consent to contact the customer about the order", async () => {
    const d = await q(
      {
        action: "send",
        purpose: "essential.service.order_fulfilment",
        fields: ["email", "order_id"],
        channel: "email",
        messageClass: "delivery",
      },
      {
        subject: {
          consents: {
            "marketing.communications.email": "withdrawn",
            "marketing.communications.postal": "objected",
          },
        },
      },
    );
    expectDecision(d, "allow", "Z16-03", V);
  });

  it("Z16-03: the order purpose sends no promotions", async () => {
    const d = await q({
      action: "send",
      purpose: "essential.service.order_fulfilment",
      fields: ["email"],
      channel: "email",
      messageClass: "marketing",
    });
    expectDecision(d, "deny", "Z16-03", V);
  });

  it("Z16-04: names and postal addresses go to vetted marketers under contract", async () => {
    expectDecision(await q(partnerExport), "allow", "Z16-04", V);
    expectDecision(await q(partnerExport, { recipientContractOnFile: false }), "deny", "Z16-04", V);
  });

  it("Z16-04: an export that asks for email addresses for a marketing partner is refused", async () => {
    const d = await q({ ...partnerExport, fields: [...partnerExport.fields, "email"] });
    expectDecision(d, "deny", "Z16-04", V);
    expect(d.reasons[0]?.detail).toContain("email");
  });

  it("Z16-04: a customer who stopped partner sharing is left out", async () => {
    const d = await q(partnerExport, { subject: { optOuts: ["partner_sharing"] } });
    expectDecision(d, "deny", "Z16-04", V);
    expect(d.reasons[0]?.code).toBe("sharing_opted_out");
  });

  it("Z16-04, Z16-05: profile and interest data never goes to a marketing partner", async () => {
    const d = await q({ ...partnerExport, fields: ["first_name", "interests"] });
    expectDecision(d, "deny", "Z16-04", V);
  });

  it("Z16-05: promotional email needs the customer's opt-in", async () => {
    expectDecision(await q(promoEmail), "deny", "Z16-05", V);
    const optedIn = await q(promoEmail, {
      subject: { consents: { "marketing.communications.email": "granted" } },
    });
    expectDecision(optedIn, "allow", "Z16-05", V);
  });

  it("Z16-06: survey answers are never read one person at a time for analysis", async () => {
    const one = await q({
      action: "analyse",
      purpose: "analytics.reporting.surveys",
      fields: ["survey_answers"],
    });
    expectDecision(one, "deny", "Z16-06", V);
    const all = await q(
      {
        action: "analyse",
        purpose: "analytics.reporting.surveys",
        fields: ["survey_answers"],
        aggregate: true,
      },
      { subject: null },
    );
    expectDecision(all, "allow", "Z16-06", V);
  });

  it("Z16-07: information goes to authorities only on a recorded legal ground", async () => {
    const use: AskUse = {
      action: "disclose",
      purpose: "essential.legal_obligation",
      recipient: "authorities",
      fields: ["first_name", "last_name", "ip_address", "order_id"],
    };
    expectDecision(await q(use), "deny", "Z16-07", V);
    expectDecision(await q({ ...use, ground: "other_criminal_activity" }), "deny", "Z16-07", V);
    expectDecision(await q({ ...use, ground: "card_fraud" }), "allow", "Z16-07", V);
    expectDecision(await q({ ...use, ground: "site_misuse" }), "allow", "Z16-07", V);
  });

  it("Z16-08: cookies, IP addresses and web logs give aggregate statistics only", async () => {
    const use: AskUse = {
      action: "analyse",
      purpose: "analytics.reporting.visitors",
      fields: ["cookie_id", "ip_address", "web_log"],
    };
    expectDecision(await q(use), "deny", "Z16-08", V);
    expectDecision(await q({ ...use, aggregate: true }, { subject: null }), "allow", "Z16-08", V);
  });

  it("Z16-08: recommendations from visits and the cart are for that customer only: no key, staff or recipient uses them", async () => {
    // The customer's own use is allowed through GET /v1/account/recommendations
    // (analytics.test.ts); every other asker is refused by rule 5, naming the clause.
    const use: AskUse = {
      action: "read",
      purpose: "personalize.recommendations",
      fields: ["web_log", "cart_items", "interests"],
    };
    for (const opts of [{}, { role: "marketing" }, { role: "analyst" }, { role: "customer_service" }]) {
      const d = await q(use, {}, opts);
      expectDecision(d, "deny", "Z16-08", V);
      expect(d.reasons[0]?.code).toBe("own_use_only");
    }
    const shared = await q({
      ...use,
      action: "export",
      recipient: "marketing-partners",
      fields: ["web_log"],
    });
    expectDecision(shared, "deny", "Z16-08", V);
  });

  it("Z16-09: third-party tracking tools receive aggregates, never identifiers", async () => {
    const use: AskUse = {
      action: "disclose",
      purpose: "analytics.reporting.site_performance",
      recipient: "tracking-vendor",
      fields: ["web_log", "ip_address"],
    };
    expectDecision(await q(use), "deny", "Z16-09", V);
    expectDecision(await q({ ...use, aggregate: true }, { subject: null }), "allow", "Z16-09", V);
  });

  it("Z16-10: a service provider gets one customer's data, for its contracted job, under contract", async () => {
    expectDecision(await q(toProvider), "allow", "Z16-10", V);
    expectDecision(await q(toProvider, { recipientContractOnFile: false }), "deny", "Z16-10", V);
    const list = await q({ ...toProvider, action: "export" });
    expectDecision(list, "deny", "Z16-10", V);
    expect(list.reasons[0]?.code).toBe("single_subject");
    const otherJob = await q({
      ...toProvider,
      purpose: "marketing.communications.postal",
      fields: ["first_name"],
    });
    expectDecision(otherJob, "deny", "Z16-10", V);
  });

  it("Z16-11: affiliate tracking carries a non-identifying token only", async () => {
    const use: AskUse = {
      action: "disclose",
      purpose: "marketing.affiliate.attribution",
      recipient: "affiliate-tracker",
      fields: ["affiliate_token"],
    };
    expectDecision(await q(use), "allow", "Z16-11", V);
    expectDecision(await q({ ...use, fields: ["affiliate_token", "email"] }), "deny", "Z16-11", V);
  });

  it("Z16-11: an affiliate learns who the customer is only with the customer's permission", async () => {
    const use: AskUse = {
      action: "disclose",
      purpose: "marketing.affiliate.identity",
      recipient: "affiliates",
      fields: ["first_name", "email"],
    };
    const consents = { "marketing.affiliate.identity": "granted" } as const;
    const d = await q(use, { subject: { consents } });
    expectDecision(d, "deny", "Z16-11", V);
    expect(d.reasons[0]?.code).toBe("permission_missing");
    expectDecision(
      await q(use, { subject: { consents, permissions: ["affiliate_identity"] } }),
      "allow",
      "Z16-11",
      V,
    );
  });

  it("Z16-12: only staff authorised for the purpose can read customer information", async () => {
    const read: AskUse = {
      action: "read",
      purpose: "essential.service.order_fulfilment",
      fields: ["first_name", "order_items"],
    };
    expectDecision(await q(read, {}, { role: "analyst" }), "deny", "Z16-12", V);
    expectDecision(await q(read, {}, { role: "customer_service" }), "allow", "Z16-03", V);
  });

  it("Z16-13: own marketing by post stops when the customer asks", async () => {
    const d = await q(promoPost, {
      subject: { consents: { "marketing.communications.postal": "objected" } },
    });
    expectDecision(d, "deny", "Z16-13", V);
  });

  it("Z16-13: stopping partner sharing and stopping own marketing are separate choices", async () => {
    expectDecision(await q(promoPost, { subject: { optOuts: ["partner_sharing"] } }), "allow", "Z16-13", V);
    const share = await q(partnerExport, {
      subject: { consents: { "marketing.communications.postal": "objected" } },
    });
    expectDecision(share, "allow", "Z16-04", V);
  });

  it("Z16-15: nothing is taken from a child under 13, or from someone of unknown age", async () => {
    const collect: AskUse = {
      action: "collect",
      purpose: "essential.service.order_fulfilment",
      fields: ["first_name", "email"],
    };
    expectDecision(await q(collect, { subject: { age: 12 } }), "deny", "Z16-15", V);
    expectDecision(await q(collect, { subject: { age: null } }), "deny", "Z16-15", V);
    expectDecision(await q(collect, { subject: { age: 13 } }), "allow", "Z16-03", V);
  });

  it("Z16-16: uses dated under the 2016 version are still decided by it after the policy changed", async () => {
    const d2018 = await ask("zones", { ...promoEmail, at: "2019-12-30T23:59:59Z" });
    expectDecision(d2018, "deny", "Z16-05", V);
    const d2020 = await ask("zones", { ...promoEmail, at: "2020-01-02T00:00:00Z" });
    expect(d2020.policy.version).toBe("2019-12-31");
  });
});

describe("zones-2016, shared promises", () => {
  provesAll02(
    "zones",
    V,
    [{ ...promoEmail, at: AT }, { subject: { consents: { "marketing.communications.email": "granted" } } }],
    [{ ...promoEmail, at: AT }, {}],
  );
});
