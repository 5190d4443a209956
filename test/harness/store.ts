import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "kysely";
import { openStore } from "../../src/store/connection.ts";
import type { Store } from "../../src/store/store.ts";
import { adminQuery, databaseUrl, loadDump, pgliteStore, pgliteTemplates } from "./templates.ts";

/** Which engine the tests run on: PLEDGE_TEST_STORE=postgres selects a PostgreSQL server. */
export const testStoreKind = process.env.PLEDGE_TEST_STORE === "postgres" ? "postgres" : "pglite";

export const testDatabaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * A fresh, migrated store. PGlite in memory by default, loaded from the run's migrated dump; with
 * PLEDGE_TEST_STORE=postgres, a new database on the test server copied from the run's migrated
 * template, dropped when the test run ends (test/harness/global-setup.ts).
 */
export async function freshStore(): Promise<Store> {
  if (testStoreKind === "pglite") return pgliteFrom("migrated");
  return postgresStore(`template ${templateName()}`);
}

/** Like `freshStore`, before any migration has run. */
export async function freshEmptyStore(): Promise<Store> {
  if (testStoreKind === "pglite") return pgliteFrom("empty");
  return postgresStore("template template0");
}

/** The URL of a PostgreSQL test store's own database, for a child process to open it too. */
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

async function postgresStore(source: string): Promise<Store> {
  const name = `test_${testRun()}_${randomBytes(6).toString("hex")}`;
  await adminQuery(testDatabaseUrl, (db) =>
    sql`create database ${sql.id(name)} ${sql.raw(source)}`.execute(db),
  );
  const url = databaseUrl(testDatabaseUrl, name);
  const store = await openStore({ kind: "postgres", url, poolSize: 5 });
  urls.set(store, url);
  return store;
}
