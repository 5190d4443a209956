import type { FastifyInstance } from "fastify";
import { appendAudit } from "../../audit/append.ts";
import { decide, loadSubjectFacts, type Decision, type Use } from "../../gate/index.ts";
import type { Authenticator } from "../../http/auth.ts";
import { PledgeError } from "../../http/errors.ts";
import { refusedByUse, refusedError, useFactsFor, type DisclosureDeps } from "../disclosures/context.ts";
import { ledgerWrite } from "../disclosures/disclosures.service.ts";
import { disclosedRecords } from "../exports/records.ts";
import { clausesOf, decisionEvent } from "../subjects/subjects.gate.ts";
import { actingOf, NOT_FOUND_DETAIL } from "../subjects/subjects.http.ts";
import type { Acting } from "../subjects/subjects.ts";

/**
 * Affiliate conversions (Z16-11). The tracker that attributes purchases to affiliate links gets
 * a non-identifying token: an HMAC of the subject id under the index key, with the affiliate in
 * it, so it is stable per affiliate and cannot be linked across affiliates or reversed. The
 * affiliate itself gets the person's name and email only when the gate allows it (consent to
 * the identity purpose and the affiliate_identity permission); otherwise nothing. Every
 * disclosure is a ledger row (kind `conversion`).
 */
const TRACKER = "affiliate-tracker";
const TRACKER_PURPOSE = "marketing.affiliate.attribution";
const AFFILIATES = "affiliates";
const IDENTITY_PURPOSE = "marketing.affiliate.identity";
const IDENTITY_FIELDS = ["first_name", "last_name", "email"] as const;

export interface ConversionInput {
  readonly orderId?: string;
  readonly subjectId?: string;
  readonly affiliate: string;
}

export interface Conversion {
  readonly token: string;
  readonly affiliate: string;
  readonly disclosures: readonly {
    readonly recipient: string;
    readonly disclosureId: string;
    readonly fields: readonly string[];
  }[];
  /** What the affiliate receives about the person: null unless the person allowed it. */
  readonly identity: Readonly<Record<string, string>> | null;
  readonly identityClauses: readonly string[];
}

export function affiliateToken(deps: DisclosureDeps, affiliate: string, subjectId: string): string {
  // The blind-index HMAC with its own domain: not an index of anything stored.
  return deps.vault
    .blindIndex("email", `\u0000affiliate-token\u0000${affiliate}\u0000${subjectId}`)
    .slice(0, 32);
}

