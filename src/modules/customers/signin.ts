import { appendAudit } from "../../audit/append.ts";
import { normaliseEmail } from "../../crypto/normalise.ts";
import { accountName, backoffOf, clearBackoff, countBackoffFailure, waitOf } from "./backoff.ts";
import * as repo from "./customers.repository.ts";
import type { CustomersDeps } from "./customers.service.ts";
import { deviceFailed, findDevice, issueDevice, renewDevice, type IssuedDevice } from "./devices.ts";
import { verifyPassword } from "./passwords.ts";
import { deleteExpiredSessionsOf, deleteSession, insertSession, type NewSession } from "./sessions.ts";

export interface SigninInput {
  readonly email: string;
  readonly password: string;
  /** The session id the browser already holds, if any: it is ended (rotation, no fixation). */
  readonly replacing: string | null;
  /** The value of the browser's `pledge_device` cookie, if any. */
  readonly device: string | null;
}

export type SigninResult =
  | {
      readonly ok: true;
      readonly subjectId: string;
      readonly customerNumber: string | null;
      readonly session: NewSession;
      /** The browser's known-device cookie: the one it sent, renewed, or a new one. */
      readonly device: IssuedDevice;
    }
  | { readonly ok: false; readonly reason: "unknown" | "wrong_password" }
  | { readonly ok: false; readonly reason: "backoff"; readonly retryAfterMs: number };

/**
 * Signs a customer in. The caller sees two answers only: a failure (the same for an unknown email
 * and a wrong password, each after one argon2 verify, against a dummy hash when there is no
 * account) and, while the account name is in its back-off (src/modules/customers/backoff.ts), a
 * refusal that checks no password and says when to try again, the same for names with and
 * without an account. A browser holding a known-device cookie of the account is not held back by
 * the back-off; its failures still count. Wrong passwords on an existing account are audited.
 *
 * The back-off is read again under a row lock after the password is checked: of many attempts
 * racing on one name, those that find a back-off set by another are refused without telling
 * whether their password was right, so parallel guesses buy no more than the schedule allows.
 */
export async function signIn(deps: CustomersDeps, input: SigninInput): Promise<SigninResult> {
  const { settings } = deps;
  const name = accountName(deps.subjects.vault, input.email);
  const email = normaliseEmail(input.email);
  const account = email.ok
    ? await repo.findAccountByEmail(deps.db, deps.subjects.vault.blindIndex("email", email.value))
    : null;
  const before = deps.clock();
  const device =
    account === null || input.device === null
      ? null
      : await findDevice(deps.db, input.device, account.subjectId, before);
  if (device === null) {
    const wait = waitOf(await backoffOf(deps.db, name, before, settings.backoff), before);
    if (wait > 0) return { ok: false, reason: "backoff", retryAfterMs: wait };
  }
  const matches = await verifyPassword(account?.passwordHash ?? (await deps.dummyHash), input.password);
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx): Promise<SigninResult> => {
    const state = await backoffOf(trx, name, now, settings.backoff, true);
    const wait = device === null ? waitOf(state, now) : 0;
    if (wait > 0) return { ok: false, reason: "backoff", retryAfterMs: wait };
    const current = account === null ? null : await repo.findAccount(trx, account.subjectId, true);
    if (current === null) {
      await countBackoffFailure(trx, name, state, now, settings.backoff);
      return { ok: false, reason: "unknown" };
    }
    if (!matches || current.passwordHash !== account?.passwordHash) {
      const after = await countBackoffFailure(trx, name, state, now, settings.backoff);
      if (device !== null) await deviceFailed(trx, device, settings.deviceFailureLimit);
      await appendAudit(trx, [
        {
          type: "customer.signin_failed",
          at: now,
          actor: "anonymous",
          subjectId: current.subjectId,
          payload: {
            reason: "wrong_password",
            failedAttempts: after.failures,
            retryAt: after.nextAt?.toISOString() ?? null,
            knownDevice: device !== null,
          },
        },
      ]);
      return { ok: false, reason: "wrong_password" };
    }
    await clearBackoff(trx, name);
    await repo.recordSignin(trx, current.subjectId, now);
    const known =
      device !== null && input.device !== null
        ? await renewDevice(trx, device, input.device, now, settings.deviceTtlMs)
        : await issueDevice(trx, current.subjectId, now, settings.deviceTtlMs);
    const replaced = input.replacing === null ? false : await deleteSession(trx, input.replacing);
    await deleteExpiredSessionsOf(trx, current.subjectId, now);
    const session = await insertSession(trx, current.subjectId, now, settings.sessionTtlMs);
    await appendAudit(trx, [
      {
        type: "customer.signed_in",
        at: now,
        actor: `customer:${current.subjectId}`,
        subjectId: current.subjectId,
        payload: { session: session.ref, replaced, knownDevice: device !== null },
      },
    ]);
    return {
      ok: true,
      subjectId: current.subjectId,
      customerNumber: current.customerNumber,
      session,
      device: known,
    };
  });
}
