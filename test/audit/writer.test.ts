import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendAudit } from "../../src/audit/append.ts";
import { verifyAudit } from "../../src/audit/verify.ts";
import { createAuditWriter } from "../../src/audit/writer.ts";
import type { Store } from "../../src/store/store.ts";
import { freshStore, testStoreKind } from "../harness/store.ts";
import { decisionEvent } from "./helpers.ts";

let store: Store;
beforeEach(async () => {
  store = await freshStore();
});
afterEach(() => store.close());

describe(`AuditWriter group commit (${testStoreKind})`, () => {
  it("writes many concurrent appends as one chain in far fewer commits", async () => {
    const commits: number[] = [];
    const writer = createAuditWriter(store.db, { maxBatch: 100, onCommit: (n) => commits.push(n) });
    const rows = await Promise.all(
      Array.from({ length: 500 }, (_, i) => writer.append(decisionEvent(i + 1))),
    );
    await writer.close();
    expect(rows.map((r) => r.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 500 }, (_, i) => i + 1),
    );
    expect(commits.reduce((a, b) => a + b, 0)).toBe(500);
    expect(Math.max(...commits)).toBeLessThanOrEqual(100);
    expect(commits.length).toBeLessThanOrEqual(10);
    expect(await verifyAudit(store.db, null)).toEqual({ ok: true, checked: 500, problems: [] });
  });

  it("resolves only once the row is committed and visible to every other connection", async () => {
    const writer = createAuditWriter(store.db);
    const seen = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const row = await writer.append(decisionEvent(i + 1));
        const found = await store.db
          .selectFrom("audit_log")
          .select("hash")
          .where("seq", "=", row.seq)
          .executeTakeFirst();
        return found?.hash === row.hash;
      }),
    );
    await writer.close();
    expect(seen.every(Boolean)).toBe(true);
  });

  it("interleaves with other writers and in-transaction appends into a single chain", async () => {
    const a = createAuditWriter(store.db, { maxBatch: 7 });
    const b = createAuditWriter(store.db, { maxBatch: 13 });
    const work: Promise<unknown>[] = [];
    for (let i = 1; i <= 120; i++) {
      if (i % 3 === 0) work.push(a.append(decisionEvent(i)));
      else if (i % 3 === 1) work.push(b.append(decisionEvent(i)));
      else work.push(store.db.transaction().execute((trx) => appendAudit(trx, [decisionEvent(i)])));
    }
    await Promise.all(work);
    await Promise.all([a.close(), b.close()]);
    const report = await verifyAudit(store.db, null);
    expect(report).toEqual({ ok: true, checked: 120, problems: [] });
  });

  it("writes again under lock when the head it remembers was moved by another appender", async () => {
    const writer = createAuditWriter(store.db);
    expect((await writer.append(decisionEvent(1))).seq).toBe(1);
    // Moves the head behind the writer's back: its remembered head is now stale.
    await store.db.transaction().execute((trx) => appendAudit(trx, [decisionEvent(2)]));
    const third = await writer.append(decisionEvent(3));
    expect(third.seq).toBe(3);
    expect((await writer.append(decisionEvent(4))).prevHash).toBe(third.hash);
    await writer.close();
    expect(await verifyAudit(store.db, null)).toEqual({ ok: true, checked: 4, problems: [] });
  });

  it("rejects every event of a failed commit and keeps working afterwards", async () => {
    const writer = createAuditWriter(store.db);
    const bad = { ...decisionEvent(1), at: new Date(Number.NaN) };
    const results = await Promise.allSettled([writer.append(decisionEvent(1)), writer.append(bad)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    await expect(writer.append(decisionEvent(2))).resolves.toMatchObject({ seq: 1 });
    await writer.close();
    await expect(writer.append(decisionEvent(3))).rejects.toThrow(/closed/);
  });
});
