import type { Channel } from "../../policy/schema.ts";

/**
 * The Do Not Send list (PS-05): per channel, the blind index of a normalised address. The raw
 * address is never kept, and an entry has no link to any subject, so it outlives the customer
 * record: a new record with the same address is suppressed again at once.
 */

/** Why an address was put on the list. */
export const SUPPRESSION_REASONS = [
  "unsubscribe",
  "complaint",
  "bounce",
  "request",
  "staff",
  "import",
] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** Why an address was taken off the list (always recorded in the audit log). */
export const REMOVAL_REASONS = ["added_in_error", "customer_request", "consent_renewed"] as const;
export type RemovalReason = (typeof REMOVAL_REASONS)[number];

/** Where the entry came from: the same sources as the consent ledger. */
export const SUPPRESSION_SOURCES = ["web", "email-link", "staff", "import", "gpc", "drp"] as const;
export type SuppressionSource = (typeof SUPPRESSION_SOURCES)[number];

export interface SuppressionEntry {
  readonly channel: Channel;
  /** The vault's blind index of the normalised address. */
  readonly addressIndex: string;
  readonly reason: SuppressionReason;
  readonly source: SuppressionSource;
  readonly createdAt: Date;
  /** The audit actor that added it: `staff:<id>`, `customer:<id>`, `system`. */
  readonly createdBy: string;
}
