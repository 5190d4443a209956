import type { ColumnType } from "kysely";

type Fixed<T> = ColumnType<T, T, never>;

/**
 * `legal_holds`: one row per hold on a person. Active while `released_at` is null. Created by
 * src/store/migrations/2026120710_legal_holds.ts.
 */
export interface LegalHoldsTable {
  hold_id: Fixed<string>;
  subject_id: Fixed<string>;
  matter: Fixed<string>;
  placed_by: Fixed<string>;
  placed_at: Fixed<Date>;
  released_by: string | null;
  released_at: Date | null;
}

export interface HoldTables {
  legal_holds: LegalHoldsTable;
}
