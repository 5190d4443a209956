import { domainToASCII } from "node:url";
import { accept, refuse, type Normalised } from "./errors.ts";

export {
  formatPostalCode,
  normalisePostal,
  normaliseZip,
  type NormalisedPostal,
  type PostalAddressInput,
} from "./postal.ts";

/**
 * Normalisers turn what a person typed into the one form Pledge stores, indexes (blind index) and
 * compares (duplicates, Do Not Send). The same person's address must normalise to the same text
 * however it was typed, so every rule here is also a promise about matching. Refusals are values;
 * their `detail` says what is wrong without repeating the input.
 */

// A practical subset of RFC 5322: dot-atom local parts (no quoted strings, no comments) and DNS
// domains (no address literals). Addresses outside it are rare and often not deliverable anyway.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL = /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * Trimmed and lower-cased (local parts are case-insensitive at every mailbox provider that
 * matters); an internationalised domain becomes its punycode (A-label) form.
 */
export function normaliseEmail(raw: string): Normalised<string> {
  const text = raw.trim().toLowerCase();
  const at = text.lastIndexOf("@");
  if (at <= 0 || at === text.length - 1)
    return refuse("PLEDGE_INVALID_EMAIL", "an email address needs a local part, @ and a domain");
  const local = text.slice(0, at);
  const domain = domainToASCII(text.slice(at + 1));
  if (local.length > 64 || !LOCAL_PART.test(local)) {
    return refuse("PLEDGE_INVALID_EMAIL", "the part before @ has a character or dot that is not allowed");
  }
  const labels = domain.split(".");
  if (domain === "" || domain.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
    return refuse("PLEDGE_INVALID_EMAIL", "the domain is not a valid host name");
  }
  if (!TOP_LEVEL.test(labels[labels.length - 1] ?? "")) {
    return refuse("PLEDGE_INVALID_EMAIL", "the domain has no valid top-level domain");
  }
  const value = `${local}@${domain}`;
  if (value.length > 254)
    return refuse("PLEDGE_INVALID_EMAIL", "an email address has at most 254 characters");
  return accept(value);
}

const PHONE_CHARS = /^\+?[0-9 ().-]+$/;
const COUNTRY_CODE = /^[1-9][0-9]{0,2}$/;

/**
 * E.164 (`+` and 8–15 digits). A number written with `+` is taken as international; otherwise the
 * default country calling code is prefixed, after dropping a national trunk `0` (in the `1` plan:
 * ten digits, or eleven starting with `1`). A leading `00` is taken as `+`. Spaces, dashes, dots and parentheses are ignored; anything else refuses.
 */
export function normalisePhone(raw: string, defaultCountryCode = "1"): Normalised<string> {
  if (!COUNTRY_CODE.test(defaultCountryCode)) {
    throw new RangeError("defaultCountryCode must be 1 to 3 digits, not starting with 0");
  }
  const text = raw.trim();
  if (!PHONE_CHARS.test(text)) {
    return refuse(
      "PLEDGE_INVALID_PHONE",
      "a phone number has only digits, an optional leading +, spaces, dashes, dots and parentheses",
    );
  }
  const digits = text.replace(/[^0-9]/g, "");
  let international: string;
  if (text.startsWith("+")) international = digits;
  else if (digits.startsWith("00")) international = digits.slice(2);
  else if (defaultCountryCode === "1") {
    // The North American plan has one length: ten digits after the country code.
    const national = digits.length === 11 && digits.startsWith("1") ? digits.slice(1) : digits;
    if (national.length !== 10)
      return refuse("PLEDGE_INVALID_PHONE", "a North American number has ten digits");
    international = `1${national}`;
  } else international = `${defaultCountryCode}${digits.startsWith("0") ? digits.slice(1) : digits}`;
  if (international.startsWith("0"))
    return refuse("PLEDGE_INVALID_PHONE", "a country calling code never starts with 0");
  if (international.length < 8 || international.length > 15) {
    return refuse("PLEDGE_INVALID_PHONE", "a phone number has 8 to 15 digits including the country code");
  }
  return accept(`+${international}`);
}
