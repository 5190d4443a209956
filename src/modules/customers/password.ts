import { appendAudit } from "../../audit/append.ts";
import * as repo from "./customers.repository.ts";
import type { CustomersDeps } from "./customers.service.ts";
import type { PasswordProblem } from "./customers.ts";
import { hashPassword, passwordProblem, verifyPassword } from "./passwords.ts";
import { deleteSession, deleteSessionsOf, insertSession, sessionRef, type NewSession } from "./sessions.ts";

export type PasswordChangeResult =
  | { readonly ok: true; readonly session: NewSession }
  | { readonly ok: false; readonly kind: "wrong_password" }
  | { readonly ok: false; readonly kind: "weak_password"; readonly problem: PasswordProblem };

/**
 * Changes a signed-in customer's password after checking the current one again (re-auth). A
 * wrong current password counts towards the lock-out like a failed sign-in. On success every
 * session of the customer ends, this one included, and a new session is returned.
 */
export async function changePassword(
  deps: CustomersDeps,
  subjectId: string,
  input: { readonly current: string; readonly next: string },
): Promise<PasswordChangeResult> {
  const problem = passwordProblem(input.next);
  if (problem !== null) return { ok: false, kind: "weak_password", problem };
  const account = await repo.findAccount(deps.db, subjectId);
  if (account === null || !(await verifyPassword(account.passwordHash, input.current))) {
    if (account !== null) await countFailure(deps, subjectId);
    return { ok: false, kind: "wrong_password" };
  }
  const passwordHash = await hashPassword(input.next);
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    await repo.setPasswordHash(trx, subjectId, passwordHash, now);
    await repo.setFailures(trx, subjectId, 0, null);
    const ended = await deleteSessionsOf(trx, subjectId);
    const session = await insertSession(trx, subjectId, now, deps.settings.sessionTtlMs);
    await appendAudit(trx, [
      {
        type: "customer.password_changed",
        at: now,
        actor: `customer:${subjectId}`,
        subjectId,
        payload: { sessionsEnded: ended },
      },
    ]);
    return { ok: true as const, session };
  });
}

async function countFailure(deps: CustomersDeps, subjectId: string): Promise<void> {
  const now = deps.clock();
  const { lockoutThreshold, lockoutMs } = deps.settings;
  await deps.db.transaction().execute(async (trx) => {
    const current = await repo.findAccount(trx, subjectId, true);
    if (current === null) return;
    const attempts = current.failedAttempts + 1;
    const lockedUntil =
      attempts >= lockoutThreshold ? new Date(now.getTime() + lockoutMs) : current.lockedUntil;
    await repo.setFailures(trx, subjectId, attempts >= lockoutThreshold ? 0 : attempts, lockedUntil);
    await appendAudit(trx, [
      {
        type: "customer.signin_failed",
        at: now,
        actor: `customer:${subjectId}`,
        subjectId,
        payload: {
          reason: "wrong_password",
          failedAttempts: attempts,
          lockedUntil: lockedUntil?.toISOString() ?? null,
        },
      },
    ]);
  });
}

/** Ends the session with this id; audited when there was one. */
export async function signOut(deps: CustomersDeps, subjectId: string, sessionId: string): Promise<void> {
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    if (!(await deleteSession(trx, sessionId))) return;
    await appendAudit(trx, [
      {
        type: "customer.signed_out",
        at: now,
        actor: `customer:${subjectId}`,
        subjectId,
        payload: { session: sessionRef(sessionId) },
      },
    ]);
  });
}
