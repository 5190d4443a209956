import { sql, type Kysely } from "kysely";
import { distributeBySubject, shareWithEveryNode } from "../citus.ts";

// The recipient registry (contracts on file) and the disclosure ledger (ALL-03). The ledger has no
// foreign key to subjects on purpose: its rows outlive erasure, which keeps the subject's
// tombstone row, so subject ids in it still name the same (now empty) record.
const KINDS = sql`('export', 'share', 'conversion', 'list', 'legal')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("recipient_registry")
    .addColumn("recipient_id", "text", (c) => c.primaryKey())
    .addColumn("legal_name", "text", (c) => c.notNull())
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("contract_ref", "text")
    .addColumn("contract_signed_on", "date")
    .addColumn("contract_expires_on", "date")
    .addColumn("updated_at", "timestamptz", (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.notNull())
    .execute();
  await shareWithEveryNode(db, "recipient_registry");

  await db.schema
    .createTable("disclosures")
    .addColumn("disclosure_id", "uuid", (c) => c.primaryKey())
    .addColumn("recipient_id", "text", (c) => c.notNull())
    .addColumn("recipient_kind", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ${KINDS}`))
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("ground", "text", (c) => c.notNull())
    .addColumn("fields", sql`text[]`, (c) => c.notNull())
    .addColumn("categories", sql`text[]`, (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addColumn("subject_count", "integer", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .execute();
  await shareWithEveryNode(db, "disclosures");
  await db.schema.createIndex("disclosures_at").on("disclosures").columns(["at"]).execute();
  await db.schema
    .createIndex("disclosures_recipient")
    .on("disclosures")
    .columns(["recipient_id", "at"])
    .execute();

  await db.schema
    .createTable("disclosure_subjects")
    .addColumn("disclosure_id", "uuid", (c) =>
      c.notNull().references("disclosures.disclosure_id").onDelete("restrict"),
    )
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .addPrimaryKeyConstraint("disclosure_subjects_pk", ["disclosure_id", "subject_id"])
    .execute();
  await distributeBySubject(db, "disclosure_subjects");
  await db.schema
    .createIndex("disclosure_subjects_subject")
    .on("disclosure_subjects")
    .columns(["subject_id", "disclosure_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("disclosure_subjects").execute();
  await db.schema.dropTable("disclosures").execute();
  await db.schema.dropTable("recipient_registry").execute();
}
