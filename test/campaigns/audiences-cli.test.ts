import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareSchema } from "../../src/app.ts";
import { audiencesCommand } from "../../src/cli/audiences.ts";
import { openStore } from "../../src/store/connection.ts";
import { storeOptionsFromEnv } from "../../src/store/options.ts";

/**
 * `pledge audiences build | check` on an embedded store (zones): three people written straight
 * into the facts tables, as an import or a restore would leave them, then built, checked, spoiled
 * and checked again.
 */
const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "pledge-audiences-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = {
  PLEDGE_DATA_DIR: path.join(dir, "data"),
  PLEDGE_POLICY: "zones",
  PLEDGE_POLICIES_DIR: path.join(root, "policies"),
  DATABASE_URL: "",
  LOG_LEVEL: "silent",
};
const PURPOSE = "marketing.communications.email";
const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await audiencesCommand(args, { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
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

beforeAll(async () => {
  await withDb(async (db) => {
    for (const n of [1, 2, 3]) {
      await db
        .insertInto("subjects")
        .values({ subject_id: id(n), status: "customer", birth_date: "1980-01-01", jurisdiction: "US" })
        .execute();
    }
    // 1 granted, 2 granted then withdrawn on email, 3 never asked.
    await db
      .insertInto("subject_consents")
      .values([
        { subject_id: id(1), scope: PURPOSE, channel: "", state: "granted" },
        { subject_id: id(2), scope: PURPOSE, channel: "", state: "granted" },
        { subject_id: id(2), scope: PURPOSE, channel: "email", state: "withdrawn" },
      ])
      .execute();
  });
});

describe("pledge audiences", () => {
  it("check before a build says each audience is not built, and exits 0", async () => {
    const r = await run(["check"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/audiences kept under policy 2019-12-31/);
    expect(r.out).toMatch(/marketing\.communications\.email by email: not built, 0 rows/);
  });

  it("build fills each audience with the gate's people, and check then finds them current", async () => {
    const built = await run(["build"]);
    expect(built.code, built.err).toBe(0);
    expect(built.out).toMatch(/built \d+ audiences for policy 2019-12-31/);
    expect(built.out).toMatch(/marketing\.communications\.email by email: 1 people/);
    const checked = await run(["check"]);
    expect(checked.code).toBe(0);
    expect(checked.out).toMatch(
      /marketing\.communications\.email by email: current, 1 rows, 0 missing, 0 extra/,
    );
  });

  it("check finds a spoiled audience, exits 4, and a build puts it right", async () => {
    await withDb((db) => db.deleteFrom("audience_members").where("subject_id", "=", id(1)).execute());
    const spoiled = await run(["check"]);
    expect(spoiled.code).toBe(4);
    expect(spoiled.out).toMatch(
      /marketing\.communications\.email by email: DIFFERS, 0 rows, 1 missing, 0 extra/,
    );
    expect((await run(["build"])).code).toBe(0);
    expect((await run(["check"])).code).toBe(0);
  });

  it("answers a wrong command with its usage and exit 2", async () => {
    const r = await run(["rebuild"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected `pledge audiences build` or `check`/);
  });
});
