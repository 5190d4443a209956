import type { FastifyReply } from "fastify";
import { PledgeError } from "../errors.ts";

/**
 * Token buckets kept in this process's memory: a limit holds per server node, so N nodes behind
 * a balancer allow up to N times the configured rate. Each key's bucket starts full with
 * `capacity` tokens and refills continuously at `capacity` per `perMs`; a request takes one.
 * The map is swept of full buckets when it grows, so idle keys cost nothing for long.
 */
export interface Limit {
  readonly capacity: number;
  readonly perMs: number;
}

export type Take = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: Limit,
    private readonly now: () => number,
    private readonly maxKeys = 100_000,
  ) {
    if (limit.capacity < 1 || limit.perMs <= 0)
      throw new Error("a rate limit needs capacity ≥ 1 and perMs > 0");
  }

  /** Takes one token for `key`, or says how long until one is available. */
  take(key: string): Take {
    const now = this.now();
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.buckets.set(key, bucket);
      if (this.buckets.size > this.maxKeys) this.sweep(now);
      return { allowed: true };
    }
    this.buckets.set(key, bucket);
    const rate = this.limit.capacity / this.limit.perMs;
    return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / rate) };
  }

  private refilled(key: string, now: number): { tokens: number; at: number } {
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.limit.capacity, at: now };
    const gained = (Math.max(0, now - bucket.at) * this.limit.capacity) / this.limit.perMs;
    return { tokens: Math.min(this.limit.capacity, bucket.tokens + gained), at: now };
  }

  private sweep(now: number): void {
    for (const [key] of this.buckets) {
      if (this.refilled(key, now).tokens >= this.limit.capacity) this.buckets.delete(key);
    }
    // Still too many live keys (a flood of distinct keys): drop the oldest rather than grow.
    for (const [key] of this.buckets) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

/** Refuses a request a limit did not admit: 429 PLEDGE_RATE_LIMITED with `Retry-After` in seconds. */
export function refuseUnlessAdmitted(
  reply: FastifyReply,
  take: { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number },
  what = "attempts",
): void {
  if (take.allowed) return;
  const seconds = Math.max(1, Math.ceil(take.retryAfterMs / 1000));
  void reply.header("retry-after", String(seconds));
  throw new PledgeError("PLEDGE_RATE_LIMITED", `too many ${what}; retry in ${seconds} s`);
}
