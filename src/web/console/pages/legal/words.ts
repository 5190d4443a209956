import type { Problem } from "../../../shared/api.ts";
import {
  APPROVALS_NEEDED,
  type Instrument,
  type LegalRequest,
  type LegalState,
} from "../../../../modules/legal/legal.ts";
import { staffMessage } from "../../words.ts";

/** The register's words: states, instruments, and the API's refusals as a staff member reads them. */
export const STATE_WORDS: Record<LegalState, string> = {
  received: "Received: awaiting approvals",
  approved: "Approved: ready to produce",
  produced: "Produced",
  refused: "Refused",
  withdrawn: "Withdrawn by the authority",
};

export const INSTRUMENT_WORDS: Record<Instrument, string> = {
  subpoena: "Subpoena",
  court_order: "Court order",
  warrant: "Warrant",
  emergency: "Emergency request",
  other: "Other instrument",
};

/** Who did something, as the API names them (`staff:<id>`), with "you" for the member reading. */
export function actorWords(actor: string, me: string): string {
  return actor === `staff:${me}` ? "You" : actor.replace(/^staff:/, "Staff member ");
}

export function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/**
 * Why the API refused a move of `r`, in words: who may approve, how many approvals production
 * still needs, and that a closed request takes no move. Other problems in the console's words.
 */
export function legalRefusal(problem: Problem, r: LegalRequest, me: string): string {
  switch (problem.code) {
    case "PLEDGE_LEGAL_NOT_APPROVED": {
      const missing = APPROVALS_NEEDED - r.approvals.length;
      return `Nothing was produced: a request is produced only once ${APPROVALS_NEEDED} staff members other than the one who received it have approved it. This one needs ${missing} more approval${missing === 1 ? "" : "s"}.`;
    }
    case "PLEDGE_LEGAL_APPROVAL_REFUSED":
      return r.receivedBy === `staff:${me}`
        ? "You received this request, so you cannot approve it: two other staff members must."
        : "You have approved this request already: another staff member must give the next approval.";
    case "PLEDGE_LEGAL_STATE":
      return "This request has moved on since the page loaded (it may have been produced, refused or withdrawn): nothing was done. Its state now is shown.";
    case "PLEDGE_LEGAL_OUT_OF_SCOPE":
      return "Nothing was produced: the production asked for a person or a field outside the request's scope.";
    default:
      return staffMessage(problem);
  }
}
