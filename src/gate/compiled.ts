import type { Channel, LegalBasis, MessageClass, RecipientKind } from "../policy/schema.ts";
import type { Decision, Permission, Reason } from "./types.ts";

/**
 * A policy pack turned into lookup tables, so that a decision is a handful of Map and Set lookups
 * whatever the size of the pack. Built once per version by `compilePolicy`; immutable afterwards.
 * Reasons and refusals that do not depend on the use are built here too, so the hot path of
 * `decide` allocates almost nothing.
 */
export interface CompiledPolicy {
  readonly company: string;
  readonly version: string;
  /** `effective_from` in milliseconds since the epoch. */
  readonly effectiveFrom: number;
  /** The `policy` member of every decision made under this version (one shared frozen object). */
  readonly ref: Decision["policy"];
  readonly purposes: ReadonlyMap<string, CompiledPurpose>;
  readonly recipients: ReadonlyMap<string, CompiledRecipient>;
  readonly topics: ReadonlyMap<string, CompiledTopic>;
  /** Record field → the category that holds it. */
  readonly fieldCategory: ReadonlyMap<string, string>;
  /** The clause that lists the purposes (cited by every purpose), or null when none is. */
  readonly purposeListClause: string | null;
  /** Regions where data may live; null when the pack does not restrict them. */
  readonly regions: ReadonlySet<string> | null;
  readonly residencyClause: string | null;
  readonly minimumAge: {
    readonly years: number;
    readonly clause: string;
    /** Prebuilt refusals (rule 18): under the minimum; age unknown on collect. */
    readonly underRefused: Decision;
    readonly unknownRefused: Decision;
  } | null;
  readonly essential: ReadonlySet<MessageClass>;
  readonly messagesClause: string;
  /** Per channel, the sharing scope whose opt-out stops the company's own marketing on it (rule 20), and that refusal. */
  readonly channelOptOuts: ReadonlyMap<string, { readonly scope: string; readonly refused: Decision }>;
  /** The clause behind the Do Not Send list (the messages clause when the pack has no suppression block). */
  readonly suppressionClause: string;
  readonly formerContactable: boolean;
  /** Prebuilt refusals of rules 19 and 20 (per channel). */
  readonly formerRefused: Decision;
  readonly suppressedRefused: Readonly<Record<Channel, Decision>>;
  readonly thirdPartiesAllowed: boolean;
  readonly thirdPartiesClause: string;
  readonly saleAllowed: "never" | "with_permission";
  readonly saleClause: string;
  readonly attestationRequired: boolean;
  /** Staff role id → the purposes it may use. */
  readonly roles: ReadonlyMap<string, ReadonlySet<string>>;
  readonly staffClause: string;
  readonly contentGrounds: ReadonlySet<string> | null;
  /** Fields of the pack's `content` categories: reached only by collect, open_content and disclose (rule 6). */
  readonly contentFields: ReadonlySet<string>;
  readonly caseRequired: boolean;
  readonly communicationsClause: string | null;
  readonly disclosureGrounds: ReadonlySet<string>;
  readonly disclosureClause: string;
}

export interface CompiledPurpose {
  readonly id: string;
  readonly basis: LegalBasis;
  /** The first clause the purpose cites: the one its reasons name. */
  readonly clause: string;
  /** Every record field of the purpose's categories. */
  readonly fields: ReadonlySet<string>;
  /** Channels its messages may use; null = the purpose does not restrict channels. */
  readonly channels: ReadonlySet<Channel> | null;
  /** Classes of message it sends; empty = it sends no messages. */
  readonly messageClasses: ReadonlySet<MessageClass>;
  readonly aggregateOnly: boolean;
  /** Used only by the customer on their own record, for that customer (rule 5). */
  readonly ownUseOnly: boolean;
  readonly permission: Permission | null;
  /** Consent keys `<purpose>:<channel>`, precomputed so lookups build no strings. */
  readonly channelKeys: Readonly<Record<Channel, string>>;
  /** The prebuilt refusal of rule 22 for a consent purpose with no grant on file. */
  readonly consentMissing: Decision;
  /** The reasons of an allow under this purpose alone. */
  readonly allowReasons: readonly Reason[];
}

export interface CompiledRecipient {
  readonly id: string;
  readonly kind: RecipientKind;
  readonly clause: string;
  readonly fields: ReadonlySet<string>;
  readonly purposes: ReadonlySet<string>;
  readonly needsContract: boolean;
  readonly needsConsent: boolean;
  /** The opt-out scope that stops this sharing; null when the recipient honours none. */
  readonly optOutScope: string | null;
  /** Authorities always, and any recipient that `requires: [legal_ground]`. */
  readonly needsLegalGround: boolean;
  readonly singleSubject: boolean;
  /** A third party for `third_parties.allowed: false` (marketing partners and affiliates). */
  readonly thirdParty: boolean;
  /** Allow reasons per purpose: the purpose's reason and the recipient's. */
  readonly allowReasons: ReadonlyMap<string, readonly Reason[]>;
}

export interface CompiledTopic {
  readonly id: string;
  readonly purpose: string;
  readonly clause: string;
  readonly channels: ReadonlySet<Channel>;
  readonly channelKeys: Readonly<Record<Channel, string>>;
  /** The reasons of an allow of a message on this topic: its purpose's and its own. */
  readonly allowReasons: readonly Reason[];
}
