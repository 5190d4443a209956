import { sql, type Kysely } from "kysely";

/**
 * Staff sign-in for people (src/modules/staff/signin.ts): one login per staff member (a username,
 * an argon2id password hash, a TOTP key sealed under the master key), an invitation's set-up code
 * kept as a hash until it is used, and the sessions of the console's cookie kept by the hash of
 * their id. Failed sign-ins count in `auth_failures` under the scope `staff_signin`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("staff_logins")
    .addColumn("staff_id", "uuid", (c) => c.primaryKey().references("staff.id"))
    .addColumn("username", "text", (c) => c.notNull().unique())
    .addColumn("password_hash", "text")
    .addColumn("totp_key_id", "text")
    .addColumn("totp_secret", "text")
    .addColumn("totp_last_step", "integer")
    .addColumn("setup_code_hash", "text")
    .addColumn("setup_expires_at", "timestamptz")
    .addColumn("setup_totp_key_id", "text")
    .addColumn("setup_totp_secret", "text")
    .addColumn("updated_at", "timestamptz", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("staff_sessions")
    .addColumn("id_hash", "text", (c) => c.primaryKey())
    .addColumn("staff_id", "uuid", (c) => c.notNull().references("staff.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("staff_sessions_staff").on("staff_sessions").column("staff_id").execute();
  await sql`alter table auth_failures drop constraint if exists auth_failures_scope_check`.execute(db);
  await sql`alter table auth_failures add constraint auth_failures_scope_check
    check (scope in ('signin', 'api_key', 'staff_signin'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("staff_sessions").execute();
  await db.schema.dropTable("staff_logins").execute();
  await sql`alter table auth_failures drop constraint if exists auth_failures_scope_check`.execute(db);
  await sql`alter table auth_failures add constraint auth_failures_scope_check
    check (scope in ('signin', 'api_key'))`.execute(db);
}
