import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import { Secret, TOTP } from "otpauth";
import { renderSVG } from "uqr";
import { appendAudit } from "../../audit/append.ts";
import type { Vault } from "../../crypto/vault.types.ts";
import { PledgeError } from "../../errors.ts";
import type { Database } from "../../store/database.ts";
import { createDummyHash, hashPassword, passwordProblem, verifyPassword } from "../customers/passwords.ts";
import * as repo from "./staff.repository.ts";
import type { Caller, StaffMember } from "./staff.ts";

/**
 * Staff sign-in for people, for the console: a username, a password (argon2id) and a second
 * factor, a time-based one-time code (TOTP, RFC 6238: SHA-1, 6 digits, 30-second steps, one step
 * of drift either way) from an authenticator app. API keys stay for machines.
 *
 * An admin invites a staff member (`invite`): a username and a set-up code, shown once and good
 * for 72 hours, kept only as its SHA-256, with a new TOTP key sealed under the master key. The
 * member shows the code to read the TOTP key (`setupSecret`), then sends the code, a password of
 * their choice and a first TOTP code (`completeSetup`): the password and key take effect and a
 * session starts. An invitation for a member who can sign in already replaces their password and
 * key only when it is completed, so a lost phone is an invitation, not a lock-out.
 *
 * Sessions are 32 random bytes in an HttpOnly cookie; the table keeps their SHA-256 and an
 * absolute end, 12 hours after sign-in. A TOTP code is accepted once: the step of the last code
 * used is kept, and a code of that step or an earlier one fails.
 */
type Db = Kysely<Database>;

export const SETUP_TTL_MS = 72 * 3600_000;
export const STAFF_SESSION_TTL_MS = 12 * 3600_000;
const USERNAME = /^[a-z0-9][a-z0-9._-]{1,62}$/;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const SETUP_CODE = /^[A-Za-z0-9_-]{16,64}$/;
const ISSUER = "Pledge";

export interface SignInDeps {
  readonly db: Db;
  readonly vault: Vault;
  readonly clock: () => Date;
}

export interface Invitation {
  readonly staffId: string;
  readonly username: string;
  /** Shown once; only its hash is kept. */
  readonly setupCode: string;
  readonly expiresAt: Date;
}

export interface StaffSession {
  /** The secret id for the cookie; never stored, logged or audited. */
  readonly id: string;
  readonly expiresAt: Date;
  readonly staff: StaffMember;
}

/** What the member's authenticator app needs: the key, as text and as a QR code of its URI. */
export interface TotpEnrolment {
  readonly secret: string;
  readonly uri: string;
  readonly qrSvg: string;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");
const totpLabel = (staffId: string): string => `staff.totp\0${staffId}`;

function totpOf(secret: string, username: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label: username,
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secret),
  });
}

/** The step a code is good for, or null; steps at or before `lastStep` are spent. */
function acceptedStep(totp: TOTP, code: string, at: Date, lastStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp.validate({ token: code, timestamp: at.getTime(), window: 1 });
  if (delta === null) return null;
  const step = Math.floor(at.getTime() / 30_000) + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}

export function normaliseUsername(raw: string): string {
  const username = raw.trim().toLowerCase();
  if (!USERNAME.test(username)) {
    throw new PledgeError(
      "PLEDGE_VALIDATION_FAILED",
      "a username is 2 to 63 lower-case letters, digits, dots, hyphens or underscores",
    );
  }
  return username;
}

/** An admin's invitation to sign in (or to set up sign-in again). */
export async function invite(
  deps: SignInDeps,
  staffId: string,
  rawUsername: string,
  actor: string,
): Promise<Invitation> {
  const username = normaliseUsername(rawUsername);
  const now = deps.clock();
  const staff = await repo.findStaff(deps.db, staffId);
  if (staff === null) throw new PledgeError("PLEDGE_NOT_FOUND", "no staff member has this id");
  const setupCode = randomBytes(18).toString("base64url");
  const secret = new Secret({ size: 20 }).base32;
  const sealed = deps.vault.sealSecret(totpLabel(staffId), secret);
  const expiresAt = new Date(now.getTime() + SETUP_TTL_MS);
  await deps.db.transaction().execute(async (trx) => {
    const taken = await trx
      .selectFrom("staff_logins")
      .select("staff_id")
      .where("username", "=", username)
      .where("staff_id", "<>", staffId)
      .executeTakeFirst();
    if (taken)
      throw new PledgeError("PLEDGE_USERNAME_TAKEN", `another staff member has the username ${username}`);
    const setup = {
      username,
      setup_code_hash: sha256(setupCode),
      setup_expires_at: expiresAt,
      setup_totp_key_id: sealed.masterKeyId,
      setup_totp_secret: sealed.text,
      updated_at: now,
    };
    await trx
      .insertInto("staff_logins")
      .values({ staff_id: staffId, ...setup })
      .onConflict((oc) => oc.column("staff_id").doUpdateSet(setup))
      .execute();
    await appendAudit(trx, [
      {
        type: "staff.invited",
        at: now,
        actor,
        subjectId: null,
        payload: { staffId, expiresAt: expiresAt.toISOString() },
      },
    ]);
  });
  return { staffId, username, setupCode, expiresAt };
}

