import type { Kysely } from "kysely";
import type { Vault } from "../../crypto/vault.types.ts";
import type { Database } from "../../store/database.ts";
import type { SubjectRegistry } from "./registry.ts";
import type { PolicyLookup } from "./subjects.ts";

/**
 * What the customer record's use cases need. Built once by the composition root (createApp) or
 * by the CLI and tests; no use case reaches for a global.
 */
export interface SubjectsDeps {
  readonly db: Kysely<Database>;
  readonly vault: Vault;
  readonly policies: PolicyLookup;
  readonly sections: SubjectRegistry;
  readonly clock: () => Date;
  /** The deployment's region (the gate's residency rule). */
  readonly region: string;
}

export { createSubject, type CreateSubjectInput, type CreatedSubject } from "./create.ts";
export { readSubject, type ReadSubjectInput, type SubjectView } from "./read.ts";
export { updateSubject, type UpdateSubjectInput, type UpdatedSubject } from "./update.ts";
export { listSubjects, searchSubjects, type ListSubjectsInput, type SubjectSummary } from "./list.ts";
export { exportSubject, type SubjectExport } from "./export.ts";
export { eraseSubject, type SubjectErasure } from "./erase.ts";
export { addAddress, listAddresses, removeAddress } from "./addresses.ts";
export { addContact, listContacts, removeContact } from "./contacts.ts";
