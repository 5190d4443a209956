import { randomBytes } from "node:crypto";
import { hash, verify, type Algorithm } from "@node-rs/argon2";
import { COMMON_PASSWORDS, COMMON_STEMS, SEQUENCES } from "./common-passwords.ts";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, type PasswordProblem } from "./customers.ts";

/**
 * Password hashing with argon2id at the OWASP baseline (19 MiB, 2 passes, 1 lane): about tens of
 * milliseconds per hash, off the event loop (the native module runs it on its thread pool).
 */
const ARGON2ID = 2 as Algorithm;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** True when `password` matches the PHC string; false, never a throw, for a malformed hash. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

/**
 * A hash of a random password made once per process: sign-in verifies against it when the email
 * is unknown or the account locked, so those answers take as long as a wrong password.
 */
export function createDummyHash(): Promise<string> {
  return hash(randomBytes(24).toString("base64url"), OPTIONS);
}

/** Why `password` may not be used, or null. Length counts characters (code points), not bytes. */
export function passwordProblem(password: string): PasswordProblem | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return "too_short";
  if (length > PASSWORD_MAX_LENGTH) return "too_long";
  return isCommon(password) ? "common" : null;
}

function isCommon(password: string): boolean {
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return true;
  if (/^(.)\1*$/u.test(lower)) return true;
  // A common stem padded with digits and symbols, on either side.
  const core = lower.replace(/^[^a-z@]+|[^a-z]+$/g, "");
  if (COMMON_STEMS.has(core)) return true;
  // The password is a stretch of one keyboard row or the alphabet (forwards or backwards).
  const compact = lower.replace(/[^a-z0-9]/g, "");
  return (
    compact.length >= 8 &&
    SEQUENCES.some((run) => run.includes(compact) || [...run].reverse().join("").includes(compact))
  );
}