export async function recordConversion(
  deps: DisclosureDeps,
  acting: Acting,
  input: ConversionInput,
): Promise<Conversion> {
  const now = deps.clock();
  const at = now.toISOString();
  const { policy } = deps.policies.at(at);
  const subjectId = await subjectOf(deps, input);
  const subject = await loadSubjectFacts(deps.db, subjectId, at);
  if (subject === null) throw new PledgeError("PLEDGE_NOT_FOUND", NOT_FOUND_DETAIL);
  const facts = await useFactsFor(deps, acting, TRACKER, now);
  const tracked: Use = {
    action: "disclose",
    purpose: TRACKER_PURPOSE,
    actor: acting.actor,
    recipient: TRACKER,
    fields: ["affiliate_token"],
    at,
  };
  const trackDecision = decide(policy, { ...facts, subject }, tracked);
  if (trackDecision.outcome === "deny") {
    await deps.db
      .transaction()
      .execute((trx) => appendAudit(trx, [decisionEvent(acting, subjectId, tracked, trackDecision)]));
    if (refusedByUse(trackDecision)) throw refusedError(trackDecision);
    throw new PledgeError("PLEDGE_NOT_FOUND", NOT_FOUND_DETAIL);
  }
  const identityUse: Use = {
    action: "disclose",
    purpose: IDENTITY_PURPOSE,
    actor: acting.actor,
    recipient: AFFILIATES,
    fields: [...IDENTITY_FIELDS],
    at,
  };
  const identityFacts = await useFactsFor(deps, acting, AFFILIATES, now);
  const identityDecision: Decision = decide(policy, { ...identityFacts, subject }, identityUse);
  const token = affiliateToken(deps, input.affiliate, subjectId);
  const disclosures = await deps.db.transaction().execute(async (trx) => {
    const out: { recipient: string; disclosureId: string; fields: readonly string[] }[] = [];
    await appendAudit(trx, [decisionEvent(acting, subjectId, tracked, trackDecision)]);
    out.push({
      recipient: TRACKER,
      fields: ["affiliate_token"],
      disclosureId: await ledgerWrite(
        trx,
        deps,
        acting,
        tracked,
        "conversion",
        ["affiliate_token"],
        [],
        [subjectId],
      ),
    });
    await appendAudit(trx, [decisionEvent(acting, subjectId, identityUse, identityDecision)]);
    if (identityDecision.outcome !== "deny") {
      out.push({
        recipient: AFFILIATES,
        fields: identityDecision.fields,
        disclosureId: await ledgerWrite(
          trx,
          deps,
          acting,
          identityUse,
          "conversion",
          identityDecision.fields,
          identityDecision.removed,
          [subjectId],
        ),
      });
    }
    return out;
  });
  let identity: Record<string, string> | null = null;
  const identityDisclosure = disclosures.find((d) => d.recipient === AFFILIATES);
  if (identityDisclosure !== undefined) {
    identity = {};
    for await (const page of disclosedRecords(
      deps.db,
      deps.vault,
      identityDisclosure.disclosureId,
      identityDisclosure.fields,
    )) {
      const row = page.rows[0];
      if (row !== undefined)
        identityDisclosure.fields.forEach(
          (f, i) => ((identity as Record<string, string>)[f] = row[i] as string),
        );
    }
  }
  return {
    token,
    affiliate: input.affiliate,
    disclosures,
    identity,
    identityClauses: clausesOf(identityDecision),
  };
}

async function subjectOf(deps: DisclosureDeps, input: ConversionInput): Promise<string> {
  if (input.subjectId !== undefined) return input.subjectId;
  const row = await deps.db
    .selectFrom("orders")
    .select("subject_id")
    .where("order_id", "=", input.orderId ?? "")
    .executeTakeFirst();
  if (row === undefined) throw new PledgeError("PLEDGE_NOT_FOUND", "no such order");
  return row.subject_id;
}

const conversionSchema = {
  type: "object",
  additionalProperties: false,
  required: ["token", "affiliate", "disclosures", "identity", "identityClauses"],
  properties: {
    token: { type: "string" },
    affiliate: { type: "string" },
    disclosures: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["recipient", "disclosureId", "fields"],
        properties: {
          recipient: { type: "string" },
          disclosureId: { type: "string", format: "uuid" },
          fields: { type: "array", items: { type: "string" } },
        },
      },
    },
    identity: { type: ["object", "null"], additionalProperties: { type: "string" } },
    identityClauses: { type: "array", items: { type: "string" } },
  },
} as const;

export async function affiliateRoutes(
  app: FastifyInstance,
  opts: { readonly auth: Authenticator; readonly deps: DisclosureDeps },
): Promise<void> {
  app.addHook("preHandler", opts.auth.requireRole("any"));
  app.post<{ Body: ConversionInput }>(
    "/v1/affiliate-conversions",
    {
      schema: {
        tags: ["disclosures"],
        security: [{ apiKey: [] }],
        summary:
          "Record a purchase through an affiliate link (Z16-11): a non-identifying token for the tracker",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["affiliate"],
          oneOf: [{ required: ["orderId"] }, { required: ["subjectId"] }],
          properties: {
            orderId: { type: "string", minLength: 1, maxLength: 100 },
            subjectId: { type: "string", format: "uuid" },
            affiliate: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$", maxLength: 100 },
          },
        },
        response: {
          201: conversionSchema,
          400: { $ref: "Problem#" },
          401: { $ref: "Problem#" },
          403: { $ref: "Problem#" },
          404: { $ref: "Problem#" },
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await recordConversion(opts.deps, actingOf(request), request.body)),
  );
}
