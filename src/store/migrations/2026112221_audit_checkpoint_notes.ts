import type { Kysely } from "kysely";

// Each signed checkpoint also as a C2SP signed note (src/audit/note.ts), the text served at
// GET /v1/audit/checkpoint and written to PLEDGE_CHECKPOINT_DIR. Older checkpoints have none.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("audit_checkpoints").addColumn("note", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("audit_checkpoints").dropColumn("note").execute();
}
