import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./database.ts";
import { onCitus } from "./citus.ts";
import { lockDataDir } from "./lock.ts";
import { makePrivate } from "./modes.ts";
import { PGliteDialect } from "./pglite-dialect.ts";
import { PreparingPool } from "./prepared.ts";
import type { Store, StoreOptions } from "./store.ts";

/**
 * Opens a store. PGlite: a data directory (created on first use) or memory. PostgreSQL: a
 * `pg.Pool`; with `schema`, the schema is created if missing and every pooled connection uses
 * it as its search_path.
 *
 * int8 (count(*), bigint columns): both engines return a JS number when the value is a safe
 * integer and a BigInt otherwise. PGlite does this itself; for `pg` the pool installs the same
 * parser for type 20, per pool, never globally. So `count(*)` reads as a number on both.
 */
export async function openStore(opts: StoreOptions): Promise<Store> {
  switch (opts.kind) {
    case "pglite":
      return openPGlite(opts.dataDir);
    case "postgres":
      return openPostgres(opts.url, opts.schema, opts.poolSize ?? 10, opts.prepared ?? true);
    default: {
      const unknown: never = opts;
      throw new Error(`unknown store kind: ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * A data directory on disk is locked for this process until `close()` (src/store/lock.ts): a
 * second process is refused with StoreLockedError before it reads anything. The directory is
 * made private (0700, files 0600) when it opens and again when it closes.
 */
async function openPGlite(dataDir: string | null): Promise<Store> {
  const onDisk = dataDir !== null && dataDir !== "memory://";
  const lock = onDisk ? lockDataDir(dataDir) : null;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(dataDir) });
  try {
    await sql`select 1`.execute(db); // opens the engine now, so a bad data dir fails here
    if (onDisk) makePrivate(dataDir);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    lock?.release();
    throw error;
  }
  const close = async (): Promise<void> => {
    try {
      await db.destroy();
      if (onDisk) makePrivate(dataDir);
    } finally {
      lock?.release();
    }
  };
  return { kind: "pglite", db, close };
}

async function openPostgres(
  url: string,
  schema: string | undefined,
  poolSize: number,
  prepared: boolean,
): Promise<Store> {
  if (schema !== undefined) await createSchema(url, schema);
  const options = [
    schema === undefined ? null : `-c search_path=${schema}`,
    (await servesCitus(url)) ? ONE_CONNECTION_PER_NODE : null,
  ].filter((o) => o !== null);
  const pool = new pg.Pool({
    ...withOptions(url, options),
    max: poolSize,
    // While the server is down, a request waits this long for a connection, then answers 503.
    connectionTimeoutMillis: 5_000,
    types: { getTypeParser: typeParser },
  });
  // A connection the server drops (a restart: 57P01; a crash) emits "error": on the pool when the
  // connection is idle, on the connection itself when it is checked out between two queries of a
  // transaction. Unheard, either event would end the process. Heard, the query in flight or the
  // next one on that connection fails with the cause (answered 503), the pool discards it, and
  // opens new connections on demand once the server is back.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: prepared ? new PreparingPool(pool) : pool }),
  });
  return { kind: "postgres", db, close: () => db.destroy() };
}

/**
 * On Citus, a transaction that reads or writes many shards of a person's table over several
 * connections at once may not then write a reference table (Citus refuses: the foreign keys from
 * people's tables to reference tables must see one connection per node). Pledge's transactions
 * mix both (a disclosure row, then its people; a campaign and its messages), so every connection
 * works one connection per node. A query about one person reaches one shard either way.
 */
const ONE_CONNECTION_PER_NODE = "-c citus.multi_shard_modify_mode=sequential";

/**
 * Whether the server is a Citus coordinator, asked once on a connection of its own. A server that
 * does not answer is taken for plain PostgreSQL: the store opens anyway and answers 503 until the
 * server is back (a Citus coordinator down at start is set up right by the next restart).
 */
async function servesCitus(url: string): Promise<boolean> {
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5_000 }),
    }),
  });
  try {
    return await onCitus(db);
  } catch {
    return false;
  } finally {
    await db.destroy();
  }
}

/**
 * The URL with `options` added to those it already carries (`?options=-c …`, which node-postgres
 * would otherwise prefer to options given beside the URL).
 */
function withOptions(
  url: string,
  options: readonly string[],
): { connectionString: string; options?: string } {
  if (options.length === 0) return { connectionString: url };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { connectionString: url, options: options.join(" ") }; // a form URL cannot parse carries none
  }
  const own = parsed.searchParams.get("options");
  parsed.searchParams.set("options", [own, ...options].filter((o) => o !== null).join(" "));
  return { connectionString: parsed.toString() };
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

async function createSchema(url: string, schema: string): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } finally {
    await db.destroy();
  }
}

const INT8 = 20;

const typeParser = ((oid: number, format?: "text" | "binary") => {
  if (oid === INT8 && format !== "binary") return parseInt8;
  return pg.types.getTypeParser(oid, format ?? "text");
}) as pg.CustomTypesConfig["getTypeParser"];

function parseInt8(value: string): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}
