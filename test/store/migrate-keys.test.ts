import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/store/migrate.ts";
import type { Store } from "../../src/store/store.ts";
import { freshEmptyStore, testOnCitus } from "../harness/store.ts";
import { migrationsBefore } from "./migrations-before.ts";

/**
 * 2026121100 gives every key of a person's table the subject id and moves the two uniqueness rules
 * that span people into tables of their own. A store an earlier version made has the old keys:
 * they are rebuilt, its rows kept, and its emails and customer numbers claimed.
 */
const MIGRATION = "2026121100";
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const AT = new Date("2026-12-01T09:30:00.000Z");

let store: Store;
let before: ReturnType<typeof migrationsBefore> | undefined;

/** The tables whose primary key 2026121100 rebuilds, each with the column it used to be alone. */
const REKEYED = [
  ["campaign_messages", "message_id"],
  ["customer_sessions", "id_hash"],
  ["customer_devices", "id_hash"],
  ["unsubscribe_tokens", "token_id"],
  ["fraud_holds", "hold_id"],
  ["legal_holds", "hold_id"],
] as const;

beforeAll(async () => {
  if (testOnCitus) return;
  store = await freshEmptyStore();
  before = migrationsBefore(MIGRATION);
  await migrate(store, before.dir);
  const db = store.db;
  // The keys as an earlier version made them.
  await sql`alter table deliverability_events drop constraint deliverability_events_message,
    drop constraint deliverability_events_once`.execute(db);
  for (const [table, column] of REKEYED) {
    await sql`alter table ${sql.table(table)} drop constraint ${sql.id(`${table}_pk`)},
      add primary key (${sql.id(column)})`.execute(db);
  }
  await sql`alter table deliverability_events
    add constraint deliverability_events_once unique (message_id, kind),
    add foreign key (message_id) references campaign_messages (message_id) on delete cascade`.execute(db);
  await sql`alter table subjects add unique (customer_number)`.execute(db);
  await sql`create unique index subject_identities_unique on subject_identities (kind, blind_index)
    where kind in ('email', 'phone')`.execute(db);

  // Two people: one with an email, a phone and a postal address, one with only a customer number.
  await sql`insert into subjects (subject_id, status, customer_number) values
    (${id(1)}, 'customer', 'C-0001'), (${id(2)}, 'customer', 'C-0002'), (${id(3)}, 'former', null)`.execute(
    db,
  );
  await sql`insert into subject_identities (subject_id, kind, blind_index, value_enc) values
    (${id(1)}, 'email', 'idx-email-1', 'c'), (${id(1)}, 'phone', 'idx-phone-1', 'c'),
    (${id(1)}, 'postal', 'idx-postal-1', 'c'), (${id(2)}, 'postal', 'idx-postal-1', 'c')`.execute(db);
  await sql`insert into customer_accounts (subject_id, password_hash, password_changed_at)
    values (${id(1)}, 'h', ${AT})`.execute(db);
  await sql`insert into customer_sessions (id_hash, subject_id, created_at, expires_at)
    values ('session-hash', ${id(1)}, ${AT}, ${AT})`.execute(db);

  await migrate(store);
});

afterAll(async () => {
  await store?.close();
  before?.remove();
});

async function keyOf(constraint: string): Promise<string | null> {
  const { rows } = await sql<{ def: string }>`
    select pg_get_constraintdef(oid) as def from pg_constraint
    where conname = ${constraint} and connamespace = current_schema()::regnamespace`.execute(store.db);
  return rows[0]?.def ?? null;
}

// The old keys never existed on Citus: it refuses a key without the distribution column.
describe.skipIf(testOnCitus)("2026121100 on a store an earlier version made", () => {
  it("rebuilds every key of a person's table to lead with the subject id", async () => {
    for (const [table, column] of REKEYED) {
      expect(await keyOf(`${table}_pk`)).toBe(`PRIMARY KEY (subject_id, ${column})`);
      expect(await keyOf(`${table}_pkey`)).toBeNull();
    }
    expect(await keyOf("deliverability_events_once")).toBe("UNIQUE (subject_id, message_id, kind)");
    expect(await keyOf("deliverability_events_message")).toMatch(
      /^FOREIGN KEY \(subject_id, message_id\) REFERENCES campaign_messages\(subject_id, message_id\)/,
    );
    expect(await keyOf("subjects_customer_number_key")).toBeNull();
  });

  it("keeps the rows and claims each email, phone and customer number for its holder", async () => {
    const sessions = await sql<{ n: number }>`select count(*) as n from customer_sessions`.execute(store.db);
    expect(sessions.rows[0]?.n).toBe(1);
    const claims = await sql`select blind_index, kind, subject_id from identity_claims order by kind`.execute(
      store.db,
    );
    expect(claims.rows).toEqual([
      { blind_index: "idx-email-1", kind: "email", subject_id: id(1) },
      { blind_index: "idx-phone-1", kind: "phone", subject_id: id(1) },
    ]);
    const numbers = await sql`select customer_number, subject_id from customer_numbers order by 1`.execute(
      store.db,
    );
    expect(numbers.rows).toEqual([
      { customer_number: "C-0001", subject_id: id(1) },
      { customer_number: "C-0002", subject_id: id(2) },
    ]);
  });

  it("still refuses a second person with a claimed email, now through the claims", async () => {
    await expect(
      sql`insert into identity_claims (blind_index, kind, subject_id) values ('idx-email-1', 'email', ${id(2)})`.execute(
        store.db,
      ),
    ).rejects.toMatchObject({ code: "23505" });
  });
});
