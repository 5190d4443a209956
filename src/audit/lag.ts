import type { Kysely } from "kysely";
import type { Database } from "../store/database.ts";

export interface AuditLag {
  /** Rows appended after the last signed checkpoint (all rows when there is none). */
  readonly unsignedRows: number;
  /** Seconds since the oldest of those rows was written; 0 when every row is signed. */
  readonly unsignedAgeSeconds: number;
}

/**
 * How far the audit log runs ahead of its last signed checkpoint: what an attacker with write
 * access to the database could still rewrite undetected (docs/operations.md, checkpoints). Two
 * indexed reads: the head row and the first row after the newest checkpoint.
 */
export async function auditLag(db: Kysely<Database>, now: Date): Promise<AuditLag> {
  const head = await db.selectFrom("audit_head").select("seq").where("id", "=", 1).executeTakeFirst();
  const signed = await db
    .selectFrom("audit_checkpoints")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .executeTakeFirst();
  const last = Number(signed?.seq ?? 0);
  const unsignedRows = Math.max(0, Number(head?.seq ?? 0) - last);
  if (unsignedRows === 0) return { unsignedRows, unsignedAgeSeconds: 0 };
  const oldest = await db
    .selectFrom("audit_log")
    .select("at")
    .where("seq", "=", last + 1)
    .executeTakeFirst();
  const at = oldest === undefined ? now.getTime() : new Date(oldest.at).getTime();
  return { unsignedRows, unsignedAgeSeconds: Math.max(0, (now.getTime() - at) / 1000) };
}
