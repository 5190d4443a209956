import type { ColumnType, JSONColumnType } from "kysely";

/** The tables of kept audiences (src/use/kept.ts, migration 2026121300_kept_audiences). */
export interface AudienceMembersTable {
  subject_id: string;
  /** The audience's key: a digest of the gate's standing predicate for its send. */
  audience: string;
  birth_date: ColumnType<string | null, string | null, string | null>;
}

export interface AudienceStaleTable {
  subject_id: string;
  mark: ColumnType<string, string | undefined, never>;
}

export interface KeptAudiencesTable {
  audience: string;
  policy_version: string;
  description: JSONColumnType<KeptDescription>;
  members: ColumnType<string | number, number, number>;
  built_at: ColumnType<Date, Date, Date>;
}

/** The send an audience is kept for, as stored (no one's data). */
export interface KeptDescription {
  readonly purpose: string;
  readonly channel: string;
  readonly topic: string | null;
}

export interface KeptTables {
  audience_members: AudienceMembersTable;
  audience_stale: AudienceStaleTable;
  kept_audiences: KeptAudiencesTable;
}
