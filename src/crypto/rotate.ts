import { sql, type Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import { unwrapDataKey, wrapDataKey } from "./cipher.ts";
import { VaultError } from "./errors.ts";
import type { Keyring, MasterKey } from "./keys.ts";
import { setSharedCurrentKey, sharedCurrentKey } from "./vault.ts";

export interface RotationOptions {
  /** Data keys re-wrapped per transaction. Default 500. */
  readonly batchSize?: number;
  readonly clock?: () => Date;
  /** Told after each committed batch. */
  readonly onBatch?: (progress: { readonly rewrapped: number; readonly total: number }) => void;
}

export interface RotationReport {
  /** The master key version every data key is now wrapped under. */
  readonly target: string;
  readonly rewrapped: number;
  readonly batches: number;
}

/**
 * Re-wraps every data key not under the keyring's current master key, while servers keep serving.
 * First the database's current version is switched (servers wrap new keys under it from then on;
 * the switch waits for keys being created under the old version, see vault_master), then rows are
 * walked in key order, each batch in its own short transaction that changes a row only if it is
 * still as read. A data
 * key itself never changes, so field ciphertexts and cached keys stay valid. Interrupted at any
 * point, running it again finishes the job: it only looks for rows not yet under the target.
 */
export async function rewrapSubjectKeys(
  db: Kysely<Database>,
  keyring: Keyring,
  options: RotationOptions = {},
): Promise<RotationReport> {
  keyring.reload();
  const target = keyring.current();
  const batchSize = options.batchSize ?? 500;
  const clock = options.clock ?? (() => new Date());
  await setSharedCurrentKey(db, target.id);
  const total = await countNotUnder(db, target.id);
  let rewrapped = 0;
  let batches = 0;
  // A second pass only finds rows if something wrapped under an old version after the switch.
  for (let pass = 0; pass < 3 && (pass === 0 || (await countNotUnder(db, target.id)) > 0); pass += 1) {
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const done = await db.transaction().execute(async (trx) => {
        const rows = await trx
          .selectFrom("subject_keys")
          .select(["subject_id", "master_key_id", "wrapped_key"])
          .where("master_key_id", "<>", target.id)
          .where("subject_id", ">", after)
          .orderBy("subject_id")
          .limit(batchSize)
          .execute();
        if (rows.length === 0) return true;
        const wrapped = rows.map((r) => {
          const old = masterKey(keyring, r.master_key_id);
          const dataKey = unwrapDataKey(old.key, old.id, r.subject_id, r.wrapped_key);
          return wrapDataKey(target.key, target.id, r.subject_id, dataKey);
        });
        const ids = rows.map((r) => r.subject_id);
        // Each row changes only if it is still what was read (compare and set, no row locks, which
        // Citus takes only one shard at a time): a key erased or rewrapped meanwhile is left as
        // it now is, and one still under an old version is found again by the next pass.
        const result = await sql`
          update subject_keys as k
          set master_key_id = ${target.id}, wrapped_key = v.wrapped, rotated_at = ${clock().toISOString()}::timestamptz
          from unnest(${ids}::uuid[], ${wrapped}::text[], ${rows.map((r) => r.wrapped_key)}::text[])
            as v(subject_id, wrapped, was)
          where k.subject_id = v.subject_id and k.wrapped_key = v.was`.execute(trx);
        after = ids[ids.length - 1]!;
        rewrapped += Number(result.numAffectedRows ?? 0);
        return false;
      });
      if (done) break;
      batches += 1;
      options.onBatch?.({ rewrapped, total: Math.max(total, rewrapped) });
    }
  }
  return { target: target.id, rewrapped, batches };
}

function masterKey(keyring: Keyring, id: string): MasterKey {
  const found = keyring.find(id) ?? (keyring.reload() ? keyring.find(id) : undefined);
  if (found === undefined)
    throw new VaultError("PLEDGE_KEY_MISSING", `master key version ${id} is not in the keyring`);
  return found;
}

async function countNotUnder(db: Kysely<Database>, id: string): Promise<number> {
  const row = await db
    .selectFrom("subject_keys")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("master_key_id", "<>", id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many data keys each master key version wraps, largest first. */
export async function keyStatus(db: Kysely<Database>): Promise<{ masterKeyId: string; dataKeys: number }[]> {
  const rows = await db
    .selectFrom("subject_keys")
    .select((eb) => ["master_key_id", eb.fn.countAll<number>().as("n")])
    .groupBy("master_key_id")
    .orderBy("n", "desc")
    .execute();
  return rows.map((r) => ({ masterKeyId: r.master_key_id, dataKeys: Number(r.n) }));
}

/** Why a master key version may not leave the keyring yet; null when it may. */
export async function retireRefusal(
  db: Kysely<Database>,
  keyring: Keyring,
  id: string,
): Promise<string | null> {
  if (keyring.find(id) === undefined) return `key ${id} is not in the keyring`;
  if (keyring.current().id === id || (await sharedCurrentKey(db)) === id)
    return `key ${id} is the current key`;
  const used = (await keyStatus(db)).find((s) => s.masterKeyId === id)?.dataKeys ?? 0;
  return used > 0
    ? `${used} data key(s) are still wrapped under ${id}: run \`pledge keys rotate --resume\``
    : null;
}
