import type { Kysely } from "kysely";
import { shareWithEveryNode } from "../citus.ts";

/**
 * Policy versions published while Pledge runs (see src/policy/publish.table.ts). Every node reads
 * them, so a version posted to one node is enforced by all; `published_at` is indexed because
 * nodes poll `max(published_at)` to notice new versions.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("policy_versions")
    .addColumn("company", "text", (c) => c.notNull())
    .addColumn("version", "text", (c) => c.notNull())
    .addColumn("yaml", "text", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("effective_at", "timestamptz", (c) => c.notNull())
    .addColumn("published_at", "timestamptz", (c) => c.notNull())
    .addColumn("published_by", "text", (c) => c.notNull())
    .addColumn("material", "boolean", (c) => c.notNull())
    .addColumn("announcement_id", "uuid")
    .addPrimaryKeyConstraint("policy_versions_pkey", ["company", "version"])
    .addUniqueConstraint("policy_versions_one_per_instant", ["company", "effective_at"])
    .execute();
  await shareWithEveryNode(db, "policy_versions");
  await db.schema
    .createIndex("policy_versions_published_at")
    .on("policy_versions")
    .columns(["company", "published_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("policy_versions").execute();
}
