import type { Kysely } from "kysely";
import { prepareSchema, StartError } from "../app.ts";
import type { Database } from "../store/database.ts";
import { openStore } from "../store/connection.ts";
import { storeOptionsFromEnv } from "../store/options.ts";
import type { Io } from "./io.ts";

/**
 * Runs `run` on the store the environment names (DATABASE_URL, else the embedded store under
 * PLEDGE_DATA_DIR), refusing one whose schema is not current with a message, not a stack trace.
 */
export async function withStore(
  io: Io,
  env: NodeJS.ProcessEnv,
  command: string,
  run: (db: Kysely<Database>) => Promise<number>,
): Promise<number> {
  const store = await openStore(storeOptionsFromEnv(env));
  try {
    await prepareSchema(store);
    return await run(store.db);
  } catch (error) {
    if (error instanceof StartError) {
      io.err(`pledge audit ${command}: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}
