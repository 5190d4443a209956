import { sql, type ColumnDefinitionBuilder, type Kysely } from "kysely";
import { distributeBySubject } from "../citus.ts";

// The records attached to a subject: orders and services, payment methods and the charges made
// with them, communications, survey answers and quote requests. Every table leads its primary key
// with subject_id (distribution by subject). Personal values are `*_enc` columns, ciphertext under
// the subject's data key; every row records where it was collected, when, for which purpose and
// the policy version in force (Z16-02, ZM-02).
//
// Orders and charges are kept after erasure (tax and accounting law), so they have no foreign key
// to `subjects`: erasure destroys the key and their personal columns become unreadable. The other
// tables go with the subject (on delete cascade) and are also deleted by their sections.
const CHANNELS = sql`('email', 'postal', 'catalogue', 'phone', 'sms')`;

const subjectRef = (c: ColumnDefinitionBuilder) =>
  c.notNull().references("subjects.subject_id").onDelete("cascade");

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("orders")
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .addColumn("order_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('placed', 'fulfilled', 'cancelled')`),
    )
    .addColumn("items_enc", "text", (c) => c.notNull())
    .addColumn("total_enc", "text", (c) => c.notNull())
    .addColumn("collection_point", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint("orders_pk", ["subject_id", "order_id"])
    .execute();
  await distributeBySubject(db, "orders");

  await db.schema
    .createTable("services")
    .addColumn("subject_id", "uuid", subjectRef)
    .addColumn("service_id", "uuid", (c) => c.notNull())
    .addColumn("plan_enc", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('active', 'changed', 'cancelled')`))
    .addColumn("collection_point", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint("services_pk", ["subject_id", "service_id"])
    .execute();
  await distributeBySubject(db, "services");

  await db.schema
    .createTable("service_events")
    .addColumn("subject_id", "uuid", subjectRef)
    .addColumn("service_id", "uuid", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull().check(sql`action in ('add', 'change', 'cancel')`))
    .addColumn("plan_enc", "text", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("collection_point", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("service_events_pk", ["subject_id", "service_id", "seq"])
    .execute();
  await distributeBySubject(db, "service_events");

  await db.schema
    .createTable("payment_methods")
    .addColumn("subject_id", "uuid", subjectRef)
    .addColumn("payment_method_id", "uuid", (c) => c.notNull())
    .addColumn("token_enc", "text", (c) => c.notNull())
    .addColumn("brand_enc", "text", (c) => c.notNull())
    .addColumn("last4_enc", "text", (c) => c.notNull())
    .addColumn("expiry_enc", "text", (c) => c.notNull())
    .addColumn("given_for_order", "text", (c) => c.notNull())
    .addColumn("reuse_allowed", "boolean", (c) => c.notNull())
    .addColumn("collection_point", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint("payment_methods_pk", ["subject_id", "payment_method_id"])
    .execute();
  await distributeBySubject(db, "payment_methods");

  await db.schema
    .createTable("payment_charges")
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .addColumn("charge_id", "uuid", (c) => c.notNull())
    .addColumn("payment_method_id", "uuid", (c) => c.notNull())
    .addColumn("order_id", "text", (c) => c.notNull())
    .addColumn("reuse", "boolean", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addColumn("charged_at", "timestamptz", (c) => c.notNull())
    // Idempotency-Key of the charge: SHA-256 over caller and key, and over the request. A retry
    // gets the same charge back instead of a second one (the token is never stored twice).
    .addColumn("request_key", "text")
    .addColumn("request_hash", "text")
    .addPrimaryKeyConstraint("payment_charges_pk", ["subject_id", "charge_id"])
    .execute();
  await distributeBySubject(db, "payment_charges");
  await sql`create unique index payment_charges_request_key on payment_charges (subject_id, request_key)
    where request_key is not null`.execute(db);

  await db.schema
    .createTable("communications")
    .addColumn("subject_id", "uuid", subjectRef)
    .addColumn("message_id", "uuid", (c) => c.notNull())
    .addColumn("direction", "text", (c) => c.notNull().check(sql`direction in ('inbound', 'outbound')`))
    .addColumn("channel", "text", (c) => c.notNull().check(sql`channel in ${CHANNELS}`))
    .addColumn("size_bytes", "integer", (c) => c.notNull())
    .addColumn("content_enc", "text", (c) => c.notNull())
    .addColumn("collection_point", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("communications_pk", ["subject_id", "message_id"])
    .execute();
  await distributeBySubject(db, "communications");

  await db.schema
    .createTable("survey_answers")
    .addColumn("subject_id", "uuid", subjectRef)
    .addColumn("survey_id", "text", (c) => c.notNull())
    .addColumn("question_id", "text", (c) => c.notNull())
    .addColumn("answer_enc", "text", (c) => c.notNull())
    .addColumn("collection_point", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addColumn("collected_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("survey_answers_pk", ["subject_id", "survey_id", "question_id"])
    .execute();
  await distributeBySubject(db, "survey_answers");
  // The aggregate reads one survey across subjects.
  await db.schema
    .createIndex("survey_answers_survey")
    .on("survey_answers")
    .columns(["survey_id", "subject_id"])
    .execute();

  await db.schema
    .createTable("quote_requests")
    .addColumn("subject_id", "uuid", subjectRef)
    .addColumn("quote_id", "uuid", (c) => c.notNull())
    .addColumn("details_enc", "text", (c) => c.notNull())
    .addColumn("collection_point", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addColumn("collected_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("quote_requests_pk", ["subject_id", "quote_id"])
    .execute();
  await distributeBySubject(db, "quote_requests");
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "quote_requests",
    "survey_answers",
    "communications",
    "payment_charges",
    "payment_methods",
    "service_events",
    "services",
    "orders",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
