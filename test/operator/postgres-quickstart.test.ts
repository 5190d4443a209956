import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runPledge, spawnServe } from "../harness/cli.ts";
import { freshEmptyStore, postgresUrlOf, testStoreKind } from "../harness/store.ts";

/**
 * The README's PostgreSQL quick start, command by command, as a newcomer types it, on a new empty
 * database (the harness makes it and drops it when the run ends). Runs on the PostgreSQL pass.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), "pledge-pg-quickstart-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe.runIf(testStoreKind === "postgres")("PostgreSQL quick start (README)", () => {
  it("keys init, migrate, an admin key, serve: the key answers", async () => {
    const store = await freshEmptyStore();
    const url = postgresUrlOf(store);
    await store.close();
    const env = { DATABASE_URL: url, PLEDGE_DATA_DIR: dataDir };

    // Before the steps, serve says which one is missing rather than failing obscurely.
    const early = await runPledge(["serve"], env);
    expect(early.code).toBe(1);
    expect(early.err).toContain("pledge keys init");

    const init = await runPledge(["keys", "init"], env);
    expect(init.code, init.err).toBe(0);
    expect(init.out).toContain("created:");

    const migrate = await runPledge(["migrate"], env);
    expect(migrate.code, migrate.err).toBe(0);
    expect(migrate.out).toContain("PostgreSQL:");

    const add = await runPledge(["staff", "add", "--name", "Admin", "--role", "admin"], env);
    expect(add.code, add.err).toBe(0);
    const made = await runPledge(["staff", "key", add.out.trim()], env);
    expect(made.code, made.err).toBe(0);
    const key = made.out.trim();
    expect(key).toMatch(/^pk_[a-z0-9]+_[A-Za-z0-9_-]{43}$/);

    const server = await spawnServe(env);
    try {
      expect(server.output()).not.toContain("no API key exists yet");
      const res = await fetch(`${server.url}/v1/decisions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({
          use: { action: "read", purpose: "essential.service.order_fulfilment", fields: ["order_id"] },
          facts: { subject: { status: "customer" } },
        }),
      });
      expect(res.status).toBe(200);
      const staff = await fetch(`${server.url}/v1/staff`, { headers: { authorization: `Bearer ${key}` } });
      expect(((await staff.json()) as { items: { displayName: string }[] }).items).toEqual([
        expect.objectContaining({ displayName: "Admin", role: "admin" }),
      ]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
