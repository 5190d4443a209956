import { sql, type Kysely } from "kysely";

// Idempotency-Key records (src/http/idempotency.ts). Neither the key nor the request is stored:
// `key_hash` is SHA-256 over the caller and the key, `request_hash` an HMAC of the request keyed by
// the client's key, so the table cannot be searched for a personal value. `body` is stored only for
// routes whose responses carry no personal data (ids, versions, field names).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("idempotency_keys")
    .addColumn("key_hash", "text", (c) => c.primaryKey())
    .addColumn("route", "text", (c) => c.notNull())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("status", "integer")
    .addColumn("body", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("idempotency_keys_created")
    .on("idempotency_keys")
    .column("created_at")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("idempotency_keys").execute();
}
