import type { ColumnType } from "kysely";
import type { Channel } from "../policy/schema.ts";
import type { ConsentState, Permission, SubjectStatus } from "./types.ts";

/**
 * The subject facts the gate reads: one row per person in `subjects`, and the person's consent
 * states, sharing opt-outs and permissions beside it. Each table holds one subject's data and has
 * `subject_id` in its primary key (distribution by subject). Created by
 * src/store/migrations/2026112102_facts.ts. loadSubjectFacts (facts.ts) reads them for decide();
 * compileAudience (sql.ts) selects over them.
 *
 * Suppression is not a subject table: the Do Not Send list (`suppression_list`, see
 * src/modules/suppression) is keyed by channel and the blind index of an address, so it outlives
 * the subject (PS-05). A subject is suppressed on a channel when one of its identities
 * (`subject_identities`) of the channel's kind has its blind index on the list for that channel.
 */
export interface SubjectsTable {
  subject_id: string;
  status: SubjectStatus;
  /** A `date`; drivers return it as a Date, so read it with to_char (see facts.ts). */
  birth_date: ColumnType<Date | string | null, string | null | undefined, string | null>;
  jurisdiction: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface SubjectConsentsTable {
  subject_id: string;
  /** A purpose or topic id. */
  scope: string;
  /** '' = every channel; otherwise the one channel the state is for (wins over ''). */
  channel: Channel | "";
  state: ConsentState;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SubjectOptOutsTable {
  subject_id: string;
  /** A sharing scope named by a recipient's `opt_out_scope`, e.g. partner_sharing. */
  scope: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface SubjectPermissionsTable {
  subject_id: string;
  permission: Permission;
  granted_at: ColumnType<Date, Date | string | undefined, never>;
}

/** The kind of identity whose address a channel reaches: what the Do Not Send list is keyed by. */
/** What an identity of the subject is (its blind index's kind, src/crypto/blind-index.ts). */
export type IdentityKind = "email" | "phone" | "postal";

export function identityKindOf(channel: Channel): IdentityKind {
  switch (channel) {
    case "email":
      return "email";
    case "phone":
    case "sms":
      return "phone";
    case "postal":
    case "catalogue":
      return "postal";
    default: {
      const never: never = channel;
      throw new Error(`unknown channel ${String(never)}`);
    }
  }
}

export interface FactsTables {
  subjects: SubjectsTable;
  subject_consents: SubjectConsentsTable;
  subject_opt_outs: SubjectOptOutsTable;
  subject_permissions: SubjectPermissionsTable;
}
