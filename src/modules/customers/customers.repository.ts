import type { Kysely } from "kysely";
import type { Database } from "../../store/database.ts";

/** SQL for customer accounts. Every function takes the db or a transaction first. */
type Db = Kysely<Database>;

export interface AccountRow {
  readonly subjectId: string;
  readonly passwordHash: string;
  readonly customerNumber: string | null;
}

const accountColumns = [
  "a.subject_id as subjectId",
  "a.password_hash as passwordHash",
  "p.customer_number as customerNumber",
] as const;

/**
 * The account whose subject has this email identity (the blind index of the normalised address):
 * the email a customer signs in with is the one on their record, so changing it there changes it
 * here. Erased subjects have no account.
 */
export async function findAccountByEmail(db: Db, emailIndex: string): Promise<AccountRow | null> {
  const row = await db
    .selectFrom("subject_identities as i")
    .innerJoin("customer_accounts as a", "a.subject_id", "i.subject_id")
    .innerJoin("subjects as p", "p.subject_id", "i.subject_id")
    .where("i.kind", "=", "email")
    .where("i.blind_index", "=", emailIndex)
    .where("p.erased_at", "is", null)
    .select(accountColumns)
    .executeTakeFirst();
  return row ?? null;
}

export async function findAccount(db: Db, subjectId: string, lock = false): Promise<AccountRow | null> {
  let q = db
    .selectFrom("customer_accounts as a")
    .innerJoin("subjects as p", "p.subject_id", "a.subject_id")
    .where("a.subject_id", "=", subjectId)
    .where("p.erased_at", "is", null)
    .select(accountColumns);
  if (lock) q = q.forUpdate("a");
  return (await q.executeTakeFirst()) ?? null;
}

export async function insertAccount(
  db: Db,
  subjectId: string,
  passwordHash: string,
  now: Date,
): Promise<void> {
  await db
    .insertInto("customer_accounts")
    .values({ subject_id: subjectId, password_hash: passwordHash, password_changed_at: now, created_at: now })
    .execute();
}

/** The blind indexes of the subject's email addresses: the names it signs in under. */
export async function emailIndexesOf(db: Db, subjectId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("subject_identities")
    .select("blind_index")
    .where("subject_id", "=", subjectId)
    .where("kind", "=", "email")
    .execute();
  return rows.map((r) => r.blind_index);
}

export async function recordSignin(db: Db, subjectId: string, now: Date): Promise<void> {
  await db
    .updateTable("customer_accounts")
    .set({ last_signin_at: now })
    .where("subject_id", "=", subjectId)
    .execute();
}

export async function setPasswordHash(
  db: Db,
  subjectId: string,
  passwordHash: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable("customer_accounts")
    .set({ password_hash: passwordHash, password_changed_at: now })
    .where("subject_id", "=", subjectId)
    .execute();
}

/** What the account section exports: dates only; the hash is a credential, not the person's data. */
export async function accountDates(
  db: Db,
  subjectId: string,
): Promise<{ createdAt: Date; passwordChangedAt: Date; lastSigninAt: Date | null } | null> {
  const row = await db
    .selectFrom("customer_accounts")
    .where("subject_id", "=", subjectId)
    .select([
      "created_at as createdAt",
      "password_changed_at as passwordChangedAt",
      "last_signin_at as lastSigninAt",
    ])
    .executeTakeFirst();
  return row ?? null;
}

export async function deleteAccount(db: Db, subjectId: string): Promise<number> {
  const result = await db
    .deleteFrom("customer_accounts")
    .where("subject_id", "=", subjectId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
