import type { Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import type { AuditRow } from "./audit.events.ts";
import type { Checkpoint } from "./checkpoint.ts";

// Reads used by verify. Each page is one keyset query (`seq > after order by seq limit n`), so
// no query holds more than one page and none holds the engine for long.

export async function readHead(db: Kysely<Database>): Promise<{ seq: number; hash: string }> {
  const head = await db
    .selectFrom("audit_head")
    .select(["seq", "hash"])
    .where("id", "=", 1)
    .executeTakeFirstOrThrow();
  return { seq: Number(head.seq), hash: head.hash };
}

/** Rows with after < seq <= upTo, in seq order, at most `limit`. */
export async function readRowPage(
  db: Kysely<Database>,
  after: number,
  upTo: number,
  limit: number,
): Promise<AuditRow[]> {
  // Named as AuditRow names them in the query: verify reads every row of the log, and a copy of
  // each into a new object would cost as much as hashing it. Only seq (a bigint) is converted.
  const rows: AuditRow[] = await db
    .selectFrom("audit_log")
    .select([
      "seq",
      "at",
      "type",
      "actor",
      "subject_id as subjectId",
      "payload",
      "prev_hash as prevHash",
      "hash",
    ])
    .where("seq", ">", after)
    .where("seq", "<=", upTo)
    .orderBy("seq")
    .limit(limit)
    .execute();
  for (const row of rows) row.seq = Number(row.seq);
  return rows;
}

/** Checkpoints with seq > after, in seq order, at most `limit`. */
export async function readCheckpointPage(
  db: Kysely<Database>,
  after: number,
  limit: number,
): Promise<Checkpoint[]> {
  const rows = await db
    .selectFrom("audit_checkpoints")
    .selectAll()
    .where("seq", ">", after)
    .orderBy("seq")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    hash: r.hash,
    at: r.at,
    keyId: r.key_id,
    signature: r.signature,
  }));
}

/** The log's extent as one snapshot: head, highest row seq, rows past the head, last checkpoint. */
export async function readTail(db: Kysely<Database>, limit: number) {
  return db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (trx) => {
      const head = await readHead(trx);
      const max = await trx
        .selectFrom("audit_log")
        .select((eb) => eb.fn.max("seq").as("seq"))
        .executeTakeFirst();
      const beyond = await trx
        .selectFrom("audit_log")
        .select("seq")
        .where("seq", ">", head.seq)
        .orderBy("seq")
        .limit(limit)
        .execute();
      const last = await trx
        .selectFrom("audit_checkpoints")
        .select("seq")
        .orderBy("seq", "desc")
        .limit(1)
        .executeTakeFirst();
      return {
        head,
        maxSeq: max?.seq === null || max?.seq === undefined ? 0 : Number(max.seq),
        beyondHead: beyond.map((r) => Number(r.seq)),
        lastCheckpointSeq: last === undefined ? null : Number(last.seq),
      };
    });
}
