import { sql, type Kysely, type Transaction } from "kysely";
import type { KeyObject } from "node:crypto";
import type { Database } from "../store/database.ts";
import { blindIndex } from "./blind-index.ts";
import { createSubjectCipher, newDataKey, open, seal, unwrapDataKey, wrapDataKey } from "./cipher.ts";
import { VaultError } from "./errors.ts";
import type { Keyring, MasterKey } from "./keys.ts";
import { Lru } from "./lru.ts";
import type { SubjectCipher, SubjectKeyRow, Vault } from "./vault.types.ts";

export interface VaultOptions {
  /** How many unwrapped data keys to keep (least recently used go first). Default 10,000. */
  readonly cacheSize?: number;
}

/**
 * The vault over a master keyring and the blind-index key. `cipherFor` reads the subject's row
 * every time (so a key destroyed by another server is gone here too) but unwraps only when the
 * wrapped text differs from the cached one: hot reads cost one primary-key lookup, no unwrap.
 * `cipherFromRow` serves readers that fetched the key row with their data (one query a page).
 */
export function createVault(keys: Keyring, indexKey: KeyObject, options: VaultOptions = {}): Vault {
  const cache = new Lru<string, { wrapped: string; cipher: SubjectCipher }>(options.cacheSize ?? 10_000);

  /** A version unknown here may have been added by another process's rotation: reload once. */
  const masterKey = (id: string): MasterKey => {
    const found = keys.find(id) ?? (keys.reload() ? keys.find(id) : undefined);
    if (found === undefined) {
      throw new VaultError(
        "PLEDGE_KEY_MISSING",
        `master key version ${id} is not in the ${keys.source} keyring`,
      );
    }
    return found;
  };

  const unwrap = (subjectId: string, masterKeyId: string, wrapped: string): SubjectCipher => {
    const master = masterKey(masterKeyId);
    return createSubjectCipher(subjectId, unwrapDataKey(master.key, master.id, subjectId, wrapped));
  };

  return {
    async createSubjectKey(trx: Transaction<Database>, subjectId: string): Promise<SubjectCipher> {
      const shared = await trx
        .selectFrom("vault_master")
        .select("current_key_id")
        .forShare()
        .executeTakeFirst();
      const master = shared?.current_key_id ? masterKey(shared.current_key_id) : keys.current();
      const dataKey = newDataKey();
      const wrapped = wrapDataKey(master.key, master.id, subjectId, dataKey);
      await trx
        .insertInto("subject_keys")
        .values({ subject_id: subjectId, master_key_id: master.id, wrapped_key: wrapped })
        .execute();
      const cipher = createSubjectCipher(subjectId, dataKey);
      cache.set(subjectId, { wrapped, cipher });
      return cipher;
    },

    async cipherFor(db: Kysely<Database>, subjectId: string): Promise<SubjectCipher | null> {
      const row = await db
        .selectFrom("subject_keys")
        .select(["master_key_id", "wrapped_key"])
        .where("subject_id", "=", subjectId)
        .executeTakeFirst();
      if (row === undefined) {
        cache.delete(subjectId);
        return null;
      }
      const cached = cache.get(subjectId);
      if (cached?.wrapped === row.wrapped_key) return cached.cipher;
      const cipher = unwrap(subjectId, row.master_key_id, row.wrapped_key);
      cache.set(subjectId, { wrapped: row.wrapped_key, cipher });
      return cipher;
    },

    cipherFromRow(row: SubjectKeyRow): SubjectCipher {
      const cached = cache.peek(row.subject_id);
      if (cached?.wrapped === row.wrapped_key) return cached.cipher;
      return unwrap(row.subject_id, row.master_key_id, row.wrapped_key);
    },

    async destroySubjectKey(trx: Transaction<Database>, subjectId: string): Promise<void> {
      cache.delete(subjectId);
      await trx.deleteFrom("subject_keys").where("subject_id", "=", subjectId).execute();
    },

    blindIndex: (kind, normalised) => blindIndex(indexKey, kind, normalised),

    sealSecret(label, plaintext) {
      const master = keys.current();
      return { masterKeyId: master.id, text: seal(master.key, secretAad(label), plaintext) };
    },

    openSecret(label, sealed) {
      const master = masterKey(sealed.masterKeyId);
      return open(master.key, secretAad(label), sealed.text, (l) => `the secret ${l}`, label).toString(
        "utf8",
      );
    },
  };
}

/** Secrets sealed directly under a master key are bound to a label no data key's text can have. */
const secretAad = (label: string): Buffer => Buffer.from(`pledge.secret\0${label}`);

/** The master key version new data keys are wrapped under, as the database has it (null: unset). */
export async function sharedCurrentKey(db: Kysely<Database>): Promise<string | null> {
  const row = await db.selectFrom("vault_master").select("current_key_id").executeTakeFirst();
  return row?.current_key_id ?? null;
}

/** Sets it; waits for keys being created under the old version (they hold the row FOR SHARE). */
export async function setSharedCurrentKey(db: Kysely<Database>, id: string): Promise<void> {
  await sql`update vault_master set current_key_id = ${id}`.execute(db);
}
