import { openStore } from "../store/connection.ts";
import { migrate } from "../store/migrate.ts";
import { storeOptionsFromEnv } from "../store/options.ts";

/**
 * `pledge migrate`: opens the store named by the environment (DATABASE_URL → PostgreSQL, else the
 * embedded store under PLEDGE_DATA_DIR) and runs every migration not yet run, printing each.
 * Returns the exit code: 0 on success, 1 if a migration failed.
 */
export async function migrateCommand(
  argv: string[],
  io: { out: (s: string) => void; err: (s: string) => void },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (argv.length > 0) {
    io.err(`pledge migrate takes no arguments (got: ${argv.join(" ")})`);
    return 2;
  }
  const options = storeOptionsFromEnv(env);
  const store = await openStore(options);
  try {
    const { ran } = await migrate(store);
    for (const name of ran) io.out(`migrated ${name}`);
    const where =
      options.kind === "postgres" ? "PostgreSQL" : `embedded store at ${options.dataDir ?? "memory"}`;
    io.out(
      ran.length === 0 ? `${where}: already up to date` : `${where}: ${ran.length} migration(s) applied`,
    );
    return 0;
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await store.close();
  }
}
