import { z } from "zod";
import { contrastWithWhite, HEX_COLOUR, MIN_CONTRAST } from "./brand.ts";

/**
 * The policy pack format: one YAML file per company version. This schema is the single source
 * of the format: the loader validates against it and docs/policy-format.md is generated from it.
 * Cross-references (a purpose naming an unknown category, a rule naming an unknown clause) are
 * checked after parsing, in validate.ts.
 */

export const CHANNELS = ["email", "postal", "catalogue", "phone", "sms"] as const;
export type Channel = (typeof CHANNELS)[number];

/** Message classes: `marketing`, and the essential classes that reach opted-out and suppressed people. */
export const MESSAGE_CLASSES = [
  "marketing",
  "service",
  "billing",
  "security",
  "delivery",
  "policy_change",
  "feedback",
] as const;
export type MessageClass = (typeof MESSAGE_CLASSES)[number];
export const ESSENTIAL_CLASSES = MESSAGE_CLASSES.filter((c) => c !== "marketing");

export const LEGAL_BASES = [
  "contract",
  "consent",
  "opt_out",
  "legal_obligation",
  "legitimate_interest",
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export const RECIPIENT_KINDS = [
  "processor",
  "marketing_partner",
  "affiliate",
  "authority",
  "internal",
  "organisation_admin",
] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

/** What a recipient needs before anything reaches it. */
export const RECIPIENT_REQUIREMENTS = ["contract", "consent", "opt_out_honoured", "legal_ground"] as const;
export type RecipientRequirement = (typeof RECIPIENT_REQUIREMENTS)[number];

export const SENSITIVITIES = [
  "identifier",
  "contact",
  "financial",
  "behavioural",
  "content",
  "other",
] as const;

/** The laws whose request clocks a pack may name for a jurisdiction (src/modules/requests/deadlines.ts). */
export const DEADLINE_LAWS = ["ccpa", "gdpr"] as const;

const id = z
  .string()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, "a lower-case dotted id such as user.contact.email");
const slug = z.string().regex(/^[a-z][a-z0-9_-]*$/, "a lower-case id such as mail-house");
const clauseId = z.string().regex(/^[A-Z][A-Z0-9]*-\d{2}$/, "a clause id such as PS-05");
const clauseRefs = z.array(clauseId).min(1).describe("ids of the clauses this rule implements");
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD");
const isoInstant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/,
    "a date or an ISO 8601 instant",
  );

