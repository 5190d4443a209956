import { sql, type Kysely } from "kysely";
import { distributeBySubject } from "../citus.ts";

/** The vault's wrapped data keys and the shared current master key version (src/crypto/vault.table.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("subject_keys")
    .addColumn("subject_id", "uuid", (c) => c.primaryKey())
    .addColumn("master_key_id", "text", (c) => c.notNull())
    .addColumn("wrapped_key", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("rotated_at", "timestamptz")
    .execute();
  await distributeBySubject(db, "subject_keys");
  // `pledge keys status` counts by version; rotation walks one version's rows in key order.
  await db.schema
    .createIndex("subject_keys_master_key")
    .on("subject_keys")
    .columns(["master_key_id", "subject_id"])
    .execute();

  await db.schema
    .createTable("vault_master")
    .addColumn("singleton", "boolean", (c) =>
      c
        .primaryKey()
        .defaultTo(true)
        .check(sql`singleton`),
    )
    .addColumn("current_key_id", "text")
    .execute();
  await sql`insert into vault_master (singleton, current_key_id) values (true, null)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("vault_master").execute();
  await db.schema.dropTable("subject_keys").execute();
}
