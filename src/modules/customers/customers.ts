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
  /** Failed sign-ins per client address, whatever the account (counted in the database). */
  readonly signinFailuresPerSource: BucketLimit;
  /** How consecutive failures under one account name slow further attempts (src/modules/customers/backoff.ts). */
  readonly backoff: BackoffSettings;
  /** How long a known-device cookie lives (renewed at each sign-in on the device). */
  readonly deviceTtlMs: number;
  /** Wrong passwords in a row typed on a known device that make Pledge forget the device. */
  readonly deviceFailureLimit: number;
  /** Take `X-Forwarded-Proto: https` as proof of HTTPS (only behind a proxy that sets it). */
  readonly trustForwardedProto: boolean;
  /** Allow account routes over plain HTTP when the Host is localhost (development). */
  readonly allowHttpOnLocalhost: boolean;
  /** How long the customer number cookie lives. */
  readonly customerCookieMaxAgeMs: number;
}

export interface BackoffSettings {
  /** Failures in a row before the first delay. */
  readonly after: number;
  /** The first delay; each further failure doubles it… */
  readonly baseMs: number;
  /** …up to this. */
  readonly capMs: number;
  /** A count whose last failure is older than this is forgotten. */
  readonly forgetMs: number;
}

export const DEFAULT_CUSTOMER_ACCESS: CustomerAccessSettings = Object.freeze({
  sessionTtlMs: 12 * 60 * 60 * 1000,
  signinPerIpAndAccount: { capacity: 5, perMs: 60_000 },
  signinPerIp: { capacity: 30, perMs: 60_000 },
  signupPerIp: { capacity: 10, perMs: 60_000 },
  signinFailuresPerSource: { capacity: 20, perMs: 15 * 60_000 },
  backoff: { after: 5, baseMs: 1000, capMs: 5 * 60_000, forgetMs: 24 * 60 * 60_000 },
  deviceTtlMs: 180 * 24 * 60 * 60_000,
  deviceFailureLimit: 10,
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

/** `backoff`: refused before the password was checked, the account name being in its back-off. */
export type SigninFailure = "unknown" | "wrong_password" | "backoff";

/** `session` in payloads is a short prefix of the session id's hash: enough to tell sessions apart. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "customer.signed_up": { session: string };
    "customer.signed_in": { session: string; replaced: boolean; knownDevice: boolean };
    /**
     * A wrong password on an existing account (sign-in or re-authentication); unknown emails are
     * not audited (no subject), nor attempts refused during a back-off (they check no password).
     * `retryAt`: the back-off this failure set, if any; `knownDevice`: typed on a known device.
     */
    "customer.signin_failed": {
      reason: "wrong_password";
      failedAttempts: number;
      retryAt: string | null;
      knownDevice: boolean;
    };
    "customer.signed_out": { session: string };
    "customer.password_changed": { sessionsEnded: number };
  }
}
