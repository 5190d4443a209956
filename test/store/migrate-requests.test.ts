import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listComplaints } from "../../src/modules/complaints/complaints.service.ts";
import { listRemovals } from "../../src/modules/removal/removal.service.ts";
import { migrate } from "../../src/store/migrate.ts";
import type { Store } from "../../src/store/store.ts";
import { migrationsBefore } from "./migrations-before.ts";
import { freshEmptyStore, testStoreKind } from "../harness/store.ts";

/**
 * 2026120700 moves removal requests and privacy complaints onto rights requests. A store holding
 * both, as the migrations before it made them, keeps every request, every move and every status.
 */
const BEFORE = "2026120700";
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const RECEIVED = new Date("2026-11-30T10:00:00.000Z");
const LATER = new Date("2026-12-01T09:30:00.000Z");

let store: Store;
let before: ReturnType<typeof migrationsBefore> | undefined;

beforeAll(async () => {
  store = await freshEmptyStore();
  before = migrationsBefore(BEFORE);
  await migrate(store, before.dir);
  const db = store.db;
  await sql`insert into removal_requests (request_id, queue, status, fields, jurisdiction, email_index,
      postal_index, first_name_index, last_name_index, zip_index, matched, received_at, received_by,
      applied_at, applied_by) values
    (${id(1)}, 'infosec', 'queued', 'email', 'EU', 'idx-email-1', null, null, null, null, null,
      ${RECEIVED}, 'staff:cs-1', null, null),
    (${id(2)}, 'customer-service', 'applied', 'first_name,last_name,postal_address,zip', 'US', null,
      'idx-postal-2', 'idx-first-2', 'idx-last-2', 'idx-zip-2', 1, ${RECEIVED}, 'staff:cs-1',
      ${RECEIVED}, 'staff:cs-1')`.execute(db);
  await sql`insert into privacy_complaints (complaint_id, status, version, source, subject_id, key_id,
      from_index, from_enc, subject_enc, text_enc, resolution_enc, received_at, updated_at) values
    (${id(3)}, 'open', 1, 'inbound-mail', null, ${id(3)}, 'idx-from-3', 'c-from', 'c-subject', 'c-text',
      null, ${RECEIVED}, ${RECEIVED}),
    (${id(4)}, 'resolved', 3, 'staff', null, ${id(4)}, null, 'c-from', 'c-subject', 'c-text', 'c-note',
      ${RECEIVED}, ${LATER}),
    (${id(5)}, 'rejected', 2, 'staff', null, ${id(5)}, null, 'c-from', 'c-subject', 'c-text', 'c-note',
      ${RECEIVED}, ${LATER})`.execute(db);
  await sql`insert into privacy_complaint_moves (complaint_id, seq, from_status, to_status, actor, at) values
    (${id(3)}, 1, null, 'open', 'system:inbound-mail', ${RECEIVED}),
    (${id(4)}, 1, null, 'open', 'staff:s-1', ${RECEIVED}),
    (${id(4)}, 2, 'open', 'in_progress', 'staff:s-1', ${RECEIVED}),
    (${id(4)}, 3, 'in_progress', 'resolved', 'staff:s-2', ${LATER}),
    (${id(5)}, 1, null, 'open', 'staff:s-1', ${RECEIVED}),
    (${id(5)}, 2, 'open', 'rejected', 'staff:s-1', ${LATER})`.execute(db);
  expect((await migrate(store)).ran).toContain("2026120700_requests_take_removals_and_complaints");
});

afterAll(async () => {
  await store?.close();
  before?.remove();
});

const requestsOf = (ids: string[]) =>
  store.db
    .selectFrom("rights_requests")
    .select(["request_id", "kind", "state", "version", "intake", "queue", "key_id", "denial_reason"])
    .select((eb) => [eb.ref("closed_at").as("closed_at"), eb.ref("due_at").as("due_at")])
    .where("request_id", "in", ids)
    .orderBy("request_id")
    .execute();

const movesOf = async (requestId: string) =>
  (
    await store.db
      .selectFrom("rights_request_moves")
      .select(["seq", "from_state", "to_state", "actor", "reason"])
      .where("request_id", "=", requestId)
      .orderBy("seq")
      .execute()
  ).map((m) => `${m.seq} ${m.from_state ?? "-"}>${m.to_state} ${m.actor}${m.reason ? ` ${m.reason}` : ""}`);

