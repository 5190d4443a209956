import type { PolicyPack } from "../../policy/schema.ts";

/**
 * Legal requests: a demand from an authority (a subpoena, a court order, a warrant, an emergency
 * request, or another instrument) for some people's data. Each is registered with the authority,
 * its country, the instrument, the authority's reference, its scope (the people and the fields it
 * names) and the ground from the pack's `disclosure_grounds` it rests on, by the staff member who
 * received it. Nothing is produced before two staff members other than the receiver approve it;
 * the production is a `disclose` use to the pack's authority recipient on that ground, written to
 * the disclosure ledger, and each person is told unless a non-disclosure order runs (then when it
 * ends). An emergency disclosure, made before any paperwork, is recorded after the fact with its
 * justification. Legal holds (src/modules/holds) are a different thing: they keep records, these
 * release them.
 */
export const INSTRUMENTS = ["subpoena", "court_order", "warrant", "emergency", "other"] as const;
export type Instrument = (typeof INSTRUMENTS)[number];

export const LEGAL_STATES = ["received", "approved", "produced", "refused", "withdrawn"] as const;
export type LegalState = (typeof LEGAL_STATES)[number];

/**
 * The one transition table. `approved` is reached only with the second approval of a second
 * staff member; `produced`, `refused` and `withdrawn` are final.
 */
export const TRANSITIONS: Readonly<Record<LegalState, readonly LegalState[]>> = {
  received: ["approved", "refused", "withdrawn"],
  approved: ["produced", "refused", "withdrawn"],
  produced: [],
  refused: [],
  withdrawn: [],
};

/** Approvals a request needs before production, each by a different staff member who did not receive it. */
export const APPROVALS_NEEDED = 2;

/** The roles that work legal requests, besides admin. */
export const LEGAL_ROLES = ["legal"] as const;

/**
 * The pack's authority recipient (kind `authority`) and the purpose a production to it is made
 * under: the first purpose the recipient is listed for (`essential.legal_obligation` in the zones
 * and zzservers packs; zMailCloud, whose policy has five purposes only, lists its authorities under
 * the service's own purpose). Null when the pack names no authority.
 */
export function authorityOf(
  pack: PolicyPack,
): { readonly recipient: string; readonly purpose: string } | null {
  const r = pack.recipients.find((x) => x.kind === "authority");
  const purpose = r?.purposes[0];
  return r === undefined || purpose === undefined ? null : { recipient: r.id, purpose };
}

/** A reference as an authority writes it (docket, case or request number): no personal data. */
export const REFERENCE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9 ._/:#-]{0,99}$";
/** An authority's name: words, not a person's details. */
export const AUTHORITY_PATTERN = "^[^\\n\\r]{2,200}$";
/** ISO 3166-1 alpha-2. */
export const COUNTRY_PATTERN = "^[A-Z]{2}$";

export interface NewLegalRequest {
  readonly authority: string;
  readonly country: string;
  readonly instrument: Instrument;
  readonly reference: string;
  readonly ground: string;
  readonly subjects: readonly string[];
  readonly fields: readonly string[];
  /** The end of a non-disclosure order: the people are told only once it has passed. */
  readonly nondisclosureUntil?: string;
}

export interface NewEmergency extends Omit<NewLegalRequest, "instrument"> {
  /** Why it could not wait: the danger, in words (no personal data). */
  readonly justification: string;
}

export interface LegalRequest {
  readonly id: string;
  readonly authority: string;
  readonly country: string;
  readonly instrument: Instrument;
  readonly reference: string;
  readonly ground: string;
  readonly subjects: readonly string[];
  readonly fields: readonly string[];
  readonly state: LegalState;
  readonly receivedBy: string;
  readonly receivedAt: string;
  readonly approvals: readonly { readonly by: string; readonly at: string }[];
  readonly justification: string | null;
  readonly nondisclosureUntil: string | null;
  readonly closedBy: string | null;
  readonly closedAt: string | null;
  readonly note: string | null;
}

/** What left, per person named: the values of the record fields and the messages, when content was in scope. */
export interface Production {
  readonly request: LegalRequest;
  readonly records: readonly {
    readonly subjectId: string;
    readonly disclosureId: string;
    readonly values: Readonly<Record<string, string>>;
    readonly messages?: readonly {
      readonly messageId: string;
      readonly at: string;
      readonly content: string;
    }[];
  }[];
  /** People named whom nothing was produced for (erased, or the policy reaches them no more). */
  readonly withheld: readonly string[];
}

/** A half-year: `2026-H1` is January to June, `2026-H2` July to December (UTC). */
export function halfYear(period: string): { from: Date; to: Date } | null {
  const m = /^(\d{4})-H([12])$/.exec(period);
  if (m === null) return null;
  const year = Number(m[1]);
  const first = m[2] === "1";
  return {
    from: new Date(Date.UTC(year, first ? 0 : 6, 1)),
    to: new Date(Date.UTC(first ? year : year + 1, first ? 6 : 0, 1)),
  };
}
