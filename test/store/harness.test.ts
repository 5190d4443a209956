import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { pendingMigrations } from "../../src/store/migrate.ts";
import type { Store } from "../../src/store/store.ts";
import { openStore } from "../../src/store/connection.ts";
import {
  CITUS_TEST_SHARDS,
  freshEmptyStore,
  freshStore,
  postgresUrlOf,
  testOnCitus,
  testRun,
  testStoreKind,
} from "../harness/store.ts";
import { relativeImportsOf, testFiles, testFilesUsingTheStore } from "../harness/store-users.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe(`test stores from the run's template (${testStoreKind})`, () => {
  const opened: Store[] = [];
  const open = async (make: () => Promise<Store>) => {
    const store = await make();
    opened.push(store);
    return store;
  };
  afterAll(async () => {
    for (const store of opened) await store.close();
  });

  const tables = async (store: Store) =>
    (
      await sql<{ name: string }>`
        select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(store.db)
    ).rows.map((r) => r.name);

  it("gives a fully migrated store, and another that is its own", async () => {
    const a = await open(freshStore);
    const b = await open(freshStore);
    expect(await pendingMigrations(a)).toEqual([]);
    expect(await tables(a)).toContain("subjects");
    await sql`insert into staff (id, display_name, role) values (gen_random_uuid(), 'only in a', 'admin')`.execute(
      a.db,
    );
    const count = async (store: Store) =>
      (await sql<{ n: number }>`select count(*) as n from staff`.execute(store.db)).rows[0]?.n;
    expect(await count(a)).toBe(1);
    expect(await count(b)).toBe(0);
  });

  it("gives an empty store before any migration", async () => {
    const store = await open(freshEmptyStore);
    expect(await tables(store)).toEqual([]);
    expect((await pendingMigrations(store)).length).toBeGreaterThan(0);
  });

  it.runIf(testStoreKind === "postgres" && !testOnCitus)(
    "gives each store its own database of this run",
    async () => {
      const store = await open(freshStore);
      const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(store.db);
      expect(rows[0]?.name).toMatch(new RegExp(`^test_${testRun()}_[0-9a-f]{12}$`));
      expect(postgresUrlOf(store)).toMatch(new RegExp(`/${rows[0]?.name}$`));
    },
  );

  it.runIf(testOnCitus)("gives each store its own schema of this run, which its URL selects", async () => {
    const store = await open(freshStore);
    const name = new RegExp(`^test_${testRun()}_[0-9a-f]{12}$`);
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
    expect(rows[0]?.schema).toMatch(name);
    // Kysely's migrator keeps its ledger in the store's schema, not in public.
    expect(await tables(store)).toContain("kysely_migration");
    // Another process opens the store by its URL alone, as `pledge serve` does with DATABASE_URL.
    const again = await open(() => openStore({ kind: "postgres", url: postgresUrlOf(store), poolSize: 1 }));
    const seen = await sql<{ schema: string; shards: string }>`
      select current_schema() as schema, current_setting('citus.shard_count') as shards`.execute(again.db);
    expect(seen.rows[0]).toEqual({ schema: rows[0]?.schema, shards: String(CITUS_TEST_SHARDS) });
    expect(await pendingMigrations(again)).toEqual([]);
  });

  it.runIf(testStoreKind === "pglite")("starts PGlite with small shared buffers", async () => {
    const store = await open(freshStore);
    const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(store.db);
    expect(rows[0]?.shared_buffers).toBe("16MB");
  });
});

describe("which test files the PostgreSQL pass runs", () => {
  it("reads static, side-effect, re-exported and dynamic imports, and only relative ones", () => {
    const source = [
      `import { a } from "./a.ts";`,
      `import type { B } from '../b.ts';`,
      `import {\n  c,\n  d,\n} from "./c.ts";`,
      `import "./side.ts";`,
      `export { e } from "./e.ts";`,
      `const f = await import("./f.ts");`,
      `import { describe } from "vitest";`,
      `// a word like import in a comment, "from" nothing`,
    ].join("\n");
    expect(relativeImportsOf(source)).toEqual([
      "./a.ts",
      "../b.ts",
      "./c.ts",
      "./side.ts",
      "./e.ts",
      "./f.ts",
    ]);
  });

  it("follows imports through other test modules, once around a cycle", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pledge-store-users-"));
    try {
      const write = (file: string, text: string) => {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), text);
      };
      write("test/harness/store.ts", "export const x = 1;\n");
      write("test/harness/app.ts", `import { x } from "./store.ts";\n`);
      write("test/a/direct.test.ts", `import { x } from "../harness/store.ts";\n`);
      write("test/a/through-app.test.ts", `import { y } from "./helpers.ts";\n`);
      write("test/a/helpers.ts", `import { z } from "./cycle.ts";\nimport { w } from "../harness/app.ts";\n`);
      write("test/a/cycle.ts", `import { y } from "./helpers.ts";\n`);
      write("test/a/dynamic.test.ts", `const s = await import("../harness/store.ts");\n`);
      write(
        "test/b/pure.test.ts",
        `import { decide } from "../../src/gate/decide.ts";\nimport "./cycle-only.ts";\n`,
      );
      write("test/b/cycle-only.ts", `import "./pure.test.ts";\n`);
      expect(testFiles(dir)).toHaveLength(4);
      expect(testFilesUsingTheStore(dir)).toEqual([
        "test/a/direct.test.ts",
        "test/a/dynamic.test.ts",
        "test/a/through-app.test.ts",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs every file of this repository that names the store harness's functions", () => {
    const users = new Set(testFilesUsingTheStore(root));
    const naming = testFiles(root).filter((f) =>
      /\b(freshStore|freshEmptyStore|buildTestApp|testStoreKind|servePledge)\b/.test(
        readFileSync(path.join(root, f), "utf8"),
      ),
    );
    expect(naming.length).toBeGreaterThan(30);
    expect(naming.filter((f) => !users.has(f))).toEqual([]);
    expect(users.has("test/gate/compile.test.ts")).toBe(false);
  });
});
