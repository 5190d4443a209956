import type { DenialReason, RequestState, RequestView } from "../requests/requests.ts";

/**
 * The Exercise Status object (DRP 1.0 §3.03) of a Pledge request: a pure presenter that lists
 * every field it emits, so nothing else of the request leaves. Timestamps carry a `+00:00`
 * offset, not `Z`: Python before 3.11 (OSIRAA's `datetime.fromisoformat`) rejects `Z`.
 */

export const DRP_STATUSES = ["open", "in_progress", "fulfilled", "revoked", "denied", "expired"] as const;
export type DrpStatus = (typeof DRP_STATUSES)[number];

/** The reasons of §3.02. `reason` is always present: null when there is none. */
export const DRP_REASONS = [
  "need_user_verification",
  "suspected_fraud",
  "insuf_verification",
  "no_match",
  "claim_not_covered",
  "outside_jurisdiction",
  "too_many_requests",
  "other",
] as const;
export type DrpReason = (typeof DRP_REASONS)[number];

export interface ExerciseStatus {
  readonly request_id: string;
  readonly agent_request_id?: string;
  readonly status: DrpStatus;
  readonly reason: DrpReason | null;
  readonly received_at: string;
  readonly expected_by?: string;
  readonly processing_details?: string;
  readonly expires_at: string;
}

/**
 * How long Pledge promises to keep a closed request's record: the spec lets a business discard
 * it after the lesser of `expires_at` and 60 days, and never before 7.
 */
export const KEPT_DAYS = 60;
const DAY_MS = 86_400_000;

export function presentStatus(view: RequestView): ExerciseStatus {
  const { status, reason, details } = stateOf(view.state, view.denialReason);
  const extended =
    view.extended && status === "in_progress" ? "the answer was extended as the law allows" : null;
  const detail = [details, extended].filter((d) => d !== null).join("; ");
  // An open request's record is kept at least until 60 days after it is due.
  const keptFrom = view.closedAt ?? view.due ?? view.receivedAt;
  return {
    request_id: view.id,
    ...(view.agentRequestId === null ? {} : { agent_request_id: view.agentRequestId }),
    status,
    reason,
    received_at: drpTime(view.receivedAt),
    ...(view.due === null ? {} : { expected_by: drpTime(view.due) }),
    ...(detail === "" ? {} : { processing_details: detail }),
    expires_at: drpTime(new Date(Date.parse(keptFrom) + KEPT_DAYS * DAY_MS)),
  };
}

/** The status of an exercise Pledge takes no request for (an action it does not cover). */
export function notCoveredStatus(input: {
  id: string;
  agentRequestId: string | null;
  exercise: string;
  receivedAt: Date;
}): ExerciseStatus {
  return {
    request_id: input.id,
    ...(input.agentRequestId === null ? {} : { agent_request_id: input.agentRequestId }),
    status: "denied",
    reason: "claim_not_covered",
    received_at: drpTime(input.receivedAt),
    processing_details: `this business does not take ${JSON.stringify(input.exercise)} requests`,
    expires_at: drpTime(new Date(input.receivedAt.getTime() + KEPT_DAYS * DAY_MS)),
  };
}

function stateOf(
  state: RequestState,
  denial: DenialReason | null,
): { status: DrpStatus; reason: DrpReason | null; details: string | null } {
  switch (state) {
    case "received":
      return { status: "open", reason: null, details: null };
    case "identity_unverified":
      return { status: "in_progress", reason: "need_user_verification", details: null };
    case "verified":
    case "in_progress":
    case "extended":
      return { status: "in_progress", reason: null, details: null };
    case "waiting_on_person":
      return { status: "in_progress", reason: null, details: "waiting on the person" };
    case "fulfilled":
      return { status: "fulfilled", reason: null, details: null };
    case "partially_fulfilled":
      return { status: "fulfilled", reason: null, details: "partially fulfilled" };
    case "denied":
      return denied(denial);
    case "revoked":
      return { status: "revoked", reason: null, details: null };
    case "expired":
      return { status: "expired", reason: null, details: null };
    default: {
      const never: never = state;
      return never;
    }
  }
}

function denied(reason: DenialReason | null): {
  status: "denied";
  reason: DrpReason;
  details: string | null;
} {
  switch (reason) {
    case null:
      return { status: "denied", reason: "other", details: null };
    case "legal_hold":
      // Not a DRP reason: the law or a legal process requires keeping what was asked about.
      return { status: "denied", reason: "other", details: "legal hold" };
    case "suspected_fraud":
    case "insuf_verification":
    case "no_match":
    case "claim_not_covered":
    case "outside_jurisdiction":
    case "too_many_requests":
    case "other":
      return { status: "denied", reason, details: null };
    default: {
      const never: never = reason;
      return never;
    }
  }
}

/** `2026-01-02T10:00:00.000+00:00`: an instant in UTC with a numeric offset. */
export function drpTime(at: Date | string): string {
  return new Date(at).toISOString().replace(/Z$/, "+00:00");
}
