import { sql, type Kysely } from "kysely";
import { distributeBySubject, shareWithEveryNode } from "../citus.ts";

// Campaigns and their outbox. `campaign_messages` has one row per person per campaign
// (unique (campaign_id, subject_id)): a restarted or duplicated worker can never make a second.
const CHANNELS = sql`('email', 'postal', 'catalogue', 'phone', 'sms')`;
const CLASSES = sql`('marketing', 'service', 'billing', 'security', 'delivery', 'policy_change', 'feedback')`;
const STATUSES = sql`('draft', 'sending', 'sent', 'stopped', 'cancelled')`;
const STATES = sql`('queued', 'sending', 'sent', 'failed', 'skipped', 'uncertain')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("campaigns")
    .addColumn("campaign_id", "uuid", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("topic", "text")
    .addColumn("message_class", "text", (c) => c.notNull().check(sql`message_class in ${CLASSES}`))
    .addColumn("channel", "text", (c) => c.notNull().check(sql`channel in ${CHANNELS}`))
    .addColumn("recipient", "text")
    .addColumn("subject_line", "text")
    .addColumn("body_text", "text", (c) => c.notNull())
    .addColumn("body_html", "text")
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ${STATUSES}`))
    .addColumn("policy_version", "text")
    .addColumn("audience_size", "integer")
    .addColumn("stopped_reason", "text")
    .addColumn("stopped_clause", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("started_at", "timestamptz")
    .addColumn("finished_at", "timestamptz")
    .execute();
  await shareWithEveryNode(db, "campaigns");

  await db.schema
    .createTable("campaign_messages")
    .addColumn("message_id", "uuid", (c) => c.notNull())
    .addColumn("campaign_id", "uuid", (c) =>
      c.notNull().references("campaigns.campaign_id").onDelete("cascade"),
    )
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull().check(sql`state in ${STATES}`))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .addColumn("queued_at", "timestamptz", (c) => c.notNull())
    .addColumn("sent_at", "timestamptz")
    .addColumn("header_message_id", "text")
    .addPrimaryKeyConstraint("campaign_messages_pk", ["subject_id", "message_id"])
    .addUniqueConstraint("campaign_messages_one_per_person", ["campaign_id", "subject_id"])
    .execute();
  await distributeBySubject(db, "campaign_messages");
  await db.schema
    .createIndex("campaign_messages_state")
    .on("campaign_messages")
    .columns(["campaign_id", "state"])
    .execute();
  await db.schema
    .createIndex("campaign_messages_message")
    .on("campaign_messages")
    .columns(["message_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("campaign_messages").execute();
  await db.schema.dropTable("campaigns").execute();
}
