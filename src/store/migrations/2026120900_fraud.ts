import { sql, type Kysely } from "kysely";
import { distributeBySubject } from "../citus.ts";

/** Fraud checks on a first order and holds for manual verification (src/modules/fraud, ZM-09). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("fraud_checks")
    .addColumn("subject_id", "uuid", (c) => c.primaryKey().references("subjects.subject_id"))
    .addColumn("outcome", "text", (c) => c.notNull().check(sql`outcome in ('passed', 'held')`))
    .addColumn("source_index", "text")
    .addColumn("mailbox_index", "text")
    .addColumn("checked_at", "timestamptz", (c) => c.notNull())
    .execute();
  await distributeBySubject(db, "fraud_checks");
  await sql`create index fraud_checks_source on fraud_checks (source_index, checked_at)`.execute(db);
  await sql`create index fraud_checks_mailbox on fraud_checks (mailbox_index, checked_at)`.execute(db);
  await db.schema
    .createTable("fraud_holds")
    .addColumn("hold_id", "uuid", (c) => c.notNull())
    .addColumn("subject_id", "uuid", (c) => c.notNull().unique().references("subjects.subject_id"))
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('held', 'released', 'rejected', 'expired')`),
    )
    .addColumn("reasons", "text", (c) => c.notNull())
    .addColumn("held_at", "timestamptz", (c) => c.notNull())
    .addColumn("verify_by", "timestamptz", (c) => c.notNull())
    .addColumn("closed_at", "timestamptz")
    .addColumn("closed_by", "text")
    .addColumn("notice_sent_at", "timestamptz")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint("fraud_holds_pk", ["subject_id", "hold_id"])
    .execute();
  await distributeBySubject(db, "fraud_holds");
  await sql`create index fraud_holds_status on fraud_holds (status, held_at)`.execute(db);
  await sql`create index fraud_holds_hold on fraud_holds (hold_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("fraud_holds").execute();
  await db.schema.dropTable("fraud_checks").execute();
}
