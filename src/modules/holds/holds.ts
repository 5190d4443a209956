/**
 * Legal holds: while a lawsuit, an investigation or a legal process needs a person's records, a
 * hold keeps them. A person under a hold is not erased: the erasure API refuses
 * (`PLEDGE_LEGAL_HOLD`), and a deletion request is denied with the reason `legal_hold`, which the
 * person is told. A hold names its matter by a reference (a case or docket number), never a
 * description, and is placed and released by admin or the pack's `legal` role; both are audited.
 */
export interface LegalHold {
  readonly id: string;
  readonly subjectId: string;
  /** The matter's reference, e.g. `2026-CV-0142`: letters, digits and `-_./: `, no personal data. */
  readonly matter: string;
  readonly placedBy: string;
  readonly placedAt: string;
  readonly releasedBy: string | null;
  readonly releasedAt: string | null;
}

/** The roles that place and release holds, besides admin (a pack without such a role: admin only). */
export const HOLD_ROLES = ["legal"] as const;

/** A matter reference: what a docket or case number looks like. */
export const MATTER_PATTERN = "^[A-Za-z0-9][A-Za-z0-9 ._/:-]{0,99}$";
