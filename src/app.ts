import { chmodSync, mkdirSync } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { Migrator, sql, type Kysely } from "kysely";
import type { Config } from "./config.ts";
import { loadPolicyHistory, type PolicyHistory } from "./policy/history.ts";
import { openStore } from "./store/connection.ts";
import { StoreLockedError } from "./store/lock.ts";
import { FolderMigrationProvider, MIGRATIONS_DIR, migrate } from "./store/migrate.ts";
import type { Store, StoreOptions } from "./store/store.ts";

/**
 * Start-up steps shared by `pledge serve` and the commands that open the store. Each failure is
 * a `StartError` whose message tells the operator what to do; no stack trace is needed.
 */
export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartError";
  }
}

export function storeOptionsFor(config: Config): StoreOptions {
  return config.databaseUrl === null
    ? { kind: "pglite", dataDir: path.join(config.dataDir, "db") }
    : { kind: "postgres", url: config.databaseUrl, prepared: config.pgPrepared };
}

/**
 * PLEDGE_DATA_DIR, created if missing, private to its owner (0700) whether new or not. A directory
 * this process may not chmod (someone else's) is left as it is.
 */
export function ensureDataDir(config: Config): void {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(config.dataDir, 0o700);
  } catch {
    // not ours to change
  }
}

export async function openConfiguredStore(config: Config): Promise<Store> {
  const options = storeOptionsFor(config);
  if (options.kind === "pglite") ensureDataDir(config);
  try {
    return await openStore(options);
  } catch (error) {
    if (error instanceof StoreLockedError) throw new StartError(error.message);
    const where =
      options.kind === "pglite" ? `the embedded store in ${options.dataDir}` : "PostgreSQL at DATABASE_URL";
    throw new StartError(`cannot open ${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Makes sure the schema is current. An empty embedded store is migrated here (a fresh clone just
 * works); anything else with pending migrations is left alone and refused, so schema changes on
 * data that exists happen only when someone runs `pledge migrate`.
 */
export async function prepareSchema(store: Store): Promise<"migrated" | "current"> {
  const db = store.db as unknown as Kysely<unknown>;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrator = new Migrator({
    db,
    provider: new FolderMigrationProvider(MIGRATIONS_DIR),
    migrationTableSchema: rows[0]?.schema ?? "public",
  });
  const migrations = await migrator.getMigrations();
  const pending = migrations.filter((m) => m.executedAt === undefined);
  if (pending.length === 0) return "current";
  const empty = pending.length === migrations.length;
  if (empty && store.kind === "pglite") {
    await migrate(store);
    return "migrated";
  }
  const which = empty
    ? "has no schema yet"
    : `is missing ${pending.length} migration(s) (${pending.map((m) => m.name).join(", ")})`;
  throw new StartError(
    `the ${store.kind === "pglite" ? "embedded store" : "PostgreSQL database"} ${which}: run \`pledge migrate\` first`,
  );
}

export async function loadConfiguredPolicies(config: Config): Promise<PolicyHistory> {
  const dir = path.join(config.policiesDir, config.policy);
  const found = await stat(dir).catch(() => null);
  if (!found?.isDirectory()) {
    throw new StartError(
      `PLEDGE_POLICY: no policy folder ${dir} (set PLEDGE_POLICY to a folder under ${config.policiesDir})`,
    );
  }
  return loadPolicyHistory(dir);
}
