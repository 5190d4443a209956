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

/** zMailCloud (policies/zmailcloud/2015-10-17.yaml), proven through POST /v1/decisions. */
const V = "2015-10-17";
const q = (use: AskUse, facts?: AskFacts, opts?: AskOptions) => ask("zmailcloud", use, facts, opts);
afterAll(closeApps);

const offer = (channel: "email" | "postal" | "phone", fields: string[]): AskUse => ({
  action: "send",
  purpose: "marketing.communications",
  fields,
  channel,
  messageClass: "marketing",
});
const offerEmail = offer("email", ["first_name", "email"]);
const newsletter: AskUse = { ...offerEmail, topic: "newsletter" };
const saysNoToEverything: AskFacts = {
  subject: {
    consents: {
      "marketing.communications": "objected",
      newsletter: "withdrawn",
      blog: "withdrawn",
      surveys: "withdrawn",
    },
  },
};

describe("zmailcloud", () => {
  it("ZM-01: nothing goes to a buyer or any recipient the policy does not name", async () => {
    const sale = await askRaw("zmailcloud", {
      action: "export",
      purpose: "marketing.communications",
      recipient: "data-buyer",
      fields: ["first_name", "email", "phone"],
    });
    expect(sale.status).toBe(400);
    expect(sale.problem?.code).toBe("PLEDGE_UNKNOWN_RECIPIENT");
    expect(sale.problem?.clauses).toContain("ZM-01");
    const org = await q({
      action: "export",
      purpose: "marketing.communications",
      recipient: "customer-organisation",
      fields: ["email"],
    });
    expectDecision(org, "deny", "ZM-15", V);
  });

  it("ZM-03: each of the five purposes is usable, and a sixth is refused", async () => {
    const uses: AskUse[] = [
      {
        action: "read",
        purpose: "essential.service.provision_billing",
        fields: ["customer_number", "services"],
      },
      { action: "charge", purpose: "functional.service.saved_details", fields: ["card_token"] },
      {
        action: "read",
        purpose: "essential.service.troubleshooting",
        fields: ["support_tickets", "services"],
      },
      {
        action: "send",
        purpose: "essential.service.feedback",
        fields: ["email"],
        channel: "email",
        messageClass: "feedback",
      },
      offerEmail,
    ];
    for (const use of uses) {
      const d = await q(use, { subject: { permissions: ["card_reuse"] } });
      expect(d.outcome, use.purpose).toBe("allow");
    }
    const sixth = await askRaw("zmailcloud", {
      action: "read",
      purpose: "analytics.reporting",
      fields: ["email"],
    });
    expect(sixth.status).toBe(400);
    expect(sixth.problem?.code).toBe("PLEDGE_UNKNOWN_PURPOSE");
    expect(sixth.problem?.clauses).toContain("ZM-03");
    expect(sixth.audit).toBeUndefined();
  });

  it("ZM-05: a subscriber who leaves the newsletter gets no newsletter", async () => {
    expectDecision(await q(newsletter), "allow", "ZM-05", V);
    const d = await q(newsletter, { subject: { consents: { newsletter: "withdrawn" } } });
    expectDecision(d, "deny", "ZM-05", V);
    expect(d.reasons[0]?.code).toBe("topic_withdrawn");
  });

  it("ZM-05: feedback requests always reach the customer", async () => {
    const d = await q(
      {
        action: "send",
        purpose: "essential.service.feedback",
        fields: ["first_name", "email"],
        channel: "email",
        messageClass: "feedback",
      },
      saysNoToEverything,
    );
    expectDecision(d, "allow", "ZM-05", V);
  });

  it("ZM-05, ZM-06: outage, service and billing notices reach a customer who stopped every marketing message", async () => {
    const outage = await q({ ...offerEmail, messageClass: "service" }, saysNoToEverything);
    expectDecision(outage, "allow", "ZM-06", V);
    const bill = await q(
      {
        action: "send",
        purpose: "essential.service.provision_billing",
        fields: ["email"],
        channel: "email",
        messageClass: "billing",
      },
      saysNoToEverything,
    );
    expectDecision(bill, "allow", "ZM-14", V);
  });

  it("ZM-06: marketing by email, post and phone can each be stopped on its own", async () => {
    const byPost = offer("postal", ["first_name", "postal_address", "zip"]);
    const byPhone = offer("phone", ["first_name", "phone"]);
    const stoppedEmail: AskFacts = {
      subject: { consents: { "marketing.communications:email": "objected" } },
    };
    expectDecision(await q(offerEmail, stoppedEmail), "deny", "ZM-06", V);
    expectDecision(await q(byPost, stoppedEmail), "allow", "ZM-06", V);
    expectDecision(await q(byPhone, stoppedEmail), "allow", "ZM-06", V);
    const stoppedPhone: AskFacts = {
      subject: { consents: { "marketing.communications:phone": "objected" } },
    };
    expectDecision(await q(byPhone, stoppedPhone), "deny", "ZM-06", V);
    expectDecision(await q(offerEmail, stoppedPhone), "allow", "ZM-06", V);
  });

  it("ZM-11: a deployment outside the USA is refused every use", async () => {
    const use: AskUse = {
      action: "read",
      purpose: "essential.service.troubleshooting",
      fields: ["services"],
    };
    expectDecision(await q(use, {}, { env: { PLEDGE_REGION: "us" } }), "allow", "ZM-03", V);
    const d = await q(use, {}, { env: { PLEDGE_REGION: "eu" } });
    expectDecision(d, "deny", "ZM-11", V);
    expect(d.reasons[0]?.code).toBe("region_not_allowed");
  });

  it("ZM-14: the card bills the order it was given for", async () => {
    const d = await q({
      action: "charge",
      purpose: "essential.service.provision_billing",
      fields: ["card_token", "billing_address"],
    });
    expectDecision(d, "allow", "ZM-14", V);
  });

  it("ZM-14: a saved card is charged again only with the customer's permission", async () => {
    const again: AskUse = {
      action: "charge",
      purpose: "functional.service.saved_details",
      fields: ["card_token", "billing_address"],
    };
    const d = await q(again);
    expectDecision(d, "deny", "ZM-14", V);
    expect(d.reasons[0]?.code).toBe("permission_missing");
    expectDecision(await q(again, { subject: { permissions: ["card_reuse"] } }), "allow", "ZM-14", V);
  });

  it("ZM-15: the customer's own organisation receives its users' account data under contract", async () => {
    const use: AskUse = {
      action: "disclose",
      purpose: "essential.service.provision_billing",
      recipient: "customer-organisation",
      fields: ["first_name", "email", "services"],
    };
    expectDecision(await q(use), "allow", "ZM-15", V);
    expectDecision(await q(use, { recipientContractOnFile: false }), "deny", "ZM-15", V);
  });

  it("ZM-15: the organisation never receives the card", async () => {
    const d = await q({
      action: "disclose",
      purpose: "essential.service.provision_billing",
      recipient: "customer-organisation",
      fields: ["email", "card_token"],
    });
    expectDecision(d, "deny", "ZM-15", V);
  });
});

describe("zmailcloud, shared promises", () => {
  provesAll02(
    "zmailcloud",
    V,
    [newsletter, {}],
    [newsletter, { subject: { consents: { newsletter: "withdrawn" } } }],
  );
});
