/**
 * Privacy complaints (ZM-12): a message to the privacy mailbox whose subject line carries
 * "Privacy Policy", or one a staff member opens, is tracked from `open` until it is `resolved`
 * (with a resolution note) or `rejected`. A complaint is never deleted. The sender, subject line,
 * text and note are personal data: stored encrypted, shown only through the gate, never logged.
 */
export const COMPLAINT_STATUSES = ["open", "in_progress", "resolved", "rejected"] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

export const COMPLAINT_SOURCES = ["inbound-mail", "staff"] as const;
export type ComplaintSource = (typeof COMPLAINT_SOURCES)[number];

/** The one transition table: the moves each status allows. Closed complaints stay closed. */
export const TRANSITIONS: Readonly<Record<ComplaintStatus, readonly ComplaintStatus[]>> = {
  open: ["in_progress", "resolved", "rejected"],
  in_progress: ["resolved", "rejected"],
  resolved: [],
  rejected: [],
};

/** Whether a complaint in this status still waits for an answer (and stays listed). */
export function isUnresolved(status: ComplaintStatus): boolean {
  switch (status) {
    case "open":
    case "in_progress":
      return true;
    case "resolved":
    case "rejected":
      return false;
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
