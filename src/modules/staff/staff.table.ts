import type { ColumnType } from "kysely";

/** Written once at insert, never updated. */
type Fixed<T> = ColumnType<T, T, never>;

/**
 * Staff members. `role` is a staff role id from the policy pack, or `admin` (manages staff and
 * keys). `attested_at` is when the confidentiality attestation was recorded (ZZ-04); null until then.
 */
export interface StaffTable {
  id: Fixed<string>;
  display_name: string;
  role: string;
  attested_at: ColumnType<Date | null, Date | null, Date>;
  created_at: Fixed<Date>;
}

/**
 * API keys. The key is `pk_<prefix>_<secret>`; only the prefix (for lookup) and the hex SHA-256 of
 * the secret are stored, so the database never holds a usable key.
 */
export interface ApiKeysTable {
  id: Fixed<string>;
  staff_id: Fixed<string>;
  prefix: Fixed<string>;
  hash: Fixed<string>;
  created_at: Fixed<Date>;
  revoked_at: ColumnType<Date | null, Date | null, Date>;
  /** When the key last authenticated a request; written at most once a minute per key. */
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date>;
}

export interface StaffTables {
  staff: StaffTable;
  api_keys: ApiKeysTable;
}
