import { sql, type Kysely } from "kysely";
import { distributeBySubject } from "../citus.ts";

// Bounces and complaints reported for campaign messages (ZM-10). One row per message and kind:
// a report repeated by a provider's retry is the same fact and is not counted twice. The subject
// id leads the primary key like every table about a person; the row names no address.
const KINDS = sql`('bounce', 'complaint')`;
const SOURCES = sql`('api', 'webhook')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("deliverability_events")
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .addColumn("event_id", "uuid", (c) => c.notNull())
    .addColumn("campaign_id", "uuid", (c) => c.notNull())
    .addColumn("message_id", "uuid", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ${KINDS}`))
    .addColumn("detail", "text")
    .addColumn("source", "text", (c) => c.notNull().check(sql`source in ${SOURCES}`))
    .addColumn("occurred_at", "timestamptz", (c) => c.notNull())
    .addColumn("recorded_at", "timestamptz", (c) => c.notNull())
    .addColumn("recorded_by", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("deliverability_events_pk", ["subject_id", "event_id"])
    .addUniqueConstraint("deliverability_events_once", ["subject_id", "message_id", "kind"])
    .addForeignKeyConstraint(
      "deliverability_events_message",
      ["subject_id", "message_id"],
      "campaign_messages",
      ["subject_id", "message_id"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();
  await distributeBySubject(db, "deliverability_events");
  // Added once the table is distributed: Citus cannot distribute a table that points at a
  // reference table and a distributed table at once (docs/citus.md).
  await sql`alter table deliverability_events add constraint deliverability_events_campaign_id_fkey
    foreign key (campaign_id) references campaigns (campaign_id) on delete cascade`.execute(db);
  await db.schema
    .createIndex("deliverability_events_campaign")
    .on("deliverability_events")
    .columns(["campaign_id", "kind"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("deliverability_events").execute();
}
