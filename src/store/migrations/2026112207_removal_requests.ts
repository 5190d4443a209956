import { sql, type Kysely } from "kysely";

// Removal requests (Z16-14, Z19-06): blind indexes only, never the values given.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("removal_requests")
    .addColumn("request_id", "uuid", (c) => c.primaryKey())
    .addColumn("queue", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('queued', 'applied')`))
    .addColumn("fields", "text", (c) => c.notNull())
    .addColumn("jurisdiction", "text")
    .addColumn("email_index", "text")
    .addColumn("postal_index", "text")
    .addColumn("first_name_index", "text")
    .addColumn("last_name_index", "text")
    .addColumn("zip_index", "text")
    .addColumn("matched", "integer")
    .addColumn("received_at", "timestamptz", (c) => c.notNull())
    .addColumn("received_by", "text", (c) => c.notNull())
    .addColumn("applied_at", "timestamptz")
    .addColumn("applied_by", "text")
    .execute();
  await db.schema
    .createIndex("removal_requests_queue")
    .on("removal_requests")
    .columns(["queue", "status", "received_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("removal_requests").execute();
}
