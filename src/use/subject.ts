import { sql, type Kysely, type Transaction } from "kysely";
import type { SubjectFacts, SubjectStatus } from "../gate/types.ts";
import type { Database } from "../store/database.ts";
import { factsColumns, factsOf } from "./facts.ts";

/**
 * The subject row every use of a record starts from: the live record (not erased) and, for a
 * read, the gate's facts about the person in the same statement.
 */
type Db = Kysely<Database> | Transaction<Database>;

export interface SubjectRow {
  subjectId: string;
  status: SubjectStatus;
  customerNumber: string | null;
  birthDate: string | null;
  jurisdiction: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  collectionPoint: string | null;
  purpose: string | null;
  policyVersion: string | null;
}

/** The record when it exists and is not erased; `lock` takes a row lock for an update. */
export async function findLiveSubject(db: Db, subjectId: string, lock = false): Promise<SubjectRow | null> {
  let q = db
    .selectFrom("subjects")
    .where("subject_id", "=", subjectId)
    .where("erased_at", "is", null)
    .select([
      "subject_id as subjectId",
      "status",
      "customer_number as customerNumber",
      sql<string | null>`to_char(birth_date, 'YYYY-MM-DD')`.as("birthDate"),
      "jurisdiction",
      "version",
      "created_at as createdAt",
      "updated_at as updatedAt",
      "collection_point as collectionPoint",
      "purpose",
      "policy_version as policyVersion",
    ]);
  if (lock) q = q.forUpdate();
  return (await q.executeTakeFirst()) ?? null;
}

/**
 * `findLiveSubject` and the gate's facts about the person (`loadSubjectFacts`) in ONE statement,
 * for reads: the path every use of a record takes reads both before asking the gate.
 */
export async function findLiveSubjectWithFacts(
  db: Db,
  subjectId: string,
  at: string,
): Promise<{ subject: SubjectRow; facts: SubjectFacts } | null> {
  const q = db
    .selectFrom("subjects as s")
    .where("s.subject_id", "=", subjectId)
    .where("s.erased_at", "is", null)
    .select((eb) => [
      ...factsColumns(eb, subjectId),
      "s.subject_id as subjectId",
      "s.customer_number as customerNumber",
      sql<string | null>`to_char(s.birth_date, 'YYYY-MM-DD')`.as("birthDate"),
      "s.version",
      "s.created_at as createdAt",
      "s.updated_at as updatedAt",
      "s.collection_point as collectionPoint",
      "s.purpose",
      "s.policy_version as policyVersion",
    ]);
  const row = await q.executeTakeFirst();
  if (row === undefined) return null;
  const subject: SubjectRow = {
    subjectId: row.subjectId,
    status: row.status as SubjectStatus,
    customerNumber: row.customerNumber,
    birthDate: row.birthDate,
    jurisdiction: row.jurisdiction,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    collectionPoint: row.collectionPoint,
    purpose: row.purpose,
    policyVersion: row.policyVersion,
  };
  return { subject, facts: factsOf(row, at) };
}
