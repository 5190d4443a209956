import { join, resolve } from "node:path";
import type { StoreOptions } from "./store.ts";

/**
 * Where Pledge keeps its files. `dataDir` is PLEDGE_DATA_DIR (default `./.pledge`); the embedded
 * database lives in `<dataDir>/db`, and key files sit beside it in `dataDir`, outside the database.
 */
export interface DataPaths {
  readonly dataDir: string;
  readonly dbDir: string;
  readonly auditKeyFile: string;
}

export function dataPaths(env: NodeJS.ProcessEnv): DataPaths {
  const dataDir = resolve(env.PLEDGE_DATA_DIR ?? ".pledge");
  return {
    dataDir,
    dbDir: join(dataDir, "db"),
    auditKeyFile: resolve(env.PLEDGE_AUDIT_KEY_FILE ?? join(dataDir, "audit-signing.key")),
  };
}

/**
 * DATABASE_URL selects PostgreSQL (PLEDGE_PG_PREPARED=off: no named prepared statements);
 * otherwise the embedded PGlite store in `<dataDir>/db`.
 */
export function storeOptionsFromEnv(env: NodeJS.ProcessEnv): StoreOptions {
  const url = env.DATABASE_URL;
  if (url !== undefined && url !== "")
    return { kind: "postgres", url, prepared: env.PLEDGE_PG_PREPARED !== "off" };
  return { kind: "pglite", dataDir: dataPaths(env).dbDir };
}
