import { sql, type Kysely } from "kysely";

/** Legal holds on a person (src/modules/holds): while one is active, the person is not erased. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("legal_holds")
    .addColumn("hold_id", "uuid", (c) => c.primaryKey())
    .addColumn("subject_id", "uuid", (c) => c.notNull().references("subjects.subject_id"))
    .addColumn("matter", "text", (c) => c.notNull())
    .addColumn("placed_by", "text", (c) => c.notNull())
    .addColumn("placed_at", "timestamptz", (c) => c.notNull())
    .addColumn("released_by", "text")
    .addColumn("released_at", "timestamptz")
    .execute();
  await sql`create index legal_holds_active on legal_holds (subject_id) where released_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("legal_holds").execute();
}
