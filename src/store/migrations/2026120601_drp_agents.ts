import { sql, type Kysely } from "kysely";

/** Data Rights Protocol agents, their tokens, accepted envelopes and requests (src/modules/drp/drp.table.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("drp_agents")
    .addColumn("agent_id", "text", (c) => c.primaryKey().check(sql`agent_id ~ '^[A-Z0-9_]{1,100}$'`))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("verify_key", "text", (c) => c.notNull())
    .addColumn("web_url", "text")
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('active', 'disabled')`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("disabled_at", "timestamptz")
    .execute();
  await db.schema
    .createTable("drp_agent_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("agent_id", "text", (c) => c.notNull().references("drp_agents.agent_id"))
    .addColumn("issued_at", "timestamptz", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("drp_agent_tokens_agent").on("drp_agent_tokens").column("agent_id").execute();
  await db.schema
    .createTable("drp_envelopes")
    .addColumn("digest", "text", (c) => c.primaryKey())
    .addColumn("agent_id", "text", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("drp_envelopes_expiry").on("drp_envelopes").column("expires_at").execute();
  await db.schema
    .createTable("drp_requests")
    .addColumn("request_id", "uuid", (c) => c.primaryKey())
    .addColumn("agent_id", "text", (c) => c.notNull().references("drp_agents.agent_id"))
    .addColumn("agent_request_id", "text")
    .addColumn("status_callback", "text")
    .addColumn("exercise", "text", (c) => c.notNull())
    .addColumn("not_covered", "boolean", (c) => c.notNull())
    .addColumn("received_at", "timestamptz", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("drp_requests").execute();
  await db.schema.dropTable("drp_envelopes").execute();
  await db.schema.dropTable("drp_agent_tokens").execute();
  await db.schema.dropTable("drp_agents").execute();
}
