import { sql, type Kysely } from "kysely";
import { distributeBySubject } from "../citus.ts";

// The customer record (src/modules/subjects/subjects.table.ts): columns added to the gate's
// `subjects` row, single-valued fields, addresses and extra contacts. Every datum carries where
// it was collected, when, for which purpose and under which policy version (Z16-02, ZM-02).
// Personal values are only ever stored as ciphertext under the subject's data key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("subjects")
    .addColumn("customer_number", "text")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("erased_at", "timestamptz")
    .addColumn("collection_point", "text")
    .addColumn("purpose", "text")
    .addColumn("policy_version", "text")
    .execute();
  await db.schema
    .createIndex("subjects_created")
    .on("subjects")
    .columns(["created_at", "subject_id"])
    .execute();

  await db.schema
    .createTable("subject_fields")
    .addColumn("subject_id", "uuid", (c) => c.notNull().references("subjects.subject_id").onDelete("cascade"))
    .addColumn("field", "text", (c) => c.notNull())
    .addColumn("value_enc", "text", (c) => c.notNull())
    .addColumn("collection_point", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("collected_at", "timestamptz", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("subject_fields_pk", ["subject_id", "field"])
    .execute();
  await distributeBySubject(db, "subject_fields");

  await db.schema
    .createTable("subject_addresses")
    .addColumn("subject_id", "uuid", (c) => c.notNull().references("subjects.subject_id").onDelete("cascade"))
    .addColumn("address_id", "uuid", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('billing', 'shipping', 'postal')`))
    .addColumn("value_enc", "text", (c) => c.notNull())
    .addColumn("blind_index", "text", (c) => c.notNull())
    .addColumn("collection_point", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("collected_at", "timestamptz", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("subject_addresses_pk", ["subject_id", "address_id"])
    .execute();
  await distributeBySubject(db, "subject_addresses");

  await db.schema
    .createTable("subject_contacts")
    .addColumn("subject_id", "uuid", (c) => c.notNull().references("subjects.subject_id").onDelete("cascade"))
    .addColumn("contact_id", "uuid", (c) => c.notNull())
    .addColumn("name_enc", "text", (c) => c.notNull())
    .addColumn("email_enc", "text")
    .addColumn("phone_enc", "text")
    .addColumn("collection_point", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("collected_at", "timestamptz", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("subject_contacts_pk", ["subject_id", "contact_id"])
    .execute();
  await distributeBySubject(db, "subject_contacts");
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["subject_contacts", "subject_addresses", "subject_fields"]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex("subjects_created").execute();
  for (const column of [
    "customer_number",
    "version",
    "updated_at",
    "erased_at",
    "collection_point",
    "purpose",
    "policy_version",
  ]) {
    await db.schema.alterTable("subjects").dropColumn(column).execute();
  }
}
