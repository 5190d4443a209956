import { sql, type Kysely } from "kysely";
import type { Database } from "./database.ts";

/** Which engine a store runs on. Both speak the PostgreSQL dialect through the same queries. */
export type StoreKind = "pglite" | "postgres";

/**
 * An open store: one Kysely instance over either the embedded PGlite engine (a data directory,
 * or memory) or a PostgreSQL server. Callers pass `db` (or a transaction of it) to repositories;
 * nothing holds a global connection.
 */
export interface Store {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  close(): Promise<void>;
}

export type StoreOptions =
  | { kind: "pglite"; dataDir: string | null /* null = in memory */ }
  | {
      kind: "postgres";
      url: string;
      schema?: string /* search_path, used by tests */;
      poolSize?: number;
      /** Named prepared statements (src/store/prepared.ts); default true. */
      prepared?: boolean;
    };

/** Whether the store answers a trivial query (readiness). */
export async function storeAnswers(store: Store): Promise<boolean> {
  try {
    await sql`select 1`.execute(store.db);
    return true;
  } catch {
    return false;
  }
}
