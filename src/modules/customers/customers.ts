import type { PolicyPack } from "../../policy/schema.ts";

/**
 * Customers' own access: the settings, the outcomes of sign-up and sign-in as values, and the
 * audit events the module writes. Audit payloads carry ids, field names and reasons, never an
 * email address or a password.
 */

/** A token bucket: `capacity` requests at once, refilled at `capacity` per `perMs`. */
export interface BucketLimit {
  readonly capacity: number;
  readonly perMs: number;
}

export interface CustomerAccessSettings {
  /** How long a session lives from sign-in (absolute; no sliding renewal). */
  readonly sessionTtlMs: number;
  /** Sign-in attempts per client IP and account (the account as the hash of its email). */
  readonly signinPerIpAndAccount: BucketLimit;
  /** Sign-in attempts per client IP over every account (password spraying). */
  readonly signinPerIp: BucketLimit;
  /** Sign-ups per client IP. */
  readonly signupPerIp: BucketLimit;
  /** Consecutive failed sign-ins that lock an account, and for how long. */
  readonly lockoutThreshold: number;
  readonly lockoutMs: number;
  /** Take `X-Forwarded-Proto: https` as proof of HTTPS (only behind a proxy that sets it). */
  readonly trustForwardedProto: boolean;
  /** Allow account routes over plain HTTP when the Host is localhost (development). */
  readonly allowHttpOnLocalhost: boolean;
  /** How long the customer number cookie lives. */
  readonly customerCookieMaxAgeMs: number;
}

export const DEFAULT_CUSTOMER_ACCESS: CustomerAccessSettings = Object.freeze({
  sessionTtlMs: 12 * 60 * 60 * 1000,
  signinPerIpAndAccount: { capacity: 5, perMs: 60_000 },
  signinPerIp: { capacity: 30, perMs: 60_000 },
  signupPerIp: { capacity: 10, perMs: 60_000 },
  lockoutThreshold: 10,
  lockoutMs: 15 * 60 * 1000,
  trustForwardedProto: false,
  allowHttpOnLocalhost: true,
  customerCookieMaxAgeMs: 365 * 24 * 60 * 60 * 1000,
});

export const PASSWORD_MIN_LENGTH = 12;
/** Longer passwords are refused rather than hashed: argon2 over megabytes is a denial of service. */
export const PASSWORD_MAX_LENGTH = 256;

/** The purpose a customer's own access runs under in `pack`; null when the pack has none. */
export function selfServicePurpose(pack: PolicyPack): string | null {
  return pack.requests?.self_service?.purpose ?? null;
}

/** Why a password is refused: too short, too long, or one of the most common passwords. */
export type PasswordProblem = "too_short" | "too_long" | "common";

export type SigninFailure = "unknown" | "wrong_password" | "locked";

/** `session` in payloads is a short prefix of the session id's hash: enough to tell sessions apart. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "customer.signed_up": { session: string };
    "customer.signed_in": { session: string; replaced: boolean };
    /** A failed sign-in on an existing account; unknown emails are not audited (no subject). */
    "customer.signin_failed": { reason: SigninFailure; failedAttempts: number; lockedUntil: string | null };
    "customer.signed_out": { session: string };
    "customer.password_changed": { sessionsEnded: number };
  }
}
