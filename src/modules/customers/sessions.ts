import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../store/database.ts";

/**
 * Customers' sessions. A session id is 32 random bytes (base64url, 43 characters) that only the
 * cookie holds; the table keys the session by the id's SHA-256, so a copy of the table signs no
 * one in. Sessions expire at an absolute instant; sign-in always makes a new id (rotation).
 */
type Db = Kysely<Database>;

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

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
  const id = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db
    .insertInto("customer_sessions")
    .values({ id_hash: sessionHash(id), subject_id: subjectId, created_at: now, expires_at: expiresAt })
    .execute();
  return { id, expiresAt, ref: sessionRef(id) };
}

/** The live session with this id, or null (malformed, unknown, expired, or its subject erased). */
export async function findSession(db: Db, id: string, now: Date): Promise<ActiveSession | null> {
  if (!SESSION_ID.test(id)) return null;
  const row = await db
    .selectFrom("customer_sessions as s")
    .innerJoin("subjects as p", "p.subject_id", "s.subject_id")
    .where("s.id_hash", "=", sessionHash(id))
    .where("s.expires_at", ">", now)
    .where("p.erased_at", "is", null)
    .select(["s.subject_id", "s.expires_at"])
    .executeTakeFirst();
  return row ? { subjectId: row.subject_id, expiresAt: new Date(row.expires_at), ref: sessionRef(id) } : null;
}

/** Ends one session; true when there was one. */
export async function deleteSession(db: Db, id: string): Promise<boolean> {
  if (!SESSION_ID.test(id)) return false;
  const result = await db
    .deleteFrom("customer_sessions")
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
