import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { PledgeError } from "../../errors.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { decodeCursor, encodeCursor } from "../../store/cursor.ts";
import { auditActor, systemActing, type Acting } from "../../use/acting.ts";
import { useIn, type UseScope } from "../../use/kernel.ts";
import { failWith, ok, type Result } from "../../use/refusal.ts";
import { cancelPlacedOrders } from "../orders/orders.moves.ts";
import { cancelLiveServices } from "../orders/services.moves.ts";
import type { Page, RecordsDeps } from "../records/records.ts";
import { DISPOSABLE_DOMAINS } from "./disposable-domains.ts";
import {
  assess,
  daysOf,
  domainOf,
  FRAUD_REASONS,
  HOLD_TRANSITIONS,
  mailboxOf,
  networkOf,
  type FraudHoldView,
  type FraudReason,
  type HoldMove,
  type HoldStatus,
} from "./fraud.ts";
import {
  holdById,
  holdOfSubject,
  insertCheck,
  insertHold,
  listHoldRows,
  overdueHoldIds,
  setHoldStatus,
  velocityCounts,
  wasChecked,
  type HoldRow,
} from "./fraud.repository.ts";
import "./fraud.events.ts";

export interface FraudDeps extends RecordsDeps {
  /** Told after a commit that closed a hold (the customer's notice is owed). */
  readonly onClosed?: () => void;
}

const CHECKER = systemActing("fraud-checks");
const EXPIRY = systemActing("fraud-expiry");

/** What placing an order learns of the person's fraud hold: the hold that blocks it, or null. */
export interface Screened {
  readonly hold: { readonly holdId: string; readonly reasons: readonly FraudReason[] } | null;
}

/**
 * ZM-09, run by `createOrder` in its transaction before the order is written. A person rejected
 * (by staff or by expiry) places no order: PLEDGE_FRAUD_REJECTED. A person held already is answered
 * with the hold, and the order joins it (it cannot be charged or fulfilled either). A person whose
 * first order this is, under a pack with a `fraud` section, is checked: the email, billing and
 * shipping address are read through the gate as Pledge's own job under the pack's fraud purpose,
 * velocity is counted over the blind indexes of the mailbox and the source network, and on any
 * reason to doubt, the person is held for manual verification until the pack's limit. The check is
 * recorded either way, so a later order is not a first order.
 */
export async function screenOrder(
  deps: RecordsDeps,
  scope: UseScope,
  subjectId: string,
  sourceAddress: string | null,
): Promise<Result<Screened>> {
  const { trx, now, pack } = scope;
  const existing = await holdOfSubject(trx, subjectId);
  if (existing !== undefined) return afterHold(existing, pack);
  const fraud = pack.fraud;
  if (fraud === undefined || (await wasChecked(trx, subjectId))) return ok({ hold: null });

  const seen = await gather(deps, trx, subjectId, fraud.purpose, scope.policy.fieldCategory);
  const network = sourceAddress === null ? null : networkOf(sourceAddress);
  const sourceIndex = network === null ? null : deps.vault.blindIndex("network", network);
  const mailboxIndex = seen.email === null ? null : deps.vault.blindIndex("mailbox", mailboxOf(seen.email));
  const since = new Date(now.getTime() - fraud.velocity.window_hours * 3600 * 1000);
  const counts = await velocityCounts(trx, subjectId, since, sourceIndex, mailboxIndex);
  const reasons = assess(
    {
      emailDomain: seen.email === null ? null : domainOf(seen.email),
      billingCountry: seen.billing,
      shippingCountry: seen.shipping,
      served: [...new Set(pack.jurisdictions.map((j) => j.split("-")[0]!.toUpperCase()))],
      ...counts,
    },
    {
      maxPerSource: fraud.velocity.max_per_source,
      maxPerEmail: fraud.velocity.max_per_email,
      disposable: new Set([...DISPOSABLE_DOMAINS, ...fraud.disposable_domains]),
    },
  );
  const outcome = reasons.length === 0 ? "passed" : "held";
  const checked = await insertCheck(trx, {
    subject_id: subjectId,
    outcome,
    source_index: sourceIndex,
    mailbox_index: mailboxIndex,
    checked_at: now,
  });
  if (!checked) {
    // Another first order of the person was checked at the same time: its outcome stands.
    const other = await holdOfSubject(trx, subjectId);
    return other === undefined ? ok({ hold: null }) : afterHold(other, pack);
  }
  const hold =
    reasons.length === 0
      ? null
      : await insertHold(trx, {
          hold_id: randomUUID(),
          subject_id: subjectId,
          status: "held",
          reasons: JSON.stringify(reasons),
          held_at: now,
          verify_by: new Date(now.getTime() + daysOf(fraud.verification_limit)),
          closed_at: null,
          closed_by: null,
          notice_sent_at: null,
        });
  scope.record({
    type: "fraud.checked",
    at: now,
    actor: auditActor(CHECKER.actor),
    subjectId,
    payload: { outcome, reasons, holdId: hold?.hold_id ?? null },
  });
  return ok({ hold: hold === null ? null : { holdId: hold.hold_id, reasons } });
}

