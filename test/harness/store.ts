import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { Kysely } from "kysely";
import { openStore } from "../../src/store/connection.ts";
import type { Database } from "../../src/store/database.ts";
import { migrate } from "../../src/store/migrate.ts";
import { PGliteDialect } from "../../src/store/pglite-dialect.ts";
import type { Store } from "../../src/store/store.ts";

/** Which engine the tests run on: PLEDGE_TEST_STORE=postgres selects a PostgreSQL server. */
export const testStoreKind = process.env.PLEDGE_TEST_STORE === "postgres" ? "postgres" : "pglite";

export const testDatabaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * A fresh, migrated store. PGlite in memory by default; with PLEDGE_TEST_STORE=postgres, a new
 * uniquely named schema on the test database, dropped when the test run ends.
 */
export async function freshStore(): Promise<Store> {
  if (testStoreKind === "pglite") return pgliteFrom((templates.migrated ??= migratedTemplate()));
  const store = await freshPostgresStore();
  try {
    await migrate(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** Like `freshStore`, before any migration has run. */
export async function freshEmptyStore(): Promise<Store> {
  if (testStoreKind === "pglite") return pgliteFrom((templates.empty ??= emptyTemplate()));
  return freshPostgresStore();
}

// Creating a PGlite engine runs initdb, which takes seconds; loading a dumped data directory is
// several times faster. Each test process builds the dumps once and loads a copy per store.
const templates: { empty?: Promise<Blob>; migrated?: Promise<Blob> } = {};

async function pgliteFrom(template: Promise<Blob>): Promise<Store> {
  return pgliteStore(await PGlite.create({ loadDataDir: await template }));
}

function pgliteStore(engine: PGlite): Store {
  const db = new Kysely<Database>({ dialect: new PGliteDialect(engine) });
  return { kind: "pglite", db, close: () => db.destroy() };
}

async function emptyTemplate(): Promise<Blob> {
  const engine = await PGlite.create();
  try {
    return await engine.dumpDataDir("none");
  } finally {
    await engine.close();
  }
}

async function migratedTemplate(): Promise<Blob> {
  const engine = await PGlite.create({ loadDataDir: await (templates.empty ??= emptyTemplate()) });
  const store = pgliteStore(engine);
  try {
    await migrate(store);
    return await engine.dumpDataDir("none");
  } finally {
    await store.close();
  }
}

async function freshPostgresStore(): Promise<Store> {
  // The schema stays until the run ends (test/harness/global-setup.ts drops it).
  // PLEDGE_TEST_RUN comes from test/harness/global-setup.ts, which drops the run's schemas at its end.
  const run = process.env.PLEDGE_TEST_RUN ?? "0_000000";
  const schema = `test_${run}_${randomBytes(6).toString("hex")}`;
  return openStore({ kind: "postgres", url: testDatabaseUrl, schema, poolSize: 5 });
}
