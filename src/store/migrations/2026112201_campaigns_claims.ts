import type { Kysely } from "kysely";

// Which node claimed an outbox message (`queued` → `sending`). On start-up a node marks
// `uncertain` only the messages claimed by nodes that are gone, never those another live node is
// sending right now.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("campaign_messages").addColumn("claimed_by", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("campaign_messages").dropColumn("claimed_by").execute();
}
