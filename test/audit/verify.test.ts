import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRowPage } from "../../src/audit/audit.repository.ts";
import { rowHash } from "../../src/audit/hash.ts";
import { verifyAudit } from "../../src/audit/verify.ts";
import type { Store } from "../../src/store/store.ts";
import { freshStore, testStoreKind } from "../harness/store.ts";
import { decisionEvent, firstAnchor, hashedFields, IN_CHAIN_1, seedLog, tamper } from "./helpers.ts";

let store: Store;
beforeEach(async () => {
  store = await freshStore();
  await seedLog(store.db, 12);
});
afterEach(() => store.close());

/** Verify with pages of 5 rows, so windows and page edges are exercised. */
const check = () => verifyAudit(store.db, null, { pageSize: 5 });

async function rowAt(seq: number) {
  const [row] = await readRowPage(store.db, await firstAnchor(store.db), seq - 1, seq, 1);
  if (row === undefined) throw new Error(`no row ${seq}`);
  return row;
}

describe(`verifyAudit (${testStoreKind})`, () => {
  it("passes an untouched log, streaming it page by page", async () => {
    expect(await check()).toEqual({ ok: true, checked: 12, problems: [] });
  });

  it("edited: an UPDATE of one payload names that row", async () => {
    await tamper(
      store.db,
      sql`update audit_log set payload = jsonb_set(payload, '{outcome}', '"allow"') where seq = 5`,
    );
    const report = await check();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { ...IN_CHAIN_1, seq: 5, kind: "edited", detail: expect.stringMatching(/content/) },
    ]);
  });

  it("edited: a row rewritten with a recomputed hash is named by the broken link after it", async () => {
    const row = await rowAt(6);
    const forged = { ...row, actor: "staff:forged" };
    await tamper(
      store.db,
      sql`update audit_log set actor = ${forged.actor}, hash = ${rowHash(row.prevHash, forged)} where seq = 6`,
    );
    const report = await check();
    expect(report.problems.map((p) => [p.seq, p.kind])).toEqual([[6, "edited"]]);
  });

  it("deleted: a DELETE of a middle row names the missing seq", async () => {
    await tamper(store.db, sql`delete from audit_log where seq = 7`);
    const report = await check();
    expect(report.problems).toEqual([
      { ...IN_CHAIN_1, seq: 7, kind: "deleted", detail: expect.stringMatching(/row 7 is missing/) },
    ]);
  });

  it("inserted: a forged row slipped in (later rows renumbered) names the forged seq", async () => {
    const before = await rowAt(4);
    const forged = { ...hashedFields(decisionEvent(99)), seq: 5, prevHash: before.hash };
    const hash = rowHash(before.hash, forged);
    await tamper(
      store.db,
      sql`update audit_log set seq = -seq where seq >= 5`,
      sql`update audit_log set seq = -seq + 1 where seq < 0`,
      sql`insert into audit_log (chain, anchor, seq, at, type, actor, subject_id, payload, prev_hash, hash)
          values (1, ${await firstAnchor(store.db)}, 5, ${forged.at}, ${forged.type}, ${forged.actor}, ${forged.subjectId},
                  ${JSON.stringify(forged.payload)}, ${forged.prevHash}, ${hash})`,
      sql`update audit_head set seq = seq + 1 where id = 1`,
    );
    const report = await check();
    expect(report.problems.map((p) => [p.seq, p.kind])).toEqual([[5, "inserted"]]);
  });

  it("inserted: a forged row appended past the head names that seq", async () => {
    const last = await rowAt(12);
    const forged = { ...hashedFields(decisionEvent(99)), prevHash: last.hash };
    await tamper(
      store.db,
      sql`insert into audit_log (chain, anchor, seq, at, type, actor, subject_id, payload, prev_hash, hash)
          values (1, ${await firstAnchor(store.db)}, 13, ${forged.at}, ${forged.type}, ${forged.actor}, ${forged.subjectId},
                  ${JSON.stringify(forged.payload)}, ${last.hash}, ${rowHash(last.hash, forged)})`,
    );
    const report = await check();
    expect(report.problems.map((p) => [p.seq, p.kind])).toEqual([[13, "inserted"]]);
  });

  it("moved: two rows whose seq were swapped are both named", async () => {
    await tamper(
      store.db,
      sql`update audit_log set seq = -2 where seq = 2`,
      sql`update audit_log set seq = 2 where seq = 3`,
      sql`update audit_log set seq = 3 where seq = -2`,
    );
    const report = await check();
    expect(report.problems.map((p) => [p.seq, p.kind])).toEqual([
      [2, "moved"],
      [3, "moved"],
    ]);
  });

  it("moved: a swap across a page boundary (rows 5 | 6) is still named", async () => {
    await tamper(
      store.db,
      sql`update audit_log set seq = -5 where seq = 5`,
      sql`update audit_log set seq = 5 where seq = 6`,
      sql`update audit_log set seq = 6 where seq = -5`,
    );
    const report = await check();
    expect(report.problems.map((p) => [p.seq, p.kind])).toEqual([
      [5, "moved"],
      [6, "moved"],
    ]);
  });

  it("truncated: rows cut from the end are found against the head row", async () => {
    await tamper(store.db, sql`delete from audit_log where seq > 10`);
    const report = await check();
    expect(report.problems.map((p) => [p.seq, p.kind])).toEqual([[11, "truncated"]]);
  });
});
