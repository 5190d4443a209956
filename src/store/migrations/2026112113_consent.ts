import { sql, type Kysely } from "kysely";
import { distributeBySubject } from "../citus.ts";

// The consent ledger: append-only events per subject (see src/modules/consent/consent.table.ts).
// Keyed by subject first, like every subject table; history reads walk (subject_id, at).
const CHANNELS = sql`('email', 'postal', 'catalogue', 'phone', 'sms')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("consent_events")
    .addColumn("subject_id", "uuid", (c) => c.notNull().references("subjects.subject_id").onDelete("cascade"))
    .addColumn("event_id", "uuid", (c) => c.notNull())
    .addColumn("target_kind", "text", (c) =>
      c.notNull().check(sql`target_kind in ('purpose', 'topic', 'sharing', 'permission')`),
    )
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) =>
      c
        .notNull()
        .defaultTo("")
        .check(sql`channel = '' or channel in ${CHANNELS}`),
    )
    .addColumn("action", "text", (c) =>
      c.notNull().check(sql`action in ('granted', 'withdrawn', 'objected')`),
    )
    .addColumn("source", "text", (c) =>
      c.notNull().check(sql`source in ('web', 'email-link', 'staff', 'import', 'gpc', 'drp')`),
    )
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("evidence", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addPrimaryKeyConstraint("consent_events_pk", ["subject_id", "event_id"])
    .execute();
  await distributeBySubject(db, "consent_events");
  await db.schema
    .createIndex("consent_events_history")
    .on("consent_events")
    .columns(["subject_id", "at", "event_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("consent_events").execute();
}
