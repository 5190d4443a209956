import type { ColumnType } from "kysely";

type Fixed<T> = ColumnType<T, T, never>;

/**
 * The register of legal requests (src/store/migrations/2026120910_legal_requests.ts). `state` is
 * written only by `transition()` in legal.transition.ts.
 */
export interface LegalRequestsTable {
  request_id: Fixed<string>;
  authority: Fixed<string>;
  country: Fixed<string>;
  instrument: Fixed<string>;
  reference: Fixed<string>;
  ground: Fixed<string>;
  fields: Fixed<string[]>;
  state: string;
  received_by: Fixed<string>;
  received_at: Fixed<Date>;
  justification: string | null;
  nondisclosure_until: Date | null;
  closed_by: string | null;
  closed_at: Date | null;
  note: string | null;
}

export interface LegalRequestApprovalsTable {
  request_id: Fixed<string>;
  approver: Fixed<string>;
  approved_at: Fixed<Date>;
}

/** The people a request names; once produced, the ledger row and the notice each is owed. */
export interface LegalRequestSubjectsTable {
  subject_id: Fixed<string>;
  request_id: Fixed<string>;
  disclosure_id: string | null;
  notice_due_at: Date | null;
  notice_sent_at: Date | null;
  notice_attempts: ColumnType<number, number | undefined, number>;
  /** A sender working on the notice holds it until then; another sender leaves it alone. */
  notice_claimed_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface LegalTables {
  legal_requests: LegalRequestsTable;
  legal_request_approvals: LegalRequestApprovalsTable;
  legal_request_subjects: LegalRequestSubjectsTable;
}
