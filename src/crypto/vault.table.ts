import type { ColumnType } from "kysely";

/**
 * One data key per subject, stored only wrapped by a master key version. Deleting the row is the
 * subject's erasure by key destruction (crypto-shredding). No foreign key to `subjects`: the
 * vault does not depend on how the subject's record is kept.
 */
export interface SubjectKeysTable {
  subject_id: string;
  master_key_id: string;
  /** `v1.<iv>.<ciphertext‖tag>` of the 32-byte data key (see src/crypto/cipher.ts). */
  wrapped_key: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  rotated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/**
 * One row: the master key version new data keys are wrapped under, once a rotation has set it
 * (null: the keyring's own current key). Shared through the database so every server switches
 * at the same instant; creating a key reads it FOR SHARE, so a rotation's switch waits for keys
 * being created under the old version to be committed, and its scan then sees them.
 */
export interface VaultMasterTable {
  singleton: ColumnType<boolean, boolean | undefined, never>;
  current_key_id: string | null;
}

export interface VaultTables {
  subject_keys: SubjectKeysTable;
  vault_master: VaultMasterTable;
}
