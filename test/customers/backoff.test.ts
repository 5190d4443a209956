import path from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createApp } from "../../src/http/app.ts";
import { ephemeralVault } from "../../src/modules/subjects/ephemeral-vault.ts";
import { loadPolicyHistory } from "../../src/policy/history.ts";
import { POLICIES_DIR, buildTestApp, type TestApp } from "../harness/app.ts";
import { PASSWORD, signIn, signedFrom, signedUp } from "./helpers.ts";

/**
 * The account back-off, known devices and the per-source failure limit, through HTTP. Nobody
 * guessing from however many addresses can keep the owner out: the owner's known browser signs in
 * at once, any browser after a short delay. The clock is the test's; nothing here sleeps.
 */
let t: TestApp;
let now = new Date("2026-02-01T09:00:00Z");
const advance = (ms: number) => (now = new Date(now.getTime() + ms));
beforeAll(async () => {
  t = await buildTestApp({ company: "partstore", clock: () => now });
});
afterAll(() => t.close());

let ipCounter = 0;
/** A new source address each call: the attacker's rotating addresses, or a fresh client. */
const freshIp = () => `10.${Math.floor(++ipCounter / 250) % 250}.${ipCounter % 250}.7`;
const deviceCookie = (device: string | undefined) => `pledge_device=${device ?? ""}`;
const retryAfter = (res: LightMyRequestResponse) => Number(res.headers["retry-after"]);
const problemOf = (res: LightMyRequestResponse) => {
  const { instance: _, ...rest } = res.json() as Record<string, unknown>;
  return rest;
};

/**
 * `n` rounds of wrong passwords, one for each of `emails` per round, each from a new address,
 * waiting out every back-off in between; returns the Retry-After of each back-off met.
 */
async function guess(emails: string | readonly string[], n: number): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const email of [emails].flat()) {
      let res = await signIn(t.app, email, `guess number ${i} wrong`, { ip: freshIp() });
      if (res.statusCode === 429) {
        expect(res.json()).toMatchObject({ code: "PLEDGE_SIGNIN_BACKOFF" });
        waits.push(retryAfter(res));
        advance(retryAfter(res) * 1000);
        res = await signIn(t.app, email, `guess number ${i} wrong`, { ip: freshIp() });
      }
      expect(res.statusCode, res.body).toBe(401);
    }
  }
  return waits;
}

describe("account back-off", () => {
  it("guesses from rotating addresses delay the account; they never lock the owner out", async () => {
    const owner = await signedUp(t.app);
    expect(owner.device).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await guess(owner.email, 12);
    // Twelve failures: the next attempt waits 2^7 s. The right password, from a browser that is
    // not a known device, is refused unchecked…
    const held = await signIn(t.app, owner.email, PASSWORD, { ip: freshIp() });
    expect(held.statusCode).toBe(429);
    expect(held.json()).toMatchObject({ code: "PLEDGE_SIGNIN_BACKOFF" });
    expect(retryAfter(held)).toBe(128);
    expect(held.headers["set-cookie"]).toBeUndefined();
    // …while the owner's known browser signs in at once, from any address.
    const known = await signIn(t.app, owner.email, PASSWORD, {
      ip: freshIp(),
      cookie: deviceCookie(owner.device),
    });
    expect(known.statusCode, known.body).toBe(200);
    expect(signedFrom(known).subjectId).toBe(owner.subjectId);
  });

  it("lets the right password in from an unknown browser once the delay has passed", async () => {
    const owner = await signedUp(t.app);
    await guess(owner.email, 8);
    const held = await signIn(t.app, owner.email, PASSWORD, { ip: freshIp() });
    expect(held.statusCode).toBe(429);
    expect(retryAfter(held)).toBe(8);
    advance(8_000 - 1);
    expect((await signIn(t.app, owner.email, PASSWORD, { ip: freshIp() })).statusCode).toBe(429);
    advance(1);
    const res = await signIn(t.app, owner.email, PASSWORD, { ip: freshIp() });
    expect(res.statusCode, res.body).toBe(200);
    // The success starts the count again and makes this browser a known device.
    expect(signedFrom(res).device).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await signIn(t.app, owner.email, "one more wrong guess", { ip: freshIp() })).statusCode).toBe(
      401,
    );
    expect((await signIn(t.app, owner.email, PASSWORD, { ip: freshIp() })).statusCode).toBe(200);
  });

  it("doubles the delay from 1 s after five failures, up to five minutes", async () => {
    const owner = await signedUp(t.app);
    const waits = await guess(owner.email, 16);
    const last = await signIn(t.app, owner.email, PASSWORD, { ip: freshIp() });
    expect(last.statusCode).toBe(429);
    expect([...waits, retryAfter(last)]).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
  });

  it("answers names without an account exactly like names with one", async () => {
    const owner = await signedUp(t.app);
    const nobody = `no-account-${ipCounter}@example.com`;
    await guess([owner.email, nobody], 6);
    const a = await signIn(t.app, owner.email, PASSWORD, { ip: freshIp() });
    const b = await signIn(t.app, nobody, PASSWORD, { ip: freshIp() });
    expect([a.statusCode, b.statusCode]).toEqual([429, 429]);
    expect(problemOf(b)).toEqual(problemOf(a));
    expect(retryAfter(b)).toBe(retryAfter(a));
    expect(JSON.stringify(problemOf(a))).not.toContain(owner.email);
  });

  it("a device cookie of another account, or a made-up one, does not get through", async () => {
    const owner = await signedUp(t.app);
    const other = await signedUp(t.app);
    await guess(owner.email, 6);
    for (const cookie of [deviceCookie(other.device), deviceCookie("A".repeat(43)), deviceCookie("x")]) {
      const res = await signIn(t.app, owner.email, PASSWORD, { ip: freshIp(), cookie });
      expect(res.statusCode).toBe(429);
    }
  });

  it("forgets a known device after ten wrong passwords typed on it", async () => {
    const owner = await signedUp(t.app);
    const cookie = deviceCookie(owner.device);
    for (let i = 0; i < 10; i++) {
      const res = await signIn(t.app, owner.email, `stolen cookie guess ${i}`, { ip: freshIp(), cookie });
      expect(res.statusCode, res.body).toBe(401); // never held back: the device skips the back-off
    }
    const res = await signIn(t.app, owner.email, PASSWORD, { ip: freshIp(), cookie });
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ code: "PLEDGE_SIGNIN_BACKOFF" });
  });

  it("holds back a password change's re-authentication like a sign-in", async () => {
    const owner = await signedUp(t.app);
    await guess(owner.email, 5);
    const change = (cookie: string) =>
      t.app.inject({
        method: "POST",
        url: "/v1/account/password",
        remoteAddress: freshIp(),
        headers: { cookie, "x-csrf-token": owner.csrfToken },
        payload: { currentPassword: PASSWORD, newPassword: "lantern meadow copper 77" },
      });
    const held = await change(owner.cookie);
    expect(held.statusCode).toBe(429);
    expect(held.json()).toMatchObject({ code: "PLEDGE_SIGNIN_BACKOFF" });
    const known = await change(`${owner.cookie}; ${deviceCookie(owner.device)}`);
    expect(known.statusCode, known.body).toBe(200);
  });
});

