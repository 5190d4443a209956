import type { Kysely, Selectable, Transaction } from "kysely";
import type { Database } from "../../store/database.ts";
import type { HoldStatus } from "./fraud.ts";
import type { FraudChecksTable, FraudHoldsTable } from "./fraud.table.ts";

export type HoldRow = Selectable<FraudHoldsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** Whether the person's first order was checked already. */
export async function wasChecked(trx: Db, subjectId: string): Promise<boolean> {
  const row = await trx
    .selectFrom("fraud_checks")
    .select("subject_id")
    .where("subject_id", "=", subjectId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Other people's first orders since `since` with this source index and with this mailbox index. */
export async function velocityCounts(
  trx: Db,
  subjectId: string,
  since: Date,
  sourceIndex: string | null,
  mailboxIndex: string | null,
): Promise<{ sameSource: number; sameMailbox: number }> {
  const count = async (column: "source_index" | "mailbox_index", value: string | null) => {
    if (value === null) return 0;
    const row = await trx
      .selectFrom("fraud_checks")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where(column, "=", value)
      .where("checked_at", ">=", since)
      .where("subject_id", "<>", subjectId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    sameSource: await count("source_index", sourceIndex),
    sameMailbox: await count("mailbox_index", mailboxIndex),
  };
}

/** Records the check; false when another order of the person was checked first (a race). */
export async function insertCheck(trx: Db, row: Selectable<FraudChecksTable>): Promise<boolean> {
  const done = await trx
    .insertInto("fraud_checks")
    .values(row)
    .onConflict((oc) => oc.column("subject_id").doNothing())
    .returning("subject_id")
    .executeTakeFirst();
  return done !== undefined;
}

export async function insertHold(trx: Db, row: Omit<HoldRow, "version">): Promise<HoldRow> {
  return trx.insertInto("fraud_holds").values(row).returningAll().executeTakeFirstOrThrow();
}

/** The person's hold, if any (a person has at most one). */
export async function holdOfSubject(trx: Db, subjectId: string): Promise<HoldRow | undefined> {
  return trx.selectFrom("fraud_holds").selectAll().where("subject_id", "=", subjectId).executeTakeFirst();
}

export async function holdById(trx: Db, holdId: string, forUpdate = false): Promise<HoldRow | undefined> {
  const row = await trx
    .selectFrom("fraud_holds")
    .selectAll()
    .where("hold_id", "=", holdId)
    .executeTakeFirst();
  if (row === undefined || !forUpdate) return row;
  // Locked by its full key, the person's shard alone (Citus locks no row found by another column).
  return trx
    .selectFrom("fraud_holds")
    .selectAll()
    .where("subject_id", "=", row.subject_id)
    .where("hold_id", "=", holdId)
    .forUpdate()
    .executeTakeFirst();
}

export async function setHoldStatus(
  trx: Db,
  row: HoldRow,
  status: HoldStatus,
  closedBy: string,
  at: Date,
): Promise<HoldRow> {
  return trx
    .updateTable("fraud_holds")
    .set({ status, closed_by: closedBy, closed_at: at, version: row.version + 1 })
    .where("subject_id", "=", row.subject_id)
    .where("hold_id", "=", row.hold_id)
    .where("version", "=", row.version)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Holds, newest first, after a (held_at, hold_id) cursor. */
export async function listHoldRows(
  db: Db,
  query: { status?: HoldStatus; limit: number; after?: { at: Date; id: string } | null },
): Promise<HoldRow[]> {
  let q = db.selectFrom("fraud_holds").selectAll();
  if (query.status !== undefined) q = q.where("status", "=", query.status);
  const after = query.after;
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb("held_at", "<", after.at),
        eb.and([eb("held_at", "=", after.at), eb("hold_id", ">", after.id)]),
      ]),
    );
  }
  return q
    .orderBy("held_at", "desc")
    .orderBy("hold_id")
    .limit(query.limit + 1)
    .execute();
}

/** Held holds whose verification limit has passed, oldest first. */
export async function overdueHoldIds(db: Db, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom("fraud_holds")
    .select("hold_id")
    .where("status", "=", "held")
    .where("verify_by", "<=", now)
    .orderBy("verify_by")
    .limit(limit)
    .execute();
  return rows.map((r) => r.hold_id);
}

/** Closed holds whose customer has not been told yet. */
export async function unnoticedHolds(db: Db, limit: number): Promise<HoldRow[]> {
  return db
    .selectFrom("fraud_holds")
    .selectAll()
    .where("status", "<>", "held")
    .where("notice_sent_at", "is", null)
    .orderBy("closed_at")
    .limit(limit)
    .execute();
}

/** Marks the notice sent; false when another sender marked it first. */
export async function markNoticeSent(db: Db, holdId: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable("fraud_holds")
    .set({ notice_sent_at: at })
    .where("hold_id", "=", holdId)
    .where("notice_sent_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
