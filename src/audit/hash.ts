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
  return canonicalJson([
    "pledge-audit/1",
    row.at.toISOString(),
    row.type,
    row.actor,
    row.subjectId,
    row.payload,
  ]);
}

/** hash = hex SHA-256 of (prev_hash as 64 hex chars, "\n", canonical encoding). */
export function rowHash(prevHash: string, row: HashedFields): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalEncoding(row)).digest("hex");
}

export function canonicalJson(value: JsonValue | undefined): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(",")}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
}

/**
 * The payload as the database will give it back: a JSON round trip turns Dates into strings and
 * drops undefined. Hash and store this form so a later read hashes the same.
 */
export function normalisePayload(payload: object): JsonObject {
  return JSON.parse(JSON.stringify(payload)) as JsonObject;
}
