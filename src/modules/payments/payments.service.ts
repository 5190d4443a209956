import { staleVersion } from "../../http/etag.ts";
import { createHash, randomUUID } from "node:crypto";
import { appendAudit } from "../../audit/append.ts";
import type { SubjectCipher } from "../../crypto/vault.types.ts";
import { RULE } from "../../gate/reasons.ts";
import type { Decision, SubjectFacts } from "../../gate/types.ts";
import { PledgeError } from "../../http/errors.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Caller } from "../staff/staff.ts";
import {
  clausesOf,
  gateUse,
  inUse,
  knownFields,
  notFound,
  refused,
  type Granted,
  type Outcome,
  type RecordsDeps,
} from "../orders/gated-use.ts";
import { afterOf, pageOf, provenanceOf, type Page } from "../orders/records.ts";
import {
  PAYMENT_FIELDS,
  paymentMethodProblem,
  type Charge,
  type NewPaymentMethod,
  type PaymentMethodView,
} from "./payments.ts";
import {
  insertCharge,
  insertPaymentMethod,
  listPaymentMethodRows,
  paymentMethodRow,
  setReuseAllowed,
  type PaymentMethodRow,
  type ChargeRow,
  chargeByKey,
} from "./payments.repository.ts";
import type { PermissionRecorder } from "./permissions.ts";
import "./payments.events.ts";

export interface PaymentsDeps extends RecordsDeps {
  readonly recordPermission: PermissionRecorder;
}

const fieldsOf = (pack: PolicyPack) => [...PAYMENT_FIELDS, ...knownFields(pack, ["order_id"])];

/**
 * Stores a provider token (a `collect` use of the card fields). When the customer allowed reuse,
 * the `card_reuse` permission is then recorded in the consent ledger; if that fails the method
 * stays but cannot be charged for other orders (the safe side).
 */
export async function addPaymentMethod(
  deps: PaymentsDeps,
  caller: Caller,
  subjectId: string,
  input: NewPaymentMethod,
): Promise<Outcome<PaymentMethodView>> {
  const problem = paymentMethodProblem(input);
  if (problem !== null) return refused(new PledgeError("PLEDGE_PAYMENT_METHOD_INVALID", problem));
  const { pack } = deps.book.at(deps.clock().toISOString());
  const use = { action: "collect", purpose: input.purpose, fields: fieldsOf(pack) } as const;
  const outcome = await inUse(deps, caller, subjectId, use, async (trx, granted, cipher) => {
    const row = {
      subject_id: subjectId,
      payment_method_id: randomUUID(),
      token_enc: cipher.encrypt("card_token", input.token),
      brand_enc: cipher.encrypt("card_brand", input.brand),
      last4_enc: cipher.encrypt("card_last4", input.last4),
      expiry_enc: cipher.encrypt("card_expiry", input.expiry),
      given_for_order: input.orderId,
      reuse_allowed: input.reuseAllowed,
      collection_point: input.collectionPoint,
      purpose: input.purpose,
      policy_version: granted.policyVersion,
      created_at: granted.at,
    };
    await insertPaymentMethod(trx, row);
    // No card fields in the answer: it may be stored for Idempotency-Key replays.
    return {
      ok: true,
      value: { view: methodView({ ...row, version: 1 }, granted, null), pack: granted.pack },
    };
  });
  if (!outcome.ok) return outcome;
  if (input.reuseAllowed) {
    await deps.recordPermission(
      deps.db,
      outcome.value.pack,
      subjectId,
      { permission: "card_reuse", granted: true, formId: input.collectionPoint },
      { actor: `staff:${caller.staffId}`, now: deps.clock() },
    );
  }
  return { ok: true, value: outcome.value.view };
}

/** Sets whether the customer allows reuse of this method (If-Match), and records the permission. */
export async function setPaymentMethodReuse(
  deps: PaymentsDeps,
  caller: Caller,
  subjectId: string,
  paymentMethodId: string,
  ifMatch: number | null,
  input: { reuseAllowed: boolean; purpose: string; collectionPoint: string },
): Promise<Outcome<PaymentMethodView>> {
  const { pack } = deps.book.at(deps.clock().toISOString());
  const use = { action: "collect", purpose: input.purpose, fields: fieldsOf(pack) } as const;
  const outcome = await inUse(deps, caller, subjectId, use, async (trx, granted, cipher) => {
    const row = await paymentMethodRow(trx, subjectId, paymentMethodId, true);
    if (row === undefined) return refused(notFound());
    if (ifMatch !== null && row.version !== ifMatch) return refused(staleVersion(row.version));
    const updated = await setReuseAllowed(trx, row, input.reuseAllowed);
    return { ok: true, value: { view: methodView(updated, granted, cipher), pack: granted.pack } };
  });
  if (!outcome.ok) return outcome;
  await deps.recordPermission(
    deps.db,
    outcome.value.pack,
    subjectId,
    { permission: "card_reuse", granted: input.reuseAllowed, formId: input.collectionPoint },
    { actor: `staff:${caller.staffId}`, now: deps.clock() },
  );
  return { ok: true, value: outcome.value.view };
}

