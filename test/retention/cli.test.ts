import { mkdtempSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { retentionCommand } from "../../src/cli/retention.ts";
import { prepareSchema } from "../../src/app.ts";
import { openStore } from "../../src/store/connection.ts";
import { storeOptionsFromEnv } from "../../src/store/options.ts";

/**
 * `pledge retention run` on an embedded store, with the real clock: orders from 2018 are past the
 * zones pack's seven years, one from last year is not.
 */
const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "pledge-retention-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = {
  PLEDGE_DATA_DIR: path.join(dir, "data"),
  PLEDGE_POLICY: "zones",
  PLEDGE_POLICIES_DIR: path.join(root, "policies"),
  DATABASE_URL: "",
  LOG_LEVEL: "silent",
};

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await retentionCommand(args, { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function withDb<T>(work: (db: Awaited<ReturnType<typeof openStore>>["db"]) => Promise<T>): Promise<T> {
  const store = await openStore(storeOptionsFromEnv(env));
  try {
    await prepareSchema(store);
    return await work(store.db);
  } finally {
    await store.close();
  }
}

const order = (subjectId: string, orderId: string, at: string) => ({
  subject_id: subjectId,
  order_id: orderId,
  status: "fulfilled" as const,
  items_enc: "sealed",
  total_enc: "sealed",
  collection_point: "test",
  purpose: "essential.service.order_fulfilment",
  policy_version: "2016-11-28",
  created_at: new Date(at),
});
const remaining = () =>
  withDb(async (db) =>
    (await db.selectFrom("orders").select("order_id").orderBy("order_id").execute()).map((r) => r.order_id),
  );

describe("pledge retention run", () => {
  it("refuses bad arguments with its usage", async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(["run", "--max-batches", "0"])).err).toContain("--max-batches");
  });

  it("--dry-run reports and changes nothing; a run cut short resumes and finishes", async () => {
    await withDb((db) =>
      db
        .insertInto("orders")
        .values([
          order(randomUUID(), "OLD-1", "2018-02-01T12:00:00Z"),
          order(randomUUID(), "OLD-2", "2018-03-01T12:00:00Z"),
          order(randomUUID(), "OLD-3", "2018-04-01T12:00:00Z"),
          order(randomUUID(), "NEW-1", `${new Date().getUTCFullYear() - 1}-06-01T12:00:00Z`),
        ])
        .execute(),
    );
    const dry = await run(["run", "--dry-run"]);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain("nothing was changed");
    expect(dry.out).toContain("orders: would erase 3");
    expect(await remaining()).toEqual(["NEW-1", "OLD-1", "OLD-2", "OLD-3"]);

    const first = await run(["run", "--max-batches", "1"]);
    expect(first.code, first.err).toBe(3);
    expect(first.out).toContain("orders: erased 3");
    expect(first.out).toContain("unfinished");
    const id = /run ([0-9a-f-]{36})/.exec(first.out)?.[1];
    const second = await run(["run"]);
    expect(second.code, second.err).toBe(0);
    expect(second.out).toContain(`run ${id} `);
    expect(second.out).toContain("finished");
    expect(second.out).toContain("orders: erased 3");
    expect(await remaining()).toEqual(["NEW-1"]);
    const events = await withDb((db) =>
      db.selectFrom("audit_log").select("type").where("type", "like", "retention.%").orderBy("seq").execute(),
    );
    expect(events.map((e) => e.type)).toEqual([
      "retention.started",
      "retention.erased",
      "retention.erased",
      "retention.erased",
      "retention.finished",
    ]);
  });
});
