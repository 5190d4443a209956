import type { ColumnType } from "kysely";
import type { Channel } from "../../policy/schema.ts";
import type { SuppressionReason, SuppressionSource } from "./suppression.ts";

/**
 * `suppression_list`: one row per (channel, blind index of the normalised address). Deliberately
 * no subject_id and no foreign key: the entry must survive the subject's erasure (PS-05). Created
 * by src/store/migrations/2026112114_suppression.ts; the gate joins it to subject_identities.
 */
export interface SuppressionListTable {
  channel: Channel;
  address_index: string;
  reason: SuppressionReason;
  source: SuppressionSource;
  created_at: ColumnType<Date, Date | string, never>;
  created_by: string;
}

export interface SuppressionTables {
  suppression_list: SuppressionListTable;
}
