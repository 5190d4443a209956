export { decodeCursor, encodeCursor } from "../store/cursor.ts";

/**
 * Cursor pagination: `limit` and an opaque `cursor` in the query, `{ items, nextCursor }` in the
 * response (`nextCursor` null on the last page). A cursor is the base64url JSON of the position
 * after the last item (keyset pagination: stable under inserts, no OFFSET scans). It holds ids and
 * timestamps only, never personal data, since it travels in URLs.
 */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** Query properties; the app does not coerce types, so `limit` is a digit string (see `limitOf`). */
export const paginationQuery = {
  limit: {
    type: "string",
    pattern: "^[1-9][0-9]{0,2}$",
    description: `1–${MAX_LIMIT}, default ${DEFAULT_LIMIT}`,
  },
  cursor: { type: "string", maxLength: 500, pattern: "^[A-Za-z0-9_-]+$" },
} as const;

/** The page size a query asks for: `DEFAULT_LIMIT` when absent, at most `MAX_LIMIT`. */
export function limitOf(query: { limit?: string }): number {
  return query.limit === undefined ? DEFAULT_LIMIT : Math.min(Number(query.limit), MAX_LIMIT);
}

/** The response schema of one page of `item`. */
export function pageSchema(item: object): object {
  return {
    type: "object",
    additionalProperties: false,
    required: ["items", "nextCursor"],
    properties: {
      items: { type: "array", items: item },
      nextCursor: {
        type: ["string", "null"],
        description: "pass as `cursor` for the next page; null on the last",
      },
    },
  };
}