export async function listPaymentMethods(
  deps: RecordsDeps,
  caller: Caller,
  subjectId: string,
  query: { purpose: string; limit: number; cursor?: string },
): Promise<Outcome<Page<PaymentMethodView>>> {
  const after = afterOf(query.cursor);
  const { pack } = deps.book.at(deps.clock().toISOString());
  const use = {
    action: "read",
    purpose: query.purpose,
    fields: knownFields(pack, PAYMENT_FIELDS),
    projection: true,
  } as const;
  return inUse(deps, caller, subjectId, use, async (trx, granted, cipher) => {
    const rows = await listPaymentMethodRows(trx, subjectId, { after, limit: query.limit });
    return {
      ok: true,
      value: pageOf(
        rows,
        query.limit,
        (r) => r.payment_method_id,
        (r) => methodView(r, granted, cipher),
      ),
    };
  });
}

/**
 * ZM-14: a `charge` use of the token. For the order the method was given for, the gate decides on
 * the stated purpose. For another order it is a reuse: the purpose must be one that requires the
 * `card_reuse` permission, and the permission counts only when the customer allowed reuse of this
 * method too. A refusal names the clauses and is audited; Pledge calls no provider.
 */
export async function chargePaymentMethod(
  deps: RecordsDeps,
  caller: Caller,
  subjectId: string,
  paymentMethodId: string,
  input: ChargeInput,
): Promise<Outcome<Charge>> {
  return deps.db.transaction().execute(async (trx): Promise<Outcome<Charge>> => {
    const row = await paymentMethodRow(trx, subjectId, paymentMethodId);
    const reuse = row !== undefined && row.given_for_order !== input.orderId;
    const withoutReuse = (s: SubjectFacts): SubjectFacts =>
      reuse && row?.reuse_allowed !== true
        ? { ...s, permissions: s.permissions.filter((p) => p !== "card_reuse") }
        : s;
    const use = { action: "charge", purpose: input.purpose, fields: ["card_token"] } as const;
    const gated = await gateUse(trx, deps, caller, subjectId, use, {
      facts: withoutReuse,
      tell: permissionMissing,
    });
    if (!gated.ok) return gated;
    const cipher = await deps.vault.cipherFor(trx, subjectId);
    if (row === undefined || cipher === null) return refused(notFound());
    const { pack, at } = gated.value;
    const earlier =
      input.requestKey === undefined ? undefined : await chargeByKey(trx, subjectId, input.requestKey);
    if (earlier !== undefined) {
      if (earlier.request_hash !== requestHash(paymentMethodId, input)) {
        return refused(
          new PledgeError(
            "PLEDGE_IDEMPOTENCY_MISMATCH",
            "this Idempotency-Key was used for a different charge",
          ),
        );
      }
      return { ok: true, value: chargeOf(earlier, cipher.decrypt("card_token", row.token_enc)) };
    }
    const notReuse = reuse ? reuseNeedsItsPurpose(pack, input.purpose) : null;
    if (notReuse !== null) {
      await appendAudit(trx, [chargeRefusedEvent(caller, row, input, notReuse.clauses, pack, at)]);
      return refused(notReuse);
    }
    return { ok: true, value: await recordCharge(trx, caller, row, input, reuse, gated.value, cipher) };
  });
}

export interface ChargeInput {
  readonly orderId: string;
  readonly purpose: string;
  /** SHA-256 over the caller and its Idempotency-Key, when one was sent. */
  readonly requestKey?: string;
}

/** The caller's Idempotency-Key as stored: never the key itself. */
export function chargeRequestKey(staffId: string, key: string): string {
  return createHash("sha256").update(`${staffId}\0${key}`).digest("hex");
}

function requestHash(paymentMethodId: string, input: ChargeInput): string {
  return createHash("sha256").update(`${paymentMethodId}\0${input.orderId}\0${input.purpose}`).digest("hex");
}

