import type { Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import type { CheckpointNote } from "./note.ts";
import type { AuditProblem } from "./verify.report.ts";

/**
 * Whether the log still holds what a checkpoint kept outside the database committed to: at least
 * `note.size` rows, and row `note.size` with the hash the note names. The note's signature is
 * the caller's to check first (noteSignedBy). This is what catches a truncation by someone who
 * also rewrote audit_head and deleted audit_checkpoints, which leaves a log that verifies.
 */
export async function checkAgainstNote(db: Kysely<Database>, note: CheckpointNote): Promise<AuditProblem[]> {
  const m = note.size;
  const { count, maxSeq } = await db
    .selectFrom("audit_log")
    .select((eb) => [eb.fn.countAll<number | string | bigint>().as("count"), eb.fn.max("seq").as("maxSeq")])
    .executeTakeFirstOrThrow();
  const rows = Number(count);
  const last = maxSeq === null ? 0 : Number(maxSeq);
  const row = await db.selectFrom("audit_log").select("hash").where("seq", "=", m).executeTakeFirst();
  if (row === undefined) {
    return [
      last < m
        ? {
            seq: last + 1,
            kind: "truncated",
            detail: `the log has ${rows} rows, the checkpoint committed to ${m}`,
          }
        : { seq: m, kind: "deleted", detail: `row ${m}, which the checkpoint committed to, is missing` },
    ];
  }
  if (row.hash !== note.hash) {
    return [
      {
        seq: m,
        kind: "checkpoint_mismatch",
        detail: `hash mismatch at row ${m}: the checkpoint committed to ${note.hash.slice(0, 12)}…, the log has ${row.hash.slice(0, 12)}…`,
      },
    ];
  }
  return [];
}
