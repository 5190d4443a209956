import { sql, type Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import type { FailureScope } from "./throttle.table.ts";

/**
 * Failed authentications per source, limited across every node: the counts live in the database
 * (`auth_failures`), not in one process. Each source has a token bucket of `capacity` failures
 * that refills at `capacity` per `perMs`; each failure takes a token, and a source with less than
 * one token left is refused until one has refilled. Successes take nothing.
 *
 * `check` is one indexed read; `fail` one atomic upsert (concurrent failures on several nodes all
 * count). Buckets that are full again are deleted every `sweepEvery` failures in this process.
 */
export interface FailureLimit {
  readonly capacity: number;
  readonly perMs: number;
}

export type Admission =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export class FailureLimiter {
  private failures = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly scope: FailureScope,
    private readonly limit: FailureLimit,
    private readonly now: () => number,
    private readonly sweepEvery = 256,
  ) {
    if (limit.capacity < 1 || limit.perMs <= 0)
      throw new Error("a failure limit needs capacity ≥ 1 and perMs > 0");
  }

  /** Whether `source` may try now, or how long until it may. */
  async check(source: string): Promise<Admission> {
    const row = await this.db
      .selectFrom("auth_failures")
      .select(["tokens", "at"])
      .where("scope", "=", this.scope)
      .where("source", "=", source)
      .executeTakeFirst();
    if (row === undefined) return { allowed: true };
    const tokens = this.refill(row.tokens, new Date(row.at).getTime(), this.now());
    if (tokens >= 1) return { allowed: true };
    return {
      allowed: false,
      retryAfterMs: Math.ceil(((1 - tokens) * this.limit.perMs) / this.limit.capacity),
    };
  }

  /** Counts one failure from `source`. */
  async fail(source: string): Promise<void> {
    const now = this.now();
    const { capacity, perMs } = this.limit;
    const at = new Date(now);
    // The refill is computed in SQL from the stored row, so two nodes failing at once both count.
    await this.db
      .insertInto("auth_failures")
      .values({ scope: this.scope, source, tokens: capacity - 1, at })
      .onConflict((oc) =>
        oc.columns(["scope", "source"]).doUpdateSet({
          tokens: sql<number>`greatest(0, least(${capacity}::float8, auth_failures.tokens + greatest(0, extract(epoch from (${at}::timestamptz - auth_failures.at)) * 1000) * ${capacity / perMs}::float8) - 1)`,
          at: sql<Date>`greatest(auth_failures.at, ${at}::timestamptz)`,
        }),
      )
      .execute();
    if (++this.failures % this.sweepEvery === 0) await this.sweep(now);
  }

  /** Deletes this scope's buckets that have refilled (no failure for `perMs`). */
  async sweep(now = this.now()): Promise<void> {
    await this.db
      .deleteFrom("auth_failures")
      .where("scope", "=", this.scope)
      .where("at", "<", new Date(now - this.limit.perMs))
      .execute();
  }

  private refill(tokens: number, at: number, now: number): number {
    const gained = (Math.max(0, now - at) * this.limit.capacity) / this.limit.perMs;
    return Math.min(this.limit.capacity, tokens + gained);
  }
}
