import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { migrateCommand } from "../../src/cli/migrate.ts";
import { openStore } from "../../src/store/connection.ts";
import type { Database } from "../../src/store/database.ts";
import { storeOptionsFromEnv } from "../../src/store/options.ts";
import type { Store } from "../../src/store/store.ts";
import { freshStore, postgresUrlOf, testStoreKind } from "../harness/store.ts";

/**
 * A store the `pledge` commands open themselves, as they would in production: on PGlite the
 * embedded store in a new PLEDGE_DATA_DIR (opened by one side at a time), on PostgreSQL a fresh
 * test database named by DATABASE_URL. `env` holds what the commands read; `withDb` opens the
 * same store for a test to seed or tamper with.
 */
export interface CliStore {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  withDb<T>(run: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function cliStore(extraEnv: NodeJS.ProcessEnv = {}): Promise<CliStore> {
  const dir = mkdtempSync(join(tmpdir(), "pledge-audit-cli-"));
  let shared: Store | null = null;
  let env: NodeJS.ProcessEnv = { PLEDGE_DATA_DIR: dir, ...extraEnv };
  if (testStoreKind === "postgres") {
    shared = await freshStore();
    env = { ...env, DATABASE_URL: postgresUrlOf(shared) };
  } else {
    const code = await migrateCommand([], { out: () => {}, err: () => {} }, env);
    if (code !== 0) throw new Error(`pledge migrate exited ${code}`);
  }
  return {
    dir,
    env,
    async withDb(run) {
      if (shared !== null) return run(shared.db);
      const store = await openStore(storeOptionsFromEnv(env));
      try {
        return await run(store.db);
      } finally {
        await store.close();
      }
    },
    async close() {
      await shared?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
