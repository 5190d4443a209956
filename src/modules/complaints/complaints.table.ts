import type { ColumnType } from "kysely";

type Fixed<T> = ColumnType<T, T, never>;

/**
 * A privacy complaint's message (ZM-12), beside its rights request of kind `complaint` (same id):
 * the request holds the state, the clock and the history; this row holds what was written.
 * Personal values are ciphertext under `key_id`'s data key: the linked subject's (so erasing the
 * person shreds them) or, for a sender who is no subject, a data key made for this complaint alone.
 * `from_index` is the vault's email blind index of the sender.
 */
export interface PrivacyComplaintsTable {
  complaint_id: Fixed<string>;
  subject_id: Fixed<string | null>;
  key_id: Fixed<string>;
  from_index: Fixed<string | null>;
  from_enc: Fixed<string>;
  subject_enc: Fixed<string>;
  text_enc: Fixed<string>;
  resolution_enc: string | null;
  received_at: Fixed<Date>;
}

export interface ComplaintTables {
  privacy_complaints: PrivacyComplaintsTable;
}
