import type { ColumnType } from "kysely";

/** Written once at insert, never updated. */
type Fixed<T> = ColumnType<T, T, never>;

/**
 * `policy_versions`: packs published while Pledge runs (`POST /v1/policy/versions`, `pledge policy
 * publish`). Nodes load packs from the policy folder AND this table; on the same version the
 * table wins. `effective_at` is when the version takes effect: the pack's `effective_from`, or
 * the moment it was published when that is later (a version never applies retroactively).
 * Created by src/store/migrations/2026112205_policy_versions.ts.
 */
export interface PolicyVersionsTable {
  company: Fixed<string>;
  version: Fixed<string>;
  /** The pack exactly as posted. */
  yaml: Fixed<string>;
  /** Hex SHA-256 of `yaml`: nodes reparse a version only when it changed. */
  sha256: Fixed<string>;
  effective_at: Fixed<Date>;
  published_at: Fixed<Date>;
  /** The audit actor who published it (`staff:<id>`, `system` for the CLI). */
  published_by: Fixed<string>;
  /** Whether `pledge policy diff` found a material change against the version it follows. */
  material: Fixed<boolean>;
  /** The policy-change campaign that announced it, when one was started. */
  announcement_id: ColumnType<string | null, string | null, string | null>;
}

export interface PolicyVersionTables {
  policy_versions: PolicyVersionsTable;
}
