/**
 * Audit verify (`verifyAudit`, what `pledge audit verify` runs) against a raw SHA-256 loop over
 * the same rows in the same run. Both read the log the same way, chain by chain in keyset pages of
 * 10,000 rows (`anchor = chain and seq > after order by seq limit n`) from the same store; the peer then hashes each row's prev
 * hash and its fields as plain JSON, with no canonical encoding, no chain or numbering checks and
 * no checkpoint walk. The ratio is Pledge's rows per second over the peer's, the median of
 * adjacent rounds. Goal: ≥ 0.8×.
 *
 * The log is filled through the audit writer (group commit), BENCH_AUDIT_VERIFY_ROWS rows
 * (default 200,000), on PostgreSQL in a throwaway schema when a server answers, else on PGlite.
 * When a Citus coordinator answers (CITUS_URL, default 127.0.0.1:9700), the same is measured
 * there too, with the events spread over 50,000 people and so over every chain: verify checks
 * the chains four at a time, the peer reads them one after the other.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql, type Kysely } from "kysely";
import type { AuditEvent } from "../src/audit/audit.events.ts";
import { verifyAudit } from "../src/audit/verify.ts";
import { createAuditWriter } from "../src/audit/writer.ts";
import { openStore } from "../src/store/connection.ts";
import type { Database } from "../src/store/database.ts";
import { migrate } from "../src/store/migrate.ts";
import type { Store } from "../src/store/store.ts";
import { median, printResults, timeIt, type BenchResult } from "./lib.ts";

const ROWS = Number(process.env.BENCH_AUDIT_VERIFY_ROWS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_AUDIT_VERIFY_ROUNDS ?? 5);
const PAGE = 10_000;
const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const CITUS_URL = process.env.CITUS_URL ?? "postgres://postgres@127.0.0.1:9700/postgres";

/** 50,000 people: their events spread over every chain of a Citus store. */
const PEOPLE = Array.from({ length: 50_000 }, () => randomUUID());

function event(n: number, spread: boolean): AuditEvent {
  return {
    type: "decision",
    at: new Date(),
    actor: `api-key:${n % 10}`,
    subjectId: spread ? PEOPLE[n % PEOPLE.length]! : `subj-${n % 50_000}`,
    payload: {
      outcome: n % 7 === 0 ? "deny" : "allow",
      purpose: "marketing.communications.email",
      action: "send",
      recipient: null,
      clauses: ["PS-05", "PS-07"],
      policy: { company: "zmailcloud", version: "2026-01" },
      fields: ["user.contact.email", "user.name.first"],
      removed: [],
    },
  };
}

async function fill(store: Store, spread: boolean): Promise<void> {
  const writer = createAuditWriter(store.db, { maxBatch: 2_000 });
  for (let done = 0; done < ROWS; done += 20_000) {
    const n = Math.min(20_000, ROWS - done);
    await Promise.all(Array.from({ length: n }, (_, i) => writer.append(event(done + i, spread))));
  }
  await writer.close();
}

/** The peer: the same pages, chain by chain, each row's bytes hashed once. Returns the rows hashed. */
async function rawLoop(db: Kysely<Database>): Promise<number> {
  let hashed = 0;
  const chains = await db.selectFrom("audit_head").select("anchor").orderBy("id").execute();
  for (const { anchor } of chains) hashed += await rawChain(db, anchor);
  return hashed;
}

async function rawChain(db: Kysely<Database>, anchor: string): Promise<number> {
  let after = 0;
  let hashed = 0;
  for (;;) {
    const { rows } = await sql<{
      seq: string;
      at: Date;
      type: string;
      actor: string;
      subject_id: string | null;
      payload: unknown;
      prev_hash: string;
    }>`select seq, at, type, actor, subject_id, payload, prev_hash from audit_log where anchor = ${anchor} and seq > ${after} order by seq limit ${PAGE}`.execute(
      db,
    );
    for (const r of rows) {
      const fields = JSON.stringify([r.at.toISOString(), r.type, r.actor, r.subject_id, r.payload]);
      createHash("sha256").update(r.prev_hash).update("\n").update(fields).digest("hex");
    }
    hashed += rows.length;
    if (rows.length < PAGE) return hashed;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

async function measure(label: string, store: Store, spread = false): Promise<BenchResult> {
  await migrate(store);
  await fill(store, spread);
  const pledge: number[] = [];
  const peer: number[] = [];
  const pledgeRound = async () => {
    let checked = 0;
    const ms = await timeIt(async () => {
      const report = await verifyAudit(store.db, null, { pageSize: PAGE });
      if (!report.ok) throw new Error(`verify found problems: ${report.problems[0]?.kind}`);
      checked = report.checked;
    });
    if (checked !== ROWS) throw new Error(`verify checked ${checked} rows of ${ROWS}`);
    pledge.push((checked / ms) * 1000);
  };
  const peerRound = async () => {
    let hashed = 0;
    const ms = await timeIt(async () => {
      hashed = await rawLoop(store.db);
    });
    peer.push((hashed / ms) * 1000);
  };
  await pledgeRound(); // warm up both
  await peerRound();
  pledge.length = 0;
  peer.length = 0;
  for (let r = 0; r < ROUNDS; r += 1) {
    if (r % 2 === 0) {
      await pledgeRound();
      await peerRound();
    } else {
      await peerRound();
      await pledgeRound();
    }
  }
  const ratio = median(pledge.map((p, i) => p / peer[i]!));
  return {
    name: `audit verify, ${ROWS.toLocaleString("en-US")} rows (${label})`,
    value: median(pledge),
    unit: "rows/s",
    peer: "the same pages + one SHA-256 per row",
    peerValue: median(peer),
    ratio,
    goal: "≥ 0.8× peer",
    pass: ratio >= 0.8,
  };
}

/** `measure` on PostgreSQL (or Citus) at `url` in a throwaway schema; null when no server answers. */
async function inSchema(url: string, label: string, spread: boolean): Promise<BenchResult | null> {
  const schema = `bench_verify_${randomBytes(6).toString("hex")}`;
  let store: Store;
  try {
    store = await openStore({ kind: "postgres", url, schema, poolSize: 4 });
    await sql`select 1`.execute(store.db);
  } catch {
    return null;
  }
  try {
    return await measure(label, store, spread);
  } finally {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
    await store.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const pg = await inSchema(PG_URL, "PostgreSQL", false);
  if (pg === null) {
    console.log(`audit verify: PostgreSQL at ${PG_URL} does not answer: measured on PGlite`);
    const pglite = await openStore({ kind: "pglite", dataDir: null });
    try {
      results.push(await measure("PGlite in memory", pglite));
    } finally {
      await pglite.close();
    }
  } else results.push(pg);
  const citus = await inSchema(CITUS_URL, "Citus, 2 workers, a chain per shard", true);
  if (citus === null) console.log(`audit verify: no Citus coordinator at ${CITUS_URL}: not measured there`);
  else results.push(citus);
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  printResults(await run());
}
