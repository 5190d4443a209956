import { sign } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import { appendAudit } from "./append.ts";
import type { AuditSigner } from "./keys.ts";

export interface Checkpoint {
  seq: number;
  hash: string;
  at: Date;
  keyId: string;
  /** Base64 Ed25519 signature over `checkpointMessage(seq, hash, at)`. */
  signature: string;
}

/** The exact bytes a checkpoint signature covers. */
export function checkpointMessage(seq: number, hash: string, at: Date): Buffer {
  return Buffer.from(`pledge-audit-checkpoint/1\n${seq}\n${hash}\n${at.toISOString()}`, "utf8");
}

/**
 * Records an `audit.checkpoint` event, then signs the head of the log (which is that event) and
 * stores the signature in audit_checkpoints, all in one transaction. Afterwards, removing or
 * changing any row up to the signed seq is detectable by `verifyAudit` even if the attacker also
 * rewrites the rest of the chain and the head row.
 */
export async function checkpoint(db: Kysely<Database>, signer: AuditSigner, at: Date): Promise<Checkpoint> {
  return db.transaction().execute(async (trx) => {
    const [row] = await appendAudit(trx, [
      { type: "audit.checkpoint", at, actor: "system", subjectId: null, payload: { keyId: signer.keyId } },
    ]);
    if (row === undefined) throw new Error("checkpoint event was not written");
    const signature = sign(null, checkpointMessage(row.seq, row.hash, at), signer.privateKey).toString(
      "base64",
    );
    const cp: Checkpoint = { seq: row.seq, hash: row.hash, at, keyId: signer.keyId, signature };
    await trx
      .insertInto("audit_checkpoints")
      .values({ seq: cp.seq, hash: cp.hash, at, key_id: cp.keyId, signature })
      .execute();
    return cp;
  });
}
