import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";

/**
 * On PostgreSQL each test store lives in its own `test_<hex>` schema. Schemas are dropped here,
 * before and after the whole run, never while tests run: dropping one while another test file's
 * migrator introspects the catalogue makes that introspection fail ("schema does not exist").
 */
async function dropTestSchemas(): Promise<void> {
  const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
  try {
    const { rows } = await sql<{ nspname: string }>`
      select nspname from pg_namespace where nspname like 'test\\_%'`.execute(db);
    for (const { nspname } of rows) await sql`drop schema if exists ${sql.id(nspname)} cascade`.execute(db);
  } finally {
    await db.destroy();
  }
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.PLEDGE_TEST_STORE !== "postgres") return undefined;
  await dropTestSchemas();
  return dropTestSchemas;
}
