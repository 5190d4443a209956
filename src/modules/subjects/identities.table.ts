import type { ColumnType } from "kysely";
import type { IdentityIndexKind } from "../../crypto/blind-index.ts";

/**
 * One way of reaching or recognising a subject: an email address, a phone number (E.164) or a
 * postal address. `blind_index` is the vault's HMAC of the normalised value (lookups, duplicate
 * checks, and the Do Not Send list); `value_enc` the value encrypted under the subject's key.
 */
export interface SubjectIdentitiesTable {
  subject_id: string;
  kind: IdentityIndexKind;
  blind_index: string;
  value_enc: string;
  is_primary: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/**
 * Which person holds an email or phone number. It lives apart from `subject_identities`, keyed by
 * the blind index alone, so that "one person per address" is one index to check (and, on Citus,
 * one shard); it is written in the same transaction as the identity it guards.
 */
export interface IdentityClaimsTable {
  blind_index: string;
  kind: "email" | "phone";
  subject_id: string;
}

export interface IdentityTables {
  subject_identities: SubjectIdentitiesTable;
  identity_claims: IdentityClaimsTable;
}