describe("failures per source address", () => {
  it("refuses an address after 20 failures in 15 minutes, whatever the account, until it refills", async () => {
    const owner = await signedUp(t.app);
    const ip = freshIp();
    for (let i = 0; i < 20; i++) {
      const res = await signIn(t.app, `sprayed-${i}-${ipCounter}@example.com`, PASSWORD, { ip });
      expect(res.statusCode).toBe(401);
    }
    const limited = await signIn(t.app, owner.email, PASSWORD, { ip });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: "PLEDGE_RATE_LIMITED" });
    expect(retryAfter(limited)).toBe(45); // one failure refills every 15 min / 20
    // Another address is not held back.
    expect((await signIn(t.app, owner.email, PASSWORD, { ip: freshIp() })).statusCode).toBe(200);
    advance(45_000);
    expect((await signIn(t.app, owner.email, PASSWORD, { ip })).statusCode).toBe(200);
  });

  it("counts an IPv6 client by its /64", async () => {
    const owner = await signedUp(t.app);
    for (let i = 0; i < 20; i++) {
      const ip = `2001:db8:7:${ipCounter % 100}::${(i + 1).toString(16)}`;
      expect((await signIn(t.app, `v6-${i}-${ipCounter}@example.com`, PASSWORD, { ip })).statusCode).toBe(
        401,
      );
    }
    const other = `2001:db8:7:${ipCounter % 100}:ffff::1`;
    expect((await signIn(t.app, owner.email, PASSWORD, { ip: other })).statusCode).toBe(429);
    ipCounter++;
  });

  it("holds on every node: failures counted by one app refuse the address on another", async () => {
    const config = loadConfig({ LOG_LEVEL: "silent", PLEDGE_POLICIES_DIR: POLICIES_DIR });
    const policies = await loadPolicyHistory(path.join(POLICIES_DIR, "partstore"));
    // Two nodes on one store, with the same keys (as `pledge serve` nodes share PLEDGE_* keys).
    const vault = ephemeralVault();
    const node = () =>
      createApp({ config, store: t.store, policies, audit: t.audit, clock: () => now, vault });
    const [first, second] = [await node(), await node()];
    try {
      const owner = await signedUp(first);
      const ip = freshIp();
      for (let i = 0; i < 20; i++) {
        const node = i % 2 === 0 ? first : second;
        expect((await signIn(node, `node-${i}-${ipCounter}@example.com`, PASSWORD, { ip })).statusCode).toBe(
          401,
        );
      }
      expect((await signIn(second, owner.email, PASSWORD, { ip })).statusCode).toBe(429);
      expect((await signIn(first, owner.email, PASSWORD, { ip })).statusCode).toBe(429);
      expect((await signIn(second, owner.email, PASSWORD, { ip: freshIp() })).statusCode).toBe(200);
      // The account back-off is shared too: five failures through one node hold back the other.
      for (let i = 0; i < 5; i++)
        expect((await signIn(first, owner.email, `wrong ${i} here`, { ip: freshIp() })).statusCode).toBe(401);
      const held = await signIn(second, owner.email, PASSWORD, { ip: freshIp() });
      expect(held.statusCode).toBe(429);
      expect(held.json()).toMatchObject({ code: "PLEDGE_SIGNIN_BACKOFF" });
    } finally {
      await first.close();
      await second.close();
    }
  });
});
