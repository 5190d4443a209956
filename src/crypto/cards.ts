/**
 * Pledge never accepts a card number (DESIGN.md "Cards"). A card number here is 13–19 digits that
 * pass the Luhn check, written together or in groups separated by single spaces or dashes.
 *
 * Digits written together form one group, and a group is never split: a candidate is a sequence of
 * whole groups, so a long reference number (25 digits in one piece) is not searched for a card
 * inside it, while "order 12345 4111 1111 1111 1111" is still caught. Roughly one random digit
 * string in ten passes Luhn, so an identifier of card length may be refused too; that is the
 * price of never storing a card. UUIDs in their canonical 8-4-4-4-12 form are not cards: they
 * are taken out before the search, so the ids Pledge itself hands out never trip it.
 */
export function containsCardNumber(text: string): boolean {
  const value = text.length >= 36 ? text.replace(UUID, " ") : text;
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
      const sep = value.charCodeAt(i);
      if ((sep === 32 || sep === 45) && i + 1 < length && isDigit(value.charCodeAt(i + 1))) {
        i += 1;
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
 * The JSON Pointer (RFC 6901, e.g. `/contacts/0/note`) of the first string, integer or object key
 * in `value` that contains a card number, or null. Only the path is returned, never the value, so
 * the refusal can say where without repeating it. A card sent as a JSON number above 2^53 has
 * already lost digits in parsing and may pass unseen; clients send numbers as strings.
 */
export function findCardNumberInJson(value: unknown, path = ""): string | null {
  if (typeof value === "string") return containsCardNumber(value) ? path : null;
  if (typeof value === "number")
    return Number.isInteger(value) && containsCardNumber(String(value)) ? path : null;
  if (typeof value === "bigint") return containsCardNumber(value.toString()) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findCardNumberInJson(value[i], `${path}/${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const here = `${path}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      if (containsCardNumber(key)) return here;
      const found = findCardNumberInJson(item, here);
      if (found !== null) return found;
    }
  }
  return null;
}
