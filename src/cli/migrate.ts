import { openStore } from "../store/connection.ts";
import { StoreLockedError } from "../store/lock.ts";
import { migrate } from "../store/migrate.ts";
import { storeOptionsFromEnv } from "../store/options.ts";
import { usageFailure } from "./args.ts";
import type { Io } from "./io.ts";

export const MIGRATE_USAGE = `usage: pledge migrate

Runs every migration the store has not run yet, printing each. It takes no arguments: the store is
PostgreSQL when DATABASE_URL is set, else the embedded store in PLEDGE_DATA_DIR (default
./.pledge), which must not be open in a running \`pledge serve\`.`;

/**
 * `pledge migrate`: opens the store named by the environment (DATABASE_URL → PostgreSQL, else the
 * embedded store under PLEDGE_DATA_DIR) and runs every migration not yet run, printing each.
 * Returns the exit code: 0 on success, 1 if the store cannot be opened or a migration failed.
 */
export async function migrateCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (argv.length > 0) return usageFailure(io, "migrate", `unexpected argument ${JSON.stringify(argv[0])}`);
  const options = storeOptionsFromEnv(env);
  const where =
    options.kind === "postgres" ? "PostgreSQL" : `embedded store at ${options.dataDir ?? "memory"}`;
  let store;
  try {
    store = await openStore(options);
  } catch (error) {
    if (!(error instanceof StoreLockedError) && options.kind !== "postgres") throw error;
    io.err(`pledge migrate: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    const { ran } = await migrate(store);
    for (const name of ran) io.out(`migrated ${name}`);
    io.out(
      ran.length === 0 ? `${where}: already up to date` : `${where}: ${ran.length} migration(s) applied`,
    );
    return 0;
  } catch (error) {
    io.err(`pledge migrate: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await store.close();
  }
}
