import { sql, type Kysely } from "kysely";
import { distributeByValue } from "../citus.ts";

// Every key of a table about a person now includes `subject_id`, so each table distributes by
// person (src/store/citus.ts, docs/citus.md). Two uniqueness rules span people and move into
// tables of their own, keyed (and, on Citus, distributed) by the unique value and written in the
// same transaction as the row they guard:
// - `customer_numbers`: a customer number names one person;
// - `identity_claims`: an email or phone number belongs to one person (a postal address may be
//   shared by a household, so it is not claimed).
//
// The migrations that create the tables already give new stores these keys. A store made by an
// earlier version has the old ones; they are rebuilt here, each only where it is still found.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_numbers")
    .addColumn("customer_number", "text", (c) => c.primaryKey())
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .execute();
  await distributeByValue(db, "customer_numbers", "customer_number");
  await sql`insert into customer_numbers (customer_number, subject_id)
    select customer_number, subject_id from subjects where customer_number is not null`.execute(db);

  await db.schema
    .createTable("identity_claims")
    .addColumn("blind_index", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('email', 'phone')`))
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .addPrimaryKeyConstraint("identity_claims_pk", ["blind_index", "kind"])
    .execute();
  await distributeByValue(db, "identity_claims", "blind_index");
  await sql`insert into identity_claims (blind_index, kind, subject_id)
    select blind_index, kind, subject_id from subject_identities where kind in ('email', 'phone')`.execute(
    db,
  );

  await rebuildEarlierKeys(db);
}

async function rebuildEarlierKeys(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subjects drop constraint if exists subjects_customer_number_key`.execute(db);
  await sql`drop index if exists subject_identities_unique`.execute(db);

  const oldDeliverability = await hasConstraint(db, "deliverability_events_message_id_fkey");
  if (oldDeliverability) {
    await sql`alter table deliverability_events drop constraint deliverability_events_message_id_fkey`.execute(
      db,
    );
    await sql`alter table deliverability_events drop constraint deliverability_events_once`.execute(db);
  }
  for (const [table, columns] of [
    ["campaign_messages", "subject_id, message_id"],
    ["customer_sessions", "subject_id, id_hash"],
    ["customer_devices", "subject_id, id_hash"],
    ["unsubscribe_tokens", "subject_id, token_id"],
    ["fraud_holds", "subject_id, hold_id"],
    ["legal_holds", "subject_id, hold_id"],
  ] as const) {
    if (!(await hasConstraint(db, `${table}_pkey`))) continue;
    await sql`alter table ${sql.table(table)} drop constraint ${sql.id(`${table}_pkey`)}`.execute(db);
    await sql`alter table ${sql.table(table)}
      add constraint ${sql.id(`${table}_pk`)} primary key (${sql.raw(columns)})`.execute(db);
  }
  if (oldDeliverability) {
    await sql`alter table deliverability_events
      add constraint deliverability_events_once unique (subject_id, message_id, kind)`.execute(db);
    await sql`alter table deliverability_events
      add constraint deliverability_events_message foreign key (subject_id, message_id)
        references campaign_messages (subject_id, message_id) on delete cascade`.execute(db);
  }
  // Lookups by the id alone (a message id in a provider's report, a token in a link, a hold id in
  // a staff URL) keep an index of their own.
  await sql`drop index if exists campaign_messages_subject`.execute(db);
  await sql`drop index if exists unsubscribe_tokens_subject`.execute(db);
  await sql`create index if not exists campaign_messages_message on campaign_messages (message_id)`.execute(
    db,
  );
  await sql`create index if not exists unsubscribe_tokens_token on unsubscribe_tokens (token_id)`.execute(db);
  await sql`create index if not exists fraud_holds_hold on fraud_holds (hold_id)`.execute(db);
  await sql`create index if not exists legal_holds_hold on legal_holds (hold_id)`.execute(db);
}

async function hasConstraint(db: Kysely<unknown>, name: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (
      select 1 from pg_constraint
      where conname = ${name} and connamespace = current_schema()::regnamespace
    ) as found`.execute(db);
  return rows[0]?.found === true;
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("identity_claims").execute();
  await db.schema.dropTable("customer_numbers").execute();
}
