import { PledgeError } from "../../errors.ts";
import type { PasswordProblem } from "./customers.ts";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./customers.ts";

/** The answer to a password the policy refuses; it names the rule, never the password. */
export function weakPassword(problem: PasswordProblem): PledgeError {
  switch (problem) {
    case "too_short":
      return new PledgeError(
        "PLEDGE_PASSWORD_WEAK",
        `a password has at least ${PASSWORD_MIN_LENGTH} characters`,
      );
    case "too_long":
      return new PledgeError(
        "PLEDGE_PASSWORD_WEAK",
        `a password has at most ${PASSWORD_MAX_LENGTH} characters`,
      );
    case "common":
      return new PledgeError(
        "PLEDGE_PASSWORD_WEAK",
        "this password is one of the most common ones; choose another",
      );
    default: {
      const never: never = problem;
      throw new Error(`unknown password problem ${String(never)}`);
    }
  }
}
