import { PGlite } from "@electric-sql/pglite";
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import { Mutex } from "./mutex.ts";

/**
 * Where a PGlite engine comes from: a data directory on disk, null or "memory://" for a store in
 * memory only, or an engine already created (for instance from a dumped data directory). The
 * driver owns the engine either way and closes it on destroy.
 */
export type PGliteSource = string | null | PGlite;

/**
 * Kysely dialect for PGlite (PostgreSQL in WebAssembly).
 *
 * PGlite is one connection. The driver hands it to one Kysely caller at a time (a FIFO mutex held
 * from acquire to release), so a transaction owns the engine until it commits or rolls back.
 * Consequence for callers: inside `db.transaction()`, use the `trx`; querying `db` there waits for
 * the transaction to end, which never happens (on PostgreSQL it would use a second connection).
 */
export class PGliteDialect implements Dialect {
  constructor(private readonly source: PGliteSource) {}

  createDriver(): Driver {
    return new PGliteDriver(this.source);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

class PGliteDriver implements Driver {
  readonly #mutex = new Mutex();
  #engine: PGlite | undefined;
  #connection: PGliteConnection | undefined;
  #release: (() => void) | undefined;

  constructor(private readonly source: PGliteSource) {}

  async init(): Promise<void> {
    const source = this.source;
    this.#engine =
      source instanceof PGlite
        ? source
        : await PGlite.create(source === null || source === "memory://" ? undefined : source);
    this.#connection = new PGliteConnection(this.#engine);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#mutex.acquire();
    if (this.#connection === undefined) {
      release();
      throw new Error("PGlite store is closed");
    }
    this.#release = release;
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  // Transaction control has no parameters: sent as simple queries (`PGliteConnection.command`).
  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const modes = [
      settings.isolationLevel ? `isolation level ${settings.isolationLevel}` : "",
      settings.accessMode ?? "",
    ].filter((m) => m !== "");
    await command(conn, ["begin", ...modes].join(" "));
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await command(conn, "commit");
  }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await command(conn, "rollback");
  }
  async savepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await command(conn, `savepoint ${quoteIdent(name)}`);
  }
  async rollbackToSavepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await command(conn, `rollback to savepoint ${quoteIdent(name)}`);
  }
  async releaseSavepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await command(conn, `release savepoint ${quoteIdent(name)}`);
  }

  /** Waits for the current holder to finish, then closes the engine. */
  async destroy(): Promise<void> {
    const release = await this.#mutex.acquire();
    try {
      this.#connection = undefined;
      await this.#engine?.close();
      this.#engine = undefined;
    } finally {
      release();
    }
  }
}

const MUTATIONS = new Set(["INSERT", "UPDATE", "DELETE", "MERGE"]);

/** The driver only ever hands out its own connections. */
function command(conn: DatabaseConnection, text: string): Promise<void> {
  return (conn as PGliteConnection).command(text);
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly engine: PGlite) {}

  /**
   * A statement without parameters (transaction control), as one simple query: PGlite runs a
   * query with parameters as six protocol messages (parse, describe, bind, describe, execute,
   * sync), a simple one as two.
   */
  async command(text: string): Promise<void> {
    await this.engine.exec(text);
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.engine.query<R>(query.sql, [...query.parameters]);
    const command = (result as { command?: string }).command?.toUpperCase() ?? "";
    if (MUTATIONS.has(command)) {
      return { rows: result.rows, numAffectedRows: BigInt(result.affectedRows ?? 0) };
    }
    return { rows: result.rows };
  }

  /** PGlite has no server-side cursor outside a transaction: runs the query, yields in chunks. */
  async *streamQuery<R>(query: CompiledQuery, chunkSize = 1000): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(query);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
