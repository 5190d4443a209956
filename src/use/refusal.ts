import { PledgeError } from "../errors.ts";
import { RULE } from "../gate/reasons.ts";
import type { Decision } from "../gate/types.ts";

/**
 * Why a use did not go ahead: an expected outcome, returned as a value, never thrown inside the
 * transaction that made it (the decision stays audited, the work is undone). `errorOf` gives the
 * error it answers with; the HTTP layer only maps that error's code to a status.
 *
 * - `refused`: the policy refuses the use itself (gate rules 0–16), which may be told: the
 *   answer names the clause.
 * - `not_found`: no such subject (or record), or a refusal that depends on the person (rules
 *   17 on). The two must look the same from outside, or a refusal would tell that the person
 *   exists, or what they chose. The gate's decision rides along for Pledge's own records (a send
 *   worker's skip reason); `errorOf` never tells it.
 * - `under_age`: a collect refused by the minimum age (Z16-15), told as such: nothing was kept.
 * - `stale`: the record changed since the version the caller saw (If-Match).
 * - `invalid`: values that are not what they claim (an email, a postal code), by path.
 * - `duplicate`: another subject holds this email or phone.
 * - `error`: a module's own outcome (a record that exists, a move its state machine forbids).
 */
export type Refusal =
  | { readonly kind: "refused"; readonly decision: Decision }
  | { readonly kind: "not_found"; readonly decision?: Decision }
  | { readonly kind: "under_age"; readonly decision: Decision }
  | { readonly kind: "stale"; readonly version: number }
  | { readonly kind: "invalid"; readonly errors: readonly InvalidValue[] }
  | { readonly kind: "duplicate"; readonly identity: "email" | "phone" }
  | { readonly kind: "error"; readonly error: PledgeError };

export interface InvalidValue {
  /** Where in the input: `fields.email`, `address.postalCode`, … */
  readonly path: string;
  readonly code:
    | "PLEDGE_INVALID_EMAIL"
    | "PLEDGE_INVALID_PHONE"
    | "PLEDGE_INVALID_POSTAL_CODE"
    | "PLEDGE_INVALID_POSTAL_ADDRESS";
  readonly detail: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | ({ readonly ok: false } & Refusal);

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T>(refusal: Refusal): Result<T> => ({ ok: false, ...refusal });
/** A module's own refusal (a conflict, a state that forbids the move) as a result. */
export const failWith = <T>(error: PledgeError): Result<T> => fail({ kind: "error", error });

/**
 * The one rule for what a denied decision may tell: rules 0–16 do not depend on the person and
 * are told (naming the clause); from rule 17 on the refusal depends on the person and is the
 * same `not_found` as a subject that does not exist. Null when the decision is not a deny.
 */
export function refusalOf(decision: Decision): Refusal | null {
  if (decision.outcome !== "deny") return null;
  return dependsOnPerson(decision) ? { kind: "not_found", decision } : { kind: "refused", decision };
}

export function dependsOnPerson(decision: Decision): boolean {
  return (decision.reasons[0]?.rule ?? RULE.allowed) > RULE.fields;
}

export function clausesOf(decision: Decision): string[] {
  return [...new Set(decision.reasons.flatMap((r) => (r.clause === null ? [] : [r.clause])))];
}

/** The one answer for a subject that does not exist, was erased, or may not be seen. */
export const NOT_FOUND_DETAIL = "no such subject";

export function errorOf(refusal: Refusal): PledgeError {
  switch (refusal.kind) {
    case "refused": {
      const reason = refusal.decision.reasons[0];
      return new PledgeError(
        "PLEDGE_USE_REFUSED",
        reason === undefined
          ? "the policy does not allow this use"
          : `gate rule ${reason.rule} (${reason.code}): ${reason.detail}`,
        clausesOf(refusal.decision),
      );
    }
    case "under_age":
      return new PledgeError(
        "PLEDGE_UNDER_MINIMUM_AGE",
        "the person is under the policy's minimum age, or gave no birth date; nothing was kept",
        clausesOf(refusal.decision),
      );
    case "not_found":
      return new PledgeError("PLEDGE_NOT_FOUND", NOT_FOUND_DETAIL);
    case "duplicate":
      return new PledgeError(
        "PLEDGE_DUPLICATE_IDENTITY",
        `another subject already has this ${refusal.identity}`,
      );
    case "invalid": {
      // The code is the first bad value's; the detail names every bad path, never a value.
      const first = refusal.errors[0]!;
      return new PledgeError(first.code, refusal.errors.map((e) => `${e.path}: ${e.detail}`).join("; "));
    }
    case "stale":
      return staleVersion(refusal.version);
    case "error":
      return refusal.error;
    default: {
      const never: never = refusal;
      throw new Error(`unhandled refusal ${JSON.stringify(never)}`);
    }
  }
}

/** The value of a result, or its refusal thrown as the error to answer with (routes, CLI). */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw errorOf(result);
}

/** The error to answer when the record's current version is not the one the caller named. */
export function staleVersion(current: number): PledgeError {
  return new PledgeError(
    "PLEDGE_PRECONDITION_FAILED",
    `the record is at version ${current}; read it again and retry with If-Match: "${current}"`,
  );
}
