import { randomBytes } from "node:crypto";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";

/**
 * On PostgreSQL each test store lives in its own schema, named `test_<run>_<hex>` where <run> is
 * this run's id (`<start minute in base 36>_<random hex>`), handed to the test processes
 * through PLEDGE_TEST_RUN. Schemas are dropped here, never while tests run (dropping one while
 * another file's migrator reads the catalogue fails that read): this run's own at the end, and,
 * at the start, those of runs that began more than six hours ago (left by a crashed run). Runs
 * of other people on the same database are left alone. A store whose campaigns were sent also
 * has a `pgboss_<schema>` schema for its job queue; it goes with its store's schema.
 */
const STALE_MINUTES = 6 * 60;

async function dropSchemas(predicate: (name: string) => boolean): Promise<void> {
  const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
  try {
    const { rows } = await sql<{ nspname: string }>`
      select nspname from pg_namespace
      where nspname like 'test\\_%' or nspname like 'pgboss\\_test\\_%'`.execute(db);
    const storeOf = (name: string): string => name.replace(/^pgboss_/, "");
    for (const { nspname } of rows.filter((r) => predicate(storeOf(r.nspname))))
      await sql`drop schema if exists ${sql.id(nspname)} cascade`.execute(db);
  } finally {
    await db.destroy();
  }
}

const RUN_SCHEMA = /^test_([0-9a-z]+)_[0-9a-f]{6}_[0-9a-f]{12}$/;

function startMinuteOf(schema: string): number | null {
  const match = RUN_SCHEMA.exec(schema);
  return match?.[1] ? parseInt(match[1], 36) : null;
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.PLEDGE_TEST_STORE !== "postgres") return undefined;
  const minute = Math.floor(Date.now() / 60_000);
  const run = `${minute.toString(36)}_${randomBytes(3).toString("hex")}`;
  process.env.PLEDGE_TEST_RUN = run;
  await dropSchemas((name) => {
    const started = startMinuteOf(name);
    // Schemas of no run (an earlier naming, or a harness used outside vitest) count as stale.
    return started === null || minute - started > STALE_MINUTES;
  });
  return () => dropSchemas((name) => name.startsWith(`test_${run}_`));
}
