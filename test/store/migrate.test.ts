import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { migrateCommand } from "../../src/cli/migrate.ts";
import { migrate, pendingMigrations } from "../../src/store/migrate.ts";
import type { Store } from "../../src/store/store.ts";
import { freshEmptyStore, testStoreKind } from "../harness/store.ts";

const fixtures = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function tableExists(s: Store, name: string): Promise<boolean> {
  const { rows } = await sql<{ t: string | null }>`select to_regclass(${name})::text as t`.execute(s.db);
  return rows[0]?.t != null;
}

describe(`migrations (${testStoreKind})`, () => {
  it("runs Pledge's migrations once; a second run does nothing", async () => {
    store = await freshEmptyStore();
    expect(await pendingMigrations(store)).toContain("202611210001_audit");
    const first = await migrate(store);
    expect(first.ran).toContain("202611210001_audit");
    expect(await tableExists(store, "audit_log")).toBe(true);
    expect(await migrate(store)).toEqual({ ran: [] });
    expect(await pendingMigrations(store)).toEqual([]);
  });

  it("runs files in timestamp order whatever order they are listed in, skipping other files", async () => {
    store = await freshEmptyStore();
    expect(await migrate(store, fixtures("ordered"))).toEqual({
      ran: ["2026010101_first", "2026010102_second"],
    });
    const { rows } = await sql<{ name: string }>`select name from fixture_order order by n`.execute(store.db);
    expect(rows.map((r) => r.name)).toEqual(["first", "second"]);
  });

  it("names a failing migration and keeps none of that run (they share one transaction)", async () => {
    store = await freshEmptyStore();
    await expect(migrate(store, fixtures("failing"))).rejects.toThrow(/migration 2026010102_bad failed/);
    expect(await tableExists(store, "fixture_good")).toBe(false);
    expect(await tableExists(store, "fixture_bad")).toBe(false);
  });
});

describe.runIf(testStoreKind === "pglite")("pledge migrate", () => {
  it("migrates the embedded store under PLEDGE_DATA_DIR and prints what ran", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pledge-migrate-"));
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
    try {
      expect(await migrateCommand([], io, { PLEDGE_DATA_DIR: dir })).toBe(0);
      expect(out).toContain("migrated 202611210001_audit");
      out.length = 0;
      expect(await migrateCommand([], io, { PLEDGE_DATA_DIR: dir })).toBe(0);
      expect(out).toEqual([`embedded store at ${join(dir, "db")}: already up to date`]);
      expect(err).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
