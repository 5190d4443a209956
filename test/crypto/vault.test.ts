import { createSecretKey, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VaultError } from "../../src/crypto/errors.ts";
import { addKeyToFile } from "../../src/crypto/keyring-file.ts";
import { fileKeyring, memoryKeyring } from "../../src/crypto/keys.ts";
import { rewrapSubjectKeys } from "../../src/crypto/rotate.ts";
import { createVault } from "../../src/crypto/vault.ts";
import type { Store } from "../../src/store/store.ts";
import { freshStore } from "../harness/store.ts";
import { newSubjectId, tempKeyring } from "./helpers.ts";

const SECRET = "+14155550132";
// One store per test: a store belongs to one keyring, and the tests use several.
let store: Store;
beforeEach(async () => {
  store = await freshStore();
});
afterEach(async () => {
  await store.close();
});
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const indexKey = createSecretKey(randomBytes(32));
function sharedKeyring() {
  const ring = tempKeyring();
  cleanups.push(ring.cleanup);
  return ring;
}

async function vaultError(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe("the vault", () => {
  it("stores only the wrapped data key, and another vault on the same keyring opens the fields", async () => {
    const { file } = sharedKeyring();
    const a = createVault(fileKeyring(file), indexKey);
    const b = createVault(fileKeyring(file), indexKey);
    const id = newSubjectId();
    const sealed = await store.db
      .transaction()
      .execute(async (trx) => (await a.createSubjectKey(trx, id)).encrypt("phone", SECRET));
    const row = await store.db
      .selectFrom("subject_keys")
      .selectAll()
      .where("subject_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.master_key_id).toBe("k1");
    expect(row.wrapped_key).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{64}$/); // 32-byte key + 16-byte tag
    expect((await b.cipherFor(store.db, id))?.decrypt("phone", sealed)).toBe(SECRET);
  });

  it("keeps unwrapped keys: a second cipherFor returns the same cipher without unwrapping", async () => {
    const { file } = sharedKeyring();
    const vault = createVault(fileKeyring(file), indexKey);
    const id = newSubjectId();
    await store.db.transaction().execute((trx) => vault.createSubjectKey(trx, id));
    const first = await vault.cipherFor(store.db, id);
    expect(await vault.cipherFor(store.db, id)).toBe(first);
  });

  it("a key created in a transaction that rolls back does not exist", async () => {
    const vault = createVault(memoryKeyring("m", { m: createSecretKey(randomBytes(32)) }), indexKey);
    const id = newSubjectId();
    await expect(
      store.db.transaction().execute(async (trx) => {
        await vault.createSubjectKey(trx, id);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await vault.cipherFor(store.db, id)).toBeNull();
  });

  it("destroying the key (erasure) leaves nothing that opens the ciphertext, in every vault", async () => {
    const { file } = sharedKeyring();
    const a = createVault(fileKeyring(file), indexKey);
    const b = createVault(fileKeyring(file), indexKey);
    const id = newSubjectId();
    await store.db.transaction().execute((trx) => a.createSubjectKey(trx, id));
    expect(await b.cipherFor(store.db, id)).not.toBeNull(); // b has it cached now
    await store.db.transaction().execute((trx) => a.destroySubjectKey(trx, id));
    expect(await a.cipherFor(store.db, id)).toBeNull();
    expect(await b.cipherFor(store.db, id)).toBeNull();
    expect(await createVault(fileKeyring(file), indexKey).cipherFor(store.db, id)).toBeNull();
  });

  it("a wrapped key copied to another subject's row does not open", async () => {
    const { file } = sharedKeyring();
    const vault = createVault(fileKeyring(file), indexKey);
    const [x, y] = [newSubjectId(), newSubjectId()];
    await store.db.transaction().execute(async (trx) => {
      await vault.createSubjectKey(trx, x);
      await vault.createSubjectKey(trx, y);
    });
    const { wrapped_key } = await store.db
      .selectFrom("subject_keys")
      .select("wrapped_key")
      .where("subject_id", "=", x)
      .executeTakeFirstOrThrow();
    await store.db.updateTable("subject_keys").set({ wrapped_key }).where("subject_id", "=", y).execute();
    const error = await vaultError(createVault(fileKeyring(file), indexKey).cipherFor(store.db, y));
    expect(error.code).toBe("PLEDGE_CIPHERTEXT_INVALID");
  });

  it("meeting a master key version it does not know, it reloads the keyring file once", async () => {
    const { file } = sharedKeyring();
    const stale = createVault(fileKeyring(file), indexKey);
    addKeyToFile(file);
    const rotator = fileKeyring(file);
    const id = newSubjectId();
    const sealed = await store.db
      .transaction()
      .execute(async (trx) =>
        (await createVault(rotator, indexKey).createSubjectKey(trx, id)).encrypt("email", SECRET),
      );
    await rewrapSubjectKeys(store.db, rotator); // the database now names k2 as current
    expect((await stale.cipherFor(store.db, id))?.decrypt("email", sealed)).toBe(SECRET);
    // ...and wraps new keys under the version the database names, not its own stale one.
    const later = newSubjectId();
    await store.db.transaction().execute((trx) => stale.createSubjectKey(trx, later));
    const row = await store.db
      .selectFrom("subject_keys")
      .select("master_key_id")
      .where("subject_id", "=", later)
      .executeTakeFirstOrThrow();
    expect(row.master_key_id).toBe("k2");
  });

  it("a version in no keyring is PLEDGE_KEY_MISSING", async () => {
    const vault = createVault(memoryKeyring("m", { m: createSecretKey(randomBytes(32)) }), indexKey);
    const id = newSubjectId();
    await store.db.transaction().execute((trx) => vault.createSubjectKey(trx, id));
    const other = createVault(memoryKeyring("n", { n: createSecretKey(randomBytes(32)) }), indexKey);
    const error = await vaultError(other.cipherFor(store.db, id));
    expect(error.code).toBe("PLEDGE_KEY_MISSING");
    expect(error.message).toContain("m");
  });

  it("computes blind indexes with the index key", () => {
    const vault = createVault(memoryKeyring("m", { m: createSecretKey(randomBytes(32)) }), indexKey);
    expect(vault.blindIndex("email", "a@example.com")).toHaveLength(43);
    expect(vault.blindIndex("email", "a@example.com")).toBe(vault.blindIndex("email", "a@example.com"));
  });
});
