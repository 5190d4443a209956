import { sql, type Kysely } from "kysely";
import { distributeBySubject, shareWithEveryNode } from "../citus.ts";

// The Do Not Send list keyed by address, not by subject (PS-05): channel + the vault's blind index
// of the normalised address. It replaces the per-subject `subject_suppression` table of
// 2026112102_facts.ts: the gate now finds a subject's suppressed channels through its identities.
const CHANNELS = sql`('email', 'postal', 'catalogue', 'phone', 'sms')`;
const REASONS = sql`('unsubscribe', 'complaint', 'bounce', 'request', 'staff', 'import')`;
const SOURCES = sql`('web', 'email-link', 'staff', 'import', 'gpc', 'drp')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("suppression_list")
    .addColumn("channel", "text", (c) => c.notNull().check(sql`channel in ${CHANNELS}`))
    .addColumn("address_index", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull().check(sql`reason in ${REASONS}`))
    .addColumn("source", "text", (c) => c.notNull().check(sql`source in ${SOURCES}`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("suppression_list_pk", ["channel", "address_index"])
    .execute();
  await shareWithEveryNode(db, "suppression_list");
  await db.schema.dropTable("subject_suppression").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("subject_suppression")
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull().check(sql`channel in ${CHANNELS}`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("subject_suppression_pk", ["subject_id", "channel"])
    .execute();
  await distributeBySubject(db, "subject_suppression");
  await db.schema
    .createIndex("subject_suppression_channel")
    .on("subject_suppression")
    .columns(["channel", "subject_id"])
    .execute();
  await db.schema.dropTable("suppression_list").execute();
}
