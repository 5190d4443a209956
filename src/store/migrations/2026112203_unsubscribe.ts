import { sql, type Kysely } from "kysely";
import { distributeBySubject, shareWithEveryNode } from "../citus.ts";

// One-click unsubscribe (RFC 8058). `unsubscribe_keys` holds the HMAC key that signs link tokens,
// made on first use so every node shares it. `unsubscribe_tokens` holds what a token stands for:
// the URL carries only a random id and its signature. No foreign key to subjects: a link must
// still put its address on Do Not Send after the subject is erased (PS-05); the row holds ids and
// the address's blind index, never the address.
const CHANNELS = sql`('email', 'postal', 'catalogue', 'phone', 'sms')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("unsubscribe_keys")
    .addColumn("key_id", "text", (c) => c.primaryKey())
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .execute();
  await shareWithEveryNode(db, "unsubscribe_keys");
  await db.schema
    .createTable("unsubscribe_tokens")
    .addColumn("token_id", "text", (c) => c.notNull())
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .addColumn("campaign_id", "text")
    .addColumn("channel", "text", (c) => c.notNull().check(sql`channel in ${CHANNELS}`))
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("topic", "text")
    .addColumn("address_index", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("used_at", "timestamptz")
    .addColumn("used_by", "text")
    .addPrimaryKeyConstraint("unsubscribe_tokens_pk", ["subject_id", "token_id"])
    .execute();
  await distributeBySubject(db, "unsubscribe_tokens");
  await db.schema
    .createIndex("unsubscribe_tokens_token")
    .on("unsubscribe_tokens")
    .columns(["token_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("unsubscribe_tokens").execute();
  await db.schema.dropTable("unsubscribe_keys").execute();
}
