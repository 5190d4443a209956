/**
 * Jurisdictions as the packs and the people in them name them: a country (ISO 3166-1 alpha-2,
 * `DE`), a subdivision of one (ISO 3166-2, `US-CA`), or a group of countries the law treats as
 * one (`EU`, `EEA`). A person lives in a country or a subdivision; a pack's rule may name any of
 * the three, and applies to everyone within it: `US` covers `US-CA`, `EU` covers `DE` and `FR`.
 * Spellings are folded: `us-ca`, ` US_CA ` and `US-CA` are one jurisdiction.
 */

/** The member states of the European Union. */
export const EU = [
  "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
  "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
] as const; // prettier-ignore

/** The European Economic Area: the EU and Iceland, Liechtenstein and Norway. */
export const EEA = [...EU, "IS", "LI", "NO"] as const;

const GROUPS: Readonly<Record<string, readonly string[]>> = { EU, EEA };

const CODE = /^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$/;

/** A jurisdiction in its one spelling (`US-CA`), or null when the text names none. */
export function normaliseJurisdiction(raw: string): string | null {
  const folded = raw
    .trim()
    .toUpperCase()
    .replace(/[_\s]+/g, "-");
  if (folded in GROUPS) return folded;
  const match = CODE.exec(folded);
  if (match === null) return null;
  return match[2] === undefined ? match[1]! : `${match[1]!}-${match[2]}`;
}

/** Whether someone in `place` is within `area` (a group, a country or a subdivision). */
export function within(place: string, area: string): boolean {
  const p = normaliseJurisdiction(place);
  const a = normaliseJurisdiction(area);
  if (p === null || a === null) return false;
  if (p === a) return true;
  const country = p.split("-")[0]!;
  if (a === country) return true;
  return (GROUPS[a] ?? []).includes(country);
}

/**
 * How closely `area` names `place`: a subdivision (3) before a country (2) before a group (1); 0
 * when `place` is not within it. The most specific rule that covers a person wins.
 */
export function specificity(place: string, area: string): number {
  if (!within(place, area)) return 0;
  const a = normaliseJurisdiction(area)!;
  if (a in GROUPS) return 1;
  return a.includes("-") ? 3 : 2;
}
