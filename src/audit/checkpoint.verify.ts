import type { Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import { chainLayout } from "./chains.ts";
import type { CheckpointNote } from "./note.ts";
import type { AuditProblem } from "./verify.report.ts";

/**
 * Whether the log still holds what a checkpoint kept outside the database committed to: in each
 * chain the note names, at least the head's rows, and the head's row with the hash the note
 * names. A note without chain lines was signed over one chain, chain 1 (a log of one chain, or
 * the log as it was before it had a chain per shard). The note's signature is the caller's to
 * check first (noteSignedBy). This is what catches a truncation by someone who also rewrote
 * audit_head and deleted audit_checkpoints, which leaves a log that verifies.
 */
export async function checkAgainstNote(db: Kysely<Database>, note: CheckpointNote): Promise<AuditProblem[]> {
  const layout = await chainLayout(db);
  const several = note.heads !== undefined;
  const heads = note.heads ?? [{ chain: 1, seq: note.size, hash: note.hash }];
  if (several && heads.length !== layout.length)
    return [
      {
        seq: note.size,
        kind: "checkpoint_mismatch",
        detail: `the checkpoint names ${heads.length} chain(s), the log has ${layout.length}`,
      },
    ];
  const problems: AuditProblem[] = [];
  for (const head of heads) {
    const { anchor } = layout[head.chain - 1]!;
    const problem = await checkHead(db, anchor, head.seq, head.hash);
    if (problem !== null) problems.push(several ? { ...problem, chain: head.chain } : problem);
  }
  return problems;
}

async function checkHead(
  db: Kysely<Database>,
  anchor: string,
  m: number,
  hash: string,
): Promise<AuditProblem | null> {
  if (m === 0) return null;
  const { count, maxSeq } = await db
    .selectFrom("audit_log")
    .select((eb) => [eb.fn.countAll<number | string | bigint>().as("count"), eb.fn.max("seq").as("maxSeq")])
    .where("anchor", "=", anchor)
    .executeTakeFirstOrThrow();
  const rows = Number(count);
  const last = maxSeq === null ? 0 : Number(maxSeq);
  const row = await db
    .selectFrom("audit_log")
    .select("hash")
    .where("anchor", "=", anchor)
    .where("seq", "=", m)
    .executeTakeFirst();
  if (row === undefined) {
    return last < m
      ? {
          seq: last + 1,
          kind: "truncated",
          detail: `the log has ${rows} rows, the checkpoint committed to ${m}`,
        }
      : { seq: m, kind: "deleted", detail: `row ${m}, which the checkpoint committed to, is missing` };
  }
  if (row.hash !== hash) {
    return {
      seq: m,
      kind: "checkpoint_mismatch",
      detail: `hash mismatch at row ${m}: the checkpoint committed to ${hash.slice(0, 12)}…, the log has ${row.hash.slice(0, 12)}…`,
    };
  }
  return null;
}
