import type { Kysely, Selectable, Transaction } from "kysely";
import type { Database } from "../../store/database.ts";
import type { Instrument, LegalRequest, LegalState } from "./legal.ts";
import type { LegalRequestsTable } from "./legal.table.ts";

export type LegalRow = Selectable<LegalRequestsTable>;

/** One request, locked for the caller's transaction when `lock`. */
export async function findRequest(
  db: Kysely<Database>,
  requestId: string,
  lock = false,
): Promise<LegalRow | undefined> {
  let q = db.selectFrom("legal_requests").selectAll().where("request_id", "=", requestId);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function approversOf(
  db: Kysely<Database>,
  requestId: string,
): Promise<{ by: string; at: string }[]> {
  const rows = await db
    .selectFrom("legal_request_approvals")
    .select(["approver", "approved_at"])
    .where("request_id", "=", requestId)
    .orderBy("approved_at")
    .orderBy("approver")
    .execute();
  return rows.map((r) => ({ by: r.approver, at: new Date(r.approved_at).toISOString() }));
}

export async function subjectsOf(db: Kysely<Database>, requestId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("legal_request_subjects")
    .select("subject_id")
    .where("request_id", "=", requestId)
    .orderBy("subject_id")
    .execute();
  return rows.map((r) => r.subject_id);
}

/** Adds an approval; false when this approver approved already (the primary key says so). */
export async function addApproval(
  trx: Transaction<Database>,
  requestId: string,
  approver: string,
  at: Date,
): Promise<boolean> {
  const result = await trx
    .insertInto("legal_request_approvals")
    .values({ request_id: requestId, approver, approved_at: at })
    .onConflict((oc) => oc.columns(["request_id", "approver"]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** The ledger row a person's production wrote, and when their notice is due. */
export async function markProduced(
  trx: Transaction<Database>,
  requestId: string,
  subjectId: string,
  disclosureId: string,
  noticeDueAt: Date,
): Promise<void> {
  await trx
    .updateTable("legal_request_subjects")
    .set({ disclosure_id: disclosureId, notice_due_at: noticeDueAt })
    .where("request_id", "=", requestId)
    .where("subject_id", "=", subjectId)
    .execute();
}

/** Requests newest first, optionally in one state. */
export async function listRows(
  db: Kysely<Database>,
  query: { state?: LegalState; limit: number },
): Promise<LegalRow[]> {
  let q = db.selectFrom("legal_requests").selectAll();
  if (query.state !== undefined) q = q.where("state", "=", query.state);
  return q.orderBy("received_at", "desc").orderBy("request_id").limit(query.limit).execute();
}

export async function presentRequest(db: Kysely<Database>, row: LegalRow): Promise<LegalRequest> {
  return {
    id: row.request_id,
    authority: row.authority,
    country: row.country,
    instrument: row.instrument as Instrument,
    reference: row.reference,
    ground: row.ground,
    subjects: await subjectsOf(db, row.request_id),
    fields: row.fields,
    state: row.state as LegalState,
    receivedBy: row.received_by,
    receivedAt: new Date(row.received_at).toISOString(),
    approvals: await approversOf(db, row.request_id),
    justification: row.justification,
    nondisclosureUntil:
      row.nondisclosure_until === null ? null : new Date(row.nondisclosure_until).toISOString(),
    closedBy: row.closed_by,
    closedAt: row.closed_at === null ? null : new Date(row.closed_at).toISOString(),
    note: row.note,
  };
}

/** Notices due at `now` and not yet sent, oldest first. */
export async function dueNotices(
  db: Kysely<Database>,
  now: Date,
  maxAttempts: number,
): Promise<{ request_id: string; subject_id: string; notice_attempts: number }[]> {
  return db
    .selectFrom("legal_request_subjects")
    .select(["request_id", "subject_id", "notice_attempts"])
    .where("notice_sent_at", "is", null)
    .where("notice_due_at", "is not", null)
    .where("notice_due_at", "<=", now)
    .where("notice_attempts", "<", maxAttempts)
    .where((eb) => eb.or([eb("notice_claimed_until", "is", null), eb("notice_claimed_until", "<", now)]))
    .orderBy("notice_due_at")
    .orderBy("request_id")
    .limit(100)
    .execute();
}
