import { sql, type Kysely } from "kysely";

/**
 * Retention runs (src/modules/retention): one row per run, with the instant it measures from, the
 * policy version it applies, the last subject it finished (its cursor) and its report so far. At
 * most one run is unfinished at a time, so a restart resumes it instead of starting another.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("retention_runs")
    .addColumn("run_id", "uuid", (c) => c.primaryKey())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('running', 'finished')`))
    .addColumn("as_of", "timestamptz", (c) => c.notNull())
    .addColumn("policy_version", "text", (c) => c.notNull())
    .addColumn("started_by", "text", (c) => c.notNull())
    .addColumn("started_at", "timestamptz", (c) => c.notNull())
    .addColumn("finished_at", "timestamptz")
    .addColumn("cursor", "uuid")
    .addColumn("batches", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("report", "jsonb", (c) => c.notNull())
    .execute();
  await sql`create unique index retention_runs_one_running on retention_runs ((true)) where status = 'running'`.execute(
    db,
  );
  await sql`create index retention_runs_started on retention_runs (started_at desc)`.execute(db);
  // Retention looks for old orders and charges by date.
  await sql`create index orders_created_at on orders (created_at)`.execute(db);
  await sql`create index payment_charges_charged_at on payment_charges (charged_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index payment_charges_charged_at`.execute(db);
  await sql`drop index orders_created_at`.execute(db);
  await db.schema.dropTable("retention_runs").execute();
}
