import { describe, expect, it } from "vitest";
import { compilePolicy, decide, type Decision } from "../../src/gate/index.ts";
import { facts, fixturePack, person, policy, use } from "./fixture.ts";

function denied(d: Decision, rule: number, code: string, clause: string | null): void {
  expect(d.outcome).toBe("deny");
  expect(d.fields).toEqual([]);
  expect(d.reasons).toHaveLength(1);
  expect(d.reasons[0]).toMatchObject({ rule, code, clause });
}

const staff = (role?: string) => ({
  kind: "staff" as const,
  id: "s1",
  ...(role === undefined ? {} : { role }),
});
const email = { action: "send", purpose: "marketing.email", channel: "email", fields: ["email"] } as const;

describe("decide: rules about the person (17–25)", () => {
  it("rule 17: a use about a person needs the person's facts; aggregates do not", () => {
    denied(decide(policy, facts(null), use()), 17, "subject_unknown", null);
  });

  it("rule 18: a person under the minimum age is refused; on collect an unknown age is refused too (Z16-15)", () => {
    denied(decide(policy, facts(person({ age: 12 })), use()), 18, "under_minimum_age", "TC-09");
    denied(
      decide(policy, facts(person({ age: null })), use({ action: "collect" })),
      18,
      "age_unknown",
      "TC-09",
    );
    expect(decide(policy, facts(person({ age: null })), use()).outcome).toBe("allow");
    expect(decide(policy, facts(person({ age: 13 })), use({ action: "collect" })).outcome).toBe("allow");
  });

  it("rule 19: former customers get no marketing when the pack says so, but still get essential messages (PS-07)", () => {
    const former = person({ status: "former", consents: { "marketing.email": "granted" } });
    denied(decide(policy, facts(former), use(email)), 19, "former_customer", "TC-12");
    const service = use({ ...email, purpose: "service.fulfil", messageClass: "service" });
    expect(decide(policy, facts(former), service).outcome).toBe("allow");
    const contactable = compilePolicy(
      fixturePack({ messages: { ...fixturePack().messages, former_customers: "contactable" } }),
    );
    expect(decide(contactable, facts(former), use(email)).outcome).toBe("allow");
  });

  it("rule 20: marketing never reaches a suppressed channel; essential messages do (PS-05, PS-06)", () => {
    const suppressed = person({ suppressed: ["email"], consents: { "marketing.email": "granted" } });
    denied(decide(policy, facts(suppressed), use(email)), 20, "suppressed", "TC-12");
    const delivery = use({ ...email, purpose: "service.fulfil", messageClass: "delivery" });
    expect(decide(policy, facts(suppressed), delivery).outcome).toBe("allow");
    const postal = use({
      action: "send",
      purpose: "marketing.postal",
      channel: "postal",
      fields: ["street"],
    });
    expect(decide(policy, facts(suppressed), postal).outcome).toBe("allow");
  });

  it("rule 21: a withdrawn topic stops messages on it, even with consent to the purpose (ZM-05)", () => {
    const p = person({ consents: { "marketing.email": "granted", newsletter: "withdrawn" } });
    denied(decide(policy, facts(p), use({ ...email, topic: "newsletter" })), 21, "topic_withdrawn", "TC-02");
    const channelOnly = person({
      consents: { "marketing.email": "granted", "newsletter:email": "objected", newsletter: "granted" },
    });
    denied(
      decide(policy, facts(channelOnly), use({ ...email, topic: "newsletter" })),
      21,
      "topic_withdrawn",
      "TC-02",
    );
    expect(decide(policy, facts(p), use(email)).outcome).toBe("allow");
  });

  it("rule 22: consent needs a grant for the purpose or the topic (Z16-05)", () => {
    denied(decide(policy, facts(), use(email)), 22, "consent_missing", "TC-02");
    expect(
      decide(policy, facts(person({ consents: { "marketing.email": "granted" } })), use(email)).outcome,
    ).toBe("allow");
    expect(
      decide(
        policy,
        facts(person({ consents: { newsletter: "granted" } })),
        use({ ...email, topic: "newsletter" }),
      ).outcome,
    ).toBe("allow");
    const withdrew = person({ consents: { "marketing.email": "withdrawn", newsletter: "granted" } });
    denied(
      decide(policy, facts(withdrew), use({ ...email, topic: "newsletter" })),
      22,
      "consent_withdrawn",
      "TC-02",
    );
  });

  it("rule 22: a channel state wins over the plain one (ZM-06)", () => {
    const p = person({ consents: { "marketing.email": "granted", "marketing.email:email": "withdrawn" } });
    denied(decide(policy, facts(p), use(email)), 22, "consent_withdrawn", "TC-02");
    const q = person({ consents: { "marketing.email": "withdrawn", "marketing.email:email": "granted" } });
    expect(decide(policy, facts(q), use(email)).outcome).toBe("allow");
  });

  it("rule 22: opt-out purposes are allowed until the person withdraws or objects (Z16-13)", () => {
    const postal = use({
      action: "send",
      purpose: "marketing.postal",
      channel: "postal",
      fields: ["street"],
    });
    expect(decide(policy, facts(), postal).outcome).toBe("allow");
    denied(
      decide(policy, facts(person({ consents: { "marketing.postal": "objected" } })), postal),
      22,
      "opted_out",
      "TC-03",
    );
    denied(
      decide(policy, facts(person({ consents: { "marketing.postal:postal": "withdrawn" } })), postal),
      22,
      "opted_out",
      "TC-03",
    );
    expect(
      decide(policy, facts(person({ consents: { "marketing.postal:catalogue": "withdrawn" } })), postal)
        .outcome,
    ).toBe("allow");
  });

  it("rule 22: contract, legal obligation and legitimate interest need no consent", () => {
    expect(decide(policy, facts(), use({ purpose: "service.fulfil" })).outcome).toBe("allow");
    expect(
      decide(policy, facts(person({ consents: { "service.fulfil": "withdrawn" } })), use()).outcome,
    ).toBe("allow");
  });

  it("rule 23: a partner gets nobody who stopped partner sharing; a consent recipient needs consent (Z16-04, PS-09)", () => {
    const share = use({
      action: "export",
      purpose: "partner.sharing",
      recipient: "partner",
      fields: ["first_name", "street"],
    });
    expect(decide(policy, facts(), share).outcome).toBe("allow");
    denied(
      decide(policy, facts(person({ optOuts: ["partner_sharing"] })), share),
      23,
      "sharing_opted_out",
      "TC-05",
    );
    const pack = fixturePack();
    const withConsent = compilePolicy({
      ...pack,
      recipients: pack.recipients.map((r) =>
        r.id === "partner" ? { ...r, requires: [...r.requires, "consent" as const] } : r,
      ),
    });
    denied(decide(withConsent, facts(), share), 23, "recipient_consent_missing", "TC-05");
    expect(
      decide(withConsent, facts(person({ consents: { "partner.sharing": "granted" } })), share).outcome,
    ).toBe("allow");
  });

  it("rule 24: a sale needs the sale permission; card reuse needs the card_reuse permission (ZM-01, ZM-14)", () => {
    const sell = use({ action: "export", purpose: "data.sale", recipient: "data-buyer", fields: ["email"] });
    const consented = { "data.sale": "granted" } as const;
    denied(decide(policy, facts(person({ consents: consented })), sell), 24, "permission_missing", "TC-07");
    expect(decide(policy, facts(person({ consents: consented, permissions: ["sale"] })), sell).outcome).toBe(
      "allow",
    );
    const charge = use({ action: "charge", purpose: "billing.recurring", fields: ["card_token"] });
    denied(decide(policy, facts(), charge), 24, "permission_missing", "TC-06");
    expect(decide(policy, facts(person({ permissions: ["card_reuse"] })), charge).outcome).toBe("allow");
  });

  it("rule 24: an affiliate receives identity only with the affiliate_identity permission (Z16-11)", () => {
    const convert = use({
      action: "disclose",
      purpose: "affiliate.conversion",
      recipient: "affiliate-net",
      fields: ["email"],
    });
    const consented = person({ consents: { "affiliate.conversion": "granted" } });
    denied(decide(policy, facts(consented), convert), 24, "permission_missing", "TC-11");
    expect(
      decide(policy, facts({ ...consented, permissions: ["affiliate_identity"] }), convert).outcome,
    ).toBe("allow");
  });

  it("rule 25: an allow names the recipient's and the topic's clauses as well", () => {
    const d = decide(policy, facts(), use({ action: "disclose", recipient: "courier", fields: ["street"] }));
    expect(d.reasons.map((r) => r.clause)).toEqual(["TC-01", "TC-01"]);
    const t = decide(
      policy,
      facts(person({ consents: { newsletter: "granted" } })),
      use({ ...email, topic: "newsletter" }),
    );
    expect(t.reasons.map((r) => r.clause)).toEqual(["TC-02", "TC-02"]);
  });

  it("precedence: the most fundamental refusal is the one reported", () => {
    const everything = facts(person({ age: 10, suppressed: ["email"] }), {
      actorAttested: false,
      deploymentRegion: "eu",
    });
    denied(
      decide(policy, everything, use({ ...email, actor: staff("nobody") })),
      1,
      "region_not_allowed",
      "TC-14",
    );
    denied(
      decide(policy, { ...everything, deploymentRegion: "us" }, use({ ...email, actor: staff("nobody") })),
      3,
      "attestation_missing",
      "TC-13",
    );
    denied(
      decide(policy, facts(person({ age: 10, suppressed: ["email"] })), use(email)),
      18,
      "under_minimum_age",
      "TC-09",
    );
  });
});
