import type { Vault } from "../../crypto/vault.types.ts";
import { decodeCursor, encodeCursor } from "../../store/cursor.ts";
import type { UseDeps } from "../../use/kernel.ts";

/**
 * What every record of a subject carries and how lists of them are paged. Shared by the orders,
 * services, payments, communications and surveys modules.
 */

/** What the record modules are built from: the kernel's dependencies and the vault. */
export interface RecordsDeps extends UseDeps {
  readonly vault: Vault;
}

/** The record fields among `fields` that the pack in force names; the others cannot be used. */
export function knownFields(known: ReadonlyMap<string, unknown>, fields: readonly string[]): string[] {
  return fields.filter((f) => known.has(f));
}

/** Where, when, for which purpose and under which policy version a datum was collected (Z16-02, ZM-02). */
export interface Provenance {
  readonly collectionPoint: string;
  readonly purpose: string;
  readonly collectedAt: string;
  readonly policyVersion: string;
}

export function provenanceOf(row: {
  collection_point: string;
  purpose: string;
  policy_version: string;
  at: Date;
}): Provenance {
  return {
    collectionPoint: row.collection_point,
    purpose: row.purpose,
    collectedAt: row.at.toISOString(),
    policyVersion: row.policy_version,
  };
}

export const provenanceSchema = {
  type: "object",
  additionalProperties: false,
  required: ["collectionPoint", "purpose", "collectedAt", "policyVersion"],
  properties: {
    collectionPoint: { type: "string" },
    purpose: { type: "string" },
    collectedAt: { type: "string", format: "date-time" },
    policyVersion: { type: "string" },
  },
} as const;

/** The same purpose and collection point vocabulary as the subject's own record. */
export {
  collectionPoint as collectionPointSchema,
  purpose as purposeSchema,
} from "../subjects/subjects.schemas.ts";

/** A page of a list: `nextCursor` is null on the last page (src/http/pagination.ts). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** The id a cursor names (records page by their id), or null without one. */
export function afterOf(cursor: string | undefined): string | null {
  return cursor === undefined ? null : decodeCursor(cursor, { id: "text" }).id;
}

/** Cuts `rows` (fetched with limit + 1) to a page, the cursor naming the last row's id. */
export function pageOf<R, T>(
  rows: readonly R[],
  limit: number,
  key: (r: R) => string,
  map: (r: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(map),
    nextCursor: more && last !== undefined ? encodeCursor({ id: key(last) }) : null,
  };
}
