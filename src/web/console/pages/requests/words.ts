import type {
  DenialReason,
  RequestKind,
  RequestState,
  RequestView,
} from "../../../../modules/requests/requests.ts";

/**
 * The request queue's vocabulary in a staff member's words: kinds, states, the move into each
 * state (as a verb), denial reasons, and the time a request has left. Every switch is exhaustive,
 * so a kind, state or reason added to src/modules/requests/requests.ts breaks the build here
 * until the console can name it.
 */
export function kindName(kind: RequestKind): string {
  switch (kind) {
    case "access":
      return "Access (a copy of the data)";
    case "portable_export":
      return "Portable export";
    case "correction":
      return "Correction";
    case "deletion":
      return "Deletion";
    case "opt_out_sale":
      return "Opt-out of sale";
    case "opt_out_sharing":
      return "Opt-out of sharing";
    case "opt_out_channel":
      return "Opt-out of a channel";
    case "opt_out_catalogues":
      return "Opt-out of catalogues";
    case "limit_sensitive":
      return "Limit sensitive data";
    case "disclosure_report":
      return "Disclosure report";
    case "list_removal":
      return "Removal from lists";
    case "complaint":
      return "Privacy complaint";
    default: {
      const never: never = kind;
      return never;
    }
  }
}

export function stateName(state: RequestState): string {
  switch (state) {
    case "received":
      return "Received";
    case "identity_unverified":
      return "Identity not verified";
    case "verified":
      return "Verified";
    case "in_progress":
      return "In progress";
    case "waiting_on_person":
      return "Waiting on the person";
    case "extended":
      return "Extended";
    case "fulfilled":
      return "Fulfilled";
    case "partially_fulfilled":
      return "Partly fulfilled";
    case "denied":
      return "Denied";
    case "revoked":
      return "Withdrawn";
    case "expired":
      return "Expired";
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** The move into `state`, as the button or choice that makes it reads. */
export function moveName(state: RequestState): string {
  switch (state) {
    case "received":
      return "Mark received";
    case "identity_unverified":
      return "Ask the person to prove who they are";
    case "verified":
      return "Verify identity";
    case "in_progress":
      return "Start work";
    case "waiting_on_person":
      return "Ask the person for more information";
    case "extended":
      return "Extend, telling the person why";
    case "fulfilled":
      return "Fulfil (does the request's work)";
    case "partially_fulfilled":
      return "Close as partly fulfilled";
    case "denied":
      return "Deny, with a reason";
    case "revoked":
      return "Close as withdrawn by the person";
    case "expired":
      return "Close as expired (the person never answered)";
    default: {
      const never: never = state;
      return never;
    }
  }
}

export function denialName(reason: DenialReason): string {
  switch (reason) {
    case "suspected_fraud":
      return "Suspected fraud";
    case "insuf_verification":
      return "Identity could not be verified";
    case "no_match":
      return "Nobody on record matches";
    case "claim_not_covered":
      return "The right claimed does not apply";
    case "outside_jurisdiction":
      return "Outside the jurisdiction";
    case "too_many_requests":
      return "Too many requests";
    case "legal_hold":
      return "A legal hold keeps the data";
    case "other":
      return "Other";
    default: {
      const never: never = reason;
      return never;
    }
  }
}

const days = (n: number) => `${n} ${n === 1 ? "day" : "days"}`;

/** How long the request has left, or how late it is; closed requests have no clock. */
export function timeLeftText(r: Pick<RequestView, "daysLeft" | "overdue" | "paused" | "closedAt">): string {
  if (r.closedAt !== null || r.daysLeft === null) return "Closed";
  const paused = r.paused ? " (clock paused)" : "";
  if (r.overdue)
    return r.daysLeft === 0 ? `Overdue today${paused}` : `Overdue by ${days(-r.daysLeft)}${paused}`;
  return r.daysLeft === 0 ? `Less than a day left${paused}` : `${days(r.daysLeft)} left${paused}`;
}

/**
 * A due date (YYYY-MM-DD, already in the pack's time zone) as people read it. It is read at noon
 * UTC and shown in UTC, so no browser time zone moves it to another day.
 */
export function dueDay(date: string): string {
  return new Date(`${date}T12:00:00Z`).toLocaleDateString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
}

/** A due date in the chart's few characters: the day of the week, the day and the month. */
export function shortDay(date: string): string {
  return new Date(`${date}T12:00:00Z`).toLocaleDateString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
}

/** An instant, with its time, in the browser's zone. */
export function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
