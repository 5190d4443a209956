import type { ColumnType } from "kysely";

type Fixed<T> = ColumnType<T, T, never>;

/**
 * `retention_runs`: one row per retention run (dry runs store nothing). `cursor` is the last
 * subject the run finished, moved in the same transaction as the erasures of its batch. Created by
 * src/store/migrations/2026120930_retention_runs.ts.
 */
export interface RetentionRunsTable {
  run_id: Fixed<string>;
  status: "running" | "finished";
  as_of: Fixed<Date>;
  policy_version: Fixed<string>;
  started_by: Fixed<string>;
  started_at: Fixed<Date>;
  finished_at: Date | null;
  cursor: string | null;
  batches: ColumnType<number, number | undefined, number>;
  /** The run's `RunReport` (retention.ts) as JSON; typed there, not here, to keep the store free of module imports. */
  report: ColumnType<unknown, string, string>;
}

export interface RetentionTables {
  retention_runs: RetentionRunsTable;
}