/**
 * A charge for another order than the one the method was given for must be made under a purpose
 * that requires the card_reuse permission (ZM-14), so the gate checks that permission. Null when
 * `purposeId` is such a purpose; otherwise the refusal naming the clauses.
 */
function reuseNeedsItsPurpose(pack: PolicyPack, purposeId: string): PledgeError | null {
  const purpose = pack.purposes.find((p) => p.id === purposeId);
  if (purpose === undefined || purpose.requires_permission === "card_reuse") return null;
  const reusePurposes = pack.purposes.filter((p) => p.requires_permission === "card_reuse");
  const clauses = [
    ...new Set((reusePurposes.length > 0 ? reusePurposes : [purpose]).flatMap((p) => p.clauses)),
  ];
  const detail =
    reusePurposes.length > 0
      ? `charging for another order than the one the method was given for needs the purpose ${reusePurposes.map((p) => p.id).join(" or ")}`
      : "this policy allows a payment method to be charged only for the order it was given for";
  return new PledgeError("PLEDGE_CHARGE_REFUSED", detail, clauses);
}

async function recordCharge(
  trx: Parameters<typeof insertCharge>[0],
  caller: Caller,
  row: PaymentMethodRow,
  input: ChargeInput,
  reuse: boolean,
  granted: Granted,
  cipher: SubjectCipher,
): Promise<Charge> {
  const charge = {
    subject_id: row.subject_id,
    charge_id: randomUUID(),
    payment_method_id: row.payment_method_id,
    order_id: input.orderId,
    reuse,
    purpose: input.purpose,
    policy_version: granted.policyVersion,
    charged_at: granted.at,
    request_key: input.requestKey ?? null,
    request_hash: input.requestKey === undefined ? null : requestHash(row.payment_method_id, input),
  };
  await insertCharge(trx, charge);
  await appendAudit(trx, [
    {
      type: "payment.charged",
      at: granted.at,
      actor: `staff:${caller.staffId}`,
      subjectId: row.subject_id,
      payload: {
        chargeId: charge.charge_id,
        paymentMethodId: row.payment_method_id,
        orderId: input.orderId,
        reuse,
      },
    },
  ]);
  return chargeOf(charge, cipher.decrypt("card_token", row.token_enc));
}

/**
 * A missing card_reuse permission is told (403 naming its clauses, ZM-14) rather than hidden as
 * "not found": the caller already holds the method and the order; only the permission is missing.
 */
function permissionMissing(decision: Decision): PledgeError | null {
  const first = decision.reasons[0];
  if (first?.rule !== RULE.permission) return null;
  return new PledgeError("PLEDGE_CHARGE_REFUSED", `${first.code}: ${first.detail}`, clausesOf(decision));
}

function chargeOf(charge: ChargeRow, token: string): Charge {
  return {
    chargeId: charge.charge_id,
    paymentMethodId: charge.payment_method_id,
    orderId: charge.order_id,
    reuse: charge.reuse,
    token,
    chargedAt: charge.charged_at.toISOString(),
    policyVersion: charge.policy_version,
  };
}

function chargeRefusedEvent(
  caller: Caller,
  row: PaymentMethodRow,
  input: ChargeInput,
  clauses: readonly string[],
  pack: PolicyPack,
  at: Date,
) {
  return {
    type: "payment.charge_refused" as const,
    at,
    actor: `staff:${caller.staffId}`,
    subjectId: row.subject_id,
    payload: {
      paymentMethodId: row.payment_method_id,
      orderId: input.orderId,
      purpose: input.purpose,
      clauses: [...clauses],
      policy: { company: pack.company, version: pack.version },
    },
  };
}

export function methodView(
  row: PaymentMethodRow,
  granted: Granted | null,
  cipher: SubjectCipher | null,
): PaymentMethodView {
  const open = (f: string) => cipher !== null && (granted === null || granted.decision.fields.includes(f));
  return {
    paymentMethodId: row.payment_method_id,
    ...(open("card_token") ? { token: cipher!.decrypt("card_token", row.token_enc) } : {}),
    ...(open("card_brand") ? { brand: cipher!.decrypt("card_brand", row.brand_enc) } : {}),
    ...(open("card_last4") ? { last4: cipher!.decrypt("card_last4", row.last4_enc) } : {}),
    ...(open("card_expiry") ? { expiry: cipher!.decrypt("card_expiry", row.expiry_enc) } : {}),
    givenForOrder: row.given_for_order,
    reuseAllowed: row.reuse_allowed,
    createdAt: row.created_at.toISOString(),
    provenance: provenanceOf({ ...row, at: row.created_at }),
    version: row.version,
  };
}
