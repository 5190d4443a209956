import type { ColumnType } from "kysely";
import type { HoldStatus } from "./fraud.ts";

type Fixed<T> = ColumnType<T, T, never>;

/**
 * `fraud_checks`: one row per person whose first order was checked (ZM-09); its presence is what
 * makes a later order not the first. `source_index` and `mailbox_index` are blind indexes (HMAC
 * under the vault's index key) of the order's source network and of the email's mailbox: velocity
 * counts equal indexes, and neither can be turned back into an address. Created by
 * src/store/migrations/2026120900_fraud.ts.
 */
export interface FraudChecksTable {
  subject_id: Fixed<string>;
  outcome: Fixed<"passed" | "held">;
  source_index: Fixed<string | null>;
  mailbox_index: Fixed<string | null>;
  checked_at: Fixed<Date>;
}

/** `fraud_holds`: a person held for manual verification, and how the hold closed. */
export interface FraudHoldsTable {
  hold_id: Fixed<string>;
  subject_id: Fixed<string>;
  status: HoldStatus;
  /** The FraudReason codes, as a JSON array. */
  reasons: Fixed<string>;
  held_at: Fixed<Date>;
  verify_by: Fixed<Date>;
  closed_at: Date | null;
  closed_by: string | null;
  notice_sent_at: Date | null;
  version: ColumnType<number, number | undefined, number>;
}

export interface FraudTables {
  fraud_checks: FraudChecksTable;
  fraud_holds: FraudHoldsTable;
}
