import type { ColumnType } from "kysely";

/** Written once at insert, never updated. */
type Fixed<T> = ColumnType<T, T, never>;

/**
 * A customer's account: the credential beside their subject record. `password_hash` is an
 * argon2id PHC string. `failed_attempts` counts consecutive failed sign-ins; reaching the
 * threshold sets `locked_until` and starts the count again. Created by
 * src/store/migrations/2026112117_customers.ts.
 */
export interface CustomerAccountsTable {
  subject_id: Fixed<string>;
  password_hash: string;
  failed_attempts: ColumnType<number, number | undefined, number>;
  locked_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
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

export interface CustomerTables {
  customer_accounts: CustomerAccountsTable;
  customer_sessions: CustomerSessionsTable;
}
