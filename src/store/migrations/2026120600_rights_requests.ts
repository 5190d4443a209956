import { sql, type Kysely } from "kysely";

// The closed lists as this migration made them (src/modules/requests/requests.ts): a later
// migration that adds a value changes its check.
const REQUEST_KINDS = [
  "access", "portable_export", "correction", "deletion", "opt_out_sale", "opt_out_sharing",
  "opt_out_channel", "opt_out_catalogues", "limit_sensitive", "disclosure_report", "list_removal",
  "complaint",
]; // prettier-ignore
const REQUEST_STATES = [
  "received", "identity_unverified", "verified", "in_progress", "waiting_on_person", "extended",
  "fulfilled", "partially_fulfilled", "denied", "revoked", "expired",
]; // prettier-ignore
const REQUEST_INTAKES = ["customer", "public", "staff", "agent"];
const DENIAL_REASONS = [
  "suspected_fraud", "insuf_verification", "no_match", "claim_not_covered",
  "outside_jurisdiction", "too_many_requests", "legal_hold", "other",
]; // prettier-ignore

const oneOf = (column: string, values: readonly string[]) =>
  sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;

/** Rights requests, their moves, their links and their notices (src/modules/requests). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("rights_requests")
    .addColumn("request_id", "uuid", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull().check(oneOf("kind", REQUEST_KINDS)))
    .addColumn("state", "text", (c) => c.notNull().check(oneOf("state", REQUEST_STATES)))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("intake", "text", (c) => c.notNull().check(oneOf("intake", REQUEST_INTAKES)))
    .addColumn("subject_id", "uuid")
    .addColumn("key_id", "uuid", (c) => c.notNull())
    .addColumn("email_index", "text")
    .addColumn("claimant_enc", "text")
    .addColumn("details_enc", "text")
    .addColumn("contact_enc", "text")
    .addColumn("jurisdiction", "text")
    .addColumn("law", "text", (c) => c.notNull())
    .addColumn("queue", "text", (c) => c.notNull())
    .addColumn("received_at", "timestamptz", (c) => c.notNull())
    .addColumn("due_at", "timestamptz")
    .addColumn("due_date", "text")
    .addColumn("acknowledge_by", "timestamptz")
    .addColumn("extended_at", "timestamptz")
    .addColumn("extension_reason", "text")
    .addColumn("paused_ms", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("paused_since", "timestamptz")
    .addColumn("denial_reason", "text", (c) => c.check(oneOf("denial_reason", DENIAL_REASONS)))
    .addColumn("assignee", "text")
    .addColumn("agent_id", "text")
    .addColumn("agent_request_id", "text")
    .addColumn("status_callback", "text")
    .addColumn("result", "text")
    .addColumn("closed_at", "timestamptz")
    .addColumn("updated_at", "timestamptz", (c) => c.notNull())
    .execute();
  // The queue: open requests by due date.
  await sql`create index rights_requests_open_due on rights_requests (due_at, request_id) where closed_at is null`.execute(
    db,
  );
  // A repeated request: the open one of the same kind for the same person or address.
  await sql`create index rights_requests_open_subject on rights_requests (subject_id, kind) where closed_at is null`.execute(
    db,
  );
  await sql`create index rights_requests_open_email on rights_requests (email_index, kind) where closed_at is null`.execute(
    db,
  );
  await db.schema
    .createIndex("rights_requests_agent")
    .on("rights_requests")
    .columns(["agent_id", "request_id"])
    .execute();
  await db.schema
    .createTable("rights_request_moves")
    .addColumn("request_id", "uuid", (c) => c.notNull().references("rights_requests.request_id"))
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("from_state", "text")
    .addColumn("to_state", "text", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addColumn("reason", "text")
    .addPrimaryKeyConstraint("rights_request_moves_pk", ["request_id", "seq"])
    .execute();
  await db.schema
    .createTable("request_links")
    .addColumn("link_id", "text", (c) => c.primaryKey())
    .addColumn("request_id", "uuid", (c) => c.notNull().references("rights_requests.request_id"))
    .addColumn("purpose", "text", (c) => c.notNull().check(sql`purpose in ('verify', 'download')`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("used_at", "timestamptz")
    .execute();
  await db.schema
    .createTable("request_notices")
    .addColumn("notice_id", "bigserial", (c) => c.primaryKey())
    .addColumn("request_id", "uuid", (c) => c.notNull().references("rights_requests.request_id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("sent_at", "timestamptz")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`create index request_notices_pending on request_notices (notice_id) where sent_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("request_notices").execute();
  await db.schema.dropTable("request_links").execute();
  await db.schema.dropTable("rights_request_moves").execute();
  await db.schema.dropTable("rights_requests").execute();
}
