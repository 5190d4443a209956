import { randomBytes, randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database } from "../../store/database.ts";
import type { Cell } from "./analytics.ts";

/** SQL of site statistics, and nothing else. Every count is cast in SQL (PGlite and pg differ). */

/** The salt of `day`, made now if the day has none (several nodes may race: one salt wins). */
export async function saltOfDay(db: Kysely<Database>, day: string, now: Date): Promise<Buffer> {
  await db
    .insertInto("analytics_salts")
    .values({ day, salt: randomBytes(32), created_at: now })
    .onConflict((oc) => oc.column("day").doNothing())
    .execute();
  const row = await db
    .selectFrom("analytics_salts")
    .select("salt")
    .where("day", "=", day)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.salt);
}

/** Deletes the salts of days before `firstKept`; returns how many. */
export async function destroySaltsBefore(db: Kysely<Database>, firstKept: string): Promise<number> {
  const result = await db.deleteFrom("analytics_salts").where("day", "<", firstKept).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function saltDays(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom("analytics_salts")
    .select(sql<string>`day::text`.as("day"))
    .orderBy("day")
    .execute();
  return rows.map((r) => r.day);
}

export interface PageViewRow {
  readonly site: string;
  readonly day: string;
  readonly at: Date;
  readonly visitor: Buffer;
  readonly path: string;
  readonly referrer: string | null;
}

/**
 * One INSERT for a batch: each column travels as one array parameter (`unnest`), which PGlite and
 * PostgreSQL parse and bind faster than a VALUES list of six parameters per row.
 */
export async function insertPageViews(db: Kysely<Database>, rows: readonly PageViewRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into page_views (site, day, at, visitor, path, referrer)
    select * from unnest(${rows.map((r) => r.site)}::text[], ${rows.map((r) => r.day)}::date[],
      ${rows.map((r) => r.at.toISOString())}::timestamptz[], ${rows.map((r) => r.visitor)}::bytea[],
      ${rows.map((r) => r.path)}::text[], ${rows.map((r) => r.referrer)}::text[])`.execute(db);
}

export interface Range {
  readonly site: string;
  readonly from: string;
  readonly to: string;
  /** Count at most this many page views of each visitor on each day (a noisy report's bound). */
  readonly clip?: number;
}

/**
 * The page views a count reads: the site's in the range, or, with `clip`, only each visit's first
 * `clip` (a visit is one visitor key's views on one day, in the order they came).
 */
function viewsIn(r: Range) {
  const where = sql`site = ${r.site} and day between ${r.from}::date and ${r.to}::date`;
  if (r.clip === undefined) return sql`(select day, visitor, path, referrer from page_views where ${where})`;
  return sql`(select day, visitor, path, referrer from (
      select day, visitor, path, referrer,
        row_number() over (partition by day, visitor order by at, path) as nth
      from page_views where ${where}) numbered
    where nth <= ${r.clip})`;
}

export interface DayCells extends Cell {
  readonly day: string;
}

/** Page views and distinct visitors per day. */
export async function dayTotals(db: Kysely<Database>, r: Range): Promise<DayCells[]> {
  const { rows } = await sql<DayCells>`
    select day::text as day, '' as key, count(*)::int as views, count(distinct visitor)::int as visitors
    from ${viewsIn(r)} v
    group by day order by day`.execute(db);
  return rows;
}

/** Page views and distinct visitors per day and page. */
export async function pageCells(db: Kysely<Database>, r: Range): Promise<DayCells[]> {
  const { rows } = await sql<DayCells>`
    select day::text as day, path as key, count(*)::int as views, count(distinct visitor)::int as visitors
    from ${viewsIn(r)} v
    group by day, path`.execute(db);
  return rows;
}

/** Page views and distinct visitors per day and referring host ('' for none). */
export async function referrerCells(db: Kysely<Database>, r: Range): Promise<DayCells[]> {
  const { rows } = await sql<DayCells>`
    select day::text as day, coalesce(referrer, '') as key, count(*)::int as views,
      count(distinct visitor)::int as visitors
    from ${viewsIn(r)} v
    group by day, coalesce(referrer, '')`.execute(db);
  return rows;
}

/**
 * Entry and exit pages: a visit is one visitor key's page views on one day (the key changes with
 * the day's salt), its entry the first page and its exit the last. One visit is one visitor, so
 * a cell's views and visitors are the same count; a visit counts once however many views it has,
 * so `clip` does not apply.
 */
export async function entryExitCells(
  db: Kysely<Database>,
  r: Range,
): Promise<{ entries: DayCells[]; exits: DayCells[] }> {
  const { rows } = await sql<DayCells & { kind: "entry" | "exit" }>`
    with visits as (
      select day, (array_agg(path order by at, path))[1] as entry,
        (array_agg(path order by at desc, path desc))[1] as exit
      from page_views where site = ${r.site} and day between ${r.from}::date and ${r.to}::date
      group by day, visitor
    )
    select 'entry' as kind, day::text as day, entry as key, count(*)::int as views, count(*)::int as visitors
    from visits group by day, entry
    union all
    select 'exit' as kind, day::text as day, exit as key, count(*)::int as views, count(*)::int as visitors
    from visits group by day, exit`.execute(db);
  return {
    entries: rows.filter((c) => c.kind === "entry"),
    exits: rows.filter((c) => c.kind === "exit"),
  };
}

/** ε spent on `site` in `period` so far, after taking the period's lock (serialises spends). */
export async function lockedSpent(db: Kysely<Database>, site: string, period: string): Promise<number> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`analytics-budget:${site}:${period}`}, 0))`.execute(
    db,
  );
  return spentIn(db, site, period);
}

/** ε spent on `site` in `period` so far. */
export async function spentIn(db: Kysely<Database>, site: string, period: string): Promise<number> {
  const row = await db
    .selectFrom("analytics_budget_spends")
    .select(sql<number>`coalesce(sum(epsilon), 0)::float8`.as("spent"))
    .where("site", "=", site)
    .where("period", "=", period)
    .executeTakeFirstOrThrow();
  return Number(row.spent);
}

export async function recordSpend(
  db: Kysely<Database>,
  spend: { site: string; period: string; epsilon: number; purpose: string; actor: string; at: Date },
): Promise<void> {
  await db
    .insertInto("analytics_budget_spends")
    .values({ spend_id: randomUUID(), ...spend })
    .execute();
}
