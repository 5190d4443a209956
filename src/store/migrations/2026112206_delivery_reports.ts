import { sql, type Kysely } from "kysely";

// Relays report deliveries too: a `delivered` report settles a message a crash left `uncertain`
// (the relay's word that it took the message), so it is never sent again.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table deliverability_events drop constraint deliverability_events_kind_check`.execute(db);
  await sql`alter table deliverability_events add constraint deliverability_events_kind_check
    check (kind in ('bounce', 'complaint', 'delivered'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from deliverability_events where kind = 'delivered'`.execute(db);
  await sql`alter table deliverability_events drop constraint deliverability_events_kind_check`.execute(db);
  await sql`alter table deliverability_events add constraint deliverability_events_kind_check
    check (kind in ('bounce', 'complaint'))`.execute(db);
}
