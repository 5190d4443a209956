import { sql, type Kysely, type Selectable } from "kysely";
import type { Database } from "../../store/database.ts";
import type { ApiKeysTable, StaffTable } from "./staff.table.ts";
import type { ApiKeyRecord, ParsedKey, StaffMember } from "./staff.ts";

/** SQL for staff and API keys. Every function takes the db or a transaction first. */
type Db = Kysely<Database>;

export async function insertStaff(
  db: Db,
  row: { id: string; displayName: string; role: string; attestedAt: Date | null; createdAt: Date },
): Promise<StaffMember> {
  const inserted = await db
    .insertInto("staff")
    .values({
      id: row.id,
      display_name: row.displayName,
      role: row.role,
      attested_at: row.attestedAt,
      created_at: row.createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStaff(inserted);
}

export async function findStaff(db: Db, id: string): Promise<StaffMember | null> {
  const row = await db.selectFrom("staff").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toStaff(row) : null;
}

/** Records the attestation once; a second attestation keeps the first date. */
export async function setAttested(db: Db, id: string, at: Date): Promise<StaffMember | null> {
  await db
    .updateTable("staff")
    .set({ attested_at: at })
    .where("id", "=", id)
    .where("attested_at", "is", null)
    .execute();
  return findStaff(db, id);
}

export async function insertKey(
  db: Db,
  row: { id: string; staffId: string; key: ParsedKey; createdAt: Date },
): Promise<ApiKeyRecord> {
  const inserted = await db
    .insertInto("api_keys")
    .values({
      id: row.id,
      staff_id: row.staffId,
      prefix: row.key.prefix,
      hash: row.key.hash,
      created_at: row.createdAt,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toKey(inserted);
}

export async function findKey(db: Db, id: string): Promise<ApiKeyRecord | null> {
  const row = await db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toKey(row) : null;
}

/** Revokes once; revoking a revoked key keeps the first date. */
export async function setRevoked(db: Db, id: string, at: Date): Promise<ApiKeyRecord | null> {
  await db
    .updateTable("api_keys")
    .set({ revoked_at: at })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .execute();
  return findKey(db, id);
}

/** The live key with this prefix, joined to its owner. */
export async function findLiveKeyByPrefix(db: Db, prefix: string) {
  return db
    .selectFrom("api_keys")
    .innerJoin("staff", "staff.id", "api_keys.staff_id")
    .select([
      "api_keys.id as keyId",
      "api_keys.hash",
      "staff.id as staffId",
      "staff.role",
      "staff.attested_at as attestedAt",
    ])
    .where("api_keys.prefix", "=", prefix)
    .where("api_keys.revoked_at", "is", null)
    .executeTakeFirst();
}

/** A position in a list ordered by (created_at, id): the keyset after which a page starts. */
export interface After {
  readonly createdAt: string;
  readonly id: string;
}

/** One page of staff members, oldest first. */
export async function listStaff(
  db: Db,
  page: { limit: number; after: After | null },
): Promise<StaffMember[]> {
  let query = db.selectFrom("staff").selectAll().orderBy("created_at").orderBy("id").limit(page.limit);
  if (page.after !== null) {
    query = query.where(
      sql<boolean>`(created_at, id) > (${page.after.createdAt}::timestamptz, ${page.after.id}::uuid)`,
    );
  }
  return (await query.execute()).map(toStaff);
}

/** One page of a staff member's keys, oldest first, revoked ones included. */
export async function listKeys(
  db: Db,
  staffId: string,
  page: { limit: number; after: After | null },
): Promise<ApiKeyRecord[]> {
  let query = db
    .selectFrom("api_keys")
    .selectAll()
    .where("staff_id", "=", staffId)
    .orderBy("created_at")
    .orderBy("id")
    .limit(page.limit);
  if (page.after !== null) {
    query = query.where(
      sql<boolean>`(created_at, id) > (${page.after.createdAt}::timestamptz, ${page.after.id}::uuid)`,
    );
  }
  return (await query.execute()).map(toKey);
}

/** Records a use of the key, unless one was recorded in the minute before `at`. */
export async function touchKey(db: Db, id: string, at: Date): Promise<void> {
  const minuteBefore = new Date(at.getTime() - 60_000);
  await db
    .updateTable("api_keys")
    .set({ last_used_at: at })
    .where("id", "=", id)
    .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", minuteBefore)]))
    .execute();
}

export async function countKeys(db: Db): Promise<number> {
  const row = await db
    .selectFrom("api_keys")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function toStaff(row: Selectable<StaffTable>): StaffMember {
  return {
    id: row.id,
    displayName: row.display_name,
    role: row.role,
    attestedAt: row.attested_at,
    createdAt: row.created_at,
  };
}

function toKey(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    staffId: row.staff_id,
    prefix: row.prefix,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}
