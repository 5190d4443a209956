import { sql, type Kysely } from "kysely";
import { distributeBySubject } from "../citus.ts";

/**
 * A signed-in customer's own product views (src/modules/recommendations), the Z16-08 exception:
 * kept apart from the anonymous site statistics (`page_views`, which link no view to anyone) and
 * never joined with them. Keyed by subject, so erasure removes them and the access export shows
 * them; the page and product are ciphertext under the subject's key (field `web_log`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("product_views")
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .addColumn("view_id", "uuid", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addColumn("view_enc", "text", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("product_views_pk", ["subject_id", "view_id"])
    .execute();
  await distributeBySubject(db, "product_views");
  await sql`create index product_views_subject_at on product_views (subject_id, at desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("product_views").execute();
}
