import type { Channel, MessageClass } from "../policy/schema.ts";

/**
 * The gate's vocabulary. A `Use` says what someone wants to do with personal data; `Facts` is
 * everything about the world the gate may look at (loaded beforehand: the gate does no I/O); a
 * `Decision` is the answer, with reasons that name clauses and the policy version.
 */

export const ACTIONS = [
  "read", // a person (staff, the customer) reads a record
  "collect", // data is taken in (sign-up, form, import)
  "send", // a message goes to the subject
  "export", // a list leaves for a recipient (mail house, partner)
  "disclose", // one subject's data goes to a recipient (processor, authority, affiliate)
  "analyse", // data is used for statistics
  "charge", // a stored payment method is charged
  "open_content", // the content of a stored communication is opened
] as const;
export type Action = (typeof ACTIONS)[number];

export const ACTOR_KINDS = ["staff", "system", "customer", "agent"] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface Actor {
  readonly kind: ActorKind;
  readonly id: string;
  /** Staff role id from the pack's `staff.roles`; required when kind is staff. */
  readonly role?: string;
}

export interface Use {
  readonly action: Action;
  /** A purpose id from the pack. */
  readonly purpose: string;
  readonly actor: Actor;
  /** The record fields the use touches (category fields of the pack). */
  readonly fields: readonly string[];
  /** A recipient id from the pack; absent for uses inside the company. */
  readonly recipient?: string;
  readonly channel?: Channel;
  readonly messageClass?: MessageClass;
  /** A topic id from the pack, for messages. */
  readonly topic?: string;
  /** The legal or content ground invoked, for disclosures to authorities and opening content. */
  readonly ground?: string;
  /** The case that justifies opening content (an abuse or legal case id). */
  readonly caseId?: string;
  /** True when only aggregates leave (analytics). */
  readonly aggregate?: boolean;
  /** True when the caller accepts a projection: fields not allowed are removed instead of refusing. */
  readonly projection?: boolean;
  /** When the use happens (ISO 8601). The policy version in force at this instant applies. */
  readonly at: string;
}

export const CONSENT_STATES = ["granted", "withdrawn", "objected"] as const;
export type ConsentState = (typeof CONSENT_STATES)[number];

export const SUBJECT_STATUSES = ["customer", "prospect", "former"] as const;
export type SubjectStatus = (typeof SUBJECT_STATUSES)[number];

export const PERMISSIONS = ["card_reuse", "sale", "affiliate_identity"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What is known about the one person a use concerns. */
export interface SubjectFacts {
  readonly status: SubjectStatus;
  /** Age in whole years at the time of use; null when unknown. */
  readonly age: number | null;
  /** Where the person lives, as a jurisdiction code (US, US-CA, EU, ...); null when unknown. */
  readonly jurisdiction: string | null;
  /**
   * Current consent state, keyed by purpose or topic id, or by `<id>:<channel>` for one channel.
   * A channel key wins over the plain key. Absent = never asked.
   */
  readonly consents: Readonly<Record<string, ConsentState>>;
  /** Sharing scopes the person has stopped (e.g. partner_sharing, catalogues). */
  readonly optOuts: readonly string[];
  /** Channels on which the person's address is on the Do Not Send list. */
  readonly suppressed: readonly Channel[];
  /** Per-customer permissions on file. */
  readonly permissions: readonly Permission[];
}

export interface Facts {
  /** The person concerned; null for uses about nobody in particular (aggregates). */
  readonly subject: SubjectFacts | null;
  /** Whether the acting staff member has a confidentiality attestation on file. */
  readonly actorAttested: boolean;
  /** Whether the recipient's contract is on file; null when there is no recipient. */
  readonly recipientContractOnFile: boolean | null;
  /** The region this deployment stores and processes data in. */
  readonly deploymentRegion: string;
}

export type Outcome = "allow" | "deny" | "partial";

export interface Reason {
  /** The clause behind the reason; null only for rules that come from no clause (unknown purpose). */
  readonly clause: string | null;
  /** The number of the gate rule (see the header of decide.ts). */
  readonly rule: number;
  /** A stable machine code, e.g. `consent_missing`. */
  readonly code: string;
  /** Plain words, naming ids and fields only: never personal data. */
  readonly detail: string;
}

export interface Decision {
  readonly outcome: Outcome;
  /** Fields the use may touch (all of them on allow, some on partial, none on deny). */
  readonly fields: readonly string[];
  /** Fields removed by projection (partial). */
  readonly removed: readonly string[];
  readonly reasons: readonly Reason[];
  readonly policy: { readonly company: string; readonly version: string };
}
