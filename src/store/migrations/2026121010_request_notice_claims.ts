import type { Kysely } from "kysely";

/**
 * A claim on a rights-request notice (src/modules/requests/requests.notices.ts): the sender that
 * takes a notice holds it until `claimed_until`, so a second node's sender leaves it alone while
 * the first one talks to the relay, and a notice is sent once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("request_notices").addColumn("claimed_until", "timestamptz").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("request_notices").dropColumn("claimed_until").execute();
}
