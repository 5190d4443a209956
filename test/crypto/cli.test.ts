import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keysCommand } from "../../src/cli/keys.ts";
import { loadKeys } from "../../src/crypto/keys.ts";
import { createVault } from "../../src/crypto/vault.ts";
import { openStore } from "../../src/store/connection.ts";
import { migrate } from "../../src/store/migrate.ts";
import { newSubjectId } from "./helpers.ts";

// The command on an embedded store in a data directory, as an operator runs it.
const dataDir = mkdtempSync(path.join(tmpdir(), "pledge-keys-cli-"));
const env = { PLEDGE_DATA_DIR: dataDir };
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function run(argv: string[], environment: NodeJS.ProcessEnv = env) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await keysCommand(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, environment);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const written: { subjectId: string; sealed: string }[] = [];
async function withVault<T>(
  use: (db: Awaited<ReturnType<typeof openStore>>, vault: ReturnType<typeof createVault>) => Promise<T>,
): Promise<T> {
  const store = await openStore({ kind: "pglite", dataDir: path.join(dataDir, "db") });
  try {
    await migrate(store);
    const keys = loadKeys(env, { dataDir, create: false });
    return await use(store, createVault(keys.keyring, keys.indexKey));
  } finally {
    await store.close();
  }
}

describe("pledge keys", () => {
  beforeAll(async () => {
    const init = await run(["init"]);
    expect(init, init.err).toMatchObject({ code: 0, out: "created: master, index" });
    expect(init.err).toContain(path.join(dataDir, "master.keys"));
    await withVault(async (store, vault) => {
      await store.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 12; i += 1) {
          const subjectId = newSubjectId();
          written.push({
            subjectId,
            sealed: (await vault.createSubjectKey(trx, subjectId)).encrypt("first_name", `name ${i}`),
          });
        }
      });
    });
  });

  it("init again creates nothing", async () => {
    expect(await run(["init"])).toMatchObject({ code: 0, out: "the keys exist already; nothing created" });
  });

  it("status, rotate with progress, status, retire the old version", async () => {
    expect((await run(["status"])).out).toBe("k1\t12 data key(s)  (current)");
    const rotated = await run(["rotate", "--batch-size", "5"]);
    expect(rotated, rotated.err).toMatchObject({ code: 0 });
    expect(rotated.out.split("\n")).toEqual([
      `added master key k2 to ${path.join(dataDir, "master.keys")}; it is now current`,
      "re-wrapped 5/12",
      "re-wrapped 10/12",
      "re-wrapped 12/12",
      "done: 12 data key(s) re-wrapped under k2 in 3 batch(es)",
      "k1\t0 data key(s)",
      "k2\t12 data key(s)  (current)",
    ]);
    expect((await run(["rotate", "--resume"])).out).toContain("done: 0 data key(s) re-wrapped under k2");

    expect(await run(["retire", "k2"])).toMatchObject({
      code: 1,
      err: "pledge keys retire: key k2 is the current key",
    });
    expect(await run(["retire", "k1"])).toMatchObject({ code: 0 });
    expect(
      Object.keys(
        (JSON.parse(readFileSync(path.join(dataDir, "master.keys"), "utf8")) as { keys: object }).keys,
      ),
    ).toEqual(["k2"]);

    const opened = await withVault(async (store, vault) =>
      Promise.all(
        written.map(async (w) =>
          (await vault.cipherFor(store.db, w.subjectId))?.decrypt("first_name", w.sealed),
        ),
      ),
    );
    expect(opened).toEqual(written.map((_, i) => `name ${i}`));
  });

  it("refuses to rotate a key from PLEDGE_MASTER_KEY, saying how to move to a keyring file", async () => {
    const res = await run(["rotate"], { ...env, PLEDGE_MASTER_KEY: randomBytes(32).toString("base64") });
    expect(res.code).toBe(1);
    expect(res.err).toContain("PLEDGE_MASTER_KEY_FILE");
    expect(res.err).toContain('"current": "env"');
  });

  it("a wrong invocation says what was wrong, points at --help, and exits 2", async () => {
    expect(await run([])).toMatchObject({ code: 2, err: expect.stringMatching(/^usage:/) });
    expect(await run(["retire"])).toMatchObject({
      code: 2,
      err: 'pledge keys: keys retire needs a KEY_ID\nrun "pledge keys --help" for usage',
    });
    expect(await run(["rotate", "--batch-size", "0"])).toMatchObject({
      code: 2,
      err: 'pledge keys: --batch-size: expected a positive integer, got "0"\nrun "pledge keys --help" for usage',
    });
  });

  it("without key files it says what to set", async () => {
    const res = await run(["status"], { PLEDGE_DATA_DIR: path.join(dataDir, "nowhere") });
    expect(res.code).toBe(1);
    expect(res.err).toContain("PLEDGE_KEY_MISSING");
  });
});
