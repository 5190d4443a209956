import { createHash, randomUUID } from "node:crypto";
import { RULE } from "../../gate/reasons.ts";
import type { Decision, SubjectFacts } from "../../gate/types.ts";
import { PledgeError } from "../../errors.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { use, type UseScope } from "../../use/kernel.ts";
import { clausesOf, fail, failWith, ok, type Result } from "../../use/refusal.ts";
import type { FieldView } from "../../use/view.ts";
import {
  afterOf,
  knownFields,
  pageOf,
  provenanceOf,
  type Page,
  type RecordsDeps,
} from "../records/records.ts";
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
import { holdBlocking } from "../fraud/fraud.service.ts";
import "./payments.events.ts";

/** A method as it leaves, and the version it was written under (for the permission that follows). */
interface MethodAndPack {
  readonly view: PaymentMethodView;
  readonly pack: PolicyPack;
}

export interface PaymentsDeps extends RecordsDeps {
  readonly recordPermission: PermissionRecorder;
}

const fieldsOf = (known: ReadonlyMap<string, unknown>) => [
  ...PAYMENT_FIELDS,
  ...knownFields(known, ["order_id"]),
];

/**
 * Stores a provider token (a `collect` use of the card fields). When the customer allowed reuse,
 * the `card_reuse` permission is then recorded in the consent ledger; if that fails the method
 * stays but cannot be charged for other orders (the safe side).
 */
export async function addPaymentMethod(
  deps: PaymentsDeps,
  acting: Acting,
  subjectId: string,
  input: NewPaymentMethod,
): Promise<Result<PaymentMethodView>> {
  const problem = paymentMethodProblem(input);
  if (problem !== null) return failWith(new PledgeError("PLEDGE_PAYMENT_METHOD_INVALID", problem));
  const known = deps.policies.at(deps.clock().toISOString()).policy.fieldCategory;
  const ask = { action: "collect", purpose: input.purpose, fields: fieldsOf(known) } as const;
  const outcome = await use<MethodAndPack>(
    deps,
    acting,
    { subject: subjectId },
    ask,
    async ({ trx, now, decision, pack, view }) => {
      const fields = await view();
      const row = {
        subject_id: subjectId,
        payment_method_id: randomUUID(),
        token_enc: fields.seal("card_token", input.token),
        brand_enc: fields.seal("card_brand", input.brand),
        last4_enc: fields.seal("card_last4", input.last4),
        expiry_enc: fields.seal("card_expiry", input.expiry),
        given_for_order: input.orderId,
        reuse_allowed: input.reuseAllowed,
        collection_point: input.collectionPoint,
        purpose: input.purpose,
        policy_version: decision.policy.version,
        created_at: now,
      };
      await insertPaymentMethod(trx, row);
      // No card fields in the answer: it may be stored for Idempotency-Key replays.
      return ok({ view: methodView({ ...row, version: 1 }, null), pack });
    },
  );
  if (!outcome.ok) return outcome;
  if (input.reuseAllowed) {
    await deps.recordPermission(
      deps.db,
      outcome.value.pack,
      subjectId,
      { permission: "card_reuse", granted: true, formId: input.collectionPoint },
      { actor: auditActor(acting.actor), now: deps.clock() },
    );
  }
  return ok(outcome.value.view);
}

/** Sets whether the customer allows reuse of this method (If-Match), and records the permission. */
export async function setPaymentMethodReuse(
  deps: PaymentsDeps,
  acting: Acting,
  subjectId: string,
  paymentMethodId: string,
  ifMatch: number | null,
  input: { reuseAllowed: boolean; purpose: string; collectionPoint: string },
): Promise<Result<PaymentMethodView>> {
  const known = deps.policies.at(deps.clock().toISOString()).policy.fieldCategory;
  const ask = { action: "collect", purpose: input.purpose, fields: fieldsOf(known) } as const;
  const outcome = await use<MethodAndPack>(
    deps,
    acting,
    { subject: subjectId },
    ask,
    async ({ trx, pack, view }) => {
      const row = await paymentMethodRow(trx, subjectId, paymentMethodId, true);
      if (row === undefined) return fail({ kind: "not_found" });
      if (ifMatch !== null && row.version !== ifMatch) return fail({ kind: "stale", version: row.version });
      const updated = await setReuseAllowed(trx, row, input.reuseAllowed);
      return ok({ view: methodView(updated, await view()), pack });
    },
  );
  if (!outcome.ok) return outcome;
  await deps.recordPermission(
    deps.db,
    outcome.value.pack,
    subjectId,
    { permission: "card_reuse", granted: input.reuseAllowed, formId: input.collectionPoint },
    { actor: auditActor(acting.actor), now: deps.clock() },
  );
  return ok(outcome.value.view);
}

