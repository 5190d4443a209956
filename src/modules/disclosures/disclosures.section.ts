import { sectionQuery, type SubjectSection } from "../subjects/sections.ts";
import { ledgerEntries, ledgerJson, subjectLedger, type LedgerJson } from "./disclosures.service.ts";

/**
 * The disclosure ledger's part of a person's record: access export shows who their data was
 * given to, when, for what and which fields (ALL-03, ALL-04). Erasure keeps the ledger rows: they
 * are the company's record of what left it, and they hold ids, field names and categories only,
 * never values.
 */
export const disclosuresSection: SubjectSection = {
  name: "disclosures",
  fields: [],
  async export(trx, subjectId) {
    return subjectLedger(trx, subjectId, (id) => id);
  },
  // The same rows as `subjectLedger`, read in the access export's one statement.
  query: sectionQuery<LedgerJson[]>(ledgerJson, (rows) => ledgerEntries(rows, (id) => id)),
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
