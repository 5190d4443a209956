import { sql, type Kysely } from "kysely";
import { distributeBySubject, shareWithEveryNode } from "../citus.ts";

/**
 * Legal requests from authorities (src/modules/legal): the register, its approvals (one row per
 * approver, so nobody approves twice), and the people each request names, with the notice each
 * is owed once the data is produced.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("legal_requests")
    .addColumn("request_id", "uuid", (c) => c.primaryKey())
    .addColumn("authority", "text", (c) => c.notNull())
    .addColumn("country", "text", (c) => c.notNull())
    .addColumn("instrument", "text", (c) => c.notNull())
    .addColumn("reference", "text", (c) => c.notNull())
    .addColumn("ground", "text", (c) => c.notNull())
    .addColumn("fields", sql`text[]`, (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("received_by", "text", (c) => c.notNull())
    .addColumn("received_at", "timestamptz", (c) => c.notNull())
    .addColumn("justification", "text")
    .addColumn("nondisclosure_until", "timestamptz")
    .addColumn("closed_by", "text")
    .addColumn("closed_at", "timestamptz")
    .addColumn("note", "text")
    .execute();
  await shareWithEveryNode(db, "legal_requests");
  await db.schema.createIndex("legal_requests_received").on("legal_requests").column("received_at").execute();
  await db.schema
    .createTable("legal_request_approvals")
    .addColumn("request_id", "uuid", (c) => c.notNull().references("legal_requests.request_id"))
    .addColumn("approver", "text", (c) => c.notNull())
    .addColumn("approved_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("legal_request_approvals_pk", ["request_id", "approver"])
    .execute();
  await shareWithEveryNode(db, "legal_request_approvals");
  await db.schema
    .createTable("legal_request_subjects")
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .addColumn("request_id", "uuid", (c) => c.notNull().references("legal_requests.request_id"))
    .addColumn("disclosure_id", "uuid")
    .addColumn("notice_due_at", "timestamptz")
    .addColumn("notice_sent_at", "timestamptz")
    .addColumn("notice_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("notice_claimed_until", "timestamptz")
    .addPrimaryKeyConstraint("legal_request_subjects_pk", ["subject_id", "request_id"])
    .execute();
  await distributeBySubject(db, "legal_request_subjects");
  await sql`create index legal_request_subjects_request on legal_request_subjects (request_id)`.execute(db);
  await sql`create index legal_notices_due on legal_request_subjects (notice_due_at)
    where notice_sent_at is null and notice_due_at is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("legal_request_subjects").execute();
  await db.schema.dropTable("legal_request_approvals").execute();
  await db.schema.dropTable("legal_requests").execute();
}
