import { sql, type Kysely } from "kysely";

/** Privacy complaints and their moves (src/modules/complaints/complaints.table.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("privacy_complaints")
    .addColumn("complaint_id", "uuid", (c) => c.primaryKey())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('open', 'in_progress', 'resolved', 'rejected')`),
    )
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull().check(sql`source in ('inbound-mail', 'staff')`))
    .addColumn("subject_id", "uuid")
    .addColumn("key_id", "uuid", (c) => c.notNull())
    .addColumn("from_index", "text")
    .addColumn("from_enc", "text", (c) => c.notNull())
    .addColumn("subject_enc", "text", (c) => c.notNull())
    .addColumn("text_enc", "text", (c) => c.notNull())
    .addColumn("resolution_enc", "text")
    .addColumn("received_at", "timestamptz", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull())
    .execute();
  // The working list: unresolved complaints, oldest first.
  await db.schema
    .createIndex("privacy_complaints_status")
    .on("privacy_complaints")
    .columns(["status", "received_at"])
    .execute();
  await db.schema
    .createTable("privacy_complaint_moves")
    .addColumn("complaint_id", "uuid", (c) => c.notNull().references("privacy_complaints.complaint_id"))
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("from_status", "text")
    .addColumn("to_status", "text", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("privacy_complaint_moves_pk", ["complaint_id", "seq"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("privacy_complaint_moves").execute();
  await db.schema.dropTable("privacy_complaints").execute();
}