export async function listPaymentMethods(
  deps: RecordsDeps,
  acting: Acting,
  subjectId: string,
  query: {
    purpose: string;
    limit: number;
    cursor?: string;
    /** Fields not to read at all (the customer's own list never opens the provider token). */
    without?: readonly string[];
  },
): Promise<Result<Page<PaymentMethodView>>> {
  const after = afterOf(query.cursor);
  const known = deps.policies.at(deps.clock().toISOString()).policy.fieldCategory;
  const ask = {
    action: "read",
    purpose: query.purpose,
    fields: knownFields(known, PAYMENT_FIELDS).filter((f) => !(query.without ?? []).includes(f)),
    projection: true,
  } as const;
  return use(deps, acting, { subject: subjectId }, ask, async ({ trx, view }) => {
    const rows = await listPaymentMethodRows(trx, subjectId, { after, limit: query.limit });
    const fields = await view();
    return ok(
      pageOf(
        rows,
        query.limit,
        (r) => r.payment_method_id,
        (r) => methodView(r, fields),
      ),
    );
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
  acting: Acting,
  subjectId: string,
  paymentMethodId: string,
  input: ChargeInput,
): Promise<Result<Charge>> {
  let row: PaymentMethodRow | undefined;
  let reuse = false;
  // The method is read in the use's transaction, before the gate: a reuse for another order than
  // the one the method was given for counts the card_reuse permission only if the customer allowed
  // reuse of this method too.
  const facts = async (trx: UseScope["trx"], s: SubjectFacts): Promise<SubjectFacts> => {
    row = await paymentMethodRow(trx, subjectId, paymentMethodId);
    reuse = row !== undefined && row.given_for_order !== input.orderId;
    return reuse && row?.reuse_allowed !== true
      ? { ...s, permissions: s.permissions.filter((p) => p !== "card_reuse") }
      : s;
  };
  const ask = { action: "charge", purpose: input.purpose, fields: ["card_token"] } as const;
  return use(
    deps,
    acting,
    { subject: subjectId },
    ask,
    async (scope) => {
      const method = row;
      if (method === undefined) return fail({ kind: "not_found" });
      const view = await scope.view();
      const earlier =
        input.requestKey === undefined
          ? undefined
          : await chargeByKey(scope.trx, subjectId, input.requestKey);
      if (earlier !== undefined) {
        if (earlier.request_hash !== requestHash(paymentMethodId, input)) {
          return failWith(
            new PledgeError(
              "PLEDGE_IDEMPOTENCY_MISMATCH",
              "this Idempotency-Key was used for a different charge",
            ),
          );
        }
        return ok(chargeOf(earlier, view.open("card_token", method.token_enc)));
      }
      const notReuse = reuse ? reuseNeedsItsPurpose(scope.pack, input.purpose) : null;
      if (notReuse !== null) {
        scope.recordAnyway({
          type: "payment.charge_refused",
          at: scope.now,
          actor: auditActor(scope.acting.actor),
          subjectId: method.subject_id,
          payload: {
            paymentMethodId: method.payment_method_id,
            purpose: input.purpose,
            clauses: [...notReuse.clauses],
            policy: { company: scope.pack.company, version: scope.pack.version },
          },
        });
        return failWith(notReuse);
      }
      // ZM-09: nothing is charged for a customer held for verification, or not verified.
      const held = await holdBlocking(scope.trx, scope.pack, subjectId);
      if (held !== null) return failWith(held);
      return ok(await recordCharge(scope, method, input, reuse, view));
    },
    { facts, tell: permissionMissing },
  );
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
  scope: UseScope,
  row: PaymentMethodRow,
  input: ChargeInput,
  reuse: boolean,
  view: FieldView,
): Promise<Charge> {
  const charge = {
    subject_id: row.subject_id,
    charge_id: randomUUID(),
    payment_method_id: row.payment_method_id,
    order_id: input.orderId,
    reuse,
    purpose: input.purpose,
    policy_version: scope.decision.policy.version,
    charged_at: scope.now,
    request_key: input.requestKey ?? null,
    request_hash: input.requestKey === undefined ? null : requestHash(row.payment_method_id, input),
  };
  await insertCharge(scope.trx, charge);
  scope.record({
    type: "payment.charged",
    at: scope.now,
    actor: auditActor(scope.acting.actor),
    subjectId: row.subject_id,
    payload: {
      chargeId: charge.charge_id,
      paymentMethodId: row.payment_method_id,
      reuse,
    },
  });
  return chargeOf(charge, view.open("card_token", row.token_enc));
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

export function methodView(row: PaymentMethodRow, view: FieldView | null): PaymentMethodView {
  const open = (f: string) => view !== null && view.allows(f);
  return {
    paymentMethodId: row.payment_method_id,
    ...(open("card_token") ? { token: view!.open("card_token", row.token_enc) } : {}),
    ...(open("card_brand") ? { brand: view!.open("card_brand", row.brand_enc) } : {}),
    ...(open("card_last4") ? { last4: view!.open("card_last4", row.last4_enc) } : {}),
    ...(open("card_expiry") ? { expiry: view!.open("card_expiry", row.expiry_enc) } : {}),
    givenForOrder: row.given_for_order,
    reuseAllowed: row.reuse_allowed,
    createdAt: row.created_at.toISOString(),
    provenance: provenanceOf({ ...row, at: row.created_at }),
    version: row.version,
  };
}
