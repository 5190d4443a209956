import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PageViewWriter } from "../../src/modules/analytics/analytics.writer.ts";
import type { PageViewRow } from "../../src/modules/analytics/analytics.repository.ts";
import type { Store } from "../../src/store/store.ts";
import { freshStore } from "../harness/store.ts";

/** The page-view writer's group commit, on the test store (PGlite, or PostgreSQL under test:pg). */
let store: Store;
beforeAll(async () => {
  store = await freshStore();
});
afterAll(() => store.close());

const row = (i: number, referrer: string | null = "search.example"): PageViewRow => ({
  site: "shop.example",
  day: "2026-12-06",
  at: new Date(`2026-12-06T10:00:${String(i % 60).padStart(2, "0")}Z`),
  visitor: Buffer.alloc(16, i),
  path: `/products/${i}`,
  referrer,
});

describe("PageViewWriter", () => {
  it("writes hits that arrive together in one statement, and answers each only once stored", async () => {
    const writer = new PageViewWriter(store.db);
    const writes = Array.from({ length: 40 }, (_, i) =>
      writer.write(row(i, i % 2 === 0 ? null : "a.example")),
    );
    await Promise.all(writes);
    expect(writer.batches).toBe(1);
    const stored = await store.db
      .selectFrom("page_views")
      .select(["path", "referrer", "visitor", "at"])
      .orderBy("path")
      .execute();
    expect(stored).toHaveLength(40);
    const seventh = stored.find((r) => r.path === "/products/7")!;
    expect(seventh.referrer).toBe("a.example");
    expect(Buffer.from(seventh.visitor)).toEqual(Buffer.alloc(16, 7));
    expect(new Date(seventh.at).toISOString()).toBe("2026-12-06T10:00:07.000Z");
    expect(stored.find((r) => r.path === "/products/8")!.referrer).toBeNull();
  });

  it("writes hits that arrive while a statement is in flight in the next one", async () => {
    const writer = new PageViewWriter(store.db);
    const first = writer.write(row(100));
    // Queued once the first batch's INSERT has started: they wait for the next statement.
    await new Promise((resolve) => setImmediate(resolve));
    const later = Array.from({ length: 10 }, (_, i) => writer.write(row(101 + i)));
    await Promise.all([first, ...later]);
    expect(writer.batches).toBe(2);
  });

  it("fails every hit of a batch the store refuses, and stores none of them", async () => {
    const writer = new PageViewWriter(store.db);
    const before = await store.db
      .selectFrom("page_views")
      .select((e) => e.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const bad = { ...row(200), site: null as unknown as string }; // site is NOT NULL
    const results = await Promise.allSettled([
      writer.write(row(201)),
      writer.write(bad),
      writer.write(row(202)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    const after = await store.db
      .selectFrom("page_views")
      .select((e) => e.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    // The writer goes on: the next hit is stored.
    await writer.write(row(203));
    expect(writer.batches).toBe(2);
  });

  it("with several statements in flight, stores every hit once, however the hits arrive", async () => {
    const writer = new PageViewWriter(store.db, 4);
    const writes: Promise<void>[] = [];
    for (let wave = 0; wave < 6; wave++) {
      for (let i = 0; i < 25; i++)
        writes.push(writer.write({ ...row(1000 + wave * 25 + i), site: "waves.example" }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(writes);
    const stored = await store.db
      .selectFrom("page_views")
      .select("path")
      .where("site", "=", "waves.example")
      .execute();
    expect(stored).toHaveLength(150);
    expect(new Set(stored.map((r) => r.path)).size).toBe(150);
    expect(writer.batches).toBeGreaterThanOrEqual(1);
    expect(writer.batches).toBeLessThanOrEqual(6);
  });
});
