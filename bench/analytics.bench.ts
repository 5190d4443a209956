/**
 * Site statistics, two budgets:
 *
 * 1. Ingest over HTTP: `POST /v1/analytics/hits` (salted visitor key, one INSERT per hit) against
 *    the Fastify hello-world, each server in its own process on core 0, loaded by autocannon on
 *    core 1, on PGlite and on PostgreSQL. Goal: ≥ 0.33× the hello-world's requests/s.
 * 2. A daily report over a large page-view table on PostgreSQL: Pledge's report (the gate, the
 *    audited decision, page views, visitors, pages, referrers, entry and exit pages by day, the
 *    cohort suppression) against the hand-written SQL an engineer would write for the same
 *    figures, on the same table, alternated. Goal: ≤ 2× the hand-written SQL.
 *
 * BENCH_ANALYTICS_ROWS sets the page views (default 2M; 10M takes a few minutes to seed; 0 skips),
 * BENCH_ANALYTICS_SECONDS the length of each load run, BENCH_ANALYTICS_RUNS the timed reports.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CompiledQuery, type Kysely } from "kysely";
import pg from "pg";
import { siteReport } from "../src/modules/analytics/analytics.service.ts";
import { PolicyBook } from "../src/policy/book.ts";
import { loadPolicyHistory } from "../src/policy/history.ts";
import { openStore } from "../src/store/connection.ts";
import type { Database } from "../src/store/database.ts";
import { migrate } from "../src/store/migrate.ts";
import { cannon, dropPostgres, freshPostgres, startServer, stop } from "./http.bench.ts";
import { median, printResults, timeIt, type BenchResult } from "./lib.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROWS = Number(process.env.BENCH_ANALYTICS_ROWS ?? 2_000_000);
const SECONDS = Number(process.env.BENCH_ANALYTICS_SECONDS ?? 6);
const ROUNDS = 2;
const RUNS = Number(process.env.BENCH_ANALYTICS_RUNS ?? 3);
const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const KEY = "pk_bench_" + "a".repeat(43);
const SITE = "shop.example";
const FROM = "2026-11-01";
const TO = "2026-11-30";
const hitBody = JSON.stringify({
  page: `https://${SITE}/products/42?ref=mail`,
  referrer: "https://search.example/",
});

async function ingest(store: string, pledgeUrl: string, helloUrl: string): Promise<BenchResult> {
  const hits = `${pledgeUrl}/v1/analytics/hits`;
  const check = await fetch(hits, {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: hitBody,
  });
  if (check.status !== 204) throw new Error(`a hit answered ${check.status}: ${await check.text()}`);
  await cannon(helloUrl, { seconds: 2 });
  await cannon(hits, { body: hitBody, seconds: 2 });
  const hello: number[] = [];
  const pledge: number[] = [];
  let failures = 0;
  for (let i = 0; i < ROUNDS; i++) {
    hello.push((await cannon(helloUrl, { seconds: SECONDS })).requests.average);
    const r = await cannon(hits, { body: hitBody, seconds: SECONDS });
    failures += r.non2xx + r.errors;
    pledge.push(r.requests.average);
  }
  if (failures > 0) throw new Error(`${failures} hits failed during the benchmark`);
  const value = median(pledge);
  const peerValue = median(hello);
  return {
    name: `POST /v1/analytics/hits req/s (${store})`,
    value,
    unit: "req/s",
    peer: "fastify hello-world",
    peerValue,
    ratio: value / peerValue,
    goal: "≥ 0.33× hello-world",
    pass: value / peerValue >= 0.33,
  };
}

async function ingestBench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const env = {
    PORT: "0",
    PLEDGE_HOST: "127.0.0.1",
    PLEDGE_POLICY: "zones",
    PLEDGE_BOOTSTRAP_KEY: KEY,
    LOG_LEVEL: "warn",
    // Every hit of the load comes from 127.0.0.1: the per-source limit would refuse nearly all.
    PLEDGE_ANALYTICS_HITS_PER_MINUTE: "off",
  };
  const hello = await startServer(["--import", "tsx", "bench/servers/hello.ts"], { PORT: "0" });
  try {
    const dataDir = mkdtempSync(path.join(tmpdir(), "pledge-bench-analytics-"));
    const embedded = await startServer(["bin/pledge.js", "serve"], {
      ...env,
      PLEDGE_DATA_DIR: dataDir,
      DATABASE_URL: "",
    });
    try {
      results.push(await ingest("PGlite", embedded.url, hello.url));
    } finally {
      await stop(embedded.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
    const db = "pledge_bench_analytics";
    const url = await freshPostgres(db);
    if (url !== null) {
      const server = await startServer(["bin/pledge.js", "serve"], {
        ...env,
        PLEDGE_DATA_DIR: mkdtempSync(path.join(tmpdir(), "pledge-bench-analytics-pg-")),
        DATABASE_URL: url,
        PLEDGE_MASTER_KEY: randomBytes(32).toString("base64"),
        PLEDGE_INDEX_KEY: randomBytes(32).toString("base64"),
      });
      try {
        results.push(await ingest("PostgreSQL", server.url, hello.url));
      } finally {
        await stop(server.child);
        await dropPostgres(db);
      }
    }
  } finally {
    await stop(hello.child);
  }
  return results;
}

/**
 * `n` page views over the 30 days of November 2026: about 2,000 visitors a day viewing 200 pages
 * with a skewed popularity (a few pages take most views, the tail falls under the cohort), one
 * view in five from one of 20 other sites.
 */
