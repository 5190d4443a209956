/**
 * The staff queue of rights requests (docs/requests.md): 100k open requests (BENCH_REQUESTS to
 * change) and 20k closed ones, paged 50 at a time by due date through `listRequests` (the SQL,
 * the clock of each request computed in process under the pack's calendar, the presenter), on
 * the first page, on pages after a random position (the cursor), and filtered by kind and by
 * `overdue`. The peer, in the same run, is a hand-written keyset query for the same page that
 * returns the rows as they are. Goal: p95 ≤ 50 ms per page. PGlite, or PostgreSQL when
 * DATABASE_URL is set (schema bench_requests, made fresh each run).
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { sql } from "kysely";
import { listRequests, type QueueFilter } from "../src/modules/requests/requests.queue.ts";
import { REQUEST_KINDS } from "../src/modules/requests/requests.ts";
import { PolicyBook } from "../src/policy/book.ts";
import { loadPolicyHistory } from "../src/policy/history.ts";
import { openStore } from "../src/store/connection.ts";
import { migrate } from "../src/store/migrate.ts";
import { percentile, printResults, timeIt, type BenchResult } from "./lib.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OPEN = Number(process.env.BENCH_REQUESTS ?? 100_000);
const CLOSED = Math.round(OPEN / 5);
const PAGES = 200;
const NOW = new Date("2026-06-01T12:00:00Z");
const DAY = 86_400_000;
const KINDS = REQUEST_KINDS.filter((k) => k !== "list_removal" && k !== "complaint");

export async function run(): Promise<BenchResult[]> {
  const url = process.env.DATABASE_URL;
  const dir = url === undefined ? await mkdtemp(path.join(os.tmpdir(), "pledge-bench-requests-")) : null;
  const store =
    url === undefined
      ? await openStore({ kind: "pglite", dataDir: dir! })
      : await openStore({ kind: "postgres", url, schema: "bench_requests", poolSize: 4 });
  try {
    if (url !== undefined) {
      await sql`drop schema if exists bench_requests cascade`.execute(store.db);
      await sql`create schema bench_requests`.execute(store.db);
    }
    await migrate(store);
    const db = store.db;
    for (let start = 0; start < OPEN + CLOSED; start += 10_000) {
      const n = Math.min(10_000, OPEN + CLOSED - start);
      const ids = Array.from({ length: n }, () => randomUUID());
      const kinds = ids.map((_, i) => KINDS[(start + i) % KINDS.length]!);
      const received = ids.map((_, i) => new Date(NOW.getTime() - ((start + i) % 60) * DAY));
      const closed = ids.map((_, i) => start + i >= OPEN);
      const due = received.map((r, i) => (closed[i] ? null : new Date(r.getTime() + 45 * DAY)));
      await sql`insert into rights_requests (request_id, kind, state, version, intake, subject_id, key_id, law, queue,
          received_at, due_at, due_date, closed_at, updated_at)
        select id, kind, case when closed then 'fulfilled' else 'verified' end, 2, 'staff', id, id,
          case when (row_number() over ()) % 3 = 0 then 'gdpr' else 'ccpa' end, 'customer-service',
          received, due, to_char(due at time zone 'America/Los_Angeles', 'YYYY-MM-DD'),
          case when closed then received + interval '10 days' end, received
        from unnest(${ids}::uuid[], ${kinds}::text[], ${received}::timestamptz[], ${due}::timestamptz[], ${closed}::boolean[])
          as t(id, kind, received, due, closed)`.execute(db);
    }
    await sql`analyze rights_requests`.execute(db);
    const book = new PolicyBook(await loadPolicyHistory(path.join(root, "policies/zones")));
    const deps = { db, policies: book, clock: () => NOW };
    const { rows: sample } = await sql<{ due_at: Date; request_id: string }>`
      select due_at, request_id from rights_requests where closed_at is null order by random() limit ${PAGES}`.execute(
      db,
    );

    const filters: QueueFilter[] = [
      {},
      { state: "open", queue: "customer-service" },
      { kind: "deletion" },
      { state: "overdue" },
    ];
    const pledge: number[] = [];
    const peer: number[] = [];
    for (let i = 0; i < PAGES; i++) {
      const filter = filters[i % filters.length]!;
      const at = sample[i]!;
      const after = i % 2 === 0 ? undefined : { due: new Date(at.due_at).toISOString(), id: at.request_id };
      pledge.push(
        await timeIt(async () => {
          const page = await listRequests(deps, filter, {
            limit: 50,
            ...(after === undefined ? {} : { after }),
          });
          if (after === undefined && page.requests.length === 0) throw new Error("an empty first page");
        }),
      );
      peer.push(
        await timeIt(async () => {
          let q = db.selectFrom("rights_requests").selectAll();
          q = q.where("closed_at", "is", null);
          if (filter.state === "overdue") q = q.where("due_at", "<", NOW);
          if (filter.kind !== undefined) q = q.where("kind", "=", filter.kind);
          if (filter.queue !== undefined) q = q.where("queue", "=", filter.queue);
          if (after !== undefined)
            q = q.where(
              sql<boolean>`(due_at, request_id) > (${new Date(after.due)}::timestamptz, ${after.id}::uuid)`,
            );
          await q.orderBy("due_at").orderBy("request_id").limit(51).execute();
        }),
      );
    }
    const p95 = percentile(
      [...pledge].sort((a, b) => a - b),
      95,
    );
    const peer95 = percentile(
      [...peer].sort((a, b) => a - b),
      95,
    );
    const where = url === undefined ? "PGlite" : "PostgreSQL";
    return [
      {
        name: `request queue page of 50, ${OPEN / 1000}k open (${where}), p95`,
        value: p95,
        unit: "ms",
        peer: "hand-written keyset query",
        peerValue: peer95,
        ratio: peer95 / p95,
        goal: "p95 ≤ 50 ms",
        pass: p95 <= 50,
      },
    ];
  } finally {
    await store.close();
    if (dir !== null) await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) printResults(await run());
