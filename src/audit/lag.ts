import type { Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import { readHeads } from "./append.ts";
import { NoteError, parseNote } from "./note.ts";

export interface AuditLag {
  /** Rows appended after the last signed checkpoint (all rows when there is none). */
  readonly unsignedRows: number;
  /** Seconds since the oldest of those rows was written; 0 when every row is signed. */
  readonly unsignedAgeSeconds: number;
}

/**
 * How far the audit log runs ahead of its last signed checkpoint: what an attacker with write
 * access to the database could still rewrite undetected (docs/operations.md, checkpoints). The
 * chains' heads, the newest checkpoint, and in each chain that ran ahead of it the first row
 * after the head it signed.
 */
export async function auditLag(db: Kysely<Database>, now: Date): Promise<AuditLag> {
  const heads = await readHeads(db);
  const latest = await db
    .selectFrom("audit_checkpoints")
    .select(["seq", "hash", "note"])
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  const signed = new Map<number, number>();
  if (latest !== undefined) {
    for (const h of signedHeads(latest.note) ?? [{ chain: 1, seq: Number(latest.seq) }])
      signed.set(h.chain, h.seq);
  }
  let unsignedRows = 0;
  let oldest = now.getTime();
  for (const head of heads) {
    const after = signed.get(head.chain) ?? 0;
    if (head.seq <= after) continue;
    unsignedRows += head.seq - after;
    const first = await db
      .selectFrom("audit_log")
      .select("at")
      .where("anchor", "=", head.anchor)
      .where("seq", "=", after + 1)
      .executeTakeFirst();
    if (first !== undefined) oldest = Math.min(oldest, new Date(first.at).getTime());
  }
  if (unsignedRows === 0) return { unsignedRows, unsignedAgeSeconds: 0 };
  return { unsignedRows, unsignedAgeSeconds: Math.max(0, (now.getTime() - oldest) / 1000) };
}

/** The chain heads a stored note names; null for one chain, no note, or a note that is not one. */
function signedHeads(note: string | null): readonly { chain: number; seq: number }[] | null {
  if (note === null) return null;
  try {
    return parseNote(note).heads ?? null;
  } catch (error) {
    if (error instanceof NoteError) return null; // verify reports it
    throw error;
  }
}
