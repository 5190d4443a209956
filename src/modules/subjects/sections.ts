import type { Transaction } from "kysely";
import type { SubjectCipher } from "../../crypto/vault.types.ts";
import type { Database } from "../../store/database.ts";

/**
 * A part of a subject's record held in its own tables (profile, addresses, orders, payment
 * methods, communications, consent history, …). Access export and erasure walk every registered
 * section, so a module that stores a subject's data registers one and nothing is forgotten.
 */
export interface SubjectSection {
  /** Name in the export document, e.g. "orders". */
  readonly name: string;
  /** Everything the section holds about the subject, decrypted when `cipher` is given. */
  export(trx: Transaction<Database>, subjectId: string, cipher: SubjectCipher | null): Promise<unknown>;
  /**
   * Removes what may be removed. Records the law requires to be kept (orders, invoices) stay,
   * and the result says so: `kept` with the reason, so the erasure report tells the person.
   */
  erase(trx: Transaction<Database>, subjectId: string): Promise<SectionErasure>;
}

export interface SectionErasure {
  readonly deleted: number;
  readonly kept: number;
  /** Why kept rows were kept (e.g. "orders are kept 7 years for tax law"); absent when none. */
  readonly keptReason?: string;
}
