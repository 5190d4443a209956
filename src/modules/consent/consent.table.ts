import type { ColumnType } from "kysely";
import type { Channel } from "../../policy/schema.ts";
import type { ConsentAction, ConsentSource, Evidence, TargetKind } from "./consent.ts";

/**
 * `consent_events`: the append-only ledger (never updated, never deleted except by the subject's
 * erasure). The current state lives in the gate's facts tables, written in the same transaction
 * as each event. Created by src/store/migrations/2026112113_consent.ts.
 */
export interface ConsentEventsTable {
  subject_id: string;
  event_id: string;
  target_kind: TargetKind;
  target: string;
  channel: Channel | "";
  action: ConsentAction;
  source: ConsentSource;
  policy_version: string;
  at: ColumnType<Date, Date | string, never>;
  actor: string;
  evidence: ColumnType<Evidence, string, never>;
}

export interface ConsentTables {
  consent_events: ConsentEventsTable;
}
