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

/** PartStore (policies/partstore/2009-09-27.yaml), proven through POST /v1/decisions. */
const V = "2009-09-27";
const q = (use: AskUse, facts?: AskFacts, opts?: AskOptions) => ask("partstore", use, facts, opts);
afterAll(closeApps);

const offerEmail: AskUse = {
  action: "send",
  purpose: "marketing.communications",
  fields: ["first_name", "email"],
  channel: "email",
  messageClass: "marketing",
};
const catalogueExport = (recipient: string): AskUse => ({
  action: "export",
  purpose: "marketing.communications",
  recipient,
  fields: ["first_name", "last_name", "postal_address", "zip"],
  channel: "catalogue",
  messageClass: "marketing",
});

describe("partstore", () => {
  it("PS-01: order data is used to process the order and to personalise shopping", async () => {
    const order = await q({
      action: "read",
      purpose: "essential.service.order_fulfilment",
      fields: ["first_name", "last_name", "postal_address", "email", "card_token", "order_items"],
    });
    expectDecision(order, "allow", "PS-01", V);
    const personal = await q({ action: "read", purpose: "personalize.content", fields: ["order_items"] });
    expectDecision(personal, "allow", "PS-01", V);
  });

  it("PS-01: order processing does not reach site-usage data", async () => {
    const d = await q({
      action: "read",
      purpose: "essential.service.order_fulfilment",
      fields: ["order_id", "page_views"],
    });
    expectDecision(d, "deny", "PS-01", V);
    expect(d.fields).toEqual([]);
  });

  it("PS-03: site usage of one person is never analysed", async () => {
    const d = await q({
      action: "analyse",
      purpose: "analytics.reporting.site_usage",
      fields: ["page_views"],
    });
    expectDecision(d, "deny", "PS-03", V);
    expect(d.reasons[0]?.code).toBe("aggregate_only");
  });

  it("PS-03: site usage is analysed in aggregate", async () => {
    const d = await q(
      {
        action: "analyse",
        purpose: "analytics.reporting.site_usage",
        fields: ["page_views"],
        aggregate: true,
      },
      { subject: null },
    );
    expectDecision(d, "allow", "PS-03", V);
  });

  it("PS-04: an email address is not rented out without the customer's consent", async () => {
    const use: AskUse = {
      action: "export",
      purpose: "marketing.communications",
      recipient: "email-list-rental",
      fields: ["first_name", "email"],
    };
    expectDecision(await q(use), "deny", "PS-04", V);
    const consented = await q(use, { subject: { consents: { "marketing.communications": "granted" } } });
    expectDecision(consented, "allow", "PS-04", V);
  });

  it("PS-05: marketing email to an address on the Do Not Send list is refused", async () => {
    const d = await q(offerEmail, { subject: { suppressed: ["email"] } });
    expectDecision(d, "deny", "PS-05", V);
    expect(d.reasons[0]?.code).toBe("suppressed");
  });

  it("PS-05: the Do Not Send list stops email only, not an offer by post", async () => {
    const post: AskUse = {
      ...offerEmail,
      fields: ["first_name", "postal_address", "zip"],
      channel: "postal",
    };
    expectDecision(await q(post, { subject: { suppressed: ["email"] } }), "allow", "PS-07", V);
  });

  it("PS-06: technical, security and delivery messages still reach a suppressed address", async () => {
    for (const messageClass of ["service", "security", "delivery"] as const) {
      const d = await q(
        {
          action: "send",
          purpose: "essential.service.delivery",
          fields: ["first_name", "email"],
          channel: "email",
          messageClass,
        },
        { subject: { suppressed: ["email"], consents: { "marketing.communications": "objected" } } },
      );
      expectDecision(d, "allow", "PS-06", V);
    }
  });

  it("PS-06: a promotion cannot be sent as a service message", async () => {
    const d = await q(
      {
        action: "send",
        purpose: "essential.service.delivery",
        fields: ["email"],
        channel: "email",
        messageClass: "marketing",
      },
      { subject: { suppressed: ["email"] } },
    );
    expectDecision(d, "deny", "PS-06", V);
  });

  it("PS-07: a former customer may be contacted again", async () => {
    expectDecision(await q(offerEmail, { subject: { status: "former" } }), "allow", "PS-07", V);
  });

  it("PS-07, PS-05: a former customer on the Do Not Send list is not", async () => {
    const d = await q(offerEmail, { subject: { status: "former", suppressed: ["email"] } });
    expectDecision(d, "deny", "PS-05", V);
  });

  it("PS-08: each of the nine purposes is usable, and a tenth is refused", async () => {
    const uses: AskUse[] = [
      {
        action: "send",
        purpose: "essential.service.delivery",
        fields: ["email"],
        channel: "email",
        messageClass: "service",
      },
      { ...offerEmail },
      { action: "read", purpose: "essential.service.order_fulfilment", fields: ["order_id"] },
      { action: "read", purpose: "marketing.promotion_terms", fields: ["order_id", "email"] },
      {
        action: "analyse",
        purpose: "analytics.reporting.site_usage",
        fields: ["page_views"],
        aggregate: true,
      },
      { action: "read", purpose: "personalize.content", fields: ["order_items"] },
      {
        action: "send",
        purpose: "essential.service.policy_notice",
        fields: ["email"],
        channel: "email",
        messageClass: "policy_change",
      },
      { action: "read", purpose: "essential.service.restricted_access", fields: ["customer_number"] },
      {
        action: "send",
        purpose: "essential.service.inquiry_response",
        fields: ["phone"],
        channel: "phone",
        messageClass: "service",
      },
    ];
    const purposes = new Set<string>();
    for (const use of uses) {
      const d = await q(use, use.aggregate === true ? { subject: null } : {});
      expect(d.outcome, use.purpose).toBe("allow");
      expect(d.reasons[0]?.clause).toMatch(/^PS-/);
      purposes.add(use.purpose);
    }
    expect(purposes.size).toBe(9);
    const tenth = await askRaw("partstore", {
      action: "read",
      purpose: "marketing.profiling",
      fields: ["email"],
    });
    expect(tenth.status).toBe(400);
    expect(tenth.problem?.code).toBe("PLEDGE_UNKNOWN_PURPOSE");
    expect(tenth.problem?.clauses).toContain("PS-08");
    expect(tenth.audit).toBeUndefined();
  });

  it("PS-09: a no-catalogues request stops PartStore's own catalogues", async () => {
    // The mail house's list of PartStore's own catalogue leaves the person out.
    const use = catalogueExport("catalogue-mailhouse");
    expectDecision(await q(use), "allow", "PS-09", V);
    const d = await q(use, { subject: { optOuts: ["catalogues"] } });
    expectDecision(d, "deny", "PS-09", V);
    expect(d.reasons[0]?.code).toBe("channel_opted_out");
    // So does a catalogue PartStore sends itself, with no recipient in between.
    const send: AskUse = {
      action: "send",
      purpose: "marketing.communications",
      fields: ["postal_address"],
      channel: "catalogue",
      messageClass: "marketing",
    };
    expectDecision(await q(send), "allow", "PS-07", V);
    const stopped = await q(send, { subject: { optOuts: ["catalogues"] } });
    expectDecision(stopped, "deny", "PS-09", V);
    // The request is about catalogues only: an email from PartStore still goes out.
    const email = { ...send, fields: ["email"], channel: "email" } as const;
    expect((await q(email, { subject: { optOuts: ["catalogues"] } })).outcome).toBe("allow");
  });

  it("PS-09: a no-catalogues request also removes the customer from partner postal lists", async () => {
    const use: AskUse = { ...catalogueExport("partner-postal-lists"), channel: "postal" };
    expectDecision(await q(use), "allow", "PS-09", V);
    expectDecision(await q(use, { subject: { optOuts: ["catalogues"] } }), "deny", "PS-09", V);
  });

  it("PS-10: a material policy change is announced even to suppressed former customers", async () => {
    const d = await q(
      {
        action: "send",
        purpose: "essential.service.policy_notice",
        fields: ["first_name", "email"],
        channel: "email",
        messageClass: "policy_change",
      },
      { subject: { status: "former", suppressed: ["email"] } },
    );
    expectDecision(d, "allow", "PS-10", V);
  });

  it("PS-10: a use is decided by the version in force at its time; before the first, nothing is allowed", async () => {
    const after = await q({ ...offerEmail, at: "2009-09-28T10:00:00Z" });
    expectDecision(after, "allow", "PS-07", V);
    const before = await askRaw("partstore", { ...offerEmail, at: "2009-09-26T10:00:00Z" });
    expect(before.status).not.toBe(200);
    expect(before.decision).toBeUndefined();
  });
});

describe("partstore, shared promises", () => {
  provesAll02("partstore", V, [offerEmail, {}], [offerEmail, { subject: { suppressed: ["email"] } }]);
});
