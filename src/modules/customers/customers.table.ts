import type { ColumnType } from "kysely";

/** Written once at insert, never updated. */
type Fixed<T> = ColumnType<T, T, never>;

/**
 * A customer's account: the credential beside their subject record. `password_hash` is an
 * argon2id PHC string. Created by src/store/migrations/2026112117_customers.ts; failed sign-ins
 * are counted in `signin_backoff` (2026112220_auth_throttle.ts), not here.
 */
export interface CustomerAccountsTable {
  subject_id: Fixed<string>;
  password_hash: string;
  password_changed_at: ColumnType<Date, Date, Date>;
  last_signin_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: Fixed<Date>;
}

/** A signed-in session. `id_hash` is the hex SHA-256 of the id in the cookie; the id is never stored. */
export interface CustomerSessionsTable {
  id_hash: Fixed<string>;
  subject_id: Fixed<string>;
  created_at: Fixed<Date>;
  expires_at: Fixed<Date>;
}

/**
 * Consecutive failed sign-ins under one account name: `account` is the blind index of the email as
 * typed, so names with no account are counted the same way and the table names no one. `next_at`:
 * before it, attempts from browsers that are not known devices are refused (the back-off).
 */
export interface SigninBackoffTable {
  account: Fixed<string>;
  failures: number;
  next_at: Date | null;
  last_failure_at: Date;
}

/**
 * A browser the customer signed in from: `id_hash` is the hex SHA-256 of the random value of its
 * `pledge_device` cookie. A known device skips the account back-off; `failures` counts wrong
 * passwords typed on it since its last success, and the device is forgotten at the limit.
 */
export interface CustomerDevicesTable {
  id_hash: Fixed<string>;
  subject_id: Fixed<string>;
  failures: ColumnType<number, number | undefined, number>;
  created_at: Fixed<Date>;
  expires_at: ColumnType<Date, Date, Date>;
}

export interface CustomerTables {
  customer_accounts: CustomerAccountsTable;
  customer_sessions: CustomerSessionsTable;
  signin_backoff: SigninBackoffTable;
  customer_devices: CustomerDevicesTable;
}
