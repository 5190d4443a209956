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

/** ZZ Servers (policies/zzservers/2014-06-01.yaml), proven through POST /v1/decisions. */
const V = "2014-06-01";
const q = (use: AskUse, facts?: AskFacts, opts?: AskOptions) => ask("zzservers", use, facts, opts);
afterAll(closeApps);

const productNews: AskUse = {
  action: "send",
  purpose: "marketing.communications.email",
  topic: "product-news",
  fields: ["first_name", "email"],
  channel: "email",
  messageClass: "marketing",
};
const stoppedNews: AskFacts = {
  subject: {
    consents: { "marketing.communications.email": "objected", "product-news": "withdrawn" },
    suppressed: ["email"],
  },
};
const openContent = (ground: string | undefined, caseId: string | undefined): AskUse => ({
  action: "open_content",
  purpose: "essential.service.security",
  fields: ["message_content"],
  ...(ground === undefined ? {} : { ground }),
  ...(caseId === undefined ? {} : { caseId }),
});

describe("zzservers", () => {
  it("ZZ-01: name, address, phone and card token are taken in to set up service", async () => {
    const d = await q({
      action: "collect",
      purpose: "essential.service.provisioning",
      fields: [
        "first_name",
        "last_name",
        "postal_address",
        "phone",
        "card_token",
        "card_last4",
        "account_status",
        "services",
      ],
    });
    expectDecision(d, "allow", "ZZ-01", V);
  });

  it("ZZ-01: set-up data does not include stored communications", async () => {
    const d = await q({
      action: "read",
      purpose: "essential.service.provisioning",
      fields: ["phone", "message_content"],
    });
    expectDecision(d, "deny", "ZZ-01", V);
  });

  it("ZZ-02: landing-page order-form data goes to the internal sales-tracking store", async () => {
    const d = await q({
      action: "disclose",
      purpose: "marketing.sales_tracking",
      recipient: "sales-tracking",
      fields: ["cookie_id", "landing_order_form"],
    });
    expectDecision(d, "allow", "ZZ-02", V);
  });

  it("ZZ-02: the sales-tracking store receives nothing else, and order-form data no other use", async () => {
    const more = await q({
      action: "disclose",
      purpose: "marketing.sales_tracking",
      recipient: "sales-tracking",
      fields: ["landing_order_form", "email"],
    });
    expectDecision(more, "deny", "ZZ-02", V);
    const elsewhere = await q({ ...productNews, fields: ["email", "landing_order_form"] });
    expect(elsewhere.outcome).toBe("deny");
    expect(elsewhere.reasons[0]?.code).toBe("fields_not_allowed");
  });

  it("ZZ-03: communications are handled only to deliver them", async () => {
    const deliver = await q({
      action: "collect",
      purpose: "essential.service.communications",
      fields: ["message_content", "message_metadata"],
    });
    expectDecision(deliver, "allow", "ZZ-03", V);
    const reuse = await q({
      action: "analyse",
      purpose: "essential.service.communications",
      fields: ["message_content", "email"],
    });
    expectDecision(reuse, "deny", "ZZ-03", V);
  });

  it("ZZ-04: a staff member without a confidentiality agreement on file cannot read customer data", async () => {
    const read: AskUse = {
      action: "read",
      purpose: "essential.service.provisioning",
      fields: ["first_name", "phone"],
    };
    const d = await q(read, {}, { role: "support", attested: false });
    expectDecision(d, "deny", "ZZ-04", V);
    expect(d.reasons[0]?.code).toBe("attestation_missing");
    expectDecision(await q(read, {}, { role: "support", attested: true }), "allow", "ZZ-01", V);
  });

  it("ZZ-05: customer data is used to send system information", async () => {
    const d = await q({
      action: "send",
      purpose: "essential.service.system_information",
      fields: ["first_name", "email", "services"],
      channel: "email",
      messageClass: "service",
    });
    expectDecision(d, "allow", "ZZ-05", V);
  });

  it("ZZ-05, ZZ-07: product news reaches customers who have not opted out", async () => {
    expectDecision(await q(productNews), "allow", "ZZ-07", V);
  });

  it("ZZ-06: no export to anyone outside the company", async () => {
    const d = await askRaw("zzservers", {
      action: "export",
      purpose: "marketing.communications.email",
      recipient: "list-broker",
      fields: ["email"],
    });
    expect(d.status).toBe(400);
    expect(d.problem?.code).toBe("PLEDGE_UNKNOWN_RECIPIENT");
    expect(d.problem?.clauses).toContain("ZZ-06");
    const legal = await q({
      action: "export",
      purpose: "marketing.communications.email",
      recipient: "authorities",
      fields: ["email"],
      ground: "legal_requirement",
    });
    expect(legal.outcome).toBe("deny");
    expect(legal.reasons[0]?.code).toBe("recipient_purpose");
  });

  it("ZZ-07: product news stops after the unsubscribe link or an emailed request", async () => {
    const unsubscribed = await q(productNews, { subject: { consents: { "product-news": "withdrawn" } } });
    expectDecision(unsubscribed, "deny", "ZZ-07", V);
    const emailed = await q(productNews, {
      subject: { consents: { "marketing.communications.email": "objected" } },
    });
    expectDecision(emailed, "deny", "ZZ-07", V);
  });

  it("ZZ-08: messages essential to the account still reach a customer who stopped product news", async () => {
    for (const messageClass of ["security", "billing", "service"] as const) {
      const d = await q(
        {
          action: "send",
          purpose: "essential.service.account_maintenance",
          fields: ["email", "account_status"],
          channel: "email",
          messageClass,
        },
        stoppedNews,
      );
      expectDecision(d, "allow", "ZZ-08", V);
    }
    expect((await q(productNews, stoppedNews)).outcome).toBe("deny");
  });

  it("ZZ-10: account information goes to authorities only on a listed ground", async () => {
    const use: AskUse = {
      action: "disclose",
      purpose: "essential.legal_obligation",
      recipient: "authorities",
      fields: ["first_name", "last_name", "account_status"],
    };
    expectDecision(await q(use), "deny", "ZZ-10", V);
    expectDecision(await q({ ...use, ground: "marketing_request" }), "deny", "ZZ-10", V);
    expectDecision(await q({ ...use, ground: "harm_prevention" }), "allow", "ZZ-10", V);
    expectDecision(await q({ ...use, ground: "legal_requirement" }), "allow", "ZZ-10", V);
  });

  it("ZZ-11: the content of communications is disclosed under legal process or as evidence of a crime", async () => {
    const use: AskUse = {
      action: "disclose",
      purpose: "essential.legal_obligation",
      recipient: "authorities",
      fields: ["message_content"],
    };
    expectDecision(await q({ ...use, ground: "legal_process" }), "allow", "ZZ-11", V);
    expectDecision(await q({ ...use, ground: "crime_evidence" }), "allow", "ZZ-11", V);
  });

  it("ZZ-11: content is opened on one of the four grounds for a named case", async () => {
    expectDecision(await q(openContent("legal_process", "AUP-2014-0042")), "allow", "ZZ-11", V);
  });

  it("ZZ-11, ZZ-12: content is not opened on any other ground", async () => {
    const d = await q(openContent("curiosity", "AUP-2014-0042"));
    expectDecision(d, "deny", "ZZ-12", V);
    expect(d.reasons[0]?.code).toBe("content_ground_missing");
  });

  it("ZZ-12: without a specific abuse case, content is never opened (no bulk search)", async () => {
    const d = await q(openContent("legitimate_interests", undefined));
    expectDecision(d, "deny", "ZZ-12", V);
    expect(d.reasons[0]?.code).toBe("case_required");
    const bulk = await q(
      { ...openContent("legitimate_interests", undefined), aggregate: true },
      { subject: null },
    );
    expect(bulk.outcome).toBe("deny");
  });
});

describe("zzservers, shared promises", () => {
  provesAll02("zzservers", V, [productNews, {}], [productNews, stoppedNews]);
});
