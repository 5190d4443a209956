import { generateKeyPairSync, sign } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit } from "../../src/audit/append.ts";
import { checkAgainstNote } from "../../src/audit/checkpoint.verify.ts";
import { checkpointMessage } from "../../src/audit/checkpoint.ts";
import { auditLogFilter, readAuditLog } from "../../src/audit/log.read.ts";
import { GENESIS_HASH, rowHash } from "../../src/audit/hash.ts";
import { parseNote, signNote } from "../../src/audit/note.ts";
import { verifyAudit } from "../../src/audit/verify.ts";
import { migrate } from "../../src/store/migrate.ts";
import type { Store } from "../../src/store/store.ts";
import { decisionEvent, hashedFields } from "../audit/helpers.ts";
import { freshEmptyStore, testStoreKind } from "../harness/store.ts";
import { migrationsBefore } from "./migrations-before.ts";

/**
 * 2026121200 turns the audit log into chains (one on a single node, one per shard on Citus). A log
 * an earlier version wrote, with a checkpoint signed then, becomes chain 1: it still verifies,
 * its old signed note still holds, and the next append continues its chain.
 */
const keys = generateKeyPairSync("ed25519");
/** A person whose chain is not chain 1 on a store of four chains (a Citus test store). */
const PERSON = "0b7c1e52-8a41-4c3e-9a57-1f3d5e7a9b21";
const at = new Date("2026-12-01T00:00:00.000Z");
let store: Store;
let before: ReturnType<typeof migrationsBefore>;
let note: string;
let lastHash: string;

beforeAll(async () => {
  store = await freshEmptyStore();
  before = migrationsBefore("2026121200");
  await migrate(store, before.dir);
  // Five rows (the last about a person, by uuid) and a checkpoint at row 5, as the earlier
  // version wrote them.
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= 5; seq++) {
    const row = hashedFields({ ...decisionEvent(seq), ...(seq === 5 ? { subjectId: PERSON } : {}) });
    const hash = rowHash(prev, row);
    await sql`insert into audit_log (seq, at, type, actor, subject_id, payload, prev_hash, hash)
      values (${seq}, ${row.at}, ${row.type}, ${row.actor}, ${row.subjectId}, ${JSON.stringify(row.payload)},
              ${prev}, ${hash})`.execute(store.db);
    prev = hash;
  }
  lastHash = prev;
  await sql`update audit_head set seq = 5, hash = ${prev} where id = 1`.execute(store.db);
  note = signNote({ origin: "pledge.test/audit", size: 5, hash: prev }, keys.privateKey);
  const signature = sign(null, checkpointMessage(5, prev, at), keys.privateKey).toString("base64");
  await sql`insert into audit_checkpoints (seq, hash, at, key_id, signature, note)
    values (5, ${prev}, ${at}, 'earlier', ${signature}, ${note})`.execute(store.db);
  await migrate(store);
});
afterAll(async () => {
  await store.close();
  before.remove();
});

describe(`2026121200 on a log an earlier version wrote (${testStoreKind})`, () => {
  it("the earlier rows are chain 1 and still verify, with their checkpoint", async () => {
    const rows = await store.db.selectFrom("audit_log").select(["chain", "seq"]).orderBy("seq").execute();
    expect(rows.map((r) => [r.chain, Number(r.seq)])).toEqual([1, 2, 3, 4, 5].map((n) => [1, n]));
    expect(await verifyAudit(store.db, keys.publicKey)).toEqual({ ok: true, checked: 5, problems: [] });
    expect(await checkAgainstNote(store.db, parseNote(note))).toEqual([]);
  });

  it("the person's earlier events are still listed when the log is asked about them", async () => {
    const filter = auditLogFilter({ subjectId: PERSON });
    const rows = await readAuditLog(store.db, filter, { after: null, limit: 10 });
    expect(rows.map((r) => [r.chain, r.seq])).toEqual([[1, 5]]);
  });

  it("the next append continues chain 1 from the earlier head", async () => {
    const [row] = await store.db.transaction().execute((trx) => appendAudit(trx, [decisionEvent(6)]));
    expect(row).toMatchObject({ chain: 1, seq: 6, prevHash: lastHash });
    expect(await verifyAudit(store.db, keys.publicKey)).toMatchObject({ ok: true, checked: 6 });
  });
});
