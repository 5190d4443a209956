import type { Selectable, Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { PledgeError } from "../../errors.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { clockOf } from "./requests.clock.ts";
import { DENIAL_REASONS, isOpen, TRANSITIONS, type DenialReason, type RequestState } from "./requests.ts";
import type { RightsRequestsTable } from "./requests.table.ts";
import "./requests.events.ts";

export type RequestRow = Selectable<RightsRequestsTable>;

export interface Move {
  readonly to: RequestState;
  /** Required for `denied`: one of DENIAL_REASONS. */
  readonly reason?: DenialReason;
  /** Required for `extended`: the reason the person is told in the extension notice. */
  readonly extensionReason?: string;
}

/** The notice each move owes the person (sent by email once the move commits); null: none. */
export function noticeFor(to: RequestState): string | null {
  switch (to) {
    case "identity_unverified":
      return "verify";
    case "waiting_on_person":
      return "more_information";
    case "extended":
      return "extension";
    case "fulfilled":
    case "partially_fulfilled":
      return "completion";
    case "denied":
      return "denial";
    case "revoked":
      return "revoked";
    case "received":
    case "verified":
    case "in_progress":
    case "expired":
      return null;
    default: {
      const never: never = to;
      return never;
    }
  }
}

/**
 * The one way a request changes state. Checks the move against TRANSITIONS (and a denial's reason,
 * an extension's notice and deadline), keeps the clock (a pause starts when the identity check
 * waits on the person under a law that pauses, and ends when it is left; an extension adds the
 * law's period; a closed request has no due date), writes the move, its audit event and the
 * notice it owes, in the caller's transaction, on a row the caller has locked. Returns the row as
 * it now is.
 */
export async function transition(
  trx: Transaction<Database>,
  pack: PolicyPack,
  row: RequestRow,
  move: Move,
  actor: string,
  now: Date,
): Promise<RequestRow> {
  const from = row.state;
  if (!TRANSITIONS[from].includes(move.to)) {
    throw new PledgeError(
      "PLEDGE_REQUEST_TRANSITION_INVALID",
      `a request in state ${from} cannot move to ${move.to}; it may move to: ${TRANSITIONS[from].join(", ") || "nothing (closed)"}`,
    );
  }
  if (move.to === "denied" && (move.reason === undefined || !DENIAL_REASONS.includes(move.reason))) {
    throw new PledgeError(
      "PLEDGE_VALIDATION_FAILED",
      `a denial needs a reason, one of: ${DENIAL_REASONS.join(", ")}`,
    );
  }
  let extendedAt = row.extended_at;
  let extensionReason = row.extension_reason;
  if (move.to === "extended") {
    const reason = move.extensionReason?.trim() ?? "";
    if (reason === "") {
      throw new PledgeError(
        "PLEDGE_REQUEST_EXTENSION_REFUSED",
        "an extension is told to the person with its reason: give extensionReason",
      );
    }
    if (row.extended_at !== null) {
      throw new PledgeError("PLEDGE_REQUEST_EXTENSION_REFUSED", "the request was extended once already");
    }
    if (row.due_at !== null && now.getTime() >= new Date(row.due_at).getTime()) {
      throw new PledgeError(
        "PLEDGE_REQUEST_EXTENSION_REFUSED",
        "an extension must be noticed before the request is due; this one is overdue",
      );
    }
    extendedAt = now;
    extensionReason = reason;
  }
  let pausedMs = Number(row.paused_ms);
  let pausedSince = row.paused_since === null ? null : new Date(row.paused_since);
  if (pausedSince !== null && move.to !== "identity_unverified") {
    pausedMs += Math.max(0, now.getTime() - pausedSince.getTime());
    pausedSince = null;
  }
  // Recorded under every law (the law may be known only once the person is matched); counted
  // only under a law that pauses (deadlines.ts rule 7).
  if (move.to === "identity_unverified" && pausedSince === null) pausedSince = now;
  const open = isOpen(move.to);
  const clock = open
    ? clockOf(
        pack,
        {
          kind: row.kind,
          law: row.law,
          jurisdiction: row.jurisdiction,
          receivedAt: new Date(row.received_at),
          extended: extendedAt !== null,
          pausedMs,
          pausedSince: null,
        },
        now,
      )
    : null;
  const version = row.version + 1;
  const next: RequestRow = {
    ...row,
    state: move.to,
    version,
    extended_at: extendedAt,
    extension_reason: extensionReason,
    paused_ms: pausedMs,
    paused_since: pausedSince,
    due_at: clock?.due ?? null,
    due_date: clock?.dueDate ?? null,
    denial_reason: move.to === "denied" ? move.reason! : row.denial_reason,
    closed_at: open ? null : now,
    updated_at: now,
  };
  await trx
    .updateTable("rights_requests")
    .set({
      state: next.state,
      version,
      extended_at: next.extended_at,
      extension_reason: next.extension_reason,
      paused_ms: next.paused_ms,
      paused_since: next.paused_since,
      due_at: next.due_at,
      due_date: next.due_date,
      denial_reason: next.denial_reason,
      closed_at: next.closed_at,
      updated_at: now,
    })
    .where("request_id", "=", row.request_id)
    .execute();
  await recordMove(trx, row.request_id, from, move.to, actor, now, move.reason ?? null);
  // A request with no address to write to (a list removal, a complaint) owes no notice.
  const notice = row.contact_enc === null ? null : noticeFor(move.to);
  if (notice !== null) await oweNotice(trx, row.request_id, notice, now);
  await appendAudit(trx, [
    {
      type: "request.moved",
      at: now,
      actor,
      subjectId: row.subject_id,
      payload: {
        requestId: row.request_id,
        from,
        to: move.to,
        reason: move.reason ?? null,
        version,
        due: next.due_at === null ? null : next.due_at.toISOString(),
      },
    },
  ]);
  return next;
}

/** One row of a request's history; `seq` follows the last. */
export async function recordMove(
  trx: Transaction<Database>,
  requestId: string,
  from: RequestState | null,
  to: RequestState,
  actor: string,
  at: Date,
  reason: string | null,
): Promise<void> {
  const last = await trx
    .selectFrom("rights_request_moves")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .where("request_id", "=", requestId)
    .executeTakeFirst();
  await trx
    .insertInto("rights_request_moves")
    .values({
      request_id: requestId,
      seq: Number(last?.seq ?? 0) + 1,
      from_state: from,
      to_state: to,
      actor,
      at,
      reason,
    })
    .execute();
}

/** A notice the person is owed; the sender (requests.notices.ts) sends it after commit. */
export async function oweNotice(
  trx: Transaction<Database>,
  requestId: string,
  kind: string,
  now: Date,
): Promise<void> {
  await trx
    .insertInto("request_notices")
    .values({ request_id: requestId, kind, created_at: now, attempts: 0 })
    .execute();
}
