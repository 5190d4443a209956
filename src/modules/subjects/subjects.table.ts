import type { ColumnType } from "kysely";
import type { AddressKind } from "./subjects.ts";

/** Written once at insert, never updated. */
type Fixed<T> = ColumnType<T, T, never>;

// The columns src/store/migrations/2026112112_subjects.ts adds to the gate's `subjects` row.
declare module "../../gate/facts.table.ts" {
  interface SubjectsTable {
    /** `C` + 12 base32 characters: random, unguessable, carried in a cookie (ZM-13). Null once erased. */
    customer_number: ColumnType<string | null, string | null | undefined, string | null>;
    /** Bumped by every change to the record: the ETag. */
    version: ColumnType<number, number | undefined, number>;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
    /** Set by erasure: the row stays as a tombstone (other sections may keep rows the law requires). */
    erased_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    /** Provenance of the record itself: where, for which purpose, under which policy version. */
    collection_point: ColumnType<string | null, string | null | undefined, string | null>;
    purpose: ColumnType<string | null, string | null | undefined, string | null>;
    policy_version: ColumnType<string | null, string | null | undefined, string | null>;
  }
}

/** Provenance every datum carries (Z16-02, ZM-02). */
interface Provenance {
  collection_point: string;
  purpose: string;
  collected_at: ColumnType<Date, Date | string, Date | string>;
  policy_version: string;
}

/** Single-valued personal fields (first_name, email, …), one row per field, value encrypted. */
export interface SubjectFieldsTable extends Provenance {
  subject_id: Fixed<string>;
  field: Fixed<string>;
  value_enc: string;
}

/** Billing, shipping and postal addresses: the whole address JSON encrypted, plus a blind index. */
export interface SubjectAddressesTable extends Provenance {
  subject_id: Fixed<string>;
  address_id: Fixed<string>;
  kind: AddressKind;
  value_enc: string;
  blind_index: string;
}

/** Extra contacts of a customer (ZM-07): a name and optionally an email and a phone, encrypted. */
export interface SubjectContactsTable extends Provenance {
  subject_id: Fixed<string>;
  contact_id: Fixed<string>;
  name_enc: string;
  email_enc: string | null;
  phone_enc: string | null;
}

/** Idempotency-Key records (src/http/idempotency.ts). */
export interface IdempotencyKeysTable {
  key_hash: Fixed<string>;
  route: Fixed<string>;
  request_hash: Fixed<string>;
  status: number | null;
  body: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** Which person a customer number names: its uniqueness, kept apart from `subjects` (docs/citus.md). */
export interface CustomerNumbersTable {
  customer_number: Fixed<string>;
  subject_id: Fixed<string>;
}

export interface SubjectTables {
  customer_numbers: CustomerNumbersTable;
  subject_fields: SubjectFieldsTable;
  subject_addresses: SubjectAddressesTable;
  subject_contacts: SubjectContactsTable;
  idempotency_keys: IdempotencyKeysTable;
}
