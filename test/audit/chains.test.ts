import { createHash, generateKeyPairSync, randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditEvent } from "../../src/audit/audit.events.ts";
import { appendAudit, readHeads } from "../../src/audit/append.ts";
import { checkAgainstNote } from "../../src/audit/checkpoint.verify.ts";
import { checkpoint } from "../../src/audit/checkpoint.ts";
import {
  chainLayout,
  chainOfSubject,
  chainsFor,
  forgetChainLayout,
  INT32_MAX,
  INT32_MIN,
  uuidHash,
  type Chain,
} from "../../src/audit/chains.ts";
import { rowHash } from "../../src/audit/hash.ts";
import { headsRoot } from "../../src/audit/merkle.ts";
import { NoteError, noteSignedBy, parseNote } from "../../src/audit/note.ts";
import { verifyAudit } from "../../src/audit/verify.ts";
import { createAuditWriter } from "../../src/audit/writer.ts";
import type { Database } from "../../src/store/database.ts";
import type { Store } from "../../src/store/store.ts";
import { CITUS_TEST_SHARDS, freshStore, testOnCitus, testStoreKind } from "../harness/store.ts";
import { decisionEvent, tamper } from "./helpers.ts";

/**
 * An audit log of several chains, on every engine: a PGlite or PostgreSQL store is given four
 * chains over the ranges Citus would give four shards; a Citus test store has them already (one
 * per shard of `subjects`).
 */
const CHAINS = 4;

/** The ranges Citus gives `n` shards of a hash-distributed table. */
function citusRanges(n: number): { low: number; high: number }[] {
  const step = Math.floor(2 ** 32 / n);
  return Array.from({ length: n }, (_, i) => ({
    low: INT32_MIN + i * step,
    high: i === n - 1 ? INT32_MAX : INT32_MIN + (i + 1) * step - 1,
  }));
}

/** Gives an empty log `n` chains, as `pledge migrate` does on a Citus store of `n` shards. */
async function useChains(db: Kysely<Database>, n: number): Promise<void> {
  if (testOnCitus) return; // already one per shard
  await sql`delete from audit_head`.execute(db);
  for (const c of chainsFor(citusRanges(n))) {
    await sql`insert into audit_head (id, anchor, low, high, seq, hash)
      values (${c.chain}, ${c.anchor}, ${c.low}, ${c.high}, 0, ${"0".repeat(64)})`.execute(db);
  }
  forgetChainLayout(db);
}

const at = new Date("2026-03-01T00:00:00.000Z");
const event = (subjectId: string | null, n = 0): AuditEvent => ({ ...decisionEvent(n + 1), subjectId });

/** A subject id whose events go to `chain`. */
function subjectIn(chains: readonly Chain[], chain: number): string {
  for (;;) {
    const id = randomUUID();
    if (chainOfSubject(chains, id)?.chain === chain) return id;
  }
}

let store: Store;
let chains: readonly Chain[];
beforeEach(async () => {
  store = await freshStore();
  await useChains(store.db, CHAINS);
  chains = await chainLayout(store.db);
});
afterEach(() => store.close());