/** Whether `zone` is a time zone this runtime knows (IANA names, and UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const categorySchema = z
  .object({
    id: id.describe("fideslang-style id, e.g. user.contact.email"),
    name: z.string().min(1),
    fields: z
      .array(z.string().regex(/^[a-z][a-z0-9_]*$/))
      .min(1)
      .describe("the record fields in this category"),
    sensitivity: z.enum(SENSITIVITIES),
    group: z.string().optional().describe("a named group of categories the public text uses (Z19-01)"),
  })
  .strict();

export const purposeSchema = z
  .object({
    id: id.describe("fideslang-style data use, e.g. marketing.communications.email"),
    name: z.string().min(1),
    basis: z.enum(LEGAL_BASES).describe("consent = opt-in; opt_out = allowed until the person objects"),
    categories: z.array(id).min(1).describe("categories this purpose may use"),
    channels: z
      .array(z.enum(CHANNELS))
      .optional()
      .describe("channels a communication for this purpose may use"),
    message_classes: z
      .array(z.enum(MESSAGE_CLASSES))
      .optional()
      .describe("classes of message sent for this purpose"),
    aggregate_only: z.boolean().default(false).describe("results leave only as aggregates, never per person"),
    own_use_only: z
      .boolean()
      .default(false)
      .describe(
        "used only by the customer on their own record, for that customer (Z16-08's recommendations): never by staff, a key or an agent, never for a recipient, never in an aggregate",
      ),
    requires_permission: z
      .enum(["card_reuse", "sale", "affiliate_identity"])
      .optional()
      .describe("a per-customer permission that must be on file"),
    clauses: clauseRefs,
  })
  .strict();

export const topicSchema = z
  .object({
    id: slug,
    name: z.string().min(1),
    purpose: id.describe("the purpose whose rules govern messages on this topic"),
    channels: z.array(z.enum(CHANNELS)).min(1),
    clauses: clauseRefs,
  })
  .strict();

export const recipientSchema = z
  .object({
    id: slug,
    name: z.string().min(1),
    kind: z.enum(RECIPIENT_KINDS),
    categories: z.array(id).describe("categories this recipient may receive"),
    purposes: z.array(id).min(1).describe("purposes for which it may receive them"),
    requires: z.array(z.enum(RECIPIENT_REQUIREMENTS)).default([]),
    opt_out_scope: slug
      .optional()
      .describe("the opt-out that stops this sharing (e.g. partner_sharing); required with opt_out_honoured"),
    single_subject: z.boolean().default(false).describe("each use concerns one customer only (Z16-10)"),
    clauses: clauseRefs,
  })
  .strict();

export const packSchema = z
  .object({
    company: slug.describe("pack id, e.g. partstore; the folder name under policies/"),
    name: z.string().min(1).describe("the company's public name"),
    brand: z
      .object({
        colour: z
          .string()
          .regex(HEX_COLOUR, "a colour as #rrggbb")
          .refine(
            (c) => contrastWithWhite(c) >= MIN_CONTRAST,
            `a colour dark enough for white text on it: a contrast of ${MIN_CONTRAST}:1 or more with white`,
          )
          .describe(
            "the company's colour in the privacy center (buttons, links, headings); white text goes on it",
          ),
      })
      .strict()
      .optional()
      .describe("how the privacy center looks; absent: Pledge's own dark blue"),
    company_address: z
      .array(z.string().trim().min(1))
      .min(2)
      .max(6)
      .optional()
      .describe(
        "the company's postal address, one line per entry (name, street, town and postcode, country): printed at the foot of every marketing email (US CAN-SPAM) and on the public policy; required when a purpose sends marketing by email (V14)",
      ),
    version: z.string().min(1),
    effective_from: isoInstant.describe("the version is in force from this instant until the next one"),
    last_updated: isoDate.describe("shown on the public policy"),
    jurisdictions: z.array(z.string().regex(/^[A-Z]{2}(-[A-Z]{2})?$/)).min(1),
    time_zone: z
      .string()
      .refine(isTimeZone, "an IANA time zone such as America/Los_Angeles, or UTC")
      .describe(
        "the IANA time zone in which the policy's calendar years, days and deadlines are counted (Z19-10's preceding calendar year, business days)",
      ),
    residency: z
      .object({ regions: z.array(slug).min(1), clauses: clauseRefs })
      .strict()
      .optional()
      .describe("regions where data may be stored and processed; start-up fails elsewhere"),
    minimum_age: z
      .object({ years: z.number().int().min(1).max(21), clauses: clauseRefs })
      .strict()
      .optional(),
    categories: z.array(categorySchema).min(1),
    purposes: z.array(purposeSchema).min(1),
    topics: z.array(topicSchema).default([]),
    messages: z
      .object({
        essential: z
          .array(z.enum(ESSENTIAL_CLASSES as [MessageClass, ...MessageClass[]]))
          .describe("classes that reach opted-out and suppressed people"),
        essential_notice: z
          .string()
          .trim()
          .min(1)
          .optional()
          .describe(
            "the policy's words on why essential messages cannot be unsubscribed from, printed at their foot; absent: a sentence Pledge writes from the essential classes",
          ),
        suppression: z
          .object({ channels: z.array(z.enum(CHANNELS)).min(1), clauses: clauseRefs })
          .strict()
          .optional()
          .describe("the Do Not Send list: addresses that never get marketing on these channels"),
        channel_opt_outs: z
          .array(z.object({ channel: z.enum(CHANNELS), scope: slug, clauses: clauseRefs }).strict())
          .default([])
          .describe(
            "a sharing scope that, once the person stops it, stops the company's own marketing on a channel too (PS-09: no catalogues)",
          ),
        former_customers: z
          .enum(["contactable", "not_contactable"])
          .default("contactable")
          .describe("whether former customers may get marketing (unless suppressed)"),
        send_guard: z
          .object({
            max_bounce_rate: z.number().min(0).max(1),
            max_complaint_rate: z.number().min(0).max(1),
            min_sample: z.number().int().min(1),
            clauses: clauseRefs,
          })
          .strict()
          .optional(),
        clauses: clauseRefs,
      })
      .strict(),
    recipients: z.array(recipientSchema).default([]),
    third_parties: z
      .object({ allowed: z.boolean(), clauses: clauseRefs })
      .strict()
      .describe("false: every disclosure to a recipient outside the company is refused"),
    sale: z.object({ allowed: z.enum(["never", "with_permission"]), clauses: clauseRefs }).strict(),
    analytics: z
      .object({
        min_cohort: z.number().int().min(2),
        noise_epsilon: z
          .number()
          .positive()
          .optional()
          .describe("ε of the Laplace noise every site report gets; absent: noise only when a report asks"),
        epsilon_budget: z
          .number()
          .positive()
          .optional()
          .describe("ε a site's noisy reports may spend in one calendar month, in all (default 1)"),
        clauses: clauseRefs,
      })
      .strict()
      .optional(),
    fraud: z
      .object({
        purpose: id.describe("the purpose under which a first order is checked and the customer told"),
        velocity: z
          .object({
            window_hours: z
              .number()
              .int()
              .min(1)
              .max(24 * 90),
            max_per_source: z
              .number()
              .int()
              .min(1)
              .describe("first orders from one network source in the window before the next is held"),
            max_per_email: z
              .number()
              .int()
              .min(1)
              .describe(
                "first orders from one mailbox (aliases folded) in the window before the next is held",
              ),
          })
          .strict(),
        verification_limit: z
          .string()
          .regex(/^P(\d+D)$/, "an ISO 8601 period in days such as P7D")
          .describe("a hold not verified by then is rejected"),
        disposable_domains: z
          .array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, "a lower-case domain"))
          .default([])
          .describe("domains held as disposable besides Pledge's own list"),
        clauses: clauseRefs,
      })
      .strict()
      .optional()
      .describe("automated checks on a customer's first order and the hold for manual verification"),
    staff: z
      .object({
        attestation_required: z.boolean(),
        roles: z
          .array(z.object({ id: slug, name: z.string().min(1), purposes: z.array(id).min(1) }).strict())
          .min(1),
        clauses: clauseRefs,
      })
      .strict(),
    communications: z
      .object({
        content_grounds: z.array(slug).min(1).describe("the only grounds on which message content is opened"),
        case_required: z.boolean().describe("content is opened only for a named case, never by bulk search"),
        clauses: clauseRefs,
      })
      .strict()
      .optional(),
    disclosure_grounds: z
      .object({ grounds: z.array(slug).min(1), clauses: clauseRefs })
      .strict()
      .describe("legal grounds on which data goes to an authority or is disclosed without notice"),
    publication: z
      .object({
        every_version_published: z
          .literal(true)
          .describe("every version stays published at /policy/versions, each with its last-updated date"),
        clauses: clauseRefs,
      })
      .strict()
      .optional()
      .describe("the public policy is rendered from this pack and served at /policy"),
    transport: z.object({ tls_required: z.boolean(), clauses: clauseRefs }).strict().optional(),
    retention: z
      .array(
        z
          .object({
            categories: z.array(id).min(1),
            period: z.string().regex(/^P(\d+Y)?(\d+M)?(\d+D)?$/, "an ISO 8601 period such as P7Y"),
            reason: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
    requests: z
      .object({
        removal_match: z
          .array(z.array(z.string()).min(1))
          .default([])
          .describe("field sets that identify a person asking for removal (Z16-14)"),
        routing: z.array(z.object({ jurisdiction: z.string(), queue: slug }).strict()).default([]),
        deadlines: z
          .array(
            z
              .object({
                jurisdiction: z.string(),
                law: z.enum(DEADLINE_LAWS),
                holidays: z
                  .array(isoDate)
                  .optional()
                  .describe("the holidays this jurisdiction's clocks skip, instead of requests.holidays"),
              })
              .strict(),
          )
          .default([])
          .describe(
            "the law whose clocks a request from a jurisdiction runs on (the most specific entry wins); none = Pledge's default of 45 days",
          ),
        holidays: z
          .array(isoDate)
          .default([])
          .describe(
            "public holidays in time_zone, skipped by business-day clocks and by a month period's end, for every jurisdiction whose deadlines entry lists none",
          ),
        self_service: z
          .object({ purpose: id.describe("a purpose id of this pack"), clauses: clauseRefs })
          .strict()
          .optional()
          .describe(
            "the purpose under which customers sign up and read and edit their own record; absent = no customer accounts",
          ),
        clauses: clauseRefs,
      })
      .strict()
      .optional(),
    clauses: z
      .array(
        z
          .object({
            id: clauseId,
            title: z.string().min(1),
            text: z.string().min(1).describe("the public wording, rendered into the published policy"),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type PolicyPack = z.infer<typeof packSchema>;
export type Category = z.infer<typeof categorySchema>;
export type Purpose = z.infer<typeof purposeSchema>;
export type Topic = z.infer<typeof topicSchema>;
export type Recipient = z.infer<typeof recipientSchema>;
