import { jsonArrayFrom } from "kysely/helpers/postgres";
import { sectionQuery, subquery, type SubjectSection } from "../subjects/sections.ts";
import { subjectLedger, type LedgerEntry } from "./disclosures.service.ts";

interface LedgerJson {
  disclosure_id: string;
  recipient_id: string;
  recipient_kind: string;
  kind: string;
  purpose: string;
  ground: string;
  fields: string[];
  categories: string[];
  policy_version: string;
  at: string;
  legal_name: string | null;
}

/**
 * The disclosure ledger's part of a person's record: access export shows who their data was
 * given to, when, for what and which fields (ALL-03, ALL-04). Erasure keeps the ledger rows: they
 * are the company's record of what left it, and they hold ids, field names and categories only,
 * never values.
 */
export const disclosuresSection: SubjectSection = {
  name: "disclosures",
  async export(trx, subjectId) {
    return subjectLedger(trx, subjectId, (id) => id);
  },
  // The same rows as `subjectLedger`, read in the access export's one statement.
  query: sectionQuery<LedgerJson[]>(
    (subjectId) =>
      jsonArrayFrom(
        subquery
          .selectFrom("disclosure_subjects as s")
          .innerJoin("disclosures as d", "d.disclosure_id", "s.disclosure_id")
          .leftJoin("recipient_registry as r", "r.recipient_id", "d.recipient_id")
          .where("s.subject_id", "=", subjectId)
          .select([
            "d.disclosure_id",
            "d.recipient_id",
            "d.recipient_kind",
            "d.kind",
            "d.purpose",
            "d.ground",
            "d.fields",
            "d.categories",
            "d.policy_version",
            "d.at",
            "r.legal_name",
          ])
          .orderBy("d.at")
          .orderBy("d.disclosure_id"),
      ),
    (rows): LedgerEntry[] =>
      rows.map((r) => ({
        disclosureId: r.disclosure_id,
        recipient: r.recipient_id,
        recipientName: r.legal_name ?? r.recipient_id,
        recipientKind: r.recipient_kind,
        kind: r.kind,
        purpose: r.purpose,
        ground: r.ground,
        fields: r.fields,
        categories: r.categories,
        policyVersion: r.policy_version,
        at: new Date(r.at).toISOString(),
      })),
  ),
  async erase(trx, subjectId) {
    const row = await trx
      .selectFrom("disclosure_subjects")
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .where("subject_id", "=", subjectId)
      .executeTakeFirstOrThrow();
    const kept = Number(row.n);
    return kept === 0
      ? { deleted: 0, kept: 0 }
      : {
          deleted: 0,
          kept,
          keptReason:
            "the disclosure ledger is kept: it records which recipients were given which fields and when (ALL-03), and holds no values",
        };
  },
};
