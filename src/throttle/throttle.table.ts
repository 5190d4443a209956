/**
 * Failed authentications per source address, as a token bucket (src/throttle/failures.ts): `tokens`
 * left at instant `at`. A row exists only while its source has failed recently; full buckets are
 * swept. Created by src/store/migrations/2026112220_auth_throttle.ts.
 */
export interface AuthFailuresTable {
  scope: FailureScope;
  /** The source address (IPv4, or an IPv6 /64 prefix): never an account name or a credential. */
  source: string;
  tokens: number;
  at: Date;
}

/** What failed: a customer's sign-in (or re-authentication), a staff API key, a staff sign-in. */
export type FailureScope = "signin" | "api_key" | "staff_signin";

export interface ThrottleTables {
  auth_failures: AuthFailuresTable;
}
