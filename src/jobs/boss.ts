import { CompiledQuery, sql, type Kysely } from "kysely";
import PgBoss from "pg-boss";
import type { Database } from "../store/database.ts";
import type { Store } from "../store/store.ts";
import { splitSql } from "./split-sql.ts";

/**
 * pg-boss over the app's own store, PGlite or PostgreSQL alike: pg-boss's `db.executeSql` is
 * backed by the Kysely instance, so jobs live in the same database as the data they point at and
 * no second pool or connection string exists. Scripts without parameters (schema creation,
 * maintenance in BEGIN … COMMIT) are split into statements and run in order on one connection.
 * Jobs carry ids only, never personal data.
 */
export type Boss = PgBoss;

export interface JobsOptions {
  /** Called with errors pg-boss reports from its background loops (polling, maintenance). */
  readonly onError: (error: Error) => void;
  /** Seconds between polls of an idle queue (pg-boss's minimum is 0.5). */
  readonly pollingSeconds?: number;
}

/** The schema pg-boss keeps its tables in: `pgboss`, or `pgboss_<schema>` beside a non-public schema. */
export async function jobsSchemaFor(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const current = rows[0]?.schema ?? "public";
  return current === "public" ? "pgboss" : `pgboss_${current}`.slice(0, 63);
}

export function executorFor(db: Kysely<Database>): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      if (values.length > 0) {
        const result = await db.executeQuery(CompiledQuery.raw(text, values));
        return { rows: result.rows as unknown[] };
      }
      const statements = splitSql(text);
      if (statements.length === 1) {
        const result = await db.executeQuery(CompiledQuery.raw(statements[0] as string, []));
        return { rows: result.rows as unknown[] };
      }
      return db.connection().execute(async (conn) => {
        let rows: unknown[] = [];
        try {
          for (const statement of statements) {
            rows = (await conn.executeQuery(CompiledQuery.raw(statement, []))).rows as unknown[];
          }
        } catch (error) {
          // A script that opened a transaction must not leave this connection inside it.
          await conn.executeQuery(CompiledQuery.raw("rollback", [])).catch(() => undefined);
          throw error;
        }
        return { rows };
      });
    },
  };
}

/** Starts pg-boss on the store (creating or migrating its schema on first use). */
export async function startBoss(store: Store, options: JobsOptions): Promise<Boss> {
  const schema = await jobsSchemaFor(store.db);
  const boss = new PgBoss({
    db: executorFor(store.db),
    schema,
    // Cron schedules are not used; maintenance (expiry, archive) stays on.
    schedule: false,
    pollingIntervalSeconds: options.pollingSeconds ?? 1,
    maintenanceIntervalSeconds: 30,
    monitorStateIntervalSeconds: 60,
  } as PgBoss.ConstructorOptions);
  boss.on("error", options.onError);
  await boss.start();
  return boss;
}
