import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendAudit, CHAINED_IN_SQL } from "../../src/audit/append.ts";
import type { AuditEvent } from "../../src/audit/audit.events.ts";
import { verifyAudit } from "../../src/audit/verify.ts";
import { GENESIS_HASH, rowHash } from "../../src/audit/hash.ts";
import { readRowPage } from "../../src/audit/audit.repository.ts";
import type { Store } from "../../src/store/store.ts";
import { freshStore, testStoreKind } from "../harness/store.ts";
import { decisionEvent, firstAnchor } from "./helpers.ts";

let store: Store;
beforeEach(async () => {
  store = await freshStore();
});
afterEach(() => store.close());

describe(`appendAudit (${testStoreKind})`, () => {
  it("numbers rows from 1 and chains each to the one before, starting from the genesis hash", async () => {
    const rows = await store.db
      .transaction()
      .execute((trx) => appendAudit(trx, [1, 2, 3].map(decisionEvent)));
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    expect(rows[2]!.prevHash).toBe(rows[1]!.hash);
    const more = await store.db.transaction().execute((trx) => appendAudit(trx, [decisionEvent(4)]));
    expect(more[0]).toMatchObject({ seq: 4, prevHash: rows[2]!.hash });
  });

  it("stores rows that read back to the same hash (dates, key order and undefined survive the round trip)", async () => {
    const event = decisionEvent(1);
    const odd = {
      ...event,
      payload: { ...event.payload, z: undefined, a: new Date(0) },
    } as unknown as typeof event;
    const [written] = await store.db.transaction().execute((trx) => appendAudit(trx, [odd]));
    const [read] = await readRowPage(store.db, await firstAnchor(store.db), 0, 10, 10);
    expect(read).toEqual(written);
    expect(rowHash(read!.prevHash, read!)).toBe(read!.hash);
    expect(read!.payload).toMatchObject({ a: "1970-01-01T00:00:00.000Z" });
  });

  it("chains a small batch in the database and a large one in Node, by the same formula", async () => {
    // Text outside ASCII, control characters and a surrogate pair in what is hashed: the database
    // hashes the UTF-8 bytes of the encoding Node sends, as Node does.
    const odd = (n: number): AuditEvent => {
      const event = decisionEvent(n);
      const payload = { ...event.payload, note: 'naïve \t\u0001 😀 "quoted" \\ back', n };
      return { ...event, actor: `staff:Zoë-東京-${n}`, payload } as AuditEvent;
    };
    const small = Array.from({ length: CHAINED_IN_SQL }, (_, i) => odd(i + 1));
    const large = Array.from({ length: CHAINED_IN_SQL + 1 }, (_, i) => odd(CHAINED_IN_SQL + i + 1));
    const first = await store.db.transaction().execute((trx) => appendAudit(trx, small));
    const second = await store.db.transaction().execute((trx) => appendAudit(trx, large));
    const third = await store.db.transaction().execute((trx) => appendAudit(trx, [odd(99)]));
    const written = [...first, ...second, ...third];
    const read = await readRowPage(store.db, await firstAnchor(store.db), 0, 100, 100);
    expect(read).toEqual(written);
    expect(read.map((r) => r.seq)).toEqual(read.map((_, i) => i + 1));
    for (const [i, row] of read.entries()) {
      expect(row.prevHash).toBe(i === 0 ? GENESIS_HASH : read[i - 1]!.hash);
      expect(rowHash(row.prevHash, row)).toBe(row.hash);
    }
    const head = await store.db
      .selectFrom("audit_head")
      .select(["seq", "hash"])
      .where("seq", ">", 0)
      .execute();
    expect(head.map((h) => [Number(h.seq), h.hash])).toEqual([[read.length, read.at(-1)!.hash]]);
    const report = await verifyAudit(store.db, null);
    expect(report).toMatchObject({ ok: true, checked: read.length, problems: [] });
  });

  it("appenders in parallel queue on the head: one unbroken chain, every row once", async () => {
    // On PostgreSQL each transaction has its own connection, so they wait on the head's lock and
    // each chains after the row the one before it committed.
    const sizes = Array.from({ length: 24 }, (_, i) => 1 + (i % 3));
    let n = 0;
    const batches = sizes.map((size) => Array.from({ length: size }, () => decisionEvent(++n)));
    const written = await Promise.all(
      batches.map((events) => store.db.transaction().execute((trx) => appendAudit(trx, events))),
    );
    const read = await readRowPage(store.db, await firstAnchor(store.db), 0, 100, 100);
    expect(read.map((r) => r.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(new Set(read.map((r) => r.actor + r.at.toISOString())).size).toBe(n);
    for (const rows of written) {
      // A batch's rows are consecutive: no other transaction's row between them.
      rows.forEach((row, i) => i > 0 && expect(row.seq).toBe(rows[i - 1]!.seq + 1));
    }
    expect(await verifyAudit(store.db, null)).toMatchObject({ ok: true, checked: n, problems: [] });
  });

  it("commits with the caller's transaction and vanishes with its rollback", async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        await appendAudit(trx, [decisionEvent(1)]);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await readRowPage(store.db, await firstAnchor(store.db), 0, 10, 10)).toEqual([]);
    const heads = await store.db.selectFrom("audit_head").select(["seq", "hash"]).execute();
    expect(heads.map((h) => [Number(h.seq), h.hash])).toEqual(heads.map(() => [0, GENESIS_HASH]));
  });

  it("refuses UPDATE, DELETE and TRUNCATE on the log", async () => {
    await store.db.transaction().execute((trx) => appendAudit(trx, [decisionEvent(1)]));
    await expect(sql`update audit_log set actor = 'x'`.execute(store.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(store.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(store.db)).rejects.toThrow(/append-only/);
  });
});
