import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../store/database.ts";

/**
 * Customers' sessions. A session id is the customer's subject id (16 bytes) followed by 32 random
 * bytes, in base64url (64 characters), that only the cookie holds. The subject part says where
 * the session is kept (one person's rows sit together, on one node under Citus), so a request
 * finds its session by primary key without asking every shard; the random part is the secret.
 * The table keys the session by the whole id's SHA-256, so a copy of the table signs no one in,
 * and an id whose subject part was changed matches nothing. Sessions expire at an absolute
 * instant; sign-in always makes a new id (rotation).
 */
type Db = Kysely<Database>;

const SESSION_ID = /^[A-Za-z0-9_-]{64}$/;

/** The subject a well-formed session id names, or null. */
function subjectOf(id: string): string | null {
  if (!SESSION_ID.test(id)) return null;
  const hex = Buffer.from(id, "base64url").subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface NewSession {
  /** The secret id for the cookie. Returned once; never stored, logged or audited. */
  readonly id: string;
  readonly expiresAt: Date;
  /** A short prefix of the id's hash, for the audit log. */
  readonly ref: string;
}

export interface ActiveSession {
  readonly subjectId: string;
  readonly expiresAt: Date;
  readonly ref: string;
}

export function sessionHash(id: string): string {
  return createHash("sha256").update(id).digest("hex");
}

export function sessionRef(id: string): string {
  return sessionHash(id).slice(0, 12);
}

export async function insertSession(
  db: Db,
  subjectId: string,
  now: Date,
  ttlMs: number,
): Promise<NewSession> {
  const subject = Buffer.from(subjectId.replaceAll("-", ""), "hex");
  const id = Buffer.concat([subject, randomBytes(32)]).toString("base64url");
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db
    .insertInto("customer_sessions")
    .values({ id_hash: sessionHash(id), subject_id: subjectId, created_at: now, expires_at: expiresAt })
    .execute();
  return { id, expiresAt, ref: sessionRef(id) };
}

/** The live session with this id, or null (malformed, unknown, expired, or its subject erased). */
export async function findSession(db: Db, id: string, now: Date): Promise<ActiveSession | null> {
  const subjectId = subjectOf(id);
  if (subjectId === null) return null;
  const row = await db
    .selectFrom("customer_sessions as s")
    .innerJoin("subjects as p", "p.subject_id", "s.subject_id")
    .where("s.subject_id", "=", subjectId)
    .where("p.subject_id", "=", subjectId)
    .where("s.id_hash", "=", sessionHash(id))
    .where("s.expires_at", ">", now)
    .where("p.erased_at", "is", null)
    .select(["s.subject_id", "s.expires_at"])
    .executeTakeFirst();
  return row ? { subjectId: row.subject_id, expiresAt: new Date(row.expires_at), ref: sessionRef(id) } : null;
}

/** Ends one session; true when there was one. */
export async function deleteSession(db: Db, id: string): Promise<boolean> {
  const subjectId = subjectOf(id);
  if (subjectId === null) return false;
  const result = await db
    .deleteFrom("customer_sessions")
    .where("subject_id", "=", subjectId)
    .where("id_hash", "=", sessionHash(id))
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Ends every session of a subject (a password change, erasure); returns how many. */
export async function deleteSessionsOf(db: Db, subjectId: string): Promise<number> {
  const result = await db
    .deleteFrom("customer_sessions")
    .where("subject_id", "=", subjectId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Drops the subject's expired sessions, so the table holds only what can still be used. */
export async function deleteExpiredSessionsOf(db: Db, subjectId: string, now: Date): Promise<void> {
  await db
    .deleteFrom("customer_sessions")
    .where("subject_id", "=", subjectId)
    .where("expires_at", "<=", now)
    .execute();
}
