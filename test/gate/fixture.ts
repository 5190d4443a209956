import { compilePolicy, type CompiledPolicy } from "../../src/gate/index.ts";
import type { Facts, SubjectFacts, Use } from "../../src/gate/types.ts";
import { packSchema, type PolicyPack } from "../../src/policy/schema.ts";

/**
 * A small pack that exercises every rule of the gate, built in code so the gate's tests do not
 * depend on the real packs. TC-00 is cited by every purpose: it is the purpose list.
 */
const clause = (id: string): { id: string; title: string; text: string } => ({
  id,
  title: id,
  text: `Clause ${id}.`,
});

export function fixturePack(overrides: Partial<Record<keyof PolicyPack, unknown>> = {}): PolicyPack {
  return packSchema.parse({
    company: "testco",
    name: "Test Co",
    version: "2026-01",
    effective_from: "2026-01-01",
    last_updated: "2025-12-01",
    jurisdictions: ["US"],
    time_zone: "UTC",
    residency: { regions: ["us"], clauses: ["TC-14"] },
    minimum_age: { years: 13, clauses: ["TC-09"] },
    categories: [
      { id: "user.contact.email", name: "Email", fields: ["email"], sensitivity: "contact" },
      { id: "user.name", name: "Name", fields: ["first_name", "last_name"], sensitivity: "identifier" },
      {
        id: "user.contact.postal",
        name: "Postal address",
        fields: ["street", "zip"],
        sensitivity: "contact",
      },
      {
        id: "user.financial.card",
        name: "Card",
        fields: ["card_token", "card_last4"],
        sensitivity: "financial",
      },
      { id: "user.behavior", name: "Usage", fields: ["page_views"], sensitivity: "behavioural" },
      { id: "user.content.messages", name: "Messages", fields: ["message_body"], sensitivity: "content" },
    ],
    purposes: [
      purpose(
        "service.fulfil",
        "contract",
        ["user.contact.email", "user.name", "user.contact.postal", "user.financial.card"],
        { message_classes: ["service", "delivery", "billing"], clauses: ["TC-01", "TC-00"] },
      ),
      purpose("marketing.email", "consent", ["user.contact.email", "user.name"], {
        channels: ["email"],
        message_classes: ["marketing"],
        clauses: ["TC-02", "TC-00"],
      }),
      purpose("marketing.postal", "opt_out", ["user.name", "user.contact.postal"], {
        channels: ["postal", "catalogue"],
        message_classes: ["marketing"],
        clauses: ["TC-03", "TC-00"],
      }),
      purpose("analytics.usage", "legitimate_interest", ["user.behavior"], {
        aggregate_only: true,
        clauses: ["TC-04", "TC-00"],
      }),
      purpose("partner.sharing", "opt_out", ["user.name", "user.contact.postal"], {
        clauses: ["TC-05", "TC-00"],
      }),
      purpose("billing.recurring", "contract", ["user.financial.card"], {
        requires_permission: "card_reuse",
        clauses: ["TC-06", "TC-00"],
      }),
      purpose("data.sale", "consent", ["user.contact.email"], {
        requires_permission: "sale",
        clauses: ["TC-07", "TC-00"],
      }),
      purpose(
        "legal.production",
        "legal_obligation",
        ["user.contact.email", "user.name", "user.contact.postal"],
        { clauses: ["TC-08", "TC-00"] },
      ),
      purpose("abuse.investigation", "legitimate_interest", ["user.content.messages"], {
        clauses: ["TC-10", "TC-00"],
      }),
      purpose("affiliate.conversion", "consent", ["user.contact.email"], { clauses: ["TC-11", "TC-00"] }),
    ],
    topics: [
      {
        id: "newsletter",
        name: "Newsletter",
        purpose: "marketing.email",
        channels: ["email"],
        clauses: ["TC-02"],
      },
      {
        id: "catalogues",
        name: "Catalogues",
        purpose: "marketing.postal",
        channels: ["catalogue"],
        clauses: ["TC-03"],
      },
    ],
    messages: {
      essential: ["service", "delivery", "billing", "security"],
      suppression: { channels: ["email", "postal"], clauses: ["TC-12"] },
      channel_opt_outs: [{ channel: "catalogue", scope: "catalogues", clauses: ["TC-12"] }],
      former_customers: "not_contactable",
      clauses: ["TC-12"],
    },
    recipients: [
      recipient(
        "mail-house",
        "processor",
        ["user.name", "user.contact.postal"],
        ["marketing.postal", "service.fulfil"],
        ["contract"],
        "TC-03",
      ),
      {
        ...recipient(
          "courier",
          "processor",
          ["user.name", "user.contact.postal"],
          ["service.fulfil"],
          ["contract"],
          "TC-01",
        ),
        single_subject: true,
      },
      {
        ...recipient(
          "partner",
          "marketing_partner",
          ["user.name", "user.contact.postal"],
          ["partner.sharing"],
          ["opt_out_honoured"],
          "TC-05",
        ),
        opt_out_scope: "partner_sharing",
      },
      recipient(
        "data-buyer",
        "marketing_partner",
        ["user.contact.email"],
        ["data.sale"],
        ["consent"],
        "TC-07",
      ),
      recipient(
        "police",
        "authority",
        ["user.contact.email", "user.name", "user.contact.postal"],
        ["legal.production"],
        ["legal_ground"],
        "TC-08",
      ),
      recipient("affiliate-net", "affiliate", ["user.contact.email"], ["affiliate.conversion"], [], "TC-11"),
    ],
    third_parties: { allowed: true, clauses: ["TC-05"] },
    sale: { allowed: "with_permission", clauses: ["TC-07"] },
    analytics: { min_cohort: 5, clauses: ["TC-04"] },
    staff: {
      attestation_required: true,
      roles: [
        { id: "support", name: "Support", purposes: ["service.fulfil"] },
        { id: "marketer", name: "Marketing", purposes: ["marketing.email", "marketing.postal"] },
        { id: "legal", name: "Legal", purposes: ["legal.production", "abuse.investigation"] },
      ],
      clauses: ["TC-13"],
    },
    communications: {
      content_grounds: ["abuse_case", "legal_process"],
      case_required: true,
      clauses: ["TC-10"],
    },
    disclosure_grounds: { grounds: ["court_order", "subpoena"], clauses: ["TC-08"] },
    clauses: [
      "TC-00",
      "TC-01",
      "TC-02",
      "TC-03",
      "TC-04",
      "TC-05",
      "TC-06",
      "TC-07",
      "TC-08",
      "TC-09",
      "TC-10",
      "TC-11",
      "TC-12",
      "TC-13",
      "TC-14",
    ].map(clause),
    ...overrides,
  });
}

