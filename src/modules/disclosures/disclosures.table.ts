import type { ColumnType } from "kysely";

/**
 * `recipient_registry`: what the company keeps on file about each recipient the pack names
 * (contract reference and dates, the recipient's business address for the Shine the Light report).
 * The pack says what a recipient may receive; this table says whether its contract is on file.
 * Created by src/store/migrations/2026112202_disclosures.ts.
 */
export interface RecipientRegistryTable {
  recipient_id: string;
  legal_name: string;
  /** The recipient's business postal address, one string (not personal data). */
  address: string;
  contract_ref: string | null;
  contract_signed_on: string | null;
  contract_expires_on: string | null;
  updated_at: ColumnType<Date, Date | string, Date | string>;
  updated_by: string;
}

/**
 * `disclosures`: one row per act of disclosure (an export, a processor share, an affiliate
 * conversion, a legal production): recipient, fields and categories, purpose, ground, time.
 * `disclosure_subjects` lists the people it concerned (ALL-03). Rows are never updated or deleted,
 * not even by erasure: the ledger is a record the company must keep.
 */
export interface DisclosuresTable {
  disclosure_id: string;
  recipient_id: string;
  /** processor | marketing_partner | affiliate | authority | internal | organisation_admin */
  recipient_kind: string;
  /** What kind of act: export | share | conversion | list | legal */
  kind: string;
  purpose: string;
  /** The legal basis of the purpose, or the legal ground invoked (authorities). */
  ground: string;
  /** Record fields that left, in order. */
  fields: ColumnType<string[], string[], never>;
  /** Pack categories those fields belong to. */
  categories: ColumnType<string[], string[], never>;
  policy_version: string;
  subject_count: number;
  actor: string;
  at: ColumnType<Date, Date | string, never>;
}

export interface DisclosureSubjectsTable {
  disclosure_id: string;
  subject_id: string;
}

export interface DisclosureTables {
  recipient_registry: RecipientRegistryTable;
  disclosures: DisclosuresTable;
  disclosure_subjects: DisclosureSubjectsTable;
}
