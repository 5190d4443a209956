import type { Kysely, Transaction } from "kysely";
import { normaliseEmail } from "../../crypto/normalise.ts";
import type { Vault } from "../../crypto/vault.types.ts";
import type { Database } from "../../store/database.ts";
import type { BackoffSettings } from "./customers.ts";

/**
 * The account back-off: consecutive failed sign-ins under one account name slow further attempts
 * down instead of locking the account. After `after` failures, each failure sets the next
 * attempt `baseMs · 2^(failures − after)` later, at most `capMs`; attempts before then, from a
 * browser that is not a known device, are refused without checking the password and do not count.
 * A success clears the name; `forgetMs` after the last failure the count starts again.
 *
 * The name is the blind index of the email as typed, so names without an account are slowed down
 * exactly like names with one: the answers tell nobody which addresses have accounts.
 */
type Db = Kysely<Database> | Transaction<Database>;

export interface BackoffState {
  readonly failures: number;
  readonly nextAt: Date | null;
}

/** The back-off name of an email as typed: its blind index (of the raw text when it does not normalise). */
export function accountName(vault: Vault, email: string): string {
  const normalised = normaliseEmail(email);
  return vault.blindIndex("email", normalised.ok ? normalised.value : email.trim().toLowerCase());
}

/** Milliseconds before the next attempt under this state is allowed; 0: allowed now. */
export function waitOf(state: BackoffState | null, now: Date): number {
  if (state?.nextAt == null) return 0;
  return Math.max(0, state.nextAt.getTime() - now.getTime());
}

/** The delay a failure sets when it makes `failures` in a row; 0 below the threshold. */
export function delayAfter(failures: number, s: BackoffSettings): number {
  if (failures < s.after) return 0;
  const exponent = Math.min(failures - s.after, 52);
  return Math.min(s.capMs, s.baseMs * 2 ** exponent);
}

/** The state of `name` at `now` (a count older than `forgetMs` is forgotten); `lock` in a transaction. */
export async function backoffOf(
  db: Db,
  name: string,
  now: Date,
  s: BackoffSettings,
  lock = false,
): Promise<BackoffState | null> {
  let q = db
    .selectFrom("signin_backoff")
    .select(["failures", "next_at", "last_failure_at"])
    .where("account", "=", name);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (row === undefined || new Date(row.last_failure_at).getTime() + s.forgetMs <= now.getTime()) return null;
  return { failures: row.failures, nextAt: row.next_at === null ? null : new Date(row.next_at) };
}

/** Counts one failure after `state` (read under lock); returns the new state. */
export async function countBackoffFailure(
  trx: Db,
  name: string,
  state: BackoffState | null,
  now: Date,
  s: BackoffSettings,
): Promise<BackoffState> {
  const failures = (state?.failures ?? 0) + 1;
  const delay = delayAfter(failures, s);
  const nextAt = delay > 0 ? new Date(now.getTime() + delay) : null;
  await trx
    .insertInto("signin_backoff")
    .values({ account: name, failures, next_at: nextAt, last_failure_at: now })
    .onConflict((oc) => oc.column("account").doUpdateSet({ failures, next_at: nextAt, last_failure_at: now }))
    .execute();
  return { failures, nextAt };
}

export async function clearBackoff(db: Db, name: string): Promise<void> {
  await db.deleteFrom("signin_backoff").where("account", "=", name).execute();
}

/** Deletes counts older than `forgetMs`: they no longer slow anyone down. */
export async function sweepBackoff(db: Db, now: Date, s: BackoffSettings): Promise<void> {
  await db
    .deleteFrom("signin_backoff")
    .where("last_failure_at", "<=", new Date(now.getTime() - s.forgetMs))
    .execute();
}