function purpose(
  id: string,
  basis: string,
  categories: string[],
  rest: Record<string, unknown>,
): Record<string, unknown> {
  return { id, name: id, basis, categories, ...rest };
}

function recipient(
  id: string,
  kind: string,
  categories: string[],
  purposes: string[],
  requires: string[],
  clauseId: string,
): Record<string, unknown> {
  return { id, name: id, kind, categories, purposes, requires, clauses: [clauseId] };
}

export const policy: CompiledPolicy = compilePolicy(fixturePack());

export function person(overrides: Partial<SubjectFacts> = {}): SubjectFacts {
  return {
    status: "customer",
    age: 30,
    jurisdiction: "US",
    consents: {},
    optOuts: [],
    suppressed: [],
    permissions: [],
    ...overrides,
  };
}

export function facts(subject: SubjectFacts | null = person(), overrides: Partial<Facts> = {}): Facts {
  return {
    subject,
    actorAttested: true,
    recipientContractOnFile: true,
    deploymentRegion: "us",
    ...overrides,
  };
}

export function use(overrides: Partial<Use> = {}): Use {
  return {
    action: "read",
    purpose: "service.fulfil",
    actor: { kind: "system", id: "orders" },
    fields: ["email"],
    at: "2026-06-01T12:00:00Z",
    ...overrides,
  };
}