describe(`moving removals and complaints onto rights requests (${testStoreKind})`, () => {
  it("removal requests: queued is verified and clocked, applied is fulfilled with its count; digests kept", async () => {
    const rows = await requestsOf([id(1), id(2)]);
    expect(rows).toMatchObject([
      {
        kind: "list_removal",
        state: "verified",
        version: 2,
        intake: "staff",
        queue: "infosec",
        key_id: null,
      },
      { kind: "list_removal", state: "fulfilled", version: 3, intake: "staff", queue: "customer-service" },
    ]);
    expect(rows[0]!.due_at).not.toBeNull();
    expect(rows[1]).toMatchObject({ due_at: null });
    expect(new Date(rows[1]!.closed_at!).toISOString()).toBe(RECEIVED.toISOString());
    expect(await movesOf(id(2))).toEqual([
      "1 ->received staff:cs-1",
      "2 received>verified staff:cs-1",
      "3 verified>fulfilled staff:cs-1",
    ]);
    const digests = await store.db
      .selectFrom("list_removal_digests")
      .selectAll()
      .orderBy("request_id")
      .execute();
    expect(digests).toEqual([
      {
        request_id: id(1),
        fields: "email",
        email_index: "idx-email-1",
        postal_index: null,
        first_name_index: null,
        last_name_index: null,
        zip_index: null,
      },
      {
        request_id: id(2),
        fields: "first_name,last_name,postal_address,zip",
        email_index: null,
        postal_index: "idx-postal-2",
        first_name_index: "idx-first-2",
        last_name_index: "idx-last-2",
        zip_index: "idx-zip-2",
      },
    ]);
    expect(await listRemovals(store.db, "customer-service", 10)).toMatchObject([
      { id: id(2), status: "applied", matched: 1, appliedAt: RECEIVED.toISOString() },
    ]);
    expect(await listRemovals(store.db, "infosec", 10)).toMatchObject([{ id: id(1), status: "queued" }]);
  });

  it("complaints: each status is its request state, its version and its history kept, its message beside it", async () => {
    expect(await requestsOf([id(3), id(4), id(5)])).toMatchObject([
      {
        kind: "complaint",
        state: "verified",
        version: 1,
        intake: "mail",
        key_id: id(3),
        denial_reason: null,
      },
      { kind: "complaint", state: "fulfilled", version: 3, intake: "staff", key_id: id(4), due_at: null },
      { kind: "complaint", state: "denied", version: 2, intake: "staff", denial_reason: "other" },
    ]);
    expect(await movesOf(id(4))).toEqual([
      "1 ->received staff:s-1",
      "2 received>verified staff:s-1",
      "3 verified>in_progress staff:s-1",
      "4 in_progress>fulfilled staff:s-2",
    ]);
    expect(await movesOf(id(5))).toEqual([
      "1 ->received staff:s-1",
      "2 received>verified staff:s-1",
      "3 verified>denied staff:s-1 other",
    ]);
    const now = new Date("2026-12-02T00:00:00.000Z");
    expect(await listComplaints(store.db, now, { status: "unresolved", limit: 10 })).toMatchObject([
      { id: id(3), status: "open", source: "inbound-mail", version: 1, ageDays: 1 },
    ]);
    expect(await listComplaints(store.db, now, { status: "rejected", limit: 10 })).toMatchObject([
      { id: id(5), status: "rejected" },
    ]);
    const message = await store.db
      .selectFrom("privacy_complaints")
      .selectAll()
      .where("complaint_id", "=", id(4))
      .executeTakeFirstOrThrow();
    expect(message).toMatchObject({ from_enc: "c-from", text_enc: "c-text", resolution_enc: "c-note" });
    expect(Object.keys(message)).not.toContain("status");
  });

  it("the old tables are gone", async () => {
    for (const table of ["removal_requests", "privacy_complaint_moves"]) {
      const { rows } = await sql<{ t: string | null }>`select to_regclass(${table})::text as t`.execute(
        store.db,
      );
      expect(rows[0]?.t ?? null, table).toBeNull();
    }
  });
});
