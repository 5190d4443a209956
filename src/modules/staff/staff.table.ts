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

/**
 * A staff member's console sign-in (src/modules/staff/signin.ts). `password_hash` (argon2id) and
 * the TOTP key (sealed under the master key version `totp_key_id`) are null until the member
 * completes an invitation; `totp_last_step` is the 30-second step of the last code accepted, so
 * a code is good once. An invitation's set-up code is kept only as its SHA-256, with the TOTP key
 * it will install, until it is used or expires.
 */
export interface StaffLoginsTable {
  staff_id: Fixed<string>;
  username: string;
  password_hash: string | null;
  totp_key_id: string | null;
  totp_secret: string | null;
  totp_last_step: number | null;
  setup_code_hash: string | null;
  setup_expires_at: Date | null;
  setup_totp_key_id: string | null;
  setup_totp_secret: string | null;
  updated_at: Date;
}

/** The console's sessions, keyed by the SHA-256 of the cookie's random id. */
export interface StaffSessionsTable {
  id_hash: Fixed<string>;
  staff_id: Fixed<string>;
  created_at: Fixed<Date>;
  expires_at: Fixed<Date>;
}

export interface StaffTables {
  staff: StaffTable;
  api_keys: ApiKeysTable;
  staff_logins: StaffLoginsTable;
  staff_sessions: StaffSessionsTable;
}
