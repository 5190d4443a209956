import type { JsonObject } from "./audit.table.ts";

/** What a decision recorded in the log says. Names, ids and outcomes only: never field values. */
export interface DecisionSummary {
  outcome: "allow" | "deny" | "partial";
  purpose: string;
  action: string;
  recipient: string | null;
  /** Ids of the clauses that gave the outcome. */
  clauses: string[];
  policy: { company: string; version: string };
  /** Field names allowed; `removed` lists the names taken out of a partial answer. */
  fields: string[];
  removed: string[];
}

/**
 * Every kind of audit event and its payload. A module that records a new kind adds one entry
 * here; `AuditEvent` and every exhaustive switch over `type` follow from it.
 * Payloads carry no raw personal data: ids, clause ids, field names, outcomes.
 */
export interface AuditPayloads {
  decision: DecisionSummary;
  "policy.published": { company: string; version: string; effectiveFrom: string };
  "staff.key_created": { staffId: string; keyId: string };
  "audit.checkpoint": { keyId: string };
  /** A read of the log (src/audit/log.read.ts): the filter it used and how many events it returned. */
  "audit.read": {
    via: "api" | "cli";
    actor: string | null;
    type: string | null;
    from: string | null;
    to: string | null;
    events: number;
  };
}

export type AuditEventType = keyof AuditPayloads;

/** A typed audit event, discriminated by `type`. `at` comes from the caller's clock. */
export type AuditEvent = {
  [T in AuditEventType]: {
    type: T;
    at: Date;
    /** Who acted: `staff:<id>`, `api-key:<id>`, `customer:<id>`, `system`. */
    actor: string;
    subjectId: string | null;
    payload: AuditPayloads[T];
  };
}[AuditEventType];

/** A row as read back from the log. Payload is untyped JSON: old rows may predate today's types. */
export interface AuditRow {
  /** The chain the row is in (1 on a single node); `seq` numbers the rows of that chain. */
  chain: number;
  seq: number;
  at: Date;
  type: string;
  actor: string;
  subjectId: string | null;
  payload: JsonObject;
  prevHash: string;
  hash: string;
}
