/**
 * Durable audit append with group commit against the same code committing once per record.
 * Many concurrent appenders go through an AuditWriter; a promise resolves only after the commit
 * that holds its row. The peer is the same writer with maxBatch 1 (one commit per record).
 * Measured on a PGlite data directory in a temp dir, and on PostgreSQL when DATABASE_URL (or the
 * local test server) answers. Goal: ≥ 10× the appends per second of one commit per record.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import type { AuditEvent } from "../src/audit/audit.events.ts";
import { createAuditWriter } from "../src/audit/writer.ts";
import { openStore } from "../src/store/connection.ts";
import { migrate } from "../src/store/migrate.ts";
import type { Store } from "../src/store/store.ts";
import { printResults, timeIt, type BenchResult } from "./lib.ts";

const GROUPED = Number(process.env.BENCH_AUDIT_EVENTS ?? 5000);
const SINGLE = Number(process.env.BENCH_AUDIT_SINGLE_EVENTS ?? 500);
const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

function event(n: number): AuditEvent {
  return {
    type: "decision",
    at: new Date(),
    actor: `api-key:${n % 10}`,
    subjectId: `subj-${n}`,
    payload: {
      outcome: "allow",
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

/** Appends `count` events all at once through a writer; returns appends per second. */
async function appendsPerSecond(store: Store, count: number, maxBatch: number): Promise<number> {
  const writer = createAuditWriter(store.db, { maxBatch });
  const ms = await timeIt(() =>
    Promise.all(Array.from({ length: count }, (_, i) => writer.append(event(i)))),
  );
  await writer.close();
  return (count / ms) * 1000;
}

async function measure(label: string, store: Store): Promise<BenchResult> {
  await migrate(store);
  await appendsPerSecond(store, 200, 1000); // warm up
  const single = await appendsPerSecond(store, SINGLE, 1);
  const grouped = await appendsPerSecond(store, GROUPED, 1000);
  const ratio = grouped / single;
  return {
    name: `audit append, durable, group commit (${label})`,
    value: grouped,
    unit: "appends/s",
    peer: "one commit per record",
    peerValue: single,
    ratio,
    goal: "≥ 10×",
    pass: ratio >= 10,
  };
}

async function onPGlite(): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "pledge-bench-audit-"));
  const store = await openStore({ kind: "pglite", dataDir: path.join(dir, "db") });
  try {
    return await measure("PGlite data dir", store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PostgreSQL in a throwaway schema, or null when no server answers. */
async function onPostgres(): Promise<BenchResult | null> {
  const schema = `bench_${randomBytes(6).toString("hex")}`;
  let store: Store;
  try {
    store = await openStore({ kind: "postgres", url: PG_URL, schema, poolSize: 4 });
  } catch {
    return null;
  }
  try {
    const { rows } = await sql<{ fsync: string; sc: string }>`
      select current_setting('fsync') as fsync, current_setting('synchronous_commit') as sc`.execute(
      store.db,
    );
    return await measure(`PostgreSQL, fsync ${rows[0]?.fsync}, synchronous_commit ${rows[0]?.sc}`, store);
  } finally {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
    await store.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const results = [await onPGlite()];
  const pg = await onPostgres();
  if (pg !== null) results.push(pg);
  else console.log("audit: PostgreSQL not reachable, measured PGlite only");
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  printResults(await run());
}
