import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { PledgeError } from "../../errors.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import * as repo from "./staff.repository.ts";
import {
  ADMIN_ROLE,
  generateApiKey,
  knownRole,
  parseApiKey,
  sameHash,
  type ApiKeyRecord,
  type Caller,
  type StaffMember,
} from "./staff.ts";

/**
 * Staff use cases. Each mutation and its audit event commit in one transaction. `actor` is the
 * audit actor (`staff:<id>` for a caller, `system` for start-up and the CLI).
 */
type Db = Kysely<Database>;

export interface Context {
  readonly actor: string;
  readonly now: Date;
}

export async function createStaff(
  db: Db,
  pack: PolicyPack,
  input: { displayName: string; role: string; attested: boolean },
  ctx: Context,
): Promise<StaffMember> {
  if (!knownRole(pack, input.role)) {
    const roles = [ADMIN_ROLE, ...pack.staff.roles.map((r) => r.id)].join(", ");
    throw new PledgeError(
      "PLEDGE_UNKNOWN_ROLE",
      `role ${JSON.stringify(input.role)} is not one of: ${roles}`,
    );
  }
  return db.transaction().execute(async (trx) => {
    const staff = await repo.insertStaff(trx, {
      id: randomUUID(),
      displayName: input.displayName,
      role: input.role,
      attestedAt: input.attested ? ctx.now : null,
      createdAt: ctx.now,
    });
    await appendAudit(trx, [
      {
        type: "staff.created",
        at: ctx.now,
        actor: ctx.actor,
        subjectId: null,
        payload: { staffId: staff.id, role: staff.role },
      },
      ...(input.attested ? [attestedEvent(staff.id, ctx)] : []),
    ]);
    return staff;
  });
}

/** Records the confidentiality attestation (ZZ-04). Idempotent: the first date stays. */
export async function recordAttestation(db: Db, staffId: string, ctx: Context): Promise<StaffMember> {
  return db.transaction().execute(async (trx) => {
    const before = await repo.findStaff(trx, staffId);
    if (!before) throw new PledgeError("PLEDGE_NOT_FOUND", "no such staff member");
    if (before.attestedAt) return before;
    const after = await repo.setAttested(trx, staffId, ctx.now);
    await appendAudit(trx, [attestedEvent(staffId, ctx)]);
    return after ?? before;
  });
}

/** Makes a key for a staff member. The returned `key` is the only copy; it is never stored. */
export async function createKey(
  db: Db,
  staffId: string,
  ctx: Context,
  given?: string,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const made = given === undefined ? generateApiKey() : fromGiven(given);
  return db.transaction().execute(async (trx) => {
    if (!(await repo.findStaff(trx, staffId)))
      throw new PledgeError("PLEDGE_NOT_FOUND", "no such staff member");
    const record = await repo.insertKey(trx, {
      id: randomUUID(),
      staffId,
      key: made.parsed,
      createdAt: ctx.now,
    });
    await appendAudit(trx, [
      {
        type: "staff.key_created",
        at: ctx.now,
        actor: ctx.actor,
        subjectId: null,
        payload: { staffId, keyId: record.id },
      },
    ]);
    return { key: made.key, record };
  });
}

/** Revokes a key. Idempotent: revoking again keeps the first date and writes no second event. */
export async function revokeKey(db: Db, keyId: string, ctx: Context): Promise<ApiKeyRecord> {
  return db.transaction().execute(async (trx) => {
    const before = await repo.findKey(trx, keyId);
    if (!before) throw new PledgeError("PLEDGE_NOT_FOUND", "no such API key");
    if (before.revokedAt) return before;
    const after = await repo.setRevoked(trx, keyId, ctx.now);
    await appendAudit(trx, [
      {
        type: "staff.key_revoked",
        at: ctx.now,
        actor: ctx.actor,
        subjectId: null,
        payload: { staffId: before.staffId, keyId },
      },
    ]);
    return after ?? before;
  });
}

/**
 * The live key's owner, or null for a malformed, unknown or revoked key. Compares in constant
 * time. A key that matches has its last use recorded (at most once a minute).
 */
export async function authenticate(db: Db, key: string, at: Date = new Date()): Promise<Caller | null> {
  const parsed = parseApiKey(key);
  if (!parsed) return null;
  const row = await repo.findLiveKeyByPrefix(db, parsed.prefix);
  if (!row || !sameHash(row.hash, parsed.hash)) return null;
  await repo.touchKey(db, row.keyId, at);
  return { keyId: row.keyId, staffId: row.staffId, role: row.role, attested: row.attestedAt !== null };
}

/** Whether any API key was ever made (a store with none needs its first admin key). */
export async function anyKeys(db: Db): Promise<boolean> {
  return (await repo.countKeys(db)) > 0;
}

/** One page of staff members, oldest first: `limit` of them, after the position `after`. */
export async function listStaff(
  db: Db,
  page: { limit: number; after: repo.After | null },
): Promise<StaffMember[]> {
  return repo.listStaff(db, page);
}

/** One page of a staff member's keys (revoked ones too); PLEDGE_NOT_FOUND for an unknown member. */
export async function listKeys(
  db: Db,
  staffId: string,
  page: { limit: number; after: repo.After | null },
): Promise<ApiKeyRecord[]> {
  if (!(await repo.findStaff(db, staffId))) throw new PledgeError("PLEDGE_NOT_FOUND", "no such staff member");
  return repo.listKeys(db, staffId, page);
}

/**
 * On a store with no API key at all, creates an admin and a key for it: `given` when set
 * (PLEDGE_BOOTSTRAP_KEY), else a new one. Returns null when keys already exist.
 */
export async function bootstrapAdmin(
  db: Db,
  pack: PolicyPack,
  ctx: Context,
  given?: string,
): Promise<{ key: string; staff: StaffMember } | null> {
  if ((await repo.countKeys(db)) > 0) return null;
  const staff = await createStaff(
    db,
    pack,
    { displayName: "Administrator", role: ADMIN_ROLE, attested: false },
    ctx,
  );
  const { key } = await createKey(db, staff.id, ctx, given);
  return { key, staff };
}

function fromGiven(key: string): ReturnType<typeof generateApiKey> {
  const parsed = parseApiKey(key);
  if (!parsed)
    throw new PledgeError("PLEDGE_VALIDATION_FAILED", "the API key is not of the form pk_<prefix>_<secret>");
  return { key, parsed };
}

function attestedEvent(staffId: string, ctx: Context) {
  return {
    type: "staff.attested" as const,
    at: ctx.now,
    actor: ctx.actor,
    subjectId: null,
    payload: { staffId },
  };
}

/** The staff member with this id, or null. */
export function findStaffMember(db: Db, staffId: string): Promise<StaffMember | null> {
  return repo.findStaff(db, staffId);
}
