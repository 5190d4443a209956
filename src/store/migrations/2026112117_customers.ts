import { sql, type Kysely } from "kysely";
import { distributeBySubject } from "../citus.ts";

// Customers' own access: one account per subject (the password hash and the lock-out counters)
// and its sessions. A session row holds only the SHA-256 of the session id the cookie carries,
// so the table cannot be replayed. Both go with the subject's row (cascade) and with erasure
// (the customers section deletes them).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_accounts")
    .addColumn("subject_id", "uuid", (c) =>
      c.primaryKey().references("subjects.subject_id").onDelete("cascade"),
    )
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("failed_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("locked_until", "timestamptz")
    .addColumn("password_changed_at", "timestamptz", (c) => c.notNull())
    .addColumn("last_signin_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await distributeBySubject(db, "customer_accounts");

  await db.schema
    .createTable("customer_sessions")
    .addColumn("id_hash", "text", (c) => c.notNull())
    .addColumn("subject_id", "uuid", (c) =>
      c.notNull().references("customer_accounts.subject_id").onDelete("cascade"),
    )
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("customer_sessions_pk", ["subject_id", "id_hash"])
    .execute();
  await distributeBySubject(db, "customer_sessions");
  await db.schema
    .createIndex("customer_sessions_subject")
    .on("customer_sessions")
    .columns(["subject_id", "expires_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_sessions").execute();
  await db.schema.dropTable("customer_accounts").execute();
}