/** The login row an unexpired set-up code opens; the same refusal for every way it can fail. */
async function openInvitation(deps: SignInDeps, rawUsername: string, setupCode: string) {
  const refused = new PledgeError(
    "PLEDGE_STAFF_SETUP_INVALID",
    "the username and set-up code do not match an open invitation (it may have been used or have expired)",
  );
  const username = rawUsername.trim().toLowerCase();
  if (!SETUP_CODE.test(setupCode)) throw refused;
  const row = await deps.db
    .selectFrom("staff_logins")
    .selectAll()
    .where("username", "=", username)
    .executeTakeFirst();
  const given = Buffer.from(sha256(setupCode), "hex");
  if (
    row?.setup_code_hash == null ||
    row.setup_expires_at === null ||
    row.setup_totp_key_id === null ||
    row.setup_totp_secret === null ||
    new Date(row.setup_expires_at) <= deps.clock() ||
    !timingSafeEqual(Buffer.from(row.setup_code_hash, "hex"), given)
  ) {
    throw refused;
  }
  const secret = deps.vault.openSecret(totpLabel(row.staff_id), {
    masterKeyId: row.setup_totp_key_id,
    text: row.setup_totp_secret,
  });
  return { row, secret };
}

/** The TOTP key an invitation will install, for the member's authenticator app. */
export async function setupSecret(
  deps: SignInDeps,
  username: string,
  setupCode: string,
): Promise<TotpEnrolment> {
  const { row, secret } = await openInvitation(deps, username, setupCode);
  const uri = totpOf(secret, row.username).toString();
  return { secret, uri, qrSvg: renderSVG(uri, { border: 2 }) };
}

/** Completes an invitation: password and TOTP key take effect, the code is spent, a session starts. */
export async function completeSetup(
  deps: SignInDeps,
  input: { username: string; setupCode: string; password: string; code: string },
): Promise<StaffSession> {
  const { row, secret } = await openInvitation(deps, input.username, input.setupCode);
  const problem = passwordProblem(input.password);
  if (problem !== null) {
    throw new PledgeError("PLEDGE_PASSWORD_WEAK", `the password is ${problem.replace("_", " ")}`);
  }
  const now = deps.clock();
  const step = acceptedStep(totpOf(secret, row.username), input.code.trim(), now, null);
  if (step === null) {
    throw new PledgeError(
      "PLEDGE_STAFF_CODE_INVALID",
      "the code from the authenticator app is not right: check the app's clock, and type the code it shows now",
    );
  }
  const passwordHash = await hashPassword(input.password);
  return deps.db.transaction().execute(async (trx) => {
    const spent = await trx
      .updateTable("staff_logins")
      .set({
        password_hash: passwordHash,
        totp_key_id: row.setup_totp_key_id,
        totp_secret: row.setup_totp_secret,
        totp_last_step: step,
        setup_code_hash: null,
        setup_expires_at: null,
        setup_totp_key_id: null,
        setup_totp_secret: null,
        updated_at: now,
      })
      .where("staff_id", "=", row.staff_id)
      .where("setup_code_hash", "=", row.setup_code_hash)
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) {
      throw new PledgeError("PLEDGE_STAFF_SETUP_INVALID", "the set-up code was used already");
    }
    // A new password and key end every session the old ones opened.
    await trx.deleteFrom("staff_sessions").where("staff_id", "=", row.staff_id).execute();
    const actor = `staff:${row.staff_id}`;
    await appendAudit(trx, [
      { type: "staff.sign_in_set_up", at: now, actor, subjectId: null, payload: { staffId: row.staff_id } },
    ]);
    return startSession(trx, row.staff_id, now);
  });
}

let dummyHash: Promise<string> | null = null;

/**
 * Signs a member in with username, password and code. Every failure is the same answer, and an
 * unknown username costs the same argon2id verification as a wrong password.
 */