function afterHold(row: HoldRow, pack: PolicyPack): Result<Screened> {
  if (row.status === "released") return ok({ hold: null });
  if (row.status === "held") return ok({ hold: { holdId: row.hold_id, reasons: reasonsOf(row) } });
  return failWith(
    new PledgeError(
      "PLEDGE_FRAUD_REJECTED",
      `this customer was not verified (hold ${row.hold_id} is ${row.status}); no order is taken`,
      fraudClauses(pack),
    ),
  );
}

/**
 * The refusal for charging or fulfilling an order of a person whose hold is not released, or null.
 * Charges and fulfilment ask this in their own transaction.
 */
export async function holdBlocking(
  trx: Transaction<Database>,
  pack: PolicyPack,
  subjectId: string,
): Promise<PledgeError | null> {
  const row = await holdOfSubject(trx, subjectId);
  if (row === undefined || row.status === "released") return null;
  return new PledgeError(
    "PLEDGE_FRAUD_HOLD",
    row.status === "held"
      ? `the customer is held for manual verification (hold ${row.hold_id}): no order is charged or fulfilled until it is released`
      : `the customer was not verified (hold ${row.hold_id} is ${row.status}): no order is charged or fulfilled`,
    fraudClauses(pack),
  );
}

/** The person's email, billing and shipping countries, read through the gate as the check job. */
async function gather(
  deps: RecordsDeps,
  trx: Transaction<Database>,
  subjectId: string,
  purpose: string,
  known: ReadonlyMap<string, unknown>,
): Promise<{ email: string | null; billing: string | null; shipping: string | null }> {
  const fields = ["email", "billing_address", "shipping_address", "postal_address"].filter((f) =>
    known.has(f),
  );
  const ask = { action: "read", purpose, fields, projection: true } as const;
  const read = await useIn(trx, deps, CHECKER, { subject: subjectId }, ask, async (s) => {
    const view = await s.view();
    const identity = view.allows("email")
      ? await s.trx
          .selectFrom("subject_identities")
          .select("value_enc")
          .where("subject_id", "=", subjectId)
          .where("kind", "=", "email")
          .orderBy("is_primary", "desc")
          .orderBy("created_at")
          .executeTakeFirst()
      : undefined;
    const email = identity === undefined ? null : view.open("email", identity.value_enc, "identity.email");
    const countries = new Map<string, string>();
    const rows = await s.trx
      .selectFrom("subject_addresses")
      .select(["address_id", "kind", "value_enc"])
      .where("subject_id", "=", subjectId)
      .orderBy("collected_at", "desc")
      .execute();
    for (const r of rows) {
      const field = `${r.kind}_address`;
      if (countries.has(r.kind) || !view.allows(field)) continue;
      const value = JSON.parse(view.open(field, r.value_enc, `address.${r.address_id}`)) as {
        country: string;
      };
      countries.set(r.kind, value.country);
    }
    return ok({
      email,
      billing: countries.get("billing") ?? null,
      // Where the order goes: the shipping address, or the postal address of a pack without one.
      shipping: countries.get("shipping") ?? countries.get("postal") ?? null,
    });
  });
  return read.ok ? read.value : { email: null, billing: null, shipping: null };
}

/**
 * The one transition of a hold, in the caller's transaction on a row it locked: checks the move
 * against HOLD_TRANSITIONS, sets the status and who closed it, appends `fraud.hold_moved`; a
 * rejected or expired hold cancels the person's placed orders and live services. A closed hold is
 * PLEDGE_FRAUD_HOLD_CLOSED with nothing changed.
 */
