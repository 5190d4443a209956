import type { Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import type { AuditRow } from "./audit.events.ts";
import type { Checkpoint } from "./checkpoint.ts";

// Reads used by verify. Each page is one keyset query on one chain (`anchor = $1 and seq > after
// order by seq limit n`), so no query holds more than one page and, on Citus, each reaches one
// shard.

/** Rows of the chain `anchor` with after < seq <= upTo, in seq order, at most `limit`. */
export async function readRowPage(
  db: Kysely<Database>,
  anchor: string,
  after: number,
  upTo: number,
  limit: number,
): Promise<AuditRow[]> {
  // Named as AuditRow names them in the query: verify reads every row of the log, and a copy of
  // each into a new object would cost as much as hashing it. Only seq (a bigint) is converted.
  const rows: AuditRow[] = await db
    .selectFrom("audit_log")
    .select([
      "chain",
      "seq",
      "at",
      "type",
      "actor",
      "subject_id as subjectId",
      "payload",
      "prev_hash as prevHash",
      "hash",
    ])
    .where("anchor", "=", anchor)
    .where("seq", ">", after)
    .where("seq", "<=", upTo)
    .orderBy("seq")
    .limit(limit)
    .execute();
  for (const row of rows) row.seq = Number(row.seq);
  return rows;
}

/** A checkpoint as stored, with its signed note (null for checkpoints made before notes). */
export interface StoredCheckpoint extends Checkpoint {
  readonly note: string | null;
}

/** Checkpoints with seq > after, in seq order, at most `limit`. */
export async function readCheckpointPage(
  db: Kysely<Database>,
  after: number,
  limit: number,
): Promise<StoredCheckpoint[]> {
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
    note: r.note,
  }));
}

/** One chain's extent as one snapshot: its head, its highest row seq, and rows past the head. */
export async function readTail(db: Kysely<Database>, anchor: string, limit: number) {
  return db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (trx) => {
      const head = await trx
        .selectFrom("audit_head")
        .select(["seq", "hash"])
        .where("anchor", "=", anchor)
        .executeTakeFirstOrThrow();
      const max = await trx
        .selectFrom("audit_log")
        .select((eb) => eb.fn.max("seq").as("seq"))
        .where("anchor", "=", anchor)
        .executeTakeFirst();
      const beyond = await trx
        .selectFrom("audit_log")
        .select("seq")
        .where("anchor", "=", anchor)
        .where("seq", ">", head.seq)
        .orderBy("seq")
        .limit(limit)
        .execute();
      return {
        head: { seq: Number(head.seq), hash: head.hash },
        maxSeq: max?.seq === null || max?.seq === undefined ? 0 : Number(max.seq),
        beyondHead: beyond.map((r) => Number(r.seq)),
      };
    });
}
