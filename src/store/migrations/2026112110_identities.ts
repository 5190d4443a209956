import { sql, type Kysely } from "kysely";
import { distributeBySubject } from "../citus.ts";

// How a person is found and recognised without storing a searchable plaintext: each identity is a
// blind index (HMAC of the normalised value, see src/crypto) beside the value's ciphertext. Email,
// phone and postal identities also key the Do Not Send list, which lives apart from subjects.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("subject_identities")
    .addColumn("subject_id", "uuid", (c) => c.notNull().references("subjects.subject_id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('email', 'phone', 'postal')`))
    .addColumn("blind_index", "text", (c) => c.notNull())
    .addColumn("value_enc", "text", (c) => c.notNull())
    .addColumn("is_primary", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("subject_identities_pk", ["subject_id", "kind", "blind_index"])
    .execute();
  await distributeBySubject(db, "subject_identities");
  await db.schema
    .createIndex("subject_identities_lookup")
    .on("subject_identities")
    .columns(["kind", "blind_index", "subject_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("subject_identities").execute();
}
