import type { Move } from "../requests/requests.transition.ts";
import type { RequestState } from "../requests/requests.ts";

/**
 * Privacy complaints (ZM-12): a message to the privacy mailbox whose subject line carries
 * "Privacy Policy", or one a staff member opens, is tracked from `open` until it is `resolved`
 * (with a resolution note) or `rejected`. A complaint is a rights request of the kind `complaint`
 * (one state machine, one history, one clock, in the request queue); its status here is a view
 * of the request's state, and a change of status is a move of the request. A complaint is never
 * deleted. The sender, subject line, text and note are personal data: stored encrypted, shown
 * only through the gate, never logged.
 */
export const COMPLAINT_STATUSES = ["open", "in_progress", "resolved", "rejected"] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

export const COMPLAINT_SOURCES = ["inbound-mail", "staff"] as const;
export type ComplaintSource = (typeof COMPLAINT_SOURCES)[number];

/** The status a complaint shows for its request's state. */
export function statusOf(state: RequestState): ComplaintStatus {
  switch (state) {
    case "received":
    case "identity_unverified":
    case "verified":
      return "open";
    case "in_progress":
    case "waiting_on_person":
    case "extended":
      return "in_progress";
    case "fulfilled":
    case "partially_fulfilled":
      return "resolved";
    case "denied":
    case "revoked":
    case "expired":
      return "rejected";
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** The request states a complaint status covers (the list filter). */
export function statesOf(status: ComplaintStatus): RequestState[] {
  return REQUEST_STATES_OF[status];
}

const REQUEST_STATES_OF: Readonly<Record<ComplaintStatus, RequestState[]>> = {
  open: ["received", "identity_unverified", "verified"],
  in_progress: ["in_progress", "waiting_on_person", "extended"],
  resolved: ["fulfilled", "partially_fulfilled"],
  rejected: ["denied", "revoked", "expired"],
};

/**
 * The request move a change of status is: working it, resolving it (fulfilled) or rejecting it
 * (denied, reason `other`: the note says why). Null for `open`: nothing moves back to open.
 */
export function moveTo(status: ComplaintStatus): Move | null {
  switch (status) {
    case "in_progress":
      return { to: "in_progress" };
    case "resolved":
      return { to: "fulfilled" };
    case "rejected":
      return { to: "denied", reason: "other" };
    case "open":
      return null;
    default: {
      const never: never = status;
      return never;
    }
  }
}

/** The phrase that makes an inbound message a privacy complaint (ZM-12), in any case. */
export const COMPLAINT_PHRASE = "privacy policy";

export function isComplaintSubject(subjectLine: string): boolean {
  return subjectLine.toLowerCase().includes(COMPLAINT_PHRASE);
}

/** The address in a From header value: `Name <a@b>` or a bare address. */
export function addressOf(from: string): string {
  const angled = /<([^<>]+)>\s*$/.exec(from);
  return (angled?.[1] ?? from).trim();
}

export interface NewComplaint {
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  /** When the message arrived; defaults to now. */
  readonly receivedAt?: string;
  readonly source: ComplaintSource;
}

/** What a list shows: no personal values. */
export interface ComplaintSummary {
  readonly id: string;
  readonly status: ComplaintStatus;
  readonly source: ComplaintSource;
  /** Whether the sender's address is a known subject's email. */
  readonly linked: boolean;
  readonly receivedAt: string;
  readonly ageDays: number;
  readonly version: number;
}

export interface ComplaintMove {
  readonly from: ComplaintStatus | null;
  readonly to: ComplaintStatus;
  readonly actor: string;
  readonly at: string;
}

/** One complaint's content, shown to staff for a purpose the gate allowed. */
export interface ComplaintDetail extends ComplaintSummary {
  /** Null when the gate took the email field out of the answer, or the key was destroyed. */
  readonly from: string | null;
  readonly subject: string | null;
  readonly text: string | null;
  readonly resolutionNote: string | null;
  readonly history: readonly ComplaintMove[];
}

export interface MoveRequest {
  readonly status: ComplaintStatus;
  readonly note?: string;
}