async function seed(db: Kysely<Database>, n: number): Promise<void> {
  const run = (text: string): Promise<unknown> => db.executeQuery(CompiledQuery.raw(text));
  const step = 1_000_000;
  for (let from = 0; from < n; from += step) {
    const to = Math.min(n, from + step) - 1;
    await run(`insert into page_views (site, day, at, visitor, path, referrer)
      select '${SITE}', d, d + make_interval(secs => (g * 7919) % 86400),
        substring(decode(md5(d::text || ':' || ((g * 31) % 2000)::text), 'hex') from 1 for 16),
        '/p/' || floor(200 * power(((g * 2654435761) % 1000003) / 1000003.0, 3))::int,
        case when g % 5 = 0 then 'ref' || (g % 20) || '.example' end
      from generate_series(${from}::bigint, ${to}::bigint) g,
        lateral (select date '${FROM}' + (g % 30)::int as d) day`);
  }
  await run("analyze page_views");
}

/** What an engineer would write by hand for the same figures: the same four passes over the table. */
const HAND_WRITTEN = [
  `select day, count(*) as views, count(distinct visitor) as visitors from page_views
   where site = '${SITE}' and day between '${FROM}' and '${TO}' group by day`,
  `select day, path, count(*) as views, count(distinct visitor) as visitors from page_views
   where site = '${SITE}' and day between '${FROM}' and '${TO}' group by day, path`,
  `select day, referrer, count(*) as views, count(distinct visitor) as visitors from page_views
   where site = '${SITE}' and day between '${FROM}' and '${TO}' group by day, referrer`,
  `with firsts as (select distinct on (day, visitor) day, path from page_views
     where site = '${SITE}' and day between '${FROM}' and '${TO}' order by day, visitor, at),
   lasts as (select distinct on (day, visitor) day, path from page_views
     where site = '${SITE}' and day between '${FROM}' and '${TO}' order by day, visitor, at desc)
   select 'entry', day, path, count(*) from firsts group by day, path
   union all select 'exit', day, path, count(*) from lasts group by day, path`,
];

async function reportBench(): Promise<BenchResult[]> {
  const schema = `bench_analytics_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch {
    console.log("analytics: no PostgreSQL server answers; report skipped");
    return [];
  }
  const store = await openStore({ kind: "postgres", url: PG_URL, schema, poolSize: 2 });
  try {
    await migrate(store);
    const seeding = await timeIt(() => seed(store.db, ROWS));
    console.log(`analytics: ${ROWS / 1e6}M page views seeded in ${(seeding / 1000).toFixed(0)} s`);
    const book = new PolicyBook(await loadPolicyHistory(path.join(root, "policies", "zones")));
    const deps = {
      db: store.db,
      policies: book,
      vault: { cipherFor: async () => null },
      clock: () => new Date("2026-12-01T08:00:00Z"),
      region: "us",
    };
    const acting = {
      actor: { kind: "staff", id: "bench-analyst", role: "analyst" },
      attested: true,
    } as const;
    const query = { site: SITE, from: FROM, to: TO, purpose: "analytics.reporting.visitors" };
    const pledge = async () => {
      const r = await siteReport(deps, acting, query);
      if (!r.ok) throw new Error(`the report was refused: ${JSON.stringify(r)}`);
    };
    const hand = async () => {
      for (const text of HAND_WRITTEN) await store.db.executeQuery(CompiledQuery.raw(text));
    };
    await pledge();
    await hand();
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(await timeIt(pledge));
      theirs.push(await timeIt(hand));
    }
    const value = median(ours);
    const peerValue = median(theirs);
    return [
      {
        name: `daily report, 30 days, ${ROWS / 1e6}M page views (PostgreSQL)`,
        value,
        unit: "ms",
        peer: "hand-written SQL",
        peerValue,
        ratio: peerValue / value,
        goal: "≤ 2× hand-written",
        pass: value <= 2 * peerValue,
      },
    ];
  } finally {
    await store.close();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

export async function run(): Promise<BenchResult[]> {
  return [...(await ingestBench()), ...(ROWS > 0 ? await reportBench() : [])];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printResults(await run());
