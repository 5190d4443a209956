import type { Acting } from "../../use/acting.ts";
import { use } from "../../use/kernel.ts";
import { clausesOf, fail, ok, type Result } from "../../use/refusal.ts";
import type { DisclosureDeps } from "../disclosures/context.ts";
import { ledgerWrite } from "../disclosures/disclosures.service.ts";
import { disclosedRecords } from "../exports/records.ts";

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
export const IDENTITY_FIELDS = ["first_name", "last_name", "email"] as const;

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
): Promise<Result<Conversion>> {
  const subjectId = await subjectOf(deps, input);
  if (subjectId === null) return fail({ kind: "not_found" });
  const token = affiliateToken(deps, input.affiliate, subjectId);
  // The tracker always gets the token, or nothing happens at all.
  const tracked = await use(
    deps,
    acting,
    { subject: subjectId },
    { action: "disclose", purpose: TRACKER_PURPOSE, recipient: TRACKER, fields: ["affiliate_token"] },
    async (scope) =>
      ok({
        recipient: TRACKER,
        fields: ["affiliate_token"],
        disclosureId: await ledgerWrite(scope, "conversion", [subjectId]),
      }),
  );
  if (!tracked.ok) return tracked;
  const disclosures: Conversion["disclosures"][number][] = [tracked.value];
  // The affiliate gets the person's identity only when the gate allows it; a refusal is no error.
  const identityAsk = {
    action: "disclose",
    purpose: IDENTITY_PURPOSE,
    recipient: AFFILIATES,
    fields: [...IDENTITY_FIELDS],
  } as const;
  let identityClauses: string[] = [];
  const identity = await use<Record<string, string>>(
    deps,
    acting,
    { subject: subjectId },
    identityAsk,
    async (scope) => {
      identityClauses = clausesOf(scope.decision);
      const disclosureId = await ledgerWrite(scope, "conversion", [subjectId]);
      disclosures.push({ recipient: AFFILIATES, fields: scope.decision.fields, disclosureId });
      const values: Record<string, string> = {};
      for await (const page of disclosedRecords(
        scope.trx,
        deps.vault,
        scope.narrow,
        disclosureId,
        scope.decision.fields,
      )) {
        const row = page.rows[0];
        if (row !== undefined) scope.decision.fields.forEach((f, i) => (values[f] = row[i] as string));
      }
      return ok(values);
    },
  );
  if (!identity.ok && (identity.kind === "refused" || identity.kind === "not_found")) {
    identityClauses = identity.kind === "refused" ? clausesOf(identity.decision) : identityClauses;
  } else if (!identity.ok) {
    return identity;
  }
  return ok({
    token,
    affiliate: input.affiliate,
    disclosures,
    identity: identity.ok ? identity.value : null,
    identityClauses,
  });
}

/** Whose purchase it was: the subject given, or the one the order belongs to (null: none). */
async function subjectOf(deps: DisclosureDeps, input: ConversionInput): Promise<string | null> {
  if (input.subjectId !== undefined) return input.subjectId;
  const row = await deps.db
    .selectFrom("orders")
    .select("subject_id")
    .where("order_id", "=", input.orderId ?? "")
    .executeTakeFirst();
  return row?.subject_id ?? null;
}
