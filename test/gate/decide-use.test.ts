import { describe, expect, it } from "vitest";
import { compilePolicy, decide, decideAt, type Decision } from "../../src/gate/index.ts";
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

describe("decide: rules about the use (0–16)", () => {
  it("rule 25: an ordinary use is allowed, naming the purpose's clause and the policy version", () => {
    const d = decide(policy, facts(), use());
    expect(d).toMatchObject({
      outcome: "allow",
      fields: ["email"],
      removed: [],
      policy: { company: "testco", version: "2026-01" },
    });
    expect(d.reasons).toEqual([expect.objectContaining({ clause: "TC-01", rule: 25, code: "allowed" })]);
  });

  it("rule 0: before the first version is in force nothing is allowed; after it, that version decides", () => {
    denied(decideAt([policy], facts(), use({ at: "2025-12-31T23:59:59Z" })), 0, "no_policy_in_force", null);
    const later = compilePolicy(fixturePack({ version: "2026-07", effective_from: "2026-07-01" }));
    expect(decideAt([policy, later], facts(), use({ at: "2026-06-30T23:00:00Z" })).policy.version).toBe(
      "2026-01",
    );
    expect(decideAt([policy, later], facts(), use({ at: "2026-07-01T00:00:00Z" })).policy.version).toBe(
      "2026-07",
    );
    expect(decideAt({ inForce: () => later }, facts(), use()).policy.version).toBe("2026-07");
  });

  it("rule 1: a deployment outside the pack's regions is refused (ZM-11)", () => {
    denied(
      decide(policy, facts(person(), { deploymentRegion: "eu" }), use()),
      1,
      "region_not_allowed",
      "TC-14",
    );
  });

  it("rule 2: a purpose the pack does not list is refused, naming the clause that lists the purposes (PS-08)", () => {
    denied(decide(policy, facts(), use({ purpose: "profiling.ads" })), 2, "purpose_unknown", "TC-00");
    const noList = compilePolicy(
      fixturePack({
        purposes: fixturePack().purposes.map((p) => ({ ...p, clauses: [p.clauses[0] as string] })),
      }),
    );
    denied(decide(noList, facts(), use({ purpose: "profiling.ads" })), 2, "purpose_unknown", null);
  });

  it("rule 3: staff without a confidentiality attestation read nothing (ZZ-04)", () => {
    denied(
      decide(policy, facts(person(), { actorAttested: false }), use({ actor: staff("support") })),
      3,
      "attestation_missing",
      "TC-13",
    );
    expect(decide(policy, facts(), use({ actor: staff("support") })).outcome).toBe("allow");
  });

  it("rule 4: a staff role must list the purpose", () => {
    denied(decide(policy, facts(), use({ actor: staff("marketer") })), 4, "role_not_allowed", "TC-13");
    denied(decide(policy, facts(), use({ actor: staff() })), 4, "role_not_allowed", "TC-13");
    denied(decide(policy, facts(), use({ actor: staff("janitor") })), 4, "role_not_allowed", "TC-13");
  });

  it("rule 5: an aggregate-only purpose is refused for a per-person use (PS-03, Z16-06)", () => {
    const analyse = use({ action: "analyse", purpose: "analytics.usage", fields: ["page_views"] });
    denied(decide(policy, facts(), analyse), 5, "aggregate_only", "TC-04");
    expect(decide(policy, facts(null), { ...analyse, aggregate: true }).outcome).toBe("allow");
  });

  it("rule 5: an own-use-only purpose is read and collected by the customer only, never by staff, for a recipient or in aggregate (Z16-08)", () => {
    const base = fixturePack();
    const own = compilePolicy(
      fixturePack({
        purposes: [
          ...base.purposes,
          {
            id: "personalize.own",
            name: "Recommendations to the customer",
            basis: "legitimate_interest",
            categories: ["user.behavior"],
            own_use_only: true,
            clauses: ["TC-04"],
          },
        ],
      }),
    );
    const mine = use({
      purpose: "personalize.own",
      fields: ["page_views"],
      actor: { kind: "customer", id: "s-1" },
    });
    expect(decide(own, facts(), mine).outcome).toBe("allow");
    expect(decide(own, facts(), { ...mine, action: "collect" }).outcome).toBe("allow");
    const refused = [
      { ...mine, actor: { kind: "staff", id: "m-1", role: "marketing" } },
      { ...mine, actor: { kind: "system", id: "orders" } },
      { ...mine, actor: { kind: "agent", id: "a-1" } },
      { ...mine, action: "disclose", recipient: "mail-house" },
      { ...mine, action: "export", recipient: "mail-house" },
      { ...mine, action: "analyse", aggregate: true },
      { ...mine, action: "send", channel: "email" },
    ] as const;
    for (const u of refused) denied(decide(own, facts(), u), 5, "own_use_only", "TC-04");
  });

  it("rule 6: content is opened only on a listed ground and for a named case (ZZ-11, ZZ-12)", () => {
    const open = use({
      action: "open_content",
      purpose: "abuse.investigation",
      fields: ["message_body"],
      actor: staff("legal"),
    });
    denied(decide(policy, facts(), open), 6, "content_ground_missing", "TC-10");
    denied(decide(policy, facts(), { ...open, ground: "curiosity" }), 6, "content_ground_missing", "TC-10");
    denied(decide(policy, facts(), { ...open, ground: "abuse_case" }), 6, "case_required", "TC-10");
    expect(decide(policy, facts(), { ...open, ground: "abuse_case", caseId: "AUP-7" }).outcome).toBe("allow");
    const closed = compilePolicy(fixturePack({ communications: undefined }));
    denied(
      decide(closed, facts(), { ...open, ground: "abuse_case", caseId: "AUP-7" }),
      6,
      "content_not_opened",
      "TC-10",
    );
  });

  it("rule 7: a recipient the pack does not list is refused", () => {
    denied(
      decide(policy, facts(), use({ action: "disclose", recipient: "stranger" })),
      7,
      "recipient_unknown",
      "TC-05",
    );
  });

  it("rule 8: with third parties not allowed, partners and affiliates are refused but processors are not (ZZ-06)", () => {
    const closed = compilePolicy(
      fixturePack({
        third_parties: { allowed: false, clauses: ["TC-05"] },
      }),
    );
    const share = use({
      action: "export",
      purpose: "partner.sharing",
      recipient: "partner",
      fields: ["first_name"],
    });
    denied(decide(closed, facts(), share), 8, "third_parties_refused", "TC-05");
    const courier = use({ action: "disclose", recipient: "courier", fields: ["street"] });
    expect(decide(closed, facts(), courier).outcome).toBe("allow");
  });

  it("rule 9: a recipient receives data only for its own purposes", () => {
    denied(
      decide(
        policy,
        facts(),
        use({ action: "disclose", purpose: "marketing.postal", recipient: "courier", fields: ["street"] }),
      ),
      9,
      "recipient_purpose",
      "TC-01",
    );
  });

  it("rule 10: a single-subject service provider never receives a list (Z16-10)", () => {
    denied(
      decide(policy, facts(), use({ action: "export", recipient: "courier", fields: ["street"] })),
      10,
      "single_subject",
      "TC-01",
    );
  });

  it("rule 11: a recipient that requires a contract gets nothing without one on file (Z16-10)", () => {
    const d = decide(
      policy,
      facts(person(), { recipientContractOnFile: false }),
      use({ action: "disclose", recipient: "courier", fields: ["street"] }),
    );
    denied(d, 11, "contract_missing", "TC-01");
  });

  it("rule 12: an authority gets data only on a listed legal ground (Z16-07, ZZ-10)", () => {
    const produce = use({
      action: "disclose",
      purpose: "legal.production",
      recipient: "police",
      fields: ["email"],
    });
    denied(decide(policy, facts(), produce), 12, "legal_ground_missing", "TC-08");
    denied(
      decide(policy, facts(), { ...produce, ground: "asked_nicely" }),
      12,
      "legal_ground_missing",
      "TC-08",
    );
    expect(decide(policy, facts(), { ...produce, ground: "subpoena" }).outcome).toBe("allow");
  });

  it("rule 13: a sale is refused when the pack never sells (ZZ-06)", () => {
    const never = compilePolicy(fixturePack({ sale: { allowed: "never", clauses: ["TC-07"] } }));
    const sell = use({ action: "export", purpose: "data.sale", recipient: "data-buyer", fields: ["email"] });
    denied(
      decide(never, facts(person({ permissions: ["sale"], consents: { "data.sale": "granted" } })), sell),
      13,
      "sale_never",
      "TC-07",
    );
  });

  it("rule 14: a topic must be listed, governed by the use's purpose, and on one of its channels", () => {
    denied(decide(policy, facts(), use({ ...email, topic: "gossip" })), 14, "topic_unknown", "TC-12");
    denied(decide(policy, facts(), use({ ...email, topic: "catalogues" })), 14, "topic_purpose", "TC-03");
    const postal = use({
      action: "send",
      purpose: "marketing.postal",
      channel: "postal",
      topic: "catalogues",
      fields: ["street"],
    });
    denied(decide(policy, facts(), postal), 14, "topic_channel", "TC-03");
  });

  it("rule 15: a message names a channel the purpose uses, and a class the purpose sends", () => {
    denied(
      decide(policy, facts(), use({ action: "send", purpose: "marketing.email", fields: ["email"] })),
      15,
      "channel_missing",
      "TC-02",
    );
    denied(decide(policy, facts(), use({ ...email, channel: "sms" })), 15, "channel_not_allowed", "TC-02");
    denied(
      decide(policy, facts(), use({ ...email, messageClass: "security" })),
      15,
      "message_class_not_allowed",
      "TC-02",
    );
    // No class means marketing, which the contract purpose does not send.
    denied(
      decide(policy, facts(), use({ ...email, purpose: "service.fulfil" })),
      15,
      "message_class_not_allowed",
      "TC-01",
    );
  });

  it("rule 16: fields outside the purpose's categories are refused, or removed with projection", () => {
    const asks = use({ purpose: "marketing.email", fields: ["email", "street"] });
    const granted = facts(person({ consents: { "marketing.email": "granted" } }));
    denied(decide(policy, granted, asks), 16, "fields_not_allowed", "TC-02");
    const d = decide(policy, granted, { ...asks, projection: true });
    expect(d).toMatchObject({ outcome: "partial", fields: ["email"], removed: ["street"] });
    expect(d.reasons[0]).toMatchObject({ rule: 16, code: "fields_removed", clause: "TC-02" });
    denied(
      decide(policy, granted, { ...asks, fields: ["street"], projection: true }),
      16,
      "fields_not_allowed",
      "TC-02",
    );
  });

  it("rule 16: a recipient receives only its own categories: a partner never gets email addresses (Z16-04)", () => {
    const share = use({
      action: "export",
      purpose: "partner.sharing",
      recipient: "partner",
      fields: ["first_name", "email"],
    });
    denied(decide(policy, facts(), share), 16, "fields_not_allowed", "TC-05");
    const mail = use({
      action: "disclose",
      recipient: "mail-house",
      fields: ["first_name", "email"],
      projection: true,
    });
    expect(decide(policy, facts(), mail)).toMatchObject({
      outcome: "partial",
      fields: ["first_name"],
      removed: ["email"],
    });
  });
});
