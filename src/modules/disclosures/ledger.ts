import { randomUUID } from "node:crypto";
import { sql, type Expression, type SqlBool, type Transaction } from "kysely";
import type { Database } from "../../store/database.ts";

/** One act of disclosure, as the module making it states it (ALL-03). */
export interface DisclosureEntry {
  readonly recipientId: string;
  readonly recipientKind: string;
  readonly kind: "export" | "share" | "conversion" | "list" | "legal" | "aggregate";
  readonly purpose: string;
  readonly ground: string;
  readonly fields: readonly string[];
  readonly categories: readonly string[];
  readonly policyVersion: string;
  /** `staff:<id>`, `api-key:<id>`, `system`, as in the audit log. */
  readonly actor: string;
  readonly at: Date;
}

/**
 * Writes a disclosure and the people it concerns, in the caller's transaction, before anything
 * leaves. `subjects` is either a list of ids or a predicate over `subjects` (the gate's audience
 * `where`): the ledger then records exactly the rows the predicate selects, in one statement, and
 * the caller reads what to send back from `disclosure_subjects` so the two cannot differ.
 * Returns the disclosure id and how many people it concerned.
 */
export async function recordDisclosure(
  trx: Transaction<Database>,
  entry: DisclosureEntry,
  subjects: readonly string[] | Expression<SqlBool>,
): Promise<{ disclosureId: string; subjectCount: number }> {
  const disclosureId = randomUUID();
  await trx
    .insertInto("disclosures")
    .values({
      disclosure_id: disclosureId,
      recipient_id: entry.recipientId,
      recipient_kind: entry.recipientKind,
      kind: entry.kind,
      purpose: entry.purpose,
      ground: entry.ground,
      fields: [...entry.fields],
      categories: [...entry.categories],
      policy_version: entry.policyVersion,
      subject_count: 0,
      actor: entry.actor,
      at: entry.at,
    })
    .execute();
  let count: number;
  if (Array.isArray(subjects)) {
    const ids = [...new Set(subjects as readonly string[])];
    for (let i = 0; i < ids.length; i += 5000) {
      const chunk = ids.slice(i, i + 5000);
      await trx
        .insertInto("disclosure_subjects")
        .values(chunk.map((subject_id) => ({ disclosure_id: disclosureId, subject_id })))
        .execute();
    }
    count = ids.length;
  } else {
    const where = subjects as Expression<SqlBool>;
    const result = await trx
      .insertInto("disclosure_subjects")
      .columns(["disclosure_id", "subject_id"])
      .expression((eb) =>
        eb
          .selectFrom("subjects")
          .select([sql<string>`${disclosureId}::uuid`.as("d"), "subjects.subject_id"])
          .where(where),
      )
      .executeTakeFirst();
    count = Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
  await trx
    .updateTable("disclosures")
    .set({ subject_count: count })
    .where("disclosure_id", "=", disclosureId)
    .execute();
  return { disclosureId, subjectCount: count };
}

export { contractOnFile } from "../../use/facts.ts";
