import { PledgeError } from "../errors.ts";

/**
 * Keyset positions for cursor pagination (src/http/pagination.ts): the base64url JSON of the
 * position after the last item of a page. Ids and timestamps only, never personal data, since a
 * cursor travels in URLs.
 */
export function encodeCursor(position: Readonly<Record<string, string>>): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

/** What one member of a position holds: an instant, a UUID, or other text (an id, a channel). */
export type CursorKind = "time" | "uuid" | "text";

const CHECKS: Record<CursorKind, (value: string) => boolean> = {
  time: (v) => ISO_INSTANT.test(v) && Number.isFinite(Date.parse(v)),
  uuid: (v) => UUID.test(v),
  text: (v) => v.length > 0 && v.length <= 200 && !/[\u0000\p{Cs}]/u.test(v),
};
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The position a cursor names: exactly the members of `shape`, each a string of its kind.
 * Anything else, a cursor this API never gave out or one edited by hand, is
 * PLEDGE_INVALID_CURSOR (400), before any query sees its values.
 */
export function decodeCursor<K extends string>(
  cursor: string,
  shape: Readonly<Record<K, CursorKind>>,
): Record<K, string> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = null;
  }
  const keys = Object.keys(shape) as K[];
  const ok =
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === keys.length &&
    keys.every((k) => {
      const member = (value as Record<string, unknown>)[k];
      return typeof member === "string" && CHECKS[shape[k]](member);
    });
  if (!ok) throw new PledgeError("PLEDGE_INVALID_CURSOR", "the cursor was not given out by this endpoint");
  return value as Record<K, string>;
}
