import { createSecretKey, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addKeyToFile } from "../../src/crypto/keyring-file.ts";
import { fileKeyring } from "../../src/crypto/keys.ts";
import { keyStatus, retireRefusal, rewrapSubjectKeys } from "../../src/crypto/rotate.ts";
import { createVault } from "../../src/crypto/vault.ts";
import type { Vault } from "../../src/crypto/vault.types.ts";
import type { Store } from "../../src/store/store.ts";
import { freshStore } from "../harness/store.ts";
import { newSubjectId, tempKeyring } from "./helpers.ts";

const indexKey = createSecretKey(randomBytes(32));
let store: Store;
let ring: ReturnType<typeof tempKeyring>;
beforeEach(async () => {
  store = await freshStore();
  ring = tempKeyring();
});
afterEach(async () => {
  await store.close();
  ring.cleanup();
});

/** What was written: a subject's field ciphertext and the plaintext it must still give back. */
interface Written {
  subjectId: string;
  sealed: string;
  plaintext: string;
}

async function createSubjects(vault: Vault, n: number, tag: string): Promise<Written[]> {
  return store.db.transaction().execute(async (trx) => {
    const written: Written[] = [];
    for (let i = 0; i < n; i += 1) {
      const subjectId = newSubjectId();
      const plaintext = `${tag}-${i}@example.com`;
      const cipher = await vault.createSubjectKey(trx, subjectId);
      written.push({ subjectId, plaintext, sealed: cipher.encrypt("email", plaintext) });
    }
    return written;
  });
}

async function decryptAll(vault: Vault, written: readonly Written[]): Promise<string[]> {
  const out: string[] = [];
  for (const w of written)
    out.push((await vault.cipherFor(store.db, w.subjectId))?.decrypt("email", w.sealed) ?? "(no key)");
  return out;
}

describe("pledge keys rotate: re-wrapping data keys", () => {
  it("rotates under concurrent reads and writes through other vaults and loses nothing", async () => {
    const written = await createSubjects(createVault(fileKeyring(ring.file), indexKey), 60, "before");
    // Servers that loaded the keyring before the rotation: they know k1 only.
    const servers = [0, 1, 2].map(() => createVault(fileKeyring(ring.file), indexKey));
    const rotator = fileKeyring(ring.file);
    addKeyToFile(ring.file);

    let rotating = true;
    let duringRotation = 0;
    const failures: string[] = [];
    const work = servers.map(async (vault, s) => {
      for (let round = 0; rotating || round < 5; round += 1) {
        if (s === 0 || round % 2 === 0) {
          const made = await createSubjects(vault, 2, `during-${s}-${round}`);
          written.push(...made);
          if (rotating) duringRotation += made.length;
        }
        // Read back a few values written at any time, and rewrite one under the same key.
        for (const w of [written[(round * 7 + s) % written.length]!, written[written.length - 1]!]) {
          const cipher = await vault.cipherFor(store.db, w.subjectId);
          const got = cipher?.decrypt("email", w.sealed);
          if (got !== w.plaintext) failures.push(`server ${s} read ${w.subjectId}`);
          if (cipher && round % 3 === 0) {
            w.plaintext = `${w.plaintext}+r${round}`;
            w.sealed = cipher.encrypt("email", w.plaintext);
          }
        }
      }
    });
    const report = await rewrapSubjectKeys(store.db, rotator, { batchSize: 6 }).finally(() => {
      rotating = false;
    });
    await Promise.all(work);

    expect(failures).toEqual([]);
    expect(report.target).toBe("k2");
    expect(report.batches).toBeGreaterThan(1);
    expect(duringRotation).toBeGreaterThan(0);
    expect(await keyStatus(store.db)).toEqual([{ masterKeyId: "k2", dataKeys: written.length }]);
    // A vault that never saw a cached key opens every value: the wrapped keys themselves are right.
    const fresh = createVault(fileKeyring(ring.file), indexKey);
    expect(await decryptAll(fresh, written)).toEqual(written.map((w) => w.plaintext));
    expect(await decryptAll(servers[1]!, written)).toEqual(written.map((w) => w.plaintext));
  });

  it("interrupted, it finishes on the next run; a version in use cannot be retired", async () => {
    const written = await createSubjects(createVault(fileKeyring(ring.file), indexKey), 40, "x");
    const keyring = fileKeyring(ring.file);
    addKeyToFile(ring.file);
    const crash = rewrapSubjectKeys(store.db, keyring, {
      batchSize: 10,
      onBatch: ({ rewrapped }) => {
        if (rewrapped >= 20) throw new Error("interrupted");
      },
    });
    await expect(crash).rejects.toThrow("interrupted");
    expect(await keyStatus(store.db)).toEqual([
      { masterKeyId: "k1", dataKeys: 20 },
      { masterKeyId: "k2", dataKeys: 20 },
    ]);
    expect(await retireRefusal(store.db, keyring, "k1")).toContain(
      "20 data key(s) are still wrapped under k1",
    );

    const report = await rewrapSubjectKeys(store.db, keyring, { batchSize: 10 });
    expect(report).toEqual({ target: "k2", rewrapped: 20, batches: 2 });
    expect(await keyStatus(store.db)).toEqual([{ masterKeyId: "k2", dataKeys: 40 }]);
    expect(await rewrapSubjectKeys(store.db, keyring)).toEqual({ target: "k2", rewrapped: 0, batches: 0 });

    expect(await retireRefusal(store.db, keyring, "k2")).toContain("current");
    expect(await retireRefusal(store.db, keyring, "k9")).toContain("not in the keyring");
    expect(await retireRefusal(store.db, keyring, "k1")).toBeNull();
    const rows = await store.db.selectFrom("subject_keys").select("rotated_at").execute();
    expect(rows.every((r) => r.rotated_at !== null)).toBe(true);
    expect(await decryptAll(createVault(fileKeyring(ring.file), indexKey), written)).toEqual(
      written.map((w) => w.plaintext),
    );
  });
});
