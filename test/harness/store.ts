import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { openStore } from "../../src/store/connection.ts";
import { migrate } from "../../src/store/migrate.ts";
import type { Store } from "../../src/store/store.ts";

/** Which engine the tests run on: PLEDGE_TEST_STORE=postgres selects a PostgreSQL server. */
export const testStoreKind = process.env.PLEDGE_TEST_STORE === "postgres" ? "postgres" : "pglite";

export const testDatabaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * A fresh, migrated store. PGlite in memory by default; with PLEDGE_TEST_STORE=postgres, a new
 * uniquely named schema on the test database, dropped by `close()`.
 */
export async function freshStore(): Promise<Store> {
  const store = await freshEmptyStore();
  try {
    await migrate(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** Like `freshStore`, without running migrations. */
export async function freshEmptyStore(): Promise<Store> {
  if (testStoreKind === "pglite") return openStore({ kind: "pglite", dataDir: null });
  const schema = `test_${randomBytes(6).toString("hex")}`;
  const store = await openStore({ kind: "postgres", url: testDatabaseUrl, schema, poolSize: 5 });
  return {
    kind: store.kind,
    db: store.db,
    async close() {
      try {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
      } finally {
        await store.close();
      }
    },
  };
}
