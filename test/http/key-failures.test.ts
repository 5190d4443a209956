import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/http/logger.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/**
 * Failed staff API keys are limited per source address (10 a minute by default, counted in the
 * database): a guesser is answered 429 with Retry-After before any key it sends is looked up;
 * good keys from other addresses never notice. No answer or log line carries a key.
 */
let t: TestApp;
let now = new Date("2026-03-01T12:00:00Z");
const lines: string[] = [];
beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  t = await buildTestApp({ clock: () => now, logger: createLogger("trace", sink) });
});
afterAll(() => t.close());

const list = (key: string, ip: string) =>
  t.app.inject({
    method: "GET",
    url: "/v1/campaigns",
    headers: { authorization: `Bearer ${key}` },
    remoteAddress: ip,
  });
const madeUp = (i: number) =>
  `pk_guess${String(i).padStart(4, "0")}_${"Q".repeat(39)}${String(i).padStart(4, "0")}`;

describe("failed API keys per source address", () => {
  it("60 bad keys: ten 401s, then 429 with Retry-After; a good key elsewhere still works", async () => {
    const good = await t.apiKey("admin");
    const attacker = "198.18.0.66";
    const statuses: number[] = [];
    const bodies: string[] = [];
    let lastRetry = "";
    for (let i = 0; i < 60; i++) {
      const res = await list(madeUp(i), attacker);
      statuses.push(res.statusCode);
      bodies.push(res.body);
      if (res.statusCode === 429) lastRetry = String(res.headers["retry-after"]);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(401), ...Array<number>(50).fill(429)]);
    expect(JSON.parse(bodies[59]!)).toMatchObject({ code: "PLEDGE_RATE_LIMITED", status: 429 });
    expect(lastRetry).toBe("6"); // one failure refills every 60 s / 10
    // The right key from the limited address is not looked up either: guessing stops there.
    expect((await list(good, attacker)).statusCode).toBe(429);
    // Another address with a good key is served, and so is a bad key from it (its own count).
    expect((await list(good, "198.18.0.67")).statusCode).toBe(200);
    expect((await list(madeUp(99), "198.18.0.67")).statusCode).toBe(401);
    // Once a failure has refilled, the address may try again.
    now = new Date(now.getTime() + 6_000);
    expect((await list(good, attacker)).statusCode).toBe(200);
    // No key, good or made up, in any answer or log line.
    const seen = [...bodies, ...lines].join("\n");
    for (const key of [good, madeUp(0), madeUp(59)]) expect(seen).not.toContain(key);
    expect(seen).not.toContain("QQQQQQQQ");
  });

  it("a request without any key is 401 and does not count as a failure", async () => {
    const ip = "198.18.0.70";
    for (let i = 0; i < 15; i++) {
      const res = await t.app.inject({ method: "GET", url: "/v1/campaigns", remoteAddress: ip });
      expect(res.json()).toMatchObject({ code: "PLEDGE_AUTH_MISSING" });
    }
    expect((await list(await t.apiKey("admin"), ip)).statusCode).toBe(200);
  });

  it("behind a trusted proxy, counts the client the proxy names", async () => {
    const proxied = await buildTestApp({ clock: () => now, env: { PLEDGE_TRUST_PROXY: "10.0.0.1" } });
    try {
      const send = (key: string, client: string) =>
        proxied.app.inject({
          method: "GET",
          url: "/v1/campaigns",
          remoteAddress: "10.0.0.1",
          headers: { authorization: `Bearer ${key}`, "x-forwarded-for": client },
        });
      for (let i = 0; i < 10; i++) expect((await send(madeUp(i), "203.0.113.50")).statusCode).toBe(401);
      expect((await send(madeUp(10), "203.0.113.50")).statusCode).toBe(429);
      // Another client behind the same proxy is its own source.
      expect((await send(await proxied.apiKey("admin"), "203.0.113.51")).statusCode).toBe(200);
    } finally {
      await proxied.close();
    }
  });
});
