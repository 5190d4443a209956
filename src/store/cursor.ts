import { PledgeError } from "../errors.ts";

/**
 * Keyset positions for cursor pagination (src/http/pagination.ts): the base64url JSON of the
 * position after the last item of a page. Ids and timestamps only, never personal data, since a
 * cursor travels in URLs.
 */
export function encodeCursor(position: Readonly<Record<string, string>>): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

/** The position a cursor names, with exactly `keys` as string members; PLEDGE_INVALID_CURSOR otherwise. */
export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = null;
  }
  const ok =
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === keys.length &&
    keys.every((k) => typeof (value as Record<string, unknown>)[k] === "string");
  if (!ok) throw new PledgeError("PLEDGE_INVALID_CURSOR", "the cursor was not given out by this endpoint");
  return value as Record<K, string>;
}
