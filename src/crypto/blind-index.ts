import { createHmac, type KeyObject } from "node:crypto";

/** The kinds of a subject's identities (src/modules/subjects/identities.table.ts). */
export type IdentityIndexKind = "email" | "phone" | "postal";
/**
 * What a blind index is kept for: each kind has its own MAC domain. `mailbox` and `network` are
 * the fraud checks' velocity keys (an email's mailbox with aliases folded, a source's network).
 */
export type BlindIndexKind = IdentityIndexKind | "mailbox" | "network";

/**
 * The blind index of a normalised value: HMAC-SHA256 under the index key over `<kind>:<value>`,
 * the whole 32-byte MAC as base64url (43 characters). The kind is inside the MAC, so an email and
 * a phone that happened to normalise to the same text still index apart. Equal values give equal
 * indexes (that is the point: lookups, duplicates, Do Not Send); without the index key an index
 * cannot be computed or tested against guesses.
 */
export function blindIndex(indexKey: KeyObject, kind: BlindIndexKind, normalised: string): string {
  return createHmac("sha256", indexKey).update(`${kind}:${normalised}`, "utf8").digest("base64url");
}
