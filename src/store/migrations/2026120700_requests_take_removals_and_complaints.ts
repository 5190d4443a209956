import { sql, type Kysely } from "kysely";

/**
 * Removal requests (Z16-14, Z19-06) and privacy complaints (ZM-12) become rights requests of the
 * kinds `list_removal` and `complaint`: one state machine, one history, one queue. Each keeps its
 * own data beside its request: a removal its match digest (blind indexes only), a complaint its
 * encrypted message. Every row and every move is carried over:
 *
 * - removal `queued` is `verified` (waiting in its queue), `applied` is `fulfilled`, with the count
 *   of people it matched as the result; received, verified and applied are three moves;
 * - complaint `open` is `verified`, `in_progress` stays, `resolved` is `fulfilled`, `rejected` is
 *   `denied` with the reason `other`; the opening is two moves (received, verified), the others
 *   one each; the version a client holds for If-Match stays valid;
 * - a complaint that came by mail has the intake `mail`; a request that stores nothing encrypted
 *   (a list removal) has no data key.
 *
 * Neither kind had a clock before. A carried-over request that is still open gets the clock of
 * Pledge's default law (`none`) from the day it was received: 15 business days for a removal,
 * taken here as three weeks, and 45 days for a complaint; the due date shown is computed from
 * the law each time it is read, the stored one orders the queue.
 */
const INTAKES_BEFORE = ["customer", "public", "staff", "agent"];
const INTAKES = [...INTAKES_BEFORE, "mail"];

const oneOf = (column: string, values: readonly string[]) =>
  sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;

/** The request state a complaint status is now. */
const complaintState = (column: string) => sql`case ${sql.ref(column)}
  when 'open' then 'verified' when 'in_progress' then 'in_progress'
  when 'resolved' then 'fulfilled' when 'rejected' then 'denied' end`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table rights_requests alter column key_id drop not null`.execute(db);
  await sql`alter table rights_requests drop constraint rights_requests_intake_check`.execute(db);
  await sql`alter table rights_requests add constraint rights_requests_intake_check check (${oneOf("intake", INTAKES)})`.execute(
    db,
  );

  // Removal requests. (A store with none, as every new one, has nothing to carry over.)
  if (await hasRows(db, "removal_requests")) await carryOverRemovals(db);
  await db.schema
    .createTable("list_removal_digests")
    .addColumn("request_id", "uuid", (c) => c.primaryKey().references("rights_requests.request_id"))
    .addColumn("fields", "text", (c) => c.notNull())
    .addColumn("email_index", "text")
    .addColumn("postal_index", "text")
    .addColumn("first_name_index", "text")
    .addColumn("last_name_index", "text")
    .addColumn("zip_index", "text")
    .execute();
  await sql`insert into list_removal_digests
    select request_id, fields, email_index, postal_index, first_name_index, last_name_index, zip_index
    from removal_requests`.execute(db);
  await db.schema.dropTable("removal_requests").execute();

  // Privacy complaints.
  if (await hasRows(db, "privacy_complaints")) await carryOverComplaints(db);
  await db.schema.dropTable("privacy_complaint_moves").execute();
  await db.schema.dropIndex("privacy_complaints_status").execute();
  for (const column of ["status", "version", "source", "updated_at"])
    await db.schema.alterTable("privacy_complaints").dropColumn(column).execute();
  await sql`alter table privacy_complaints add constraint privacy_complaints_request
    foreign key (complaint_id) references rights_requests (request_id)`.execute(db);
}

async function hasRows(db: Kysely<unknown>, table: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (select 1 from ${sql.table(table)}) as found`.execute(db);
  return rows[0]?.found === true;
}

async function carryOverRemovals(db: Kysely<unknown>): Promise<void> {
  await sql`insert into rights_requests (request_id, kind, state, version, intake, subject_id,
      key_id, email_index, jurisdiction, law, queue, received_at, due_at, due_date, paused_ms,
      result, closed_at, updated_at)
    select request_id, 'list_removal',
      case status when 'applied' then 'fulfilled' else 'verified' end,
      case status when 'applied' then 3 else 2 end,
      'staff', null, null, email_index, jurisdiction, 'none', queue, received_at,
      case status when 'applied' then null else received_at + interval '21 days' end,
      case status when 'applied' then null
        else to_char((received_at + interval '21 days') at time zone 'UTC', 'YYYY-MM-DD') end,
      0,
      case status when 'applied' then '{"matched":' || coalesce(matched, 0) || '}' end,
      applied_at, coalesce(applied_at, received_at)
    from removal_requests`.execute(db);
  await sql`insert into rights_request_moves (request_id, seq, from_state, to_state, actor, at, reason)
    select request_id, 1, null, 'received', received_by, received_at, null from removal_requests
    union all
    select request_id, 2, 'received', 'verified', received_by, received_at, null from removal_requests
    union all
    select request_id, 3, 'verified', 'fulfilled', coalesce(applied_by, 'system'), applied_at, null
      from removal_requests where status = 'applied'`.execute(db);
}

async function carryOverComplaints(db: Kysely<unknown>): Promise<void> {
  await sql`insert into rights_requests (request_id, kind, state, version, intake, subject_id,
      key_id, email_index, jurisdiction, law, queue, received_at, due_at, due_date, paused_ms,
      denial_reason, closed_at, updated_at)
    select c.complaint_id, 'complaint', ${complaintState("c.status")}, c.version,
      case c.source when 'inbound-mail' then 'mail' else 'staff' end,
      c.subject_id, c.key_id, c.from_index, s.jurisdiction, 'none', 'customer-service', c.received_at,
      case when c.status in ('open', 'in_progress') then c.received_at + interval '45 days' end,
      case when c.status in ('open', 'in_progress')
        then to_char((c.received_at + interval '45 days') at time zone 'UTC', 'YYYY-MM-DD') end,
      0,
      case c.status when 'rejected' then 'other' end,
      case when c.status in ('resolved', 'rejected') then c.updated_at end,
      c.updated_at
    from privacy_complaints c left join subjects s on s.subject_id = c.subject_id`.execute(db);
  await sql`insert into rights_request_moves (request_id, seq, from_state, to_state, actor, at, reason)
    select complaint_id, 1, null, 'received', actor, at, null from privacy_complaint_moves where seq = 1
    union all
    select complaint_id, 2, 'received', 'verified', actor, at, null from privacy_complaint_moves where seq = 1
    union all
    select complaint_id, seq + 1, ${complaintState("from_status")}, ${complaintState("to_status")}, actor, at,
      case to_status when 'rejected' then 'other' end
      from privacy_complaint_moves where seq > 1`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error(
    "2026120700 moved removal requests and complaints onto rights requests; restore a backup to go back",
  );
}
