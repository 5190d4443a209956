import type { Transaction } from "kysely";
import type { Database } from "../store/database.ts";
import type { AuditEvent, AuditRow } from "./audit.events.ts";
import { normalisePayload, rowHash } from "./hash.ts";

/** Rows per INSERT statement (8 parameters each, well under PostgreSQL's 65,535). */
const INSERT_CHUNK = 1000;

/**
 * Appends `events`, in order, to the audit log inside the caller's transaction, so the record
 * commits or rolls back with what it records. Locks the head row FOR UPDATE first: concurrent
 * appenders on PostgreSQL queue behind it and every row joins one chain. Returns the rows written.
 */
export async function appendAudit(
  trx: Transaction<Database>,
  events: readonly AuditEvent[],
): Promise<AuditRow[]> {
  if (events.length === 0) return [];
  const head = await trx
    .selectFrom("audit_head")
    .select(["seq", "hash"])
    .where("id", "=", 1)
    .forUpdate()
    .executeTakeFirstOrThrow();

  let seq = Number(head.seq);
  let prevHash = head.hash;
  const rows: AuditRow[] = events.map((event) => {
    const fields = {
      at: event.at,
      type: event.type,
      actor: event.actor,
      subjectId: event.subjectId,
      payload: normalisePayload(event.payload),
    };
    const hash = rowHash(prevHash, fields);
    const row: AuditRow = { seq: ++seq, ...fields, prevHash, hash };
    prevHash = hash;
    return row;
  });

  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await trx
      .insertInto("audit_log")
      .values(rows.slice(i, i + INSERT_CHUNK).map(toColumns))
      .execute();
  }
  await trx.updateTable("audit_head").set({ seq, hash: prevHash }).where("id", "=", 1).execute();
  return rows;
}

function toColumns(row: AuditRow) {
  return {
    seq: row.seq,
    at: row.at,
    type: row.type,
    actor: row.actor,
    subject_id: row.subjectId,
    payload: JSON.stringify(row.payload),
    prev_hash: row.prevHash,
    hash: row.hash,
  };
}