describe("the chain of a subject", () => {
  it("uuidHash is PostgreSQL's uuid_hash, the value Citus places rows by", async () => {
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const { rows } = await sql<{ id: string; h: number }>`
      select id::text as id, uuid_hash(id) as h from unnest(${ids}::uuid[]) as id`.execute(store.db);
    expect(rows.map((r) => uuidHash(r.id))).toEqual(rows.map((r) => r.h));
  });

  it("each chain's anchor lies in its own range, and the layout is the same on every store", () => {
    const layout = chainsFor(citusRanges(7));
    for (const c of layout) {
      const h = uuidHash(c.anchor);
      expect(h >= c.low && h <= c.high, `chain ${c.chain}`).toBe(true);
    }
    expect(chainsFor(citusRanges(7))).toEqual(layout);
    expect(layout.map((c) => c.chain)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("a person's events go to the chain of their range; ids that are not uuids name no chain", () => {
    expect(chains).toHaveLength(testOnCitus ? CITUS_TEST_SHARDS : CHAINS);
    for (let i = 0; i < 50; i++) {
      const id = randomUUID();
      const c = chainOfSubject(chains, id)!;
      expect(uuidHash(id)).toBeGreaterThanOrEqual(c.low);
      expect(uuidHash(id)).toBeLessThanOrEqual(c.high);
    }
    expect(chainOfSubject(chains, "subj-1")).toBeNull();
    expect(chainOfSubject(chains, null)).toBeNull();
  });
});

describe(`an audit log of several chains (${testStoreKind})`, () => {
  it("one transaction about two people writes to both chains, each numbered on its own; an event about no one joins the first person's chain", async () => {
    const a = subjectIn(chains, 2);
    const b = subjectIn(chains, 3);
    const rows = await store.db
      .transaction()
      .execute((trx) => appendAudit(trx, [event(a, 1), event(null, 2), event(b, 3), event(a, 4)]));
    expect(rows.map((r) => [r.chain, r.seq])).toEqual([
      [2, 1],
      [2, 2],
      [3, 1],
      [2, 3],
    ]);
    const more = await store.db.transaction().execute((trx) => appendAudit(trx, [event(null, 5)]));
    expect(more.map((r) => [r.chain, r.seq])).toEqual([[1, 1]]);
    const heads = await readHeads(store.db);
    expect(heads.map((h) => [h.chain, h.seq])).toEqual(
      chains.map((c) => [c.chain, { 1: 1, 2: 3, 3: 1 }[c.chain] ?? 0]),
    );
    expect(await verifyAudit(store.db, null)).toEqual({ ok: true, checked: 5, problems: [] });
  });

  it("the writer spreads a batch over the chains and every row lands in its person's chain", async () => {
    const writer = createAuditWriter(store.db, { maxBatch: 50 });
    const people = Array.from({ length: 40 }, () => randomUUID());
    const rows = await Promise.all(people.map((id, i) => writer.append(event(id, i))));
    await writer.close();
    rows.forEach((row, i) => expect(row.chain).toBe(chainOfSubject(chains, people[i]!)!.chain));
    const stored = await store.db.selectFrom("audit_log").select(["chain", "anchor", "subject_id"]).execute();
    for (const r of stored) {
      const own = chainOfSubject(chains, r.subject_id)!;
      expect([r.chain, r.anchor]).toEqual([own.chain, own.anchor]);
    }
    expect(new Set(rows.map((r) => r.chain)).size).toBeGreaterThan(1);
    expect(await verifyAudit(store.db, null, { pageSize: 3 })).toEqual({
      ok: true,
      checked: 40,
      problems: [],
    });
  });

  it.skipIf(testStoreKind === "pglite")(
    "an appender holding one chain's head does not hold up appends to another chain",
    async () => {
      const a = subjectIn(chains, 1);
      const b = subjectIn(chains, 2);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holder = store.db.transaction().execute(async (trx) => {
        await appendAudit(trx, [event(a, 1)]);
        locked();
        await held; // chain 1's head stays locked until the other append is in
      });
      await isLocked;
      const other = await store.db.transaction().execute((trx) => appendAudit(trx, [event(b, 2)]));
      expect(other.map((r) => r.chain)).toEqual([2]);
      release();
      await holder;
      expect(await verifyAudit(store.db, null)).toMatchObject({ ok: true, checked: 2 });
    },
  );
});

describe(`checkpoints over several chains (${testStoreKind})`, () => {
  const keys = generateKeyPairSync("ed25519");
  const signer = {
    privateKey: keys.privateKey,
    keyId: createHash("sha256")
      .update(keys.publicKey.export({ type: "spki", format: "der" }))
      .digest("hex")
      .slice(0, 16),
  };

  async function seed(): Promise<string[]> {
    const people = [1, 2, 3].map((c) => subjectIn(chains, c));
    for (let i = 0; i < 9; i++) {
      await store.db.transaction().execute((trx) => appendAudit(trx, [event(people[i % 3]!, i)]));
    }
    return people;
  }

  it("commit to every chain's head: the note names each, its size is their sum, its hash their Merkle root", async () => {
    await seed();
    const cp = await checkpoint(store.db, signer, at, "pledge.test/audit");
    const note = parseNote(cp.note);
    const heads = await readHeads(store.db);
    expect(note.heads).toEqual(heads.map(({ chain, seq, hash }) => ({ chain, seq, hash })));
    expect(note.heads!.map((h) => h.seq)).toEqual(chains.map((c) => ({ 1: 4, 2: 3, 3: 3 })[c.chain] ?? 0));
    expect(cp.seq).toBe(10);
    expect(note.size).toBe(10);
    expect(cp.hash).toBe(headsRoot(note.heads!));
    expect(noteSignedBy(note, keys.publicKey)).toBe(true);
    expect(await verifyAudit(store.db, keys.publicKey)).toEqual({ ok: true, checked: 10, problems: [] });
    expect(await checkAgainstNote(store.db, note)).toEqual([]);
  });

  it("a row of chain 3 rewritten with the rest of its chain after the checkpoint is named, in chain 3", async () => {
    await seed();
    await checkpoint(store.db, signer, at, "pledge.test/audit");
    const three = chains[2]!;
    const rows = await store.db
      .selectFrom("audit_log")
      .selectAll()
      .where("anchor", "=", three.anchor)
      .orderBy("seq")
      .execute();
    let prev = rows[0]!.hash;
    const statements = [sql`delete from audit_log where anchor = ${three.anchor} and seq >= 2`];
    for (const row of rows.slice(1)) {
      const forged = {
        at: row.at,
        type: row.type,
        actor: row.seq === 2 ? "staff:forged" : row.actor,
        subjectId: row.subject_id,
        payload: row.payload,
      };
      const hash = rowHash(prev, forged);
      statements.push(sql`insert into audit_log (chain, anchor, seq, at, type, actor, subject_id, payload, prev_hash, hash)
        values (3, ${three.anchor}, ${row.seq}, ${row.at}, ${row.type}, ${forged.actor}, ${row.subject_id},
                ${JSON.stringify(row.payload)}, ${prev}, ${hash})`);
      prev = hash;
    }
    statements.push(sql`update audit_head set hash = ${prev} where anchor = ${three.anchor}`);
    await tamper(store.db, ...statements);
    const report = await verifyAudit(store.db, keys.publicKey);
    expect(report.problems).toEqual([
      { chain: 3, seq: 3, kind: "checkpoint_mismatch", detail: expect.stringMatching(/^signed hash/) },
    ]);
  });

  it("a note kept outside finds chain 2 cut back with its head and the checkpoints deleted, which verify alone does not", async () => {
    await seed();
    const cp = await checkpoint(store.db, signer, at, "pledge.test/audit");
    const two = chains[1]!;
    const [first] = await store.db
      .selectFrom("audit_log")
      .select("hash")
      .where("anchor", "=", two.anchor)
      .where("seq", "=", 1)
      .execute();
    await tamper(
      store.db,
      sql`delete from audit_log where anchor = ${two.anchor} and seq > 1`,
      sql`update audit_head set seq = 1, hash = ${first!.hash} where anchor = ${two.anchor}`,
      sql`delete from audit_checkpoints`,
    );
    expect(await verifyAudit(store.db, keys.publicKey)).toMatchObject({ ok: true });
    expect(await checkAgainstNote(store.db, parseNote(cp.note))).toEqual([
      {
        chain: 2,
        seq: 2,
        kind: "truncated",
        detail: "the log has 1 rows, the checkpoint committed to 3",
      },
    ]);
  });

  it("a note whose chain lines do not add up to its size or root is not a checkpoint", async () => {
    await seed();
    const cp = await checkpoint(store.db, signer, at, "pledge.test/audit");
    const lines = cp.note.split("\n");
    const forgedSize = [lines[0], "9", ...lines.slice(2)].join("\n");
    expect(() => parseNote(forgedSize)).toThrow(
      new NoteError("the tree size is not the sum of the chains' heads"),
    );
    const forgedHead = cp.note.replace(/^chain 2 3 /m, "chain 2 2 ");
    expect(() => parseNote(forgedHead)).toThrow(NoteError);
  });
});

describe("the Merkle root of the heads", () => {
  const head = (chain: number) => ({
    chain,
    seq: chain * 10,
    hash: createHash("sha256").update(`h${chain}`).digest("hex"),
  });
  const leaf = (chain: number) => {
    const h = head(chain);
    return createHash("sha256")
      .update(Buffer.of(0))
      .update(`pledge-audit-head/1 ${h.chain} ${h.seq} ${h.hash}`)
      .digest();
  };
  const node = (l: Buffer, r: Buffer) =>
    createHash("sha256").update(Buffer.of(1)).update(l).update(r).digest();

  it("is RFC 6962's tree hash: three leaves split two and one", () => {
    expect(headsRoot([head(1), head(2), head(3)])).toBe(
      node(node(leaf(1), leaf(2)), leaf(3)).toString("hex"),
    );
  });

  it("of one chain is that chain's head hash, as a log of one chain has always signed", () => {
    expect(headsRoot([head(1)])).toBe(head(1).hash);
  });
});

describe.skipIf(!testOnCitus)("on Citus", () => {
  it("audit_head and audit_log are distributed beside subjects: a person's chain is on their shard", async () => {
    const { rows: placed } = await sql<{ table: string; colocated: boolean }>`
      select logicalrelid::text as table,
             colocationid = (select colocationid from pg_dist_partition where logicalrelid = 'subjects'::regclass) as colocated
      from pg_dist_partition where logicalrelid in ('audit_head'::regclass, 'audit_log'::regclass)
      order by 1`.execute(store.db);
    expect(placed).toEqual([
      { table: "audit_head", colocated: true },
      { table: "audit_log", colocated: true },
    ]);
    for (let i = 0; i < 20; i++) {
      const id = randomUUID();
      const { rows } = await sql<{ same: boolean }>`
        select get_shard_id_for_distribution_column('subjects', ${id}::uuid)
             - (select min(shardid) from pg_dist_shard where logicalrelid = 'subjects'::regclass)
             = get_shard_id_for_distribution_column('audit_log', ${chainOfSubject(chains, id)!.anchor}::uuid)
             - (select min(shardid) from pg_dist_shard where logicalrelid = 'audit_log'::regclass) as same`.execute(
        store.db,
      );
      expect(rows[0]!.same).toBe(true);
    }
  });
});
