import type { ColumnType } from "kysely";

/** A JSON object as stored in a jsonb column. */
export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** Columns that are written once and never updated (`never` makes an UPDATE a type error). */
type Fixed<T> = ColumnType<T, T, never>;

/**
 * The audit log: one or more hash chains (chains.ts). Append-only: rows are inserted by
 * `appendAudit` only; a trigger refuses UPDATE, DELETE and TRUNCATE. `seq` numbers a chain's rows
 * 1, 2, 3 … in chain order.
 */
export interface AuditLogTable {
  /** The chain the row belongs to (1 on a single node). */
  chain: Fixed<number>;
  /** The chain's anchor: its distribution value on Citus. */
  anchor: Fixed<string>;
  seq: Fixed<number>;
  at: Fixed<Date>;
  type: Fixed<string>;
  actor: Fixed<string>;
  subject_id: Fixed<string | null>;
  /** No raw personal data, by contract: ids, clause ids, field names, outcomes. */
  payload: ColumnType<JsonObject, string, never>;
  /** Hex SHA-256 of the previous row (64 zeros for the first row). */
  prev_hash: Fixed<string>;
  /** Hex SHA-256 over prev_hash and the row's canonical encoding (see audit/hash.ts). */
  hash: Fixed<string>;
}

/**
 * One row per chain (`id` is the chain's number): its last appended seq and hash, locked FOR
 * UPDATE by every appender to that chain, and the range of subject hashes the chain covers.
 */
export interface AuditHeadTable {
  id: Fixed<number>;
  anchor: Fixed<string>;
  low: Fixed<number>;
  high: Fixed<number>;
  seq: number;
  hash: string;
}

/** Signed checkpoints: "the row at seq had this hash", signed by a key kept outside the database. */
export interface AuditCheckpointsTable {
  /** The rows of the whole log when signed: the sum of every chain's seq. */
  seq: Fixed<number>;
  /** With one chain, its head's hash; with several, the Merkle root of their heads (merkle.ts). */
  hash: Fixed<string>;
  at: Fixed<Date>;
  /** First 16 hex chars of SHA-256 over the signer's public key (SPKI DER). */
  key_id: Fixed<string>;
  /** Base64 Ed25519 signature over `checkpointMessage(seq, hash, at)`. */
  signature: Fixed<string>;
  /** The checkpoint as a C2SP signed note (src/audit/note.ts); null for checkpoints made before notes. */
  note: ColumnType<string | null, string | null | undefined, never>;
}

export interface AuditTables {
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  audit_checkpoints: AuditCheckpointsTable;
}
