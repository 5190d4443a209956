import { appendAudit } from "../../audit/append.ts";
import { backoffOf, clearBackoff, countBackoffFailure, waitOf } from "./backoff.ts";
import * as repo from "./customers.repository.ts";
import type { CustomersDeps } from "./customers.service.ts";
import type { PasswordProblem } from "./customers.ts";
import { deviceFailed, findDevice, type KnownDevice } from "./devices.ts";
import { hashPassword, passwordProblem, verifyPassword } from "./passwords.ts";
import { deleteSession, deleteSessionsOf, insertSession, sessionRef, type NewSession } from "./sessions.ts";

export type PasswordChangeResult =
  | { readonly ok: true; readonly session: NewSession }
  | { readonly ok: false; readonly kind: "wrong_password" }
  | { readonly ok: false; readonly kind: "backoff"; readonly retryAfterMs: number }
  | { readonly ok: false; readonly kind: "weak_password"; readonly problem: PasswordProblem };

/**
 * Changes a signed-in customer's password after checking the current one again (re-auth). A
 * wrong current password counts towards the back-off of the customer's sign-in names like a
 * failed sign-in, and while they are held back the re-auth is refused unchecked unless the
 * browser is a known device: a stolen session buys no more guesses than a sign-in form. On
 * success every session of the customer ends, this one included, and a new session is returned.
 */
export async function changePassword(
  deps: CustomersDeps,
  subjectId: string,
  input: { readonly current: string; readonly next: string; readonly device: string | null },
): Promise<PasswordChangeResult> {
  const problem = passwordProblem(input.next);
  if (problem !== null) return { ok: false, kind: "weak_password", problem };
  const { backoff } = deps.settings;
  const before = deps.clock();
  const names = await repo.emailIndexesOf(deps.db, subjectId);
  const device = input.device === null ? null : await findDevice(deps.db, input.device, subjectId, before);
  if (device === null) {
    const states = await Promise.all(names.map((n) => backoffOf(deps.db, n, before, backoff)));
    const wait = Math.max(0, ...states.map((s) => waitOf(s, before)));
    if (wait > 0) return { ok: false, kind: "backoff", retryAfterMs: wait };
  }
  const account = await repo.findAccount(deps.db, subjectId);
  if (account === null || !(await verifyPassword(account.passwordHash, input.current))) {
    if (account !== null) await countFailure(deps, subjectId, names, device);
    return { ok: false, kind: "wrong_password" };
  }
  const passwordHash = await hashPassword(input.next);
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    await repo.setPasswordHash(trx, subjectId, passwordHash, now);
    for (const name of names) await clearBackoff(trx, name);
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

async function countFailure(
  deps: CustomersDeps,
  subjectId: string,
  names: readonly string[],
  device: KnownDevice | null,
): Promise<void> {
  const now = deps.clock();
  const { backoff, deviceFailureLimit } = deps.settings;
  await deps.db.transaction().execute(async (trx) => {
    let failures = 0;
    let retryAt: Date | null = null;
    for (const name of names) {
      const after = await countBackoffFailure(
        trx,
        name,
        await backoffOf(trx, name, now, backoff, true),
        now,
        backoff,
      );
      failures = Math.max(failures, after.failures);
      if (after.nextAt !== null && (retryAt === null || after.nextAt > retryAt)) retryAt = after.nextAt;
    }
    if (device !== null) await deviceFailed(trx, device, deviceFailureLimit);
    await appendAudit(trx, [
      {
        type: "customer.signin_failed",
        at: now,
        actor: `customer:${subjectId}`,
        subjectId,
        payload: {
          reason: "wrong_password",
          failedAttempts: failures,
          retryAt: retryAt?.toISOString() ?? null,
          knownDevice: device !== null,
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
