import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { adminQuery, createPostgresTemplate, pgliteTemplates } from "./templates.ts";
import { templateName, testDatabaseUrl, testOnCitus, testStoreKind } from "./store.ts";

/**
 * Builds the run's store templates before any test file starts (test/harness/templates.ts).
 *
 * On PostgreSQL each test store is its own database, named `test_<run>_<hex>` where <run> is this
 * run's id (`<start minute in base 36>_<random hex>`), handed to the test processes through
 * PLEDGE_TEST_RUN, and copied from `test_<run>_template`. On Citus each is a schema of the same
 * name in the coordinator's database, migrated by the test process that asks for it (no template).
 * They are dropped here, never while tests run: this run's own at the end, and, at the start,
 * those of runs that began more than six hours ago (left by a crashed run), with such runs'
 * schemas on the test database, where an earlier version of this harness kept its stores. Runs of
 * other people on the same server are left alone.
 */
const STALE_MINUTES = 6 * 60;

const RUN_NAME = /^test_([0-9a-z]+)_[0-9a-f]{6}_(?:[0-9a-f]{12}|template)$/;

/** Whether a store named `name` belongs to a run that started more than six hours before `minute`. */
function isStale(name: string, minute: number): boolean {
  const started = RUN_NAME.exec(name)?.[1];
  return started !== undefined && minute - parseInt(started, 36) > STALE_MINUTES;
}

async function dropDatabases(predicate: (name: string) => boolean): Promise<void> {
  await adminQuery(testDatabaseUrl, async (db) => {
    const { rows } = await sql<{ datname: string }>`
      select datname from pg_database where datname like 'test\\_%'`.execute(db);
    for (const { datname } of rows.filter((r) => predicate(r.datname)))
      await sql`drop database if exists ${sql.id(datname)} with (force)`.execute(db);
  });
}

/** Drops test schemas and the pg-boss schemas beside them (`pgboss_<schema>`, src/jobs/boss.ts). */
async function dropSchemas(predicate: (name: string) => boolean): Promise<void> {
  await adminQuery(testDatabaseUrl, async (db) => {
    const { rows } = await sql<{ nspname: string }>`
      select nspname from pg_namespace
      where nspname like 'test\\_%' or nspname like 'pgboss\\_test\\_%'`.execute(db);
    for (const { nspname } of rows.filter((r) => predicate(r.nspname.replace(/^pgboss_/, ""))))
      await sql`drop schema if exists ${sql.id(nspname)} cascade`.execute(db);
  });
}

/**
 * The Citus pass needs a coordinator with at least one active worker: on a plain server, or a
 * coordinator alone, it would pass without testing anything distributed.
 */
async function checkCitusCluster(): Promise<void> {
  const where = new URL(testDatabaseUrl).host;
  let workers: number;
  try {
    workers = await adminQuery(testDatabaseUrl, async (db) => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from citus_get_active_worker_nodes()`.execute(db);
      return rows[0]?.n ?? 0;
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `PLEDGE_TEST_STORE=citus: no Citus coordinator answers at ${where} (${reason}); ` +
        "start the cluster with `bash ../shared/citus/cluster.sh start`, or set DATABASE_URL to its coordinator",
      { cause: error },
    );
  }
  if (workers < 1)
    throw new Error(
      `PLEDGE_TEST_STORE=citus: the Citus coordinator at ${where} has no active worker; add one with citus_add_node`,
    );
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (testStoreKind === "pglite") {
    await pgliteTemplates();
    return undefined;
  }
  const minute = Math.floor(Date.now() / 60_000);
  const run = `${minute.toString(36)}_${randomBytes(3).toString("hex")}`;
  process.env.PLEDGE_TEST_RUN = run;
  const ofThisRun = (name: string) => name.startsWith(`test_${run}_`);
  if (testOnCitus) {
    await checkCitusCluster();
    await dropSchemas((name) => isStale(name, minute));
    return () => dropSchemas(ofThisRun);
  }
  await dropSchemas((name) => isStale(name, minute));
  await dropDatabases((name) => isStale(name, minute));
  await createPostgresTemplate(testDatabaseUrl, templateName(run));
  return () => dropDatabases(ofThisRun);
}
