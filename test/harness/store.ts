import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "kysely";
import { openStore } from "../../src/store/connection.ts";
import { migrate } from "../../src/store/migrate.ts";
import type { Store } from "../../src/store/store.ts";
import { adminQuery, databaseUrl, loadDump, pgliteStore, pgliteTemplates } from "./templates.ts";

/**
 * Whether the tests run on the coordinator of a Citus cluster (PLEDGE_TEST_STORE=citus). Citus is
 * PostgreSQL to the code under test, the same driver and the same SQL, so `testStoreKind` is
 * "postgres" there too; only the way a test store is built differs.
 */
export const testOnCitus = process.env.PLEDGE_TEST_STORE === "citus";

/** Which engine the tests run on: PLEDGE_TEST_STORE=postgres (or citus) selects a PostgreSQL server. */
export const testStoreKind =
  process.env.PLEDGE_TEST_STORE === "postgres" || testOnCitus ? "postgres" : "pglite";

export const testDatabaseUrl =
  process.env.DATABASE_URL ??
  (testOnCitus ? "postgres://postgres@127.0.0.1:9700/postgres" : "postgres://postgres@127.0.0.1:5432/test");

/**
 * A fresh, migrated store. PGlite in memory by default, loaded from the run's migrated dump; with
 * PLEDGE_TEST_STORE=postgres, a new database on the test server copied from the run's migrated
 * template; with PLEDGE_TEST_STORE=citus, a new schema on the coordinator, migrated now. Databases
 * and schemas are dropped when the test run ends (test/harness/global-setup.ts).
 */
export async function freshStore(): Promise<Store> {
  if (testStoreKind === "pglite") return pgliteFrom("migrated");
  if (testOnCitus) return citusStore({ migrated: true });
  return postgresStore(`template ${templateName()}`);
}

/** Like `freshStore`, before any migration has run. */
export async function freshEmptyStore(): Promise<Store> {
  if (testStoreKind === "pglite") return pgliteFrom("empty");
  if (testOnCitus) return citusStore({ migrated: false });
  return postgresStore("template template0");
}

/** The URL of a PostgreSQL test store, selecting its database or schema, for a child process to open it too. */
export function postgresUrlOf(store: Store): string {
  const url = urls.get(store);
  if (url === undefined) throw new Error("not a PostgreSQL test store");
  return url;
}

const urls = new WeakMap<Store, string>();

// Each test process reads a dump file once and loads a copy of it per store.
const dumps: Partial<Record<"empty" | "migrated", Promise<Blob>>> = {};

async function pgliteFrom(which: "empty" | "migrated"): Promise<Store> {
  const dump = (dumps[which] ??= pgliteTemplates().then((files) => loadDump(files[which])));
  return pgliteStore(await PGlite.create({ loadDataDir: await dump }));
}

/** The run's id, `<start minute in base 36>_<random hex>`, from test/harness/global-setup.ts. */
export function testRun(): string {
  const run = process.env.PLEDGE_TEST_RUN;
  if (run === undefined) throw new Error("PLEDGE_TEST_RUN is unset: run the tests through vitest");
  return run;
}

export function templateName(run = testRun()): string {
  return `test_${run}_template`;
}

/** A new test store's database (PostgreSQL) or schema (Citus): `test_<run>_<hex>`. */
function storeName(): string {
  return `test_${testRun()}_${randomBytes(6).toString("hex")}`;
}

async function postgresStore(source: string): Promise<Store> {
  const name = storeName();
  await adminQuery(testDatabaseUrl, (db) =>
    sql`create database ${sql.id(name)} ${sql.raw(source)}`.execute(db),
  );
  return openTestStore(databaseUrl(testDatabaseUrl, name));
}

/**
 * On Citus a database copied from a template would not have the shards its tables keep on the
 * workers, so a store is a schema of the coordinator's database, and the migrations run in it
 * (distributing each table as they create it).
 */
async function citusStore({ migrated }: { migrated: boolean }): Promise<Store> {
  const name = storeName();
  await adminQuery(testDatabaseUrl, (db) => sql`create schema ${sql.id(name)}`.execute(db));
  const store = await openTestStore(citusSchemaUrl(testDatabaseUrl, name));
  if (!migrated) return store;
  try {
    await migrate(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * Shards per distributed table in a Citus test store, instead of Citus's 32: four still put two
 * on each worker, so multi-shard queries and transactions across nodes happen as in production,
 * and a table is distributed in a third of the time (25 ms instead of 80 ms on a local cluster of
 * two workers). The one difference: a query restricted to a few subjects falls on a single shard
 * more often (two subjects: 1 in 4 instead of 1 in 32), and on one shard Citus accepts some SQL it
 * refuses across shards.
 */
export const CITUS_TEST_SHARDS = 4;

/**
 * `url` whose every connection has `schema` as its search_path, through the `options` parameter
 * (libpq's, which node-postgres reads too), so that a child process given it as DATABASE_URL
 * opens the same store, and Kysely's migrator keeps its bookkeeping there (it uses the current
 * schema, src/store/migrate.ts). Options the URL already had are kept.
 */
export function citusSchemaUrl(url: string, schema: string): string {
  const u = new URL(url);
  const options = [
    u.searchParams.get("options"),
    `-c search_path=${schema}`,
    `-c citus.shard_count=${CITUS_TEST_SHARDS}`,
  ];
  u.searchParams.set("options", options.filter((o) => o !== null).join(" "));
  return u.toString();
}

async function openTestStore(url: string): Promise<Store> {
  const store = await openStore({ kind: "postgres", url, poolSize: 5 });
  urls.set(store, url);
  return store;
}
