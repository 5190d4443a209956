import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";
import type pg from "pg";

/**
 * Named prepared statements for the PostgreSQL pool. Kysely sends every statement unnamed, so the
 * server parses and plans it again on each call: for Pledge's larger reads (a record with the
 * gate's facts, a data key with every section of a record) that is more than half of what the
 * server spends on them. Here a statement with parameters is sent under a name the first time a
 * connection runs it; the server keeps its parse (and, after a few runs, a generic plan) for that
 * connection, and later runs send only the parameters.
 *
 * Bounded on both sides:
 * - a statement's name comes from a table of the texts seen so far in this process, of at most
 *   MAX_STATEMENTS entries of at most MAX_TEXT_LENGTH characters (Pledge's largest hot statement,
 *   the key with every section of a record, is about 2,000): a longer text (a multi-row VALUES
 *   list), or one seen after the table is full (an `in (…)` list of a length never met before,
 *   say) goes unnamed, as before; the table holds 16 MB of text at the very most;
 * - each connection prepares at most MAX_PER_CONNECTION of them; the rest go unnamed there.
 *
 * A statement without parameters (`begin`, `commit`, DDL) always goes unnamed, in the simple
 * protocol. Off (PLEDGE_PG_PREPARED=off), for a pooler that cannot keep a connection's prepared
 * statements (PgBouncer in transaction mode before 1.21), every statement goes unnamed.
 */
export const MAX_STATEMENTS = 1_000;
export const MAX_TEXT_LENGTH = 16_384;
export const MAX_PER_CONNECTION = 500;

/** What Kysely's PostgresDialect asks of a pool: `connect()` and `end()`. */
export class PreparingPool implements PostgresPool {
  private readonly names = new Map<string, string>();
  private readonly clients = new WeakMap<pg.PoolClient, PreparingClient>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly limits = {
      statements: MAX_STATEMENTS,
      textLength: MAX_TEXT_LENGTH,
      perConnection: MAX_PER_CONNECTION,
    },
  ) {}

  async connect(): Promise<PreparingClient> {
    const client = await this.pool.connect();
    let wrapped = this.clients.get(client);
    if (wrapped === undefined) {
      wrapped = new PreparingClient(client, this.limits.perConnection, (text) => this.nameOf(text));
      this.clients.set(client, wrapped);
    }
    return wrapped;
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  /** The statement's name; null for a text too long, or new once the table of names is full. */
  private nameOf(text: string): string | null {
    if (text.length > this.limits.textLength) return null;
    let name = this.names.get(text);
    if (name === undefined) {
      if (this.names.size >= this.limits.statements) return null;
      name = `pledge_${this.names.size + 1}`;
      this.names.set(text, name);
    }
    return name;
  }
}

/** A pooled connection that sends statements with parameters under their name. */
export class PreparingClient implements PostgresPoolClient {
  /** The names this connection has prepared (or sent to be). */
  private readonly prepared = new Set<string>();

  constructor(
    private readonly client: pg.PoolClient,
    private readonly most: number,
    private readonly nameOf: (text: string) => string | null,
  ) {}

  query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: readonly unknown[],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // A stream's cursor (a submittable) goes through as it is.
    if (typeof sqlOrCursor !== "string") return this.client.query(sqlOrCursor as never);
    // Kysely hands over a copy of its parameters, which the driver only reads.
    const values = (parameters ?? []) as unknown[];
    const name = values.length === 0 ? null : this.nameFor(sqlOrCursor);
    const result =
      name === null
        ? this.client.query(sqlOrCursor, values)
        : this.client.query({ name, text: sqlOrCursor, values });
    return result as unknown as Promise<PostgresQueryResult<R>>;
  }

  release(error?: Error | boolean): void {
    this.client.release(error);
  }

  private nameFor(text: string): string | null {
    const name = this.nameOf(text);
    if (name === null || this.prepared.has(name)) return name;
    if (this.prepared.size >= this.most) return null;
    this.prepared.add(name);
    return name;
  }
}
