import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import type { Database } from "../../store/database.ts";
import { ITEM_SOURCES, type RetentionItem, type RunReport } from "./retention.ts";
import type { RetentionRunsTable } from "./retention.table.ts";

export type RunRow = Selectable<RetentionRunsTable>;

/**
 * The first instant that is NOT past `period` at `asOf`, counted in days of `timeZone`: local
 * midnight at the start of (the local day of `asOf`) − `period`. An item dated before it is past.
 */
export async function cutoffOf(
  db: Kysely<Database>,
  asOf: Date,
  timeZone: string,
  period: string,
): Promise<Date> {
  const { rows } = await sql<{ cutoff: Date | string }>`
    select (((${asOf}::timestamptz at time zone ${timeZone})::date - ${period}::interval)::date)::timestamp
      at time zone ${timeZone} as cutoff`.execute(db);
  return new Date(rows[0]!.cutoff);
}

export async function insertRun(
  trx: Transaction<Database>,
  row: Omit<RunRow, "report"> & { report: RunReport },
) {
  await trx
    .insertInto("retention_runs")
    .values({ ...row, report: JSON.stringify(row.report) })
    .execute();
}

/** The unfinished run, if any; locked FOR UPDATE when asked (one batch at a time, on any node). */
export async function runningRun(db: Kysely<Database>, lock: boolean): Promise<RunRow | null> {
  let q = db.selectFrom("retention_runs").selectAll().where("status", "=", "running");
  if (lock) q = q.forUpdate();
  return (await q.executeTakeFirst()) ?? null;
}

export async function lockRun(trx: Transaction<Database>, runId: string): Promise<RunRow | null> {
  return (
    (await trx
      .selectFrom("retention_runs")
      .selectAll()
      .where("run_id", "=", runId)
      .forUpdate()
      .executeTakeFirst()) ?? null
  );
}

export async function findRun(db: Kysely<Database>, runId: string): Promise<RunRow | null> {
  return (
    (await db.selectFrom("retention_runs").selectAll().where("run_id", "=", runId).executeTakeFirst()) ?? null
  );
}

export async function recentRuns(db: Kysely<Database>, limit: number): Promise<RunRow[]> {
  return db
    .selectFrom("retention_runs")
    .selectAll()
    .orderBy("started_at", "desc")
    .orderBy("run_id")
    .limit(limit)
    .execute();
}

export async function saveProgress(
  trx: Transaction<Database>,
  runId: string,
  progress: { cursor: string | null; batches: number; report: RunReport; finishedAt: Date | null },
): Promise<void> {
  await trx
    .updateTable("retention_runs")
    .set({
      cursor: progress.cursor,
      batches: progress.batches,
      report: JSON.stringify(progress.report),
      ...(progress.finishedAt === null ? {} : { status: "finished", finished_at: progress.finishedAt }),
    })
    .where("run_id", "=", runId)
    .execute();
}

const source = (item: RetentionItem) => ITEM_SOURCES[item];

/**
 * The condition that a row `t` of the item's table is past `cutoff`: dated before it and, for
 * billing details, the person has no order or charge from it on either (correlated on the
 * subject id, which Citus runs on each shard).
 */
function pastCutoff(item: RetentionItem, cutoff: Date) {
  const s = source(item);
  const parts = [sql`t.${sql.ref(s.start)} < ${cutoff}::timestamptz`];
  if (s.only !== undefined) parts.push(sql`t.${sql.ref(s.only.column)} = ${s.only.value}`);
  if (s.sinceBilling === true) {
    parts.push(
      sql`not exists (select 1 from orders o where o.subject_id = t.subject_id and o.created_at >= ${cutoff}::timestamptz)`,
      sql`not exists (select 1 from payment_charges c where c.subject_id = t.subject_id and c.charged_at >= ${cutoff}::timestamptz)`,
    );
  }
  return sql.join(parts, sql` and `);
}

/**
 * The next `limit` subjects, in subject id order after `after`, holding at least one item past
 * its cutoff, each with whether an active legal hold is on them (read in the same statement).
 * Each item's own scan walks its primary key (subject first) from the cursor on.
 *
 * Dated items (orders, charges) are looked for first. Billing details, whose test probes the
 * person's orders and charges row by row, are then looked for only up to the last subject those
 * found when they filled the batch: a run scans each address about once, not once per batch
 * (found past that subject, they would fall out of the batch and be scanned again). When dated
 * items run out, billing details are looked for to the end.
 */
