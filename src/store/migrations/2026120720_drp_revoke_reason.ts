import type { Kysely } from "kysely";

/**
 * The reason a person gave when their agent revoked a request (DRP 2.04), sealed under the
 * request's data key (src/modules/drp/drp.table.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("drp_requests").addColumn("revoke_reason_enc", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("drp_requests").dropColumn("revoke_reason_enc").execute();
}
