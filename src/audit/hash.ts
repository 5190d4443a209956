import { createHash } from "node:crypto";
import type { JsonObject, JsonValue } from "./audit.table.ts";

/** prev_hash of the first row. */
export const GENESIS_HASH = "0".repeat(64);

/** The hashed part of a row. `seq` is not hashed: a row's place is fixed by the chain itself. */
export interface HashedFields {
  at: Date;
  type: string;
  actor: string;
  subjectId: string | null;
  payload: JsonObject;
}

/**
 * Canonical encoding, version 1: the UTF-8 JSON text of the array
 *   ["pledge-audit/1", at (ISO 8601, UTC, milliseconds), type, actor, subject_id or null, payload]
 * with object keys sorted by UTF-16 code unit order at every depth, no whitespace, and keys whose
 * value is undefined left out (as JSON does). Equal rows always encode to the same bytes.
 */
export function canonicalEncoding(row: HashedFields): string {
  return canonicalEncodingOfJson(row, canonicalJson(row.payload));
}

/** The canonical encoding of a row whose payload is already canonical JSON text. */
export function canonicalEncodingOfJson(row: Omit<HashedFields, "payload">, payloadJson: string): string {
  const head = [row.at.toISOString(), row.type, row.actor, row.subjectId].map((v) => JSON.stringify(v));
  return `["pledge-audit/1",${head.join(",")},${payloadJson}]`;
}

/** hash = hex SHA-256 of (prev_hash as 64 hex chars, "\n", canonical encoding). */
export function rowHash(prevHash: string, row: HashedFields): string {
  return hashEncoding(prevHash, canonicalEncoding(row));
}

/** Like rowHash, for a row whose payload is given as its canonical JSON text (saves encoding it twice). */
export function rowHashOfJson(
  prevHash: string,
  row: Omit<HashedFields, "payload">,
  payloadJson: string,
): string {
  return hashEncoding(prevHash, canonicalEncodingOfJson(row, payloadJson));
}

function hashEncoding(prevHash: string, encoding: string): string {
  return createHash("sha256").update(`${prevHash}\n${encoding}`).digest("hex");
}

export function canonicalJson(value: JsonValue | undefined): string {
  return encode(value) ?? "null";
}

function encode(value: unknown): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    case "undefined":
    case "function":
    case "symbol":
      return undefined; // left out of objects, null in arrays, as JSON.stringify does
    case "bigint":
      throw new TypeError("a bigint is not JSON");
  }
  const v = value as { toJSON?: () => unknown };
  if (typeof v.toJSON === "function") return encode(v.toJSON());
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i ? "," : "") + (encode(value[i]) ?? "null");
    return out + "]";
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length > 1) keys.sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const item = encode(obj[key]);
    if (item === undefined) continue;
    out += (first ? "" : ",") + quotedKey(key) + ":" + item;
    first = false;
  }
  return out + "}";
}

// Payloads reuse a small vocabulary of keys: each is quoted once, not once per row (verify
// encodes every row of the log). Bounded, so odd keys cannot grow it without end.
const quotedKeys = new Map<string, string>();

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * The payload as the database will give it back: a JSON round trip turns Dates into strings and
 * drops undefined. Its canonical encoding equals that of the payload itself (see canonicalJson).
 */
export function normalisePayload(payload: object): JsonObject {
  return JSON.parse(canonicalJson(payload as JsonValue)) as JsonObject;
}
