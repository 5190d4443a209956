import { appendAudit } from "../../audit/append.ts";
import { normaliseEmail } from "../../crypto/normalise.ts";
import * as repo from "./customers.repository.ts";
import type { CustomersDeps } from "./customers.service.ts";
import type { SigninFailure } from "./customers.ts";
import { verifyPassword } from "./passwords.ts";
import { deleteExpiredSessionsOf, deleteSession, insertSession, type NewSession } from "./sessions.ts";

export interface SigninInput {
  readonly email: string;
  readonly password: string;
  /** The session id the browser already holds, if any: it is ended (rotation, no fixation). */
  readonly replacing: string | null;
}

export type SigninResult =
  | {
      readonly ok: true;
      readonly subjectId: string;
      readonly customerNumber: string | null;
      readonly session: NewSession;
    }
  | { readonly ok: false; readonly reason: SigninFailure };

/**
 * Signs a customer in. Every failure is the same to the caller (the route answers one 401 for
 * all of them) and costs one argon2 verify: against the account's hash for a wrong password,
 * against a dummy hash for an unknown email or a locked account. `lockoutThreshold` consecutive
 * failures lock the account for `lockoutMs`; the count then starts again. Attempts on a locked
 * account neither count nor extend the lock. Failures on an existing account are audited.
 */
export async function signIn(deps: CustomersDeps, input: SigninInput): Promise<SigninResult> {
  const { settings } = deps;
  const email = normaliseEmail(input.email);
  const account = email.ok
    ? await repo.findAccountByEmail(deps.db, deps.subjects.vault.blindIndex("email", email.value))
    : null;
  if (account === null) {
    await verifyPassword(await deps.dummyHash, input.password);
    return { ok: false, reason: "unknown" };
  }
  const before = deps.clock();
  if (account.lockedUntil !== null && account.lockedUntil > before) {
    await verifyPassword(await deps.dummyHash, input.password);
    await audited(deps, account.subjectId, before, "locked", account.failedAttempts, account.lockedUntil);
    return { ok: false, reason: "locked" };
  }
  const matches = await verifyPassword(account.passwordHash, input.password);
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx): Promise<SigninResult> => {
    // Re-read under a row lock: concurrent attempts on one account count one by one.
    const current = await repo.findAccount(trx, account.subjectId, true);
    if (current === null) return { ok: false, reason: "unknown" };
    if (current.lockedUntil !== null && current.lockedUntil > now) {
      await auditFailure(trx, current.subjectId, now, "locked", current.failedAttempts, current.lockedUntil);
      return { ok: false, reason: "locked" };
    }
    if (!matches || current.passwordHash !== account.passwordHash) {
      const attempts = current.failedAttempts + 1;
      const locks = attempts >= settings.lockoutThreshold;
      const lockedUntil = locks ? new Date(now.getTime() + settings.lockoutMs) : null;
      await repo.setFailures(trx, current.subjectId, locks ? 0 : attempts, lockedUntil);
      await auditFailure(trx, current.subjectId, now, "wrong_password", attempts, lockedUntil);
      return { ok: false, reason: "wrong_password" };
    }
    await repo.recordSignin(trx, current.subjectId, now);
    const replaced = input.replacing === null ? false : await deleteSession(trx, input.replacing);
    await deleteExpiredSessionsOf(trx, current.subjectId, now);
    const session = await insertSession(trx, current.subjectId, now, settings.sessionTtlMs);
    await appendAudit(trx, [
      {
        type: "customer.signed_in",
        at: now,
        actor: `customer:${current.subjectId}`,
        subjectId: current.subjectId,
        payload: { session: session.ref, replaced },
      },
    ]);
    return { ok: true, subjectId: current.subjectId, customerNumber: current.customerNumber, session };
  });
}

async function audited(
  deps: CustomersDeps,
  subjectId: string,
  at: Date,
  reason: SigninFailure,
  failedAttempts: number,
  lockedUntil: Date | null,
): Promise<void> {
  await deps.db
    .transaction()
    .execute((trx) => auditFailure(trx, subjectId, at, reason, failedAttempts, lockedUntil));
}

async function auditFailure(
  trx: Parameters<typeof appendAudit>[0],
  subjectId: string,
  at: Date,
  reason: SigninFailure,
  failedAttempts: number,
  lockedUntil: Date | null,
): Promise<void> {
  await appendAudit(trx, [
    {
      type: "customer.signin_failed",
      at,
      actor: "anonymous",
      subjectId,
      payload: { reason, failedAttempts, lockedUntil: lockedUntil?.toISOString() ?? null },
    },
  ]);
}
