import { findInJson, type JsonFinding } from "./json-walk.ts";

/**
 * Pledge never accepts a card number (DESIGN.md "Cards"). A card number here is 13–19 digits that
 * pass the Luhn check, written together or in groups separated by one to three separator
 * characters: any space (U+00A0 and the other Unicode spaces, tabs), any dash, a dot, a slash, an
 * underscore, a minus sign (U+2212), or an invisible formatting character (U+200B, U+00AD, …). Full-width and other
 * compatibility digits count as digits (the text is compared in NFKC form).
 *
 * Digits written together form one group, and a group is never split: a candidate is a sequence of
 * whole groups, so a long reference number (25 digits in one piece) is not searched for a card
 * inside it, while "order 12345 4111 1111 1111 1111" is still caught. Roughly one random digit
 * string in ten passes Luhn, so an identifier of card length may be refused too; that is the
 * price of never storing a card. UUIDs in their canonical 8-4-4-4-12 form are not cards: they
 * are taken out before the search, so the ids Pledge itself hands out never trip it.
 */
export function containsCardNumber(text: string): boolean {
  const normal = ASCII.test(text) ? text : text.normalize("NFKC");
  const value = normal.length >= 36 ? normal.replace(UUID, " ") : normal;
  const length = value.length;
  let i = 0;
  while (i < length) {
    if (!isDigit(value.charCodeAt(i))) {
      i += 1;
      continue;
    }
    // One run: groups of digits joined by single separators.
    const groups: string[] = [];
    let start = i;
    for (;;) {
      while (i < length && isDigit(value.charCodeAt(i))) i += 1;
      groups.push(value.slice(start, i));
      let gap = 0;
      while (gap < MAX_GAP && i + gap < length && SEPARATOR.test(value[i + gap]!)) gap += 1;
      if (gap > 0 && i + gap < length && isDigit(value.charCodeAt(i + gap))) {
        i += gap;
        start = i;
        continue;
      }
      break;
    }
    if (runHasCard(groups)) return true;
  }
  return false;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ASCII = /^[\x00-\x7f]*$/;
/** What may stand between two digit groups of one card, up to MAX_GAP characters in a row. */
const SEPARATOR = /^[\s\p{Pd}\p{Cf}\u2212._/]$/u;
const MAX_GAP = 3;

function runHasCard(groups: readonly string[]): boolean {
  for (let first = 0; first < groups.length; first += 1) {
    let digits = "";
    for (let last = first; last < groups.length; last += 1) {
      digits += groups[last];
      if (digits.length > 19) break;
      if (digits.length >= 13 && luhn(digits)) return true;
    }
  }
  return false;
}

export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Where the first object key, string or integer in `value` holding a card number is, or null.
 * Only the place is returned, never the value: a value's JSON Pointer (RFC 6901, e.g.
 * `/contacts/0/note`), or for a key the pointer of the object holding it, so the refusal can say
 * where without repeating the number. Iterative and bounded by `maxDepth` (a deeper body is
 * `too_deep`). A card sent as a JSON number above 2^53 has already lost digits in parsing and may
 * pass unseen; clients send numbers as strings.
 */
export function findCardNumberInJson(value: unknown, maxDepth?: number): JsonFinding | null {
  return findInJson(value, containsCardNumber, maxDepth);
}
