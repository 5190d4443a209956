import { accept, refuse, type Normalised } from "./errors.ts";

export interface PostalAddressInput {
  readonly line1: string;
  readonly line2?: string | null;
  readonly city: string;
  readonly region?: string | null;
  readonly postalCode: string;
  /** ISO 3166-1 alpha-2, any case. */
  readonly country: string;
}

export interface NormalisedPostal {
  readonly line1: string;
  readonly line2: string;
  readonly city: string;
  readonly region: string;
  readonly postalCode: string;
  readonly country: string;
  /** The parts joined by `|`: what the blind index of a postal address is computed over. */
  readonly canonical: string;
}

/**
 * Upper case, diacritics removed (É → E, ß → SS), apostrophes and dots dropped (O'Brien St. →
 * OBRIEN ST), any other punctuation a space, spaces collapsed. Two ways of typing the same
 * address give the same text; the postal code is checked and formatted by country.
 */
export function normalisePostal(input: PostalAddressInput): Normalised<NormalisedPostal> {
  const country = input.country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) {
    return refuse("PLEDGE_INVALID_POSTAL_ADDRESS", "country must be an ISO 3166-1 alpha-2 code");
  }
  const line1 = clean(input.line1);
  const city = clean(input.city);
  if (line1 === "" || city === "") {
    return refuse("PLEDGE_INVALID_POSTAL_ADDRESS", "a postal address needs a first line and a city");
  }
  const postalCode = formatPostalCode(input.postalCode, country);
  if (postalCode === null) {
    return refuse("PLEDGE_INVALID_POSTAL_CODE", `the postal code is not valid for ${country}`);
  }
  const line2 = clean(input.line2 ?? "");
  const region = clean(input.region ?? "");
  const canonical = [line1, line2, city, region, postalCode, country].join("|");
  return accept({ line1, line2, city, region, postalCode, country, canonical });
}

/** The parts of a canonical address (`normalisePostal`'s `canonical`), by name. */
export function parseCanonical(canonical: string): Omit<NormalisedPostal, "canonical"> | null {
  const parts = canonical.split("|");
  if (parts.length !== 6) return null;
  const [line1, line2, city, region, postalCode, country] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { line1, line2, city, region, postalCode, country };
}

/** A postal code alone (the `zip` field), checked and formatted like in `normalisePostal`. */
export function normaliseZip(raw: string, country = "US"): Normalised<string> {
  const code = formatPostalCode(raw, country.trim().toUpperCase());
  return code === null
    ? refuse("PLEDGE_INVALID_POSTAL_CODE", `the postal code is not valid for ${country.trim().toUpperCase()}`)
    : accept(code);
}

function clean(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toUpperCase()
    .replace(/['’.]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

// Canada: no D, F, I, O, Q, U anywhere; no W or Z in first place.
const CA = /^([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])(\d[ABCEGHJ-NPRSTV-Z]\d)$/;
// UK: outward code (area, district) and inward code (sector, unit); GIR 0AA is Girobank's.
const GB = /^([A-Z]{1,2}\d[A-Z\d]?|GIR)(\d[A-Z]{2})$/;
const GENERIC = /^[A-Z0-9](?:[A-Z0-9 -]{0,8}[A-Z0-9])?$/;

/** The postal code in its usual written form for the country, or null when it cannot be one. */
export function formatPostalCode(raw: string, country: string): string | null {
  const text = raw.trim().toUpperCase().replace(/\s+/g, " ");
  const compact = text.replace(/[ -]/g, "");
  switch (country) {
    case "US": {
      const m = /^(\d{5})(?:-?(\d{4}))?$/.exec(text.replace(/ /g, ""));
      return m ? (m[2] ? `${m[1]}-${m[2]}` : (m[1] ?? null)) : null;
    }
    case "CA": {
      const m = CA.exec(compact);
      return m ? `${m[1]} ${m[2]}` : null;
    }
    case "GB": {
      const m = GB.exec(compact);
      return m ? `${m[1]} ${m[2]}` : null;
    }
    case "DE":
    case "FR":
      return /^\d{5}$/.test(compact) ? compact : null;
    default:
      return GENERIC.test(text) && /\d/.test(text) ? text : null;
  }
}
