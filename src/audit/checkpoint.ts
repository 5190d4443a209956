import { sign } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import { appendAudit, readHeads } from "./append.ts";
import type { AuditSigner } from "./keys.ts";
import { headsRoot, headsSize } from "./merkle.ts";
import { signNote } from "./note.ts";

export interface Checkpoint {
  seq: number;
  hash: string;
  at: Date;
  keyId: string;
  /** Base64 Ed25519 signature over `checkpointMessage(seq, hash, at)`. */
  signature: string;
}

/** A checkpoint just made: also as a signed note (src/audit/note.ts) under `origin`. */
export interface SignedCheckpoint extends Checkpoint {
  note: string;
}

/** The exact bytes a checkpoint signature covers. */
export function checkpointMessage(seq: number, hash: string, at: Date): Buffer {
  return Buffer.from(`pledge-audit-checkpoint/1\n${seq}\n${hash}\n${at.toISOString()}`, "utf8");
}

/**
 * Records an `audit.checkpoint` event, then signs the head of the log and stores the signature in
 * audit_checkpoints, all in one transaction. With one chain the head is that event's row; with
 * several, the checkpoint commits to every chain's head through their Merkle root (merkle.ts), and
 * its seq is the rows of all chains together. Afterwards, removing or changing any row up to a
 * signed head is detectable by `verifyAudit` even if the attacker also rewrites the rest of the
 * chain and its head row. The same heads are signed as a note whose origin is `origin`: the copy
 * meant to leave the database (checkpoint.files.ts, the public route), which also proves a
 * truncation that took the checkpoint rows with it.
 */
export async function checkpoint(
  db: Kysely<Database>,
  signer: AuditSigner,
  at: Date,
  origin: string,
): Promise<SignedCheckpoint> {
  return db.transaction().execute(async (trx) => {
    const [row] = await appendAudit(trx, [
      { type: "audit.checkpoint", at, actor: "system", subjectId: null, payload: { keyId: signer.keyId } },
    ]);
    if (row === undefined) throw new Error("checkpoint event was not written");
    const heads = (await readHeads(trx)).map(({ chain, seq, hash }) => ({ chain, seq, hash }));
    const seq = headsSize(heads);
    const hash = headsRoot(heads);
    const signature = sign(null, checkpointMessage(seq, hash, at), signer.privateKey).toString("base64");
    const note = signNote(
      { origin, size: seq, hash, ...(heads.length > 1 ? { heads } : {}) },
      signer.privateKey,
    );
    const cp: SignedCheckpoint = { seq, hash, at, keyId: signer.keyId, signature, note };
    await trx
      .insertInto("audit_checkpoints")
      .values({ seq, hash, at, key_id: cp.keyId, signature, note })
      .execute();
    return cp;
  });
}

/** The newest checkpoint's signed note, or null when no checkpoint has one. */
export async function latestNote(db: Kysely<Database>): Promise<{ seq: number; note: string } | null> {
  const row = await db
    .selectFrom("audit_checkpoints")
    .select(["seq", "note"])
    .where("note", "is not", null)
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  return row === undefined || row.note === null ? null : { seq: Number(row.seq), note: row.note };
}