export async function dueSubjects(
  db: Kysely<Database>,
  items: readonly { readonly item: RetentionItem; readonly cutoff: Date }[],
  after: string | null,
  limit: number,
): Promise<{ subjectId: string; held: boolean }[]> {
  if (items.length === 0) return [];
  const branch = (item: RetentionItem, cutoff: Date, upTo: string | null) => {
    const from = after === null ? sql`true` : sql`t.subject_id > ${after}::uuid`;
    const to = upTo === null ? sql`true` : sql`t.subject_id <= ${upTo}::uuid`;
    return sql`(select distinct t.subject_id from ${sql.table(source(item).table)} t
      where ${from} and ${to} and ${pastCutoff(item, cutoff)} order by t.subject_id limit ${limit})`;
  };
  const firstOf = async (branches: ReturnType<typeof branch>[]) =>
    branches.length === 0
      ? []
      : (
          await sql<{ subject_id: string }>`select subject_id from (${sql.join(branches, sql` union `)}) u
            order by subject_id limit ${limit}`.execute(db)
        ).rows.map((r) => r.subject_id);
  const dated = await firstOf(
    items.filter((i) => source(i.item).sinceBilling !== true).map((i) => branch(i.item, i.cutoff, null)),
  );
  const upTo = dated.length === limit ? dated[limit - 1]! : null;
  const billing = await firstOf(
    items.filter((i) => source(i.item).sinceBilling === true).map((i) => branch(i.item, i.cutoff, upTo)),
  );
  const rows = [...new Set([...dated, ...billing])]
    .sort()
    .slice(0, limit)
    .map((subject_id) => ({ subject_id }));
  if (rows.length === 0) return [];
  // The batch's holds in a second query (a subquery per person is refused by Citus).
  const held = new Set(
    (
      await db
        .selectFrom("legal_holds")
        .select("subject_id")
        .distinct()
        .where("subject_id", "=", sql<string>`any(${rows.map((r) => r.subject_id)}::uuid[])`)
        .where("released_at", "is", null)
        .execute()
    ).map((h) => h.subject_id),
  );
  return rows.map((r) => ({ subjectId: r.subject_id, held: held.has(r.subject_id) }));
}

/**
 * Deletes the item's rows of these subjects dated before `cutoff`; returns what went. One
 * statement for the whole batch, the ids bound as one array (one parameter however many people).
 */
export async function deleteDue(
  trx: Transaction<Database>,
  item: RetentionItem,
  subjectIds: readonly string[],
  cutoff: Date,
): Promise<{ subject_id: string; id: string }[]> {
  if (subjectIds.length === 0) return [];
  const s = source(item);
  const { rows } = await sql<{ subject_id: string; id: string }>`
    delete from ${sql.table(s.table)} t
    where t.subject_id = any(${[...subjectIds]}::uuid[]) and ${pastCutoff(item, cutoff)}
    returning t.subject_id, t.${sql.ref(s.id)}::text as id`.execute(trx);
  return rows;
}

/** How many of the item's rows each of these subjects has dated before `cutoff` (absent: none). */
export async function countDueBySubject(
  db: Kysely<Database>,
  item: RetentionItem,
  subjectIds: readonly string[],
  cutoff: Date,
): Promise<Map<string, number>> {
  if (subjectIds.length === 0) return new Map();
  const s = source(item);
  const { rows } = await sql<{ subject_id: string; n: number }>`
    select t.subject_id, count(*)::int as n from ${sql.table(s.table)} t
    where t.subject_id = any(${[...subjectIds]}::uuid[]) and ${pastCutoff(item, cutoff)}
    group by t.subject_id order by t.subject_id`.execute(db);
  return new Map(rows.map((r) => [r.subject_id, Number(r.n)]));
}

/** The people under an active legal hold, once each (joined on the subject id, as Citus allows). */
const activeHolds = sql`select distinct subject_id from legal_holds where released_at is null`;

/** A dry run's counts for one item over the whole store: past their period, and of those held. */
export async function dueTotals(
  db: Kysely<Database>,
  item: RetentionItem,
  cutoff: Date,
): Promise<{ due: number; held: number; subjects: number; heldSubjects: number }> {
  const s = source(item);
  const { rows } = await sql<{ due: number; held: number; subjects: number; held_subjects: number }>`
    select count(*)::int as due,
      count(*) filter (where h.subject_id is not null)::int as held,
      count(distinct t.subject_id) filter (where h.subject_id is null)::int as subjects,
      count(distinct t.subject_id) filter (where h.subject_id is not null)::int as held_subjects
    from ${sql.table(s.table)} t
    left join (${activeHolds}) h on h.subject_id = t.subject_id
    where ${pastCutoff(item, cutoff)}`.execute(db);
  const r = rows[0]!;
  return {
    due: Number(r.due),
    held: Number(r.held),
    subjects: Number(r.subjects),
    heldSubjects: Number(r.held_subjects),
  };
}

/** Every subject with a due item of any of `items` (a dry run's distinct subject counts). */
export async function dueSubjectCounts(
  db: Kysely<Database>,
  items: readonly { readonly item: RetentionItem; readonly cutoff: Date }[],
): Promise<{ subjects: number; held: number }> {
  if (items.length === 0) return { subjects: 0, held: 0 };
  const branches = items.map(({ item, cutoff }) => {
    return sql`select t.subject_id from ${sql.table(source(item).table)} t where ${pastCutoff(item, cutoff)}`;
  });
  const { rows } = await sql<{ subjects: number; held: number }>`
    select count(*) filter (where h.subject_id is null)::int as subjects,
      count(*) filter (where h.subject_id is not null)::int as held
    from (${sql.join(branches, sql` union `)}) due
    left join (${activeHolds}) h on h.subject_id = due.subject_id`.execute(db);
  return { subjects: Number(rows[0]?.subjects ?? 0), held: Number(rows[0]?.held ?? 0) };
}
