import type { PostalAddressInput } from "../../crypto/postal.ts";

/**
 * Rights requests: one model and one state machine for every right a person can exercise, from
 * every intake (the signed-in customer, anyone who proves control of an email address, staff on
 * the person's behalf, an authorised agent over the Data Rights Protocol, the privacy mailbox),
 * removal from lists (Z16-14, Z19-06) and privacy complaints (ZM-12) included. A request is received,
 * its identity verified, worked, and closed as fulfilled, partially fulfilled, denied (with a
 * reason from a closed list), revoked or expired; every move is one row of its history and one
 * audit event, made only by `transition()` (requests.transition.ts) from the table below.
 */

/** What the person asks for. */
export const REQUEST_KINDS = [
  "access",
  "portable_export",
  "correction",
  "deletion",
  "opt_out_sale",
  "opt_out_sharing",
  "opt_out_channel",
  "opt_out_catalogues",
  "limit_sensitive",
  "disclosure_report",
  "list_removal",
  "complaint",
] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_STATES = [
  "received",
  "identity_unverified",
  "verified",
  "in_progress",
  "waiting_on_person",
  "extended",
  "fulfilled",
  "partially_fulfilled",
  "denied",
  "revoked",
  "expired",
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/**
 * How the request arrived: the signed-in customer, anyone who verifies an address, staff on the
 * person's behalf, an authorised agent, or a message to the privacy mailbox (a complaint, ZM-12).
 */
export const REQUEST_INTAKES = ["customer", "public", "staff", "agent", "mail"] as const;
export type RequestIntake = (typeof REQUEST_INTAKES)[number];

/**
 * Why a request is denied: the Data Rights Protocol 1.0 reasons (§3.02), and `legal_hold` (the
 * law or a legal process requires keeping what a deletion would remove).
 */
export const DENIAL_REASONS = [
  "suspected_fraud",
  "insuf_verification",
  "no_match",
  "claim_not_covered",
  "outside_jurisdiction",
  "too_many_requests",
  "legal_hold",
  "other",
] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

/**
 * The one transition table: the states each state may move to. Closed states move nowhere. An
 * identity check that waits on the person pauses the clock where the law says so (GDPR), and
 * `extended` is entered once, with notice, before the first due date.
 */
export const TRANSITIONS: Readonly<Record<RequestState, readonly RequestState[]>> = {
  received: ["identity_unverified", "verified", "denied", "revoked"],
  identity_unverified: ["verified", "denied", "revoked", "expired"],
  verified: ["in_progress", "fulfilled", "partially_fulfilled", "denied", "revoked"],
  in_progress: ["waiting_on_person", "extended", "fulfilled", "partially_fulfilled", "denied", "revoked"],
  waiting_on_person: ["in_progress", "extended", "denied", "revoked", "expired"],
  extended: ["waiting_on_person", "fulfilled", "partially_fulfilled", "denied", "revoked"],
  fulfilled: [],
  partially_fulfilled: [],
  denied: [],
  revoked: [],
  expired: [],
};

/** Whether a request in this state is still open (counted, clocked, a duplicate's original). */
export function isOpen(state: RequestState): boolean {
  switch (state) {
    case "received":
    case "identity_unverified":
    case "verified":
    case "in_progress":
    case "waiting_on_person":
    case "extended":
      return true;
    case "fulfilled":
    case "partially_fulfilled":
    case "denied":
    case "revoked":
    case "expired":
      return false;
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** Opt-outs run on the shorter opt-out clock (CCPA: 15 business days) and need no identity check. */
export function isOptOut(kind: RequestKind): boolean {
  switch (kind) {
    case "opt_out_sale":
    case "opt_out_sharing":
    case "opt_out_channel":
    case "opt_out_catalogues":
    case "limit_sensitive":
    case "list_removal":
      return true;
    case "access":
    case "portable_export":
    case "correction":
    case "deletion":
    case "disclosure_report":
    case "complaint":
      return false;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/**
 * The person's identity as the request gives it, before matching (the pack's `removal_match`
 * sets say which fields identify someone: name + postal address + ZIP, or email). Never stored in
 * clear.
 */
export interface Claimant {
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly postalAddress?: PostalAddressInput;
  readonly zip?: string;
}

/** What a kind needs beyond the person: the channel of a channel opt-out, a correction's values. */
export interface RequestDetails {
  readonly channel?: string;
  readonly corrections?: Readonly<Record<string, string>>;
  readonly text?: string;
}

export interface NewRequest {
  readonly kind: RequestKind;
  readonly intake: RequestIntake;
  /** The person on record, when the intake already knows them (a signed-in customer). */
  readonly subjectId?: string;
  /** Who the person says they are, for matching (staff, public and agent intake). */
  readonly claimant?: Claimant;
  /** The jurisdiction the requester states; else the matched person's. */
  readonly jurisdiction?: string;
  readonly details?: RequestDetails;
  /** An authorised agent's id and its own id for the request (DRP `agent-request-id`). */
  readonly agent?: { readonly id: string; readonly requestId?: string; readonly callback?: string };
}

/** A request as the queue and its owner see it: no personal values. */
export interface RequestView {
  readonly id: string;
  readonly kind: RequestKind;
  readonly state: RequestState;
  readonly intake: RequestIntake;
  /** The person the request acts on, once matched; null while unmatched. */
  readonly subjectId: string | null;
  readonly jurisdiction: string | null;
  readonly law: string;
  readonly queue: string;
  readonly receivedAt: string;
  /** The instant the answer is due by, in the pack's time zone's day; null once closed. */
  readonly due: string | null;
  /** The local due date (YYYY-MM-DD in the pack's zone). */
  readonly dueDate: string | null;
  readonly acknowledgeBy: string | null;
  readonly overdue: boolean;
  /** Whole days left (negative when overdue); null once closed. */
  readonly daysLeft: number | null;
  readonly extended: boolean;
  readonly denialReason: DenialReason | null;
  readonly assignee: string | null;
  /** Whether the clock is stopped now (the identity check waits on the person, where the law pauses it). */
  readonly paused: boolean;
  readonly extensionReason: string | null;
  readonly agentId: string | null;
  readonly agentRequestId: string | null;
  readonly closedAt: string | null;
  readonly version: number;
}

/** What intake answers: the request, and whether it repeats an open one (then nothing new was made). */
export interface Received {
  readonly request: RequestView;
  readonly repeated: boolean;
}

export interface RequestMove {
  readonly from: RequestState | null;
  readonly to: RequestState;
  readonly actor: string;
  readonly at: string;
  readonly reason: string | null;
}

/** One request with its history, for staff and for its owner. */
export interface RequestDetail extends RequestView {
  readonly history: readonly RequestMove[];
  /** What fulfilment did: counts and what the law kept, never a personal value. */
  readonly result: Readonly<Record<string, unknown>> | null;
}
