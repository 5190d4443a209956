import type { FastifyRequest } from "fastify";
import type { Actor } from "../../gate/types.ts";
import { PledgeError } from "../../http/errors.ts";
import { staleVersion } from "../../http/etag.ts";
import { ADMIN_ROLE, type Caller } from "../staff/staff.ts";
import { clausesOf } from "./subjects.gate.ts";
import type { Acting, Refusal, Result } from "./subjects.ts";

/** How the record's HTTP routes turn callers into actors and refusals into problems. */

/** Keys of a pack role act as that staff member; admin keys act as the system (an integration). */
export function actingOf(request: FastifyRequest): Acting {
  const caller = request.caller as Caller;
  const actor: Actor =
    caller.role === ADMIN_ROLE
      ? { kind: "system", id: caller.staffId }
      : { kind: "staff", id: caller.staffId, role: caller.role };
  return { actor, attested: caller.attested };
}

/**
 * The one answer for a subject that does not exist, was erased, or may not be seen by this
 * caller for this purpose: the same code, title and detail, so the body tells nothing apart.
 */
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
    default: {
      const never: never = refusal;
      throw new Error(`unhandled refusal ${JSON.stringify(never)}`);
    }
  }
}

/** The value of a result, or the problem to answer with. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw errorOf(result);
}
