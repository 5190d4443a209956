import { describe, expect, it } from "vitest";
import { TokenBuckets } from "../../src/http/rate-limit.ts";

describe("token buckets", () => {
  it("allow the capacity at once, then refuse until a token has refilled", () => {
    let now = 0;
    const buckets = new TokenBuckets({ capacity: 5, perMs: 60_000 }, () => now);
    for (let i = 0; i < 5; i++) expect(buckets.take("k").allowed).toBe(true);
    const refused = buckets.take("k");
    expect(refused).toEqual({ allowed: false, retryAfterMs: 12_000 });
    now += 11_999;
    expect(buckets.take("k").allowed).toBe(false);
    now += 12_001; // 24 s after the bucket emptied: two tokens have refilled
    expect(buckets.take("k").allowed).toBe(true);
    expect(buckets.take("k").allowed).toBe(true);
    expect(buckets.take("k").allowed).toBe(false);
  });

  it("keep keys apart", () => {
    const buckets = new TokenBuckets({ capacity: 1, perMs: 1000 }, () => 0);
    expect(buckets.take("a").allowed).toBe(true);
    expect(buckets.take("a").allowed).toBe(false);
    expect(buckets.take("b").allowed).toBe(true);
  });

  it("stay bounded under a flood of distinct keys and keep limiting a busy one", () => {
    const buckets = new TokenBuckets({ capacity: 2, perMs: 60_000 }, () => 0, 100);
    for (let i = 0; i < 1000; i++) buckets.take(`k${i}`);
    expect(buckets.take("busy").allowed).toBe(true);
    expect(buckets.take("busy").allowed).toBe(true);
    expect(buckets.take("busy").allowed).toBe(false);
    expect((buckets as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(101);
  });
});
