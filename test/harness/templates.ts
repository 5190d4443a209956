import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { openStore } from "../../src/store/connection.ts";
import type { Database } from "../../src/store/database.ts";
import { MIGRATIONS_DIR, migrate } from "../../src/store/migrate.ts";
import { PGliteDialect } from "../../src/store/pglite-dialect.ts";
import type { Store } from "../../src/store/store.ts";

/**
 * The stores tests start from, built once per run instead of once per test file.
 *
 * Embedded: PGlite's initdb and the migrations take seconds, loading a dumped data directory a
 * fraction of that. The two dumps (empty and migrated) are files under
 * node_modules/.cache/pledge-test/, named by a hash of everything that shapes them (the PGlite
 * version, the migrations and the code that runs them), so a run after a change to any of those
 * builds new ones and an unchanged tree reuses them.
 *
 * PostgreSQL: one migrated database per run, `test_<run>_template`; each test store is a database
 * created from it (`create database … template …` copies files, no migration runs again).
 *
 * Citus has no template: a copied database would lack the shards on the workers, so each store is
 * a schema migrated anew (`citusStore` in test/harness/store.ts).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CACHE_DIR = path.join(root, "node_modules/.cache/pledge-test");

export interface PgliteTemplates {
  readonly empty: string;
  readonly migrated: string;
}

/** Paths of the empty and migrated PGlite dumps, building whichever is missing. */
export async function pgliteTemplates(): Promise<PgliteTemplates> {
  const key = templateKey();
  const empty = path.join(CACHE_DIR, `empty-${key}.tar`);
  const migrated = path.join(CACHE_DIR, `migrated-${key}.tar`);
  if (!existsSync(empty)) {
    const engine = await PGlite.create();
    // A test store holds a few hundred rows; PGlite's default 128MB of shared buffers are
    // allocated and cleared at every start, and with 16MB a store loads in about half the time.
    await engine.exec("alter system set shared_buffers = '16MB'");
    await writeDump(empty, await dumpOf(engine));
  }
  if (!existsSync(migrated)) {
    const engine = await PGlite.create({ loadDataDir: loadDump(empty) });
    await migrate(pgliteStore(engine));
    await writeDump(migrated, await dumpOf(engine));
  }
  return { empty, migrated };
}

export function loadDump(file: string): Blob {
  return new Blob([readFileSync(file)]);
}

export function pgliteStore(engine: PGlite): Store {
  const db = new Kysely<Database>({ dialect: new PGliteDialect(engine) });
  return { kind: "pglite", db, close: () => db.destroy() };
}

async function dumpOf(engine: PGlite): Promise<Blob> {
  try {
    return (await engine.dumpDataDir("none")) as Blob;
  } finally {
    await engine.close();
  }
}

/** Written beside its final name and renamed, so a concurrent run never reads half a file. */
async function writeDump(file: string, dump: Blob): Promise<void> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const partial = `${file}.${randomBytes(4).toString("hex")}.partial`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, file);
}

function templateKey(): string {
  const hash = createHash("sha256");
  const pgliteVersion = (
    JSON.parse(readFileSync(path.join(root, "node_modules/@electric-sql/pglite/package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  hash.update(`pglite ${pgliteVersion}\n`);
  const sources = [
    ...readdirSync(MIGRATIONS_DIR)
      .sort()
      .map((f) => path.join(MIGRATIONS_DIR, f)),
    path.join(root, "src/store/migrate.ts"),
    fileURLToPath(import.meta.url),
  ];
  for (const file of sources) hash.update(`${path.relative(root, file)}\n`).update(readFileSync(file));
  return hash.digest("hex").slice(0, 16);
}

/** The migrated database this run's PostgreSQL test stores are copied from. */
export async function createPostgresTemplate(url: string, name: string): Promise<void> {
  await adminQuery(url, (db) => sql`create database ${sql.id(name)}`.execute(db));
  const store = await openStore({ kind: "postgres", url: databaseUrl(url, name), poolSize: 1 });
  try {
    await migrate(store);
  } finally {
    await store.close();
  }
}

/** `url` with its database replaced by `name`. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs `work` on one connection to the server's maintenance database of `url`. */
export async function adminQuery<T>(url: string, work: (db: Kysely<unknown>) => Promise<T>): Promise<T> {
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}
