import { readdir } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from "kysely";
import type { Store } from "./store.ts";

/** The folder of timestamp-named migration files (`<yyyymmddnn…>_<name>.ts`). */
export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

const MIGRATION_FILE = /^\d{8,}_[a-z0-9_]+\.ts$/;

/**
 * Reads every migration file in `dir`. Each exports `up(db)` and optionally `down(db)`. Names are
 * the file names without `.ts`; Kysely runs them in name order, so the timestamp decides.
 */
export class FolderMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.dir)).filter((f) => MIGRATION_FILE.test(f)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const mod = (await import(pathToFileURL(join(this.dir, file)).href)) as Partial<Migration>;
      if (typeof mod.up !== "function") throw new Error(`migration ${file} exports no up()`);
      migrations[file.slice(0, -".ts".length)] = { up: mod.up, down: mod.down };
    }
    return migrations;
  }
}

export interface MigrationReport {
  /** Names of the migrations that ran now, in order. Empty when the store was up to date. */
  readonly ran: readonly string[];
}

/**
 * Brings the store to the latest migration. Safe to run again (nothing runs twice) and from
 * several processes at once (Kysely takes a lock). All pending migrations run in one transaction
 * (PostgreSQL has transactional DDL): if one fails, this throws naming it and none of them is kept.
 */
export async function migrate(store: Store, dir: string = MIGRATIONS_DIR): Promise<MigrationReport> {
  const migrator = await migratorFor(store, dir);
  let { error, results } = await migrator.migrateToLatest();
  // Before it runs anything, Kysely lists the tables of every schema in the database; a table
  // another schema's migration drops meanwhile (stores in schemas of one database, as on Citus)
  // fails that listing with 42P01. Nothing has run then, so it is asked again.
  for (let retry = 0; retry < 3 && error !== undefined && failedInSetup(error, results); retry++)
    ({ error, results } = await migrator.migrateToLatest());
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new Error(
      `migration ${failed ?? "(setup)"} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return { ran: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName) };
}

function failedInSetup(error: unknown, results: readonly { status: string }[] | undefined): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "42P01" && (results ?? []).every((r) => r.status === "NotExecuted");
}

/**
 * Names of the migrations not yet run on this store, in the order they would run. The listing
 * Kysely makes first is asked again when another schema's migration dropped a table under it,
 * as in `migrate`.
 */
export async function pendingMigrations(store: Store, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const migrator = await migratorFor(store, dir);
  for (let retry = 0; ; retry++) {
    try {
      const migrations = await migrator.getMigrations();
      return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
    } catch (error) {
      if (retry >= 3 || (error as { code?: unknown } | null)?.code !== "42P01") throw error;
    }
  }
}

async function migratorFor(store: Store, dir: string): Promise<Migrator> {
  const db = store.db as unknown as Kysely<unknown>;
  return new Migrator({
    db,
    provider: new FolderMigrationProvider(dir),
    migrationTableSchema: await currentSchema(db),
  });
}

/** Kysely keeps its bookkeeping table in the store's own schema (tests use one schema each). */
async function currentSchema(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (schema === undefined) throw new Error("no current schema");
  return schema;
}
