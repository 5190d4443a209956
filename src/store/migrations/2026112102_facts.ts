import { sql, type Kysely } from "kysely";
import { distributeBySubject } from "../citus.ts";

// The subject facts the gate reads (see src/gate/facts.table.ts). Every table is keyed by
// subject_id first, so per-subject loads are primary-key lookups and the tables distribute by
// subject; the secondary indexes lead with the scope/channel/permission a bulk audience filters on.
const STATUSES = sql`('customer', 'prospect', 'former')`;
const CHANNELS = sql`('email', 'postal', 'catalogue', 'phone', 'sms')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("subjects")
    .addColumn("subject_id", "uuid", (c) => c.primaryKey())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ${STATUSES}`))
    .addColumn("birth_date", "date")
    .addColumn("jurisdiction", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await distributeBySubject(db, "subjects");
  await db.schema.createIndex("subjects_status").on("subjects").columns(["status", "subject_id"]).execute();

  await db.schema
    .createTable("subject_consents")
    .addColumn("subject_id", "uuid", (c) => c.notNull().references("subjects.subject_id").onDelete("cascade"))
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) =>
      c
        .notNull()
        .defaultTo("")
        .check(sql`channel = '' or channel in ${CHANNELS}`),
    )
    .addColumn("state", "text", (c) => c.notNull().check(sql`state in ('granted', 'withdrawn', 'objected')`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("subject_consents_pk", ["subject_id", "scope", "channel"])
    .execute();
  await distributeBySubject(db, "subject_consents");
  await db.schema
    .createIndex("subject_consents_scope")
    .on("subject_consents")
    .columns(["scope", "channel", "state", "subject_id"])
    .execute();

  await db.schema
    .createTable("subject_opt_outs")
    .addColumn("subject_id", "uuid", (c) => c.notNull().references("subjects.subject_id").onDelete("cascade"))
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("subject_opt_outs_pk", ["subject_id", "scope"])
    .execute();
  await distributeBySubject(db, "subject_opt_outs");
  await db.schema
    .createIndex("subject_opt_outs_scope")
    .on("subject_opt_outs")
    .columns(["scope", "subject_id"])
    .execute();

  await db.schema
    .createTable("subject_permissions")
    .addColumn("subject_id", "uuid", (c) => c.notNull().references("subjects.subject_id").onDelete("cascade"))
    .addColumn("permission", "text", (c) =>
      c.notNull().check(sql`permission in ('card_reuse', 'sale', 'affiliate_identity')`),
    )
    .addColumn("granted_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("subject_permissions_pk", ["subject_id", "permission"])
    .execute();
  await distributeBySubject(db, "subject_permissions");
  await db.schema
    .createIndex("subject_permissions_permission")
    .on("subject_permissions")
    .columns(["permission", "subject_id"])
    .execute();

  // No foreign key: a Do Not Send entry outlives the customer record (PS-05).
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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "subject_suppression",
    "subject_permissions",
    "subject_opt_outs",
    "subject_consents",
    "subjects",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
