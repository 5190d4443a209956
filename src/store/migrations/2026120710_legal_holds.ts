import { sql, type Kysely } from "kysely";
import { distributeBySubject } from "../citus.ts";

/** Legal holds on a person (src/modules/holds): while one is active, the person is not erased. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("legal_holds")
    .addColumn("hold_id", "uuid", (c) => c.notNull())
    .addColumn("subject_id", "uuid", (c) => c.notNull().references("subjects.subject_id"))
    .addColumn("matter", "text", (c) => c.notNull())
    .addColumn("placed_by", "text", (c) => c.notNull())
    .addColumn("placed_at", "timestamptz", (c) => c.notNull())
    .addColumn("released_by", "text")
    .addColumn("released_at", "timestamptz")
    .addPrimaryKeyConstraint("legal_holds_pk", ["subject_id", "hold_id"])
    .execute();
  await distributeBySubject(db, "legal_holds");
  await sql`create index legal_holds_hold on legal_holds (hold_id)`.execute(db);
  await sql`create index legal_holds_active on legal_holds (subject_id) where released_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("legal_holds").execute();
}
