import type { ColumnType } from "kysely";
import type { ComplaintSource, ComplaintStatus } from "./complaints.ts";

type Fixed<T> = ColumnType<T, T, never>;

/**
 * A privacy complaint (ZM-12). Personal values are ciphertext under `key_id`'s data key: the linked
 * subject's (so erasing the person shreds them) or, for a sender who is no subject, a data key made
 * for this complaint alone. `from_index` is the vault's email blind index of the sender.
 */
export interface PrivacyComplaintsTable {
  complaint_id: Fixed<string>;
  status: ComplaintStatus;
  version: number;
  source: Fixed<ComplaintSource>;
  subject_id: Fixed<string | null>;
  key_id: Fixed<string>;
  from_index: Fixed<string | null>;
  from_enc: Fixed<string>;
  subject_enc: Fixed<string>;
  text_enc: Fixed<string>;
  resolution_enc: string | null;
  received_at: Fixed<Date>;
  updated_at: Date;
}

/** Every move of a complaint, who made it and when (also in the audit log). */
export interface PrivacyComplaintMovesTable {
  complaint_id: Fixed<string>;
  seq: Fixed<number>;
  from_status: Fixed<ComplaintStatus | null>;
  to_status: Fixed<ComplaintStatus>;
  actor: Fixed<string>;
  at: Fixed<Date>;
}

export interface ComplaintTables {
  privacy_complaints: PrivacyComplaintsTable;
  privacy_complaint_moves: PrivacyComplaintMovesTable;
}
