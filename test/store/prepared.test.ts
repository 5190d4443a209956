import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { storeOptionsFor } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { openStore } from "../../src/store/connection.ts";
import { storeOptionsFromEnv } from "../../src/store/options.ts";
import { PreparingPool } from "../../src/store/prepared.ts";
import type { Store } from "../../src/store/store.ts";
import { freshEmptyStore, postgresUrlOf, testStoreKind } from "../harness/store.ts";

describe("PLEDGE_PG_PREPARED reaches the store, from `pledge serve`'s config and from the CLI's environment", () => {
  const url = "postgres://u@127.0.0.1:5432/pledge";
  it.each([
    [{}, true],
    [{ PLEDGE_PG_PREPARED: "on" }, true],
    [{ PLEDGE_PG_PREPARED: "off" }, false],
  ])("%j: prepared %s", (set, prepared) => {
    const env = { DATABASE_URL: url, ...set };
    expect(storeOptionsFor(loadConfig(env))).toEqual({ kind: "postgres", url, prepared });
    expect(storeOptionsFromEnv(env)).toEqual({ kind: "postgres", url, prepared });
  });
});

/** The scratch table each test below makes. */
interface Scratch {
  t: { id: number; n: number };
}

// Named prepared statements are a PostgreSQL pool's (src/store/prepared.ts); PGlite has none.
describe.skipIf(testStoreKind === "pglite")("named prepared statements on PostgreSQL", () => {
  let base: Store;
  let url: string;
  const opened: { destroy(): Promise<void> }[] = [];

  beforeEach(async () => {
    base = await freshEmptyStore();
    url = postgresUrlOf(base);
    await sql`create table t (id int primary key, n int not null)`.execute(base.db);
    await sql`insert into t select g, g * 10 from generate_series(1, 5) g`.execute(base.db);
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.destroy();
    await base.close();
  });

  /** One connection, so every statement below and the look at pg_prepared_statements share it. */
  async function oneConnection(prepared: boolean): Promise<Kysely<Scratch>> {
    const store = await openStore({ kind: "postgres", url, poolSize: 1, prepared });
    opened.push(store.db);
    return store.db as unknown as Kysely<Scratch>;
  }

  const heldBy = async (db: Kysely<Scratch>): Promise<string[]> =>
    (
      await sql<{
        statement: string;
      }>`select statement from pg_prepared_statements order by prepare_time`.execute(db)
    ).rows.map((r) => r.statement);

  const nOf = async (db: Kysely<Scratch>, id: number): Promise<number> =>
    (await db.selectFrom("t").select("n").where("id", "=", id).executeTakeFirstOrThrow()).n;

  it("a statement with parameters is prepared once per connection and bound anew each time", async () => {
    const db = await oneConnection(true);
    expect(await nOf(db, 2)).toBe(20);
    expect(await nOf(db, 3)).toBe(30);
    expect(await nOf(db, 4)).toBe(40);
    const held = await heldBy(db);
    expect(held).toEqual([expect.stringMatching(/^select "n" from "t" where "id" = \$1$/)]);
    // begin, commit and the look above have no parameters: none of them is prepared.
    await db.transaction().execute((trx) => trx.updateTable("t").set({ n: 0 }).where("id", "=", 5).execute());
    expect((await heldBy(db)).some((s) => /^(begin|commit)/i.test(s))).toBe(false);
  });

  it("off (PLEDGE_PG_PREPARED=off): every statement goes unnamed", async () => {
    const db = await oneConnection(false);
    expect(await nOf(db, 2)).toBe(20);
    expect(await nOf(db, 3)).toBe(30);
    expect(await heldBy(db)).toEqual([]);
  });

  it("a statement that fails, alone or in a transaction, leaves the connection and the statement usable", async () => {
    const db = await oneConnection(true);
    // Fails at parse: nothing is kept under its name, and the next statement runs.
    await expect(sql`select n from no_such_table where id = ${1}`.execute(db)).rejects.toThrow(
      /no_such_table/,
    );
    expect(await nOf(db, 1)).toBe(10);
    // Fails at execution, after its parse is kept: the same statement runs with other values.
    const divide = (by: number) =>
      sql<{ q: number }>`select (n / ${by})::int as q from t where id = 1`.execute(db);
    await expect(divide(0)).rejects.toThrow(/division by zero/);
    expect((await divide(5)).rows).toEqual([{ q: 2 }]);
    // A transaction aborted before a statement is first parsed: after the rollback it is parsed again.
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`select 1 / 0`.execute(trx);
      }),
    ).rejects.toThrow(/division by zero/);
    const trx = await db.startTransaction().execute();
    await expect(sql`select 1 / 0`.execute(trx)).rejects.toThrow();
    await expect(sql`select n from t where id = ${5} and n >= ${0}`.execute(trx)).rejects.toThrow(/aborted/);
    await trx.rollback().execute();
    expect(
      (await sql<{ n: number }>`select n from t where id = ${5} and n >= ${0}`.execute(db)).rows,
    ).toEqual([{ n: 50 }]);
  });

  it("past its bounds a statement goes unnamed, and still answers", async () => {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const db = new Kysely<Scratch>({
      dialect: new PostgresDialect({
        pool: new PreparingPool(pool, { statements: 3, textLength: 50, perConnection: 2 }),
      }),
    });
    opened.push(db);
    const a = () => db.selectFrom("t").select("n").where("id", "=", 1).executeTakeFirstOrThrow();
    const b = () => db.selectFrom("t").select("id").where("n", "=", 20).executeTakeFirstOrThrow();
    const c = () => db.selectFrom("t").select("n").where("id", "<", 2).executeTakeFirstOrThrow();
    const d = () => db.selectFrom("t").select("id").where("n", "<", 20).executeTakeFirstOrThrow();
    // Longer than 50 characters: never named, so it takes no place from a and b.
    const long = () =>
      db
        .selectFrom("t")
        .select(["n", "id"])
        .where("id", "=", 3)
        .where("n", ">=", 0)
        .executeTakeFirstOrThrow();
    for (let round = 0; round < 2; round++) {
      expect(await long()).toEqual({ n: 30, id: 3 });
      expect(await a()).toEqual({ n: 10 });
      expect(await b()).toEqual({ id: 2 });
      expect(await c()).toEqual({ n: 10 }); // third name, but the connection holds two already
      expect(await d()).toEqual({ id: 1 }); // no fourth name
    }
    expect(await heldBy(db)).toEqual([
      'select "n" from "t" where "id" = $1',
      'select "id" from "t" where "n" = $1',
    ]);
  });
});
