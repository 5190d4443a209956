import type { Kysely } from "kysely";

// The internal sales-tracking store (ZZ-02): landing-page order-form data by cookie id.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("sales_tracking")
    .addColumn("entry_id", "uuid", (c) => c.primaryKey())
    .addColumn("cookie_id", "text", (c) => c.notNull())
    .addColumn("order_form", "jsonb", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addColumn("captured_at", "timestamptz", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("sales_tracking_cookie")
    .on("sales_tracking")
    .columns(["cookie_id", "captured_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("sales_tracking").execute();
}
