import type { Kysely } from "kysely";

/** When each API key last authenticated a request, to the minute (src/modules/staff/staff.table.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("api_keys").addColumn("last_used_at", "timestamptz").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("api_keys").dropColumn("last_used_at").execute();
}