async function transition(
  trx: Transaction<Database>,
  pack: PolicyPack,
  row: HoldRow,
  move: HoldMove,
  actor: string,
  now: Date,
): Promise<Result<HoldRow>> {
  const { from, to } = HOLD_TRANSITIONS[move];
  if (!(from as readonly HoldStatus[]).includes(row.status)) {
    return failWith(
      new PledgeError(
        "PLEDGE_FRAUD_HOLD_CLOSED",
        `hold ${row.hold_id} is ${row.status} already; only a held hold can ${move}`,
        fraudClauses(pack),
      ),
    );
  }
  const moved = await setHoldStatus(trx, row, to, actor, now);
  await appendAudit(trx, [
    {
      type: "fraud.hold_moved",
      at: now,
      actor,
      subjectId: row.subject_id,
      payload: { holdId: row.hold_id, move, from: row.status, to, version: moved.version },
    },
  ]);
  if (to === "rejected" || to === "expired") {
    const purpose = pack.fraud?.purpose ?? "fraud";
    await cancelPlacedOrders(trx, row.subject_id, { actor, now, purpose });
    await cancelLiveServices(trx, row.subject_id, { actor, now, purpose, policyVersion: pack.version });
  }
  return ok(moved);
}

/** Staff release (verified) or reject a hold; the customer is told after commit. */
export async function moveHold(
  deps: FraudDeps,
  acting: Acting,
  holdId: string,
  move: "release" | "reject",
): Promise<Result<FraudHoldView>> {
  const now = deps.clock();
  const { pack } = deps.policies.at(now.toISOString());
  const result = await deps.db.transaction().execute(async (trx) => {
    const row = await holdById(trx, holdId, true);
    if (row === undefined)
      return failWith<HoldRow>(new PledgeError("PLEDGE_NOT_FOUND", `no fraud hold ${holdId}`));
    return transition(trx, pack, row, move, auditActor(acting.actor), now);
  });
  if (!result.ok) return result;
  deps.onClosed?.();
  return ok(holdView(result.value));
}

/**
 * Rejects every held hold whose verification limit has passed (ZM-09: unverifiable ones are
 * rejected), each in its own transaction, as Pledge's expiry job. Safe to run again and from two
 * nodes: a hold another run closed first is skipped. Returns the ids expired.
 */
export async function expireHolds(deps: FraudDeps): Promise<string[]> {
  const now = deps.clock();
  const { pack } = deps.policies.at(now.toISOString());
  const expired: string[] = [];
  for (;;) {
    const ids = await overdueHoldIds(deps.db, now, 100);
    let moved = 0;
    for (const id of ids) {
      const done = await deps.db.transaction().execute(async (trx) => {
        const row = await holdById(trx, id, true);
        if (row === undefined || row.status !== "held" || row.verify_by > now) return false;
        return (await transition(trx, pack, row, "expire", auditActor(EXPIRY.actor), now)).ok;
      });
      if (done) {
        expired.push(id);
        moved += 1;
      }
    }
    if (ids.length < 100 || moved === 0) break;
  }
  if (expired.length > 0) deps.onClosed?.();
  return expired;
}

export async function getHold(deps: FraudDeps, holdId: string): Promise<Result<FraudHoldView>> {
  const row = await holdById(deps.db, holdId);
  if (row === undefined) return failWith(new PledgeError("PLEDGE_NOT_FOUND", `no fraud hold ${holdId}`));
  return ok(holdView(row));
}

export async function listHolds(
  deps: FraudDeps,
  query: { status?: HoldStatus; limit: number; cursor?: string },
): Promise<Page<FraudHoldView>> {
  const position = query.cursor === undefined ? null : decodeCursor(query.cursor, { at: "time", id: "uuid" });
  const rows = await listHoldRows(deps.db, {
    ...(query.status === undefined ? {} : { status: query.status }),
    limit: query.limit,
    after: position === null ? null : { at: new Date(position.at), id: position.id },
  });
  const more = rows.length > query.limit;
  const kept = more ? rows.slice(0, query.limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(holdView),
    nextCursor:
      more && last !== undefined
        ? encodeCursor({ at: new Date(last.held_at).toISOString(), id: last.hold_id })
        : null,
  };
}

function reasonsOf(row: HoldRow): FraudReason[] {
  return JSON.parse(row.reasons) as FraudReason[];
}

function fraudClauses(pack: PolicyPack): string[] {
  return [...(pack.fraud?.clauses ?? [])];
}

/** A hold as it leaves: every field listed; ids, codes and dates only. */
export function holdView(row: HoldRow): FraudHoldView {
  const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
  return {
    holdId: row.hold_id,
    subjectId: row.subject_id,
    status: row.status,
    reasons: reasonsOf(row).map((code) => ({ code, reason: FRAUD_REASONS[code] })),
    heldAt: new Date(row.held_at).toISOString(),
    verifyBy: new Date(row.verify_by).toISOString(),
    closedAt: iso(row.closed_at),
    closedBy: row.closed_by,
    noticeSentAt: iso(row.notice_sent_at),
    version: row.version,
  };
}
