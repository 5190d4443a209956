import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../store/database.ts";

/**
 * Known devices: a browser that signed in with the right password gets a `pledge_device` cookie
 * holding 32 random bytes; the table keeps the bytes' SHA-256 with the customer. Presented on a
 * later sign-in to the same account, it lets the attempt through the account back-off (someone
 * guessing from elsewhere cannot keep the owner out); it is no credential by itself, the password
 * is still checked. `failureLimit` wrong passwords in a row typed on a device forget it, so a
 * stolen cookie buys a guesser only that many tries.
 */
type Db = Kysely<Database>;

const DEVICE_ID = /^[A-Za-z0-9_-]{43}$/;

export interface KnownDevice {
  readonly subjectId: string;
  readonly idHash: string;
  readonly failures: number;
}

export interface IssuedDevice {
  /** The secret value for the cookie; never stored, logged or audited. */
  readonly id: string;
  readonly expiresAt: Date;
}

function deviceHash(id: string): string {
  return createHash("sha256").update(id).digest("hex");
}

/** The live device with this cookie value for this customer, or null. */
export async function findDevice(
  db: Db,
  id: string,
  subjectId: string,
  now: Date,
): Promise<KnownDevice | null> {
  if (!DEVICE_ID.test(id)) return null;
  const row = await db
    .selectFrom("customer_devices")
    .select(["id_hash", "failures"])
    .where("id_hash", "=", deviceHash(id))
    .where("subject_id", "=", subjectId)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return row ? { subjectId, idHash: row.id_hash, failures: row.failures } : null;
}

/** A new known device for the customer; their expired devices are dropped. */
export async function issueDevice(
  db: Db,
  subjectId: string,
  now: Date,
  ttlMs: number,
): Promise<IssuedDevice> {
  await db
    .deleteFrom("customer_devices")
    .where("subject_id", "=", subjectId)
    .where("expires_at", "<=", now)
    .execute();
  const id = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db
    .insertInto("customer_devices")
    .values({ id_hash: deviceHash(id), subject_id: subjectId, created_at: now, expires_at: expiresAt })
    .execute();
  return { id, expiresAt };
}

/** A success on a known device: its count starts again and its life is renewed. */
export async function renewDevice(
  db: Db,
  device: KnownDevice,
  id: string,
  now: Date,
  ttlMs: number,
): Promise<IssuedDevice> {
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db
    .updateTable("customer_devices")
    .set({ failures: 0, expires_at: expiresAt })
    .where("subject_id", "=", device.subjectId)
    .where("id_hash", "=", device.idHash)
    .execute();
  return { id, expiresAt };
}

/** A wrong password typed on a known device; at `limit` in a row the device is forgotten. */
export async function deviceFailed(db: Db, device: KnownDevice, limit: number): Promise<void> {
  if (device.failures + 1 >= limit) {
    await db
      .deleteFrom("customer_devices")
      .where("subject_id", "=", device.subjectId)
      .where("id_hash", "=", device.idHash)
      .execute();
    return;
  }
  await db
    .updateTable("customer_devices")
    .set((eb) => ({ failures: eb("failures", "+", 1) }))
    .where("subject_id", "=", device.subjectId)
    .where("id_hash", "=", device.idHash)
    .execute();
}
