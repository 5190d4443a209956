import type { ConsentState } from "../../gate/types.ts";
import type { Channel } from "../../policy/schema.ts";

/**
 * The consent ledger's vocabulary. An event says that a person granted, withdrew or objected to
 * a target, on one channel or on all of them (''), from a source, under a policy version.
 *
 * Target kinds and what an action does to the derived state the gate reads:
 * - purpose, topic: the state itself (subject_consents, per channel; '' = every channel).
 * - sharing (a recipient's opt_out_scope, e.g. partner_sharing): withdrawn or objected = the
 *   sharing is stopped (a subject_opt_outs row); granted = it is resumed (the row removed).
 *   Sharing reuses the consent actions rather than adding stopped/resumed, so one vocabulary
 *   covers the whole ledger.
 * - permission (card_reuse, sale, affiliate_identity): granted = on file (subject_permissions);
 *   withdrawn or objected = removed.
 */
export const TARGET_KINDS = ["purpose", "topic", "sharing", "permission"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export type ConsentAction = ConsentState;

export const CONSENT_SOURCES = ["web", "email-link", "staff", "import", "gpc", "drp"] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/**
 * Keys evidence may carry. Values are short references (ids, page paths), never personal data:
 * the schema allows no `@`, no spaces, and a card number is refused on every body anyway.
 */
export const EVIDENCE_KEYS = [
  "requestId",
  "page",
  "formId",
  "campaignId",
  "messageId",
  "linkId",
  "importId",
  "drpRequestId",
] as const;
export type EvidenceKey = (typeof EVIDENCE_KEYS)[number];
export type Evidence = Partial<Record<EvidenceKey, string>>;
export const EVIDENCE_VALUE = /^[A-Za-z0-9._:/-]{1,200}$/;

export interface ConsentInput {
  readonly targetKind: TargetKind;
  /** A purpose id, topic id, sharing scope or permission, as the pack in force names it. */
  readonly target: string;
  /** '' (the default) = every channel. Sharing scopes and permissions have no channel. */
  readonly channel?: Channel | "";
  readonly action: ConsentAction;
  readonly source: ConsentSource;
  readonly evidence?: Evidence;
}

export interface ConsentEvent {
  readonly subjectId: string;
  readonly eventId: string;
  readonly targetKind: TargetKind;
  readonly target: string;
  readonly channel: Channel | "";
  readonly action: ConsentAction;
  readonly source: ConsentSource;
  /** The version of the policy in force when the event was recorded. */
  readonly policyVersion: string;
  readonly at: Date;
  /** Who recorded it: `staff:<id>`, `customer:<id>`, `system`. */
  readonly actor: string;
  readonly evidence: Evidence;
}

/** The derived state the gate reads, as one document. */
export interface Preferences {
  readonly consents: readonly {
    readonly scope: string;
    readonly channel: Channel | "";
    readonly state: ConsentState;
    readonly updatedAt: Date;
  }[];
  readonly optOuts: readonly string[];
  readonly permissions: readonly string[];
}

/** Who records, when, and under which pack (the version in force at `now`). */
export interface ConsentContext {
  readonly actor: string;
  readonly now: Date;
}
