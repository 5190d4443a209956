import { sql, type Kysely } from "kysely";
import { distributeBySubject } from "../citus.ts";

// Throttling of failed authentication, kept in the database so every node sees the same counts
// (src/http/failure-limit.ts, src/modules/customers/backoff.ts, src/modules/customers/devices.ts):
// - `auth_failures`: a token bucket of failures per scope and source address;
// - `signin_backoff`: consecutive failed sign-ins per account name (the blind index of the email
//   as typed, whether or not an account has it) and the instant the next attempt is allowed;
// - `customer_devices`: browsers that signed in before (the hash of a random cookie value), which
//   skip the account back-off.
// The account's own hard lock-out columns go: a lock anyone could set by guessing is gone.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("auth_failures")
    .addColumn("scope", "text", (c) => c.notNull().check(sql`scope in ('signin', 'api_key')`))
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("tokens", "double precision", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("auth_failures_pk", ["scope", "source"])
    .execute();
  await db.schema.createIndex("auth_failures_at").on("auth_failures").column("at").execute();

  await db.schema
    .createTable("signin_backoff")
    .addColumn("account", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("next_at", "timestamptz")
    .addColumn("last_failure_at", "timestamptz", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("signin_backoff_last_failure")
    .on("signin_backoff")
    .column("last_failure_at")
    .execute();

  await db.schema
    .createTable("customer_devices")
    .addColumn("id_hash", "text", (c) => c.notNull())
    .addColumn("subject_id", "uuid", (c) =>
      c.notNull().references("customer_accounts.subject_id").onDelete("cascade"),
    )
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("customer_devices_pk", ["subject_id", "id_hash"])
    .execute();
  await distributeBySubject(db, "customer_devices");
  await db.schema
    .createIndex("customer_devices_subject")
    .on("customer_devices")
    .columns(["subject_id", "expires_at"])
    .execute();

  await db.schema.alterTable("customer_accounts").dropColumn("failed_attempts").execute();
  await db.schema.alterTable("customer_accounts").dropColumn("locked_until").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("customer_accounts")
    .addColumn("failed_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("customer_accounts").addColumn("locked_until", "timestamptz").execute();
  await db.schema.dropTable("customer_devices").execute();
  await db.schema.dropTable("signin_backoff").execute();
  await db.schema.dropTable("auth_failures").execute();
}
