import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql, type Kysely } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/connection.ts";
import type { Store } from "../../src/store/store.ts";
import { freshEmptyStore, testStoreKind } from "../harness/store.ts";

let store: Store;
let db: Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- scratch tables only

beforeEach(async () => {
  store = await freshEmptyStore();
  db = store.db;
  await sql`create table t (id int primary key, n int not null)`.execute(db);
});
afterEach(() => store.close());

describe(`store driver (${testStoreKind})`, () => {
  it("reports affected rows for insert, update and delete", async () => {
    const ins = await db
      .insertInto("t")
      .values([
        { id: 1, n: 0 },
        { id: 2, n: 0 },
      ])
      .executeTakeFirst();
    expect(ins.numInsertedOrUpdatedRows).toBe(2n);
    const upd = await db.updateTable("t").set({ n: 5 }).executeTakeFirst();
    expect(upd.numUpdatedRows).toBe(2n);
    const del = await db.deleteFrom("t").where("id", "=", 1).executeTakeFirst();
    expect(del.numDeletedRows).toBe(1n);
  });

  it("reads int8 as a number when safe and as a BigInt otherwise, on both engines", async () => {
    await db.insertInto("t").values({ id: 1, n: 1 }).execute();
    const { rows } = await sql<{ c: unknown; big: unknown }>`
      select count(*) as c, 9007199254740993::int8 as big from t`.execute(db);
    expect(rows[0]).toEqual({ c: 1, big: 9007199254740993n });
  });

  it("commits a transaction and rolls one back on error", async () => {
    await db.transaction().execute((trx) => trx.insertInto("t").values({ id: 1, n: 1 }).execute());
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto("t").values({ id: 2, n: 2 }).execute();
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await db.selectFrom("t").select("id").execute()).toEqual([{ id: 1 }]);
  });

  it("rolls back to a savepoint", async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto("t").values({ id: 1, n: 1 }).execute();
    const sp = await trx.savepoint("before_two").execute();
    await sp.insertInto("t").values({ id: 2, n: 2 }).execute();
    await sp.rollbackToSavepoint("before_two").execute();
    await trx.commit().execute();
    expect(await db.selectFrom("t").select("id").execute()).toEqual([{ id: 1 }]);
  });

  it("serialises concurrent read-modify-write transactions: no update is lost", async () => {
    await db.insertInto("t").values({ id: 1, n: 0 }).execute();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction().execute(async (trx) => {
          const row = await trx
            .selectFrom("t")
            .select("n")
            .where("id", "=", 1)
            .forUpdate()
            .executeTakeFirstOrThrow();
          await trx
            .updateTable("t")
            .set({ n: row.n + 1 })
            .where("id", "=", 1)
            .execute();
        }),
      ),
    );
    expect(await db.selectFrom("t").select("n").executeTakeFirst()).toEqual({ n: 20 });
  });

  it.runIf(testStoreKind === "pglite")(
    "never interleaves two transactions on the single PGlite connection",
    async () => {
      const trace: string[] = [];
      const work = (name: string) =>
        db.transaction().execute(async (trx) => {
          trace.push(`${name}:begin`);
          await trx
            .insertInto("t")
            .values({ id: name.charCodeAt(0), n: 0 })
            .execute();
          await new Promise((r) => setTimeout(r, 10));
          await sql`select 1`.execute(trx);
          trace.push(`${name}:end`);
        });
      await Promise.all([
        work("a"),
        work("b"),
        db
          .selectFrom("t")
          .selectAll()
          .execute()
          .then(() => trace.push("q")),
      ]);
      expect(trace).toEqual(["a:begin", "a:end", "b:begin", "b:end", "q"]);
    },
  );
});

describe.runIf(testStoreKind === "pglite")("PGlite data directory", () => {
  it("keeps data across close and reopen", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pledge-pglite-"));
    try {
      const a = await openStore({ kind: "pglite", dataDir: join(dir, "db") });
      await sql`create table kept (v text)`.execute(a.db);
      await sql`insert into kept values (${"x"})`.execute(a.db);
      await a.close();
      const b = await openStore({ kind: "pglite", dataDir: join(dir, "db") });
      const { rows } = await sql<{ v: string }>`select v from kept`.execute(b.db);
      await b.close();
      expect(rows).toEqual([{ v: "x" }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
