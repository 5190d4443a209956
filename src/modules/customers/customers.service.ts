import type { Kysely } from "kysely";
import type { Database } from "../../store/database.ts";
import type { SubjectsDeps } from "../subjects/subjects.service.ts";
import type { CustomerAccessSettings } from "./customers.ts";
import { createDummyHash } from "./passwords.ts";

/**
 * What customers' own access needs: the store, the record's use cases (a customer's record is
 * created, read and changed only through them, behind the gate), the settings and the clock.
 */
export interface CustomersDeps {
  readonly db: Kysely<Database>;
  readonly subjects: SubjectsDeps;
  readonly settings: CustomerAccessSettings;
  readonly clock: () => Date;
  /** Verified against when there is no usable account, so every failure costs one argon2 verify. */
  readonly dummyHash: Promise<string>;
}

export function createCustomersDeps(subjects: SubjectsDeps, settings: CustomerAccessSettings): CustomersDeps {
  return { db: subjects.db, subjects, settings, clock: subjects.clock, dummyHash: createDummyHash() };
}