export async function signIn(
  deps: SignInDeps,
  input: { username: string; password: string; code: string },
): Promise<StaffSession> {
  const refused = new PledgeError(
    "PLEDGE_STAFF_SIGNIN_FAILED",
    "the username, password or code is not right",
  );
  const username = input.username.trim().toLowerCase();
  const row = await deps.db
    .selectFrom("staff_logins")
    .selectAll()
    .where("username", "=", username)
    .executeTakeFirst();
  const hash = row?.password_hash ?? (await (dummyHash ??= createDummyHash()));
  const passwordRight = await verifyPassword(hash, input.password);
  if (!row?.password_hash || !passwordRight || row.totp_key_id === null || row.totp_secret === null)
    throw refused;
  const secret = deps.vault.openSecret(totpLabel(row.staff_id), {
    masterKeyId: row.totp_key_id,
    text: row.totp_secret,
  });
  const now = deps.clock();
  const step = acceptedStep(totpOf(secret, row.username), input.code.trim(), now, row.totp_last_step);
  if (step === null) throw refused;
  return deps.db.transaction().execute(async (trx) => {
    // The step moves forward only: two sign-ins racing with one code, one wins.
    const moved = await trx
      .updateTable("staff_logins")
      .set({ totp_last_step: step })
      .where("staff_id", "=", row.staff_id)
      .where((eb) => eb.or([eb("totp_last_step", "is", null), eb("totp_last_step", "<", step)]))
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw refused;
    const actor = `staff:${row.staff_id}`;
    await appendAudit(trx, [
      { type: "staff.signed_in", at: now, actor, subjectId: null, payload: { staffId: row.staff_id } },
    ]);
    return startSession(trx, row.staff_id, now);
  });
}

async function startSession(db: Db, staffId: string, now: Date): Promise<StaffSession> {
  const staff = await repo.findStaff(db, staffId);
  if (staff === null) throw new PledgeError("PLEDGE_NOT_FOUND", "no staff member has this id");
  const id = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + STAFF_SESSION_TTL_MS);
  await db
    .insertInto("staff_sessions")
    .values({ id_hash: sha256(id), staff_id: staffId, created_at: now, expires_at: expiresAt })
    .execute();
  return { id, expiresAt, staff };
}

/** The caller a live console session speaks for, or null. */
export async function sessionCaller(db: Db, id: string, now: Date): Promise<Caller | null> {
  if (!SESSION_ID.test(id)) return null;
  const row = await db
    .selectFrom("staff_sessions as s")
    .innerJoin("staff as m", "m.id", "s.staff_id")
    .where("s.id_hash", "=", sha256(id))
    .where("s.expires_at", ">", now)
    .select(["m.id", "m.role", "m.attested_at"])
    .executeTakeFirst();
  if (row === undefined) return null;
  return {
    keyId: `session:${sha256(id).slice(0, 12)}`,
    staffId: row.id,
    role: row.role,
    attested: row.attested_at !== null,
  };
}

/** Ends a console session; true when there was one. */
export async function endSession(db: Db, id: string, now: Date): Promise<boolean> {
  if (!SESSION_ID.test(id)) return false;
  return db.transaction().execute(async (trx) => {
    const ended = await trx
      .deleteFrom("staff_sessions")
      .where("id_hash", "=", sha256(id))
      .returning("staff_id")
      .executeTakeFirst();
    if (ended === undefined) return false;
    const actor = `staff:${ended.staff_id}`;
    await appendAudit(trx, [
      { type: "staff.signed_out", at: now, actor, subjectId: null, payload: { staffId: ended.staff_id } },
    ]);
    return true;
  });
}

/** The username a staff member signs in with, and whether an invitation is open. */
export async function loginOf(
  db: Db,
  staffId: string,
  now: Date,
): Promise<{ username: string; canSignIn: boolean; invitationOpen: boolean } | null> {
  const row = await db
    .selectFrom("staff_logins")
    .select(["username", "password_hash", "setup_expires_at"])
    .where("staff_id", "=", staffId)
    .executeTakeFirst();
  if (row === undefined) return null;
  return {
    username: row.username,
    canSignIn: row.password_hash !== null,
    invitationOpen: row.setup_expires_at !== null && new Date(row.setup_expires_at) > now,
  };
}

declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "staff.invited": { staffId: string; expiresAt: string };
    "staff.sign_in_set_up": { staffId: string };
    "staff.signed_in": { staffId: string };
    "staff.signed_out": { staffId: string };
  }
}
