import { sql, type Kysely } from "kysely";
import { distributeBySubject } from "../citus.ts";

/**
 * Kept audiences (src/use/kept.ts): who each marketing send the pack allows may reach, kept
 * current in the transaction of every write about a person.
 * - `audience_members`: one row per person and audience they meet, with their birth date (the
 *   age rules are applied when read); indexed by audience for the campaign's read.
 * - `audience_stale`: people a change of the Do Not Send list concerns, read live by the gate's
 *   predicate until their rows are worked out again (one row per change, so a mark is cleared
 *   only by the reading that saw it).
 * - `kept_audiences`: each audience built, for which policy version, and when.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("audience_members")
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .addColumn("audience", "text", (c) => c.notNull())
    .addColumn("birth_date", "date")
    .addPrimaryKeyConstraint("audience_members_pk", ["subject_id", "audience"])
    .execute();
  await sql`create index audience_members_by_audience
    on audience_members (audience, birth_date) include (subject_id)`.execute(db);
  await distributeBySubject(db, "audience_members");

  await db.schema
    .createTable("audience_stale")
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .addColumn("mark", "uuid", (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addPrimaryKeyConstraint("audience_stale_pk", ["subject_id", "mark"])
    .execute();
  await distributeBySubject(db, "audience_stale");

  await db.schema
    .createTable("kept_audiences")
    .addColumn("audience", "text", (c) => c.primaryKey())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addColumn("description", "jsonb", (c) => c.notNull())
    .addColumn("members", "bigint", (c) => c.notNull())
    .addColumn("built_at", "timestamptz", (c) => c.notNull())
    .execute();
  // kept_audiences stays on the coordinator: only Pledge's processes read it, never a worker.
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("kept_audiences").execute();
  await db.schema.dropTable("audience_stale").execute();
  await db.schema.dropTable("audience_members").execute();
}
