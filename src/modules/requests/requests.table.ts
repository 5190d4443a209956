import type { ColumnType, Generated } from "kysely";
import type { DenialReason, RequestIntake, RequestKind, RequestState } from "./requests.ts";

type Fixed<T> = ColumnType<T, T, never>;

/**
 * A rights request. What the person gave to be found by (`claimant_enc`), what the kind needs
 * (`details_enc`: a correction's values, a channel) and the address notices go to (`contact_enc`)
 * are ciphertext under `key_id`'s data key: one made for the request alone, so that a deletion
 * request can still tell the person it is done after their own key is destroyed (a complaint's
 * is its sender's key, or its own; a list removal has none, as it seals nothing).
 * `email_index` is the vault's email blind index of the address given, to recognise a repeated
 * request from someone not on record. `due_at` is null once the request is closed; the queue
 * sorts the open ones by it.
 */
export interface RightsRequestsTable {
  request_id: Fixed<string>;
  kind: Fixed<RequestKind>;
  state: RequestState;
  version: number;
  intake: Fixed<RequestIntake>;
  subject_id: string | null;
  /** Null when the request stores nothing encrypted (a list removal keeps blind indexes only). */
  key_id: string | null;
  email_index: string | null;
  claimant_enc: string | null;
  details_enc: string | null;
  contact_enc: string | null;
  jurisdiction: string | null;
  law: string;
  queue: string;
  received_at: Fixed<Date>;
  due_at: Date | null;
  due_date: string | null;
  acknowledge_by: Date | null;
  extended_at: Date | null;
  extension_reason: string | null;
  paused_ms: ColumnType<number, number, number>;
  paused_since: Date | null;
  denial_reason: DenialReason | null;
  assignee: string | null;
  agent_id: Fixed<string | null>;
  agent_request_id: Fixed<string | null>;
  status_callback: Fixed<string | null>;
  /** What fulfilment did: counts, section names, what the law kept; never a personal value. */
  result: string | null;
  closed_at: Date | null;
  updated_at: Date;
}

/** Every move of a request: who made it, when, and the reason given (also in the audit log). */
export interface RightsRequestMovesTable {
  request_id: Fixed<string>;
  seq: Fixed<number>;
  from_state: Fixed<RequestState | null>;
  to_state: Fixed<RequestState>;
  actor: Fixed<string>;
  at: Fixed<Date>;
  reason: Fixed<string | null>;
}

/**
 * A link sent by email: `verify` proves control of the address a public request gave (used once),
 * `download` fetches a fulfilled access request's package (until it expires). The token carries
 * only `link_id` and a MAC; the row says what it opens.
 */
export interface RequestLinksTable {
  link_id: Fixed<string>;
  request_id: Fixed<string>;
  purpose: Fixed<"verify" | "download">;
  expires_at: Fixed<Date>;
  used_at: Date | null;
}

/** The notices a request owes the person, sent by email after the move that owes them commits. */
export interface RequestNoticesTable {
  notice_id: Generated<number>;
  request_id: Fixed<string>;
  kind: Fixed<string>;
  created_at: Fixed<Date>;
  sent_at: Date | null;
  attempts: number;
  /** Until when the sender that took it holds it (2026121010): other senders leave it alone. */
  claimed_until: Date | null;
}

/**
 * What a list removal (Z16-14, Z19-06) was asked with: the fields given, reduced to the vault's
 * blind indexes (email, postal address) and keyed indexes of the normalised first name, last
 * name and ZIP (requests.match.ts). No personal value is stored; it is all that matching and the
 * Do Not Send list need.
 */
export interface ListRemovalDigestsTable {
  request_id: Fixed<string>;
  /** The pack field names the request gave, e.g. `first_name,last_name,postal_address,zip`. */
  fields: Fixed<string>;
  email_index: Fixed<string | null>;
  postal_index: Fixed<string | null>;
  first_name_index: Fixed<string | null>;
  last_name_index: Fixed<string | null>;
  zip_index: Fixed<string | null>;
}

export interface RequestTables {
  rights_requests: RightsRequestsTable;
  rights_request_moves: RightsRequestMovesTable;
  request_links: RequestLinksTable;
  request_notices: RequestNoticesTable;
  list_removal_digests: ListRemovalDigestsTable;
}
