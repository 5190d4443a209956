/**
 * Durable audited appends on a Citus cluster of two workers against the same on one node, in the
 * same run. An audited append is what every audited write does: a transaction that appends one
 * event about a person (`appendAudit`) and commits. CLIENTS transactions run at once, each about a
 * new person, BENCH_AUDIT_CLUSTER_TX in all.
 *
 * - Pledge: the Citus coordinator (CITUS_URL, default 127.0.0.1:9700) with the store's tables
 *   distributed, one audit chain per shard: each append locks its person's chain on its node.
 * - Peer: the same transactions on one PostgreSQL node (DATABASE_URL, default 127.0.0.1:5432),
 *   whose log is one chain. Goal: ≥ 1.5× the peer's appends per second.
 * - Also measured on the cluster: every event in chain 1 (events about no person), the one head
 *   row every append waited for before the log had a chain per shard.
 *
 * On one machine the coordinator, both workers, the plain server and the load share its cores,
 * so this measures the design's cost and contention, not the added hardware of a real cluster.
 */
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { appendAudit } from "../src/audit/append.ts";
import type { AuditEvent } from "../src/audit/audit.events.ts";
import { openStore } from "../src/store/connection.ts";
import { migrate } from "../src/store/migrate.ts";
import type { Store } from "../src/store/store.ts";
import { median, printResults, timeIt, type BenchResult } from "./lib.ts";

const TX = Number(process.env.BENCH_AUDIT_CLUSTER_TX ?? 2_000);
const CLIENTS = Number(process.env.BENCH_AUDIT_CLUSTER_CLIENTS ?? 16);
const ROUNDS = Number(process.env.BENCH_AUDIT_CLUSTER_ROUNDS ?? 3);
const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const CITUS_URL = process.env.CITUS_URL ?? "postgres://postgres@127.0.0.1:9700/postgres";

function event(subjectId: string | null): AuditEvent {
  return {
    type: "decision",
    at: new Date(),
    actor: "staff:bench",
    subjectId,
    payload: {
      outcome: "allow",
      purpose: "essential.service.order_fulfilment",
      action: "read",
      recipient: null,
      clauses: ["PS-05"],
      policy: { company: "zmailcloud", version: "2026-01" },
      fields: ["user.contact.email"],
      removed: [],
    },
  };
}

/** TX audited transactions, CLIENTS at a time; returns committed appends per second. */
async function appendsPerSecond(store: Store, aboutPeople: boolean): Promise<number> {
  let next = 0;
  const client = async () => {
    while (next < TX) {
      next++;
      const e = event(aboutPeople ? randomUUID() : null);
      await store.db.transaction().execute((trx) => appendAudit(trx, [e]));
    }
  };
  const ms = await timeIt(() => Promise.all(Array.from({ length: CLIENTS }, client)));
  return (TX / ms) * 1000;
}

async function schemaStore(url: string): Promise<{ store: Store; drop(): Promise<void> }> {
  const schema = `bench_cluster_${randomBytes(6).toString("hex")}`;
  const store = await openStore({ kind: "postgres", url, schema, poolSize: CLIENTS });
  await migrate(store);
  return {
    store,
    async drop() {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
      await store.close();
    },
  };
}

export async function run(): Promise<BenchResult[]> {
  let cluster: Awaited<ReturnType<typeof schemaStore>>;
  try {
    cluster = await schemaStore(CITUS_URL);
  } catch (error) {
    console.log(
      `audit cluster: no Citus coordinator at ${CITUS_URL} (${(error as Error).message}): not measured`,
    );
    return [];
  }
  const single = await schemaStore(PG_URL);
  try {
    const { rows } = await sql<{ chains: number; workers: number }>`
      select (select count(*)::int from audit_head) as chains,
             (select count(*)::int from pg_dist_node where noderole = 'primary' and groupid > 0) as workers`.execute(
      cluster.store.db,
    );
    const shape = `${rows[0]!.workers} workers, ${rows[0]!.chains} chains`;
    await appendsPerSecond(cluster.store, true); // warm up
    await appendsPerSecond(single.store, true);
    const spread: number[] = [];
    const oneChain: number[] = [];
    const node: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      node.push(await appendsPerSecond(single.store, true));
      spread.push(await appendsPerSecond(cluster.store, true));
      oneChain.push(await appendsPerSecond(cluster.store, false));
    }
    const vsNode = median(spread.map((s, i) => s / node[i]!));
    const vsOneChain = median(spread.map((s, i) => s / oneChain[i]!));
    return [
      {
        name: `audited appends, Citus ${shape} (${CLIENTS} clients)`,
        value: median(spread),
        unit: "appends/s",
        peer: "one PostgreSQL node",
        peerValue: median(node),
        ratio: vsNode,
        goal: "≥ 1.5× one node",
        pass: vsNode >= 1.5,
      },
      {
        name: `audited appends, Citus, chain per shard vs one chain`,
        value: median(spread),
        unit: "appends/s",
        peer: "every append in chain 1",
        peerValue: median(oneChain),
        ratio: vsOneChain,
        goal: "> 1× one chain",
        pass: vsOneChain > 1,
      },
    ];
  } finally {
    await cluster.drop();
    await single.drop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  printResults(await run());
}
