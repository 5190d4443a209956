import type { Kysely } from "kysely";
import { PledgeError } from "../errors.ts";
import type { Database } from "../store/database.ts";
import type { AuditEvent, AuditRow } from "./audit.events.ts";
import { chainLayout, chainOfSubject } from "./chains.ts";

/**
 * "Who used this person's record, for what purpose?": the audit log read back without SQL, by
 * the API (GET /v1/audit/events) and the CLI (`pledge audit log`) alike. Rows hold ids, clause
 * ids, field names and outcomes by contract (audit.events.ts), so they are returned as stored.
 * Every read is itself recorded, as an `audit.read` event about the subject asked for.
 */
export interface AuditLogFilter {
  readonly subjectId: string | null;
  /** The actor label as stored: `staff:<id>`, `customer:<id>`, `system:<job>`, `system`. */
  readonly actor: string | null;
  readonly type: string | null;
  /** Events at or after `from` and before `to`. */
  readonly from: Date | null;
  readonly to: Date | null;
}

/** The filter as given, every member optional text (a query string, command-line flags). */
export interface AuditLogQuery {
  readonly subjectId?: string | undefined;
  readonly actor?: string | undefined;
  readonly type?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/** Patterns of the filter's members; the route's query schema uses the same. */
export const FILTER_PATTERNS = {
  subjectId: "^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$",
  actor: "^[a-z]+(:[A-Za-z0-9][A-Za-z0-9._:-]{0,199})?$",
  type: "^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*$",
} as const;
const NAMES = { subjectId: "subjectId", actor: "actor", type: "type", from: "from", to: "to" } as const;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The filter `query` names, or PLEDGE_VALIDATION_FAILED naming the member at fault (never its
 * value): ids of the expected shape, instants in ISO 8601 with a UTC offset, `from` before `to`.
 */
export function auditLogFilter(
  query: AuditLogQuery,
  names: Readonly<Record<keyof AuditLogQuery, string>> = NAMES,
): AuditLogFilter {
  const text = (name: keyof typeof FILTER_PATTERNS, what: string): string | null => {
    const value = query[name];
    if (value === undefined) return null;
    if (!new RegExp(FILTER_PATTERNS[name]).test(value) || value.length > 200)
      throw new PledgeError("PLEDGE_VALIDATION_FAILED", `${names[name]} is not ${what}`);
    return value;
  };
  const instant = (name: "from" | "to"): Date | null => {
    const value = query[name];
    if (value === undefined) return null;
    const at = new Date(value);
    if (!INSTANT.test(value) || Number.isNaN(at.getTime()))
      throw new PledgeError(
        "PLEDGE_VALIDATION_FAILED",
        `${names[name]} is not an ISO 8601 date and time with a UTC offset (2026-12-01T09:00:00Z, 2026-12-01T10:00:00+01:00)`,
      );
    return at;
  };
  const filter: AuditLogFilter = {
    subjectId: text("subjectId", "a subject id"),
    actor: text("actor", "an actor label (staff:<id>, customer:<id>, system:<job>, system)"),
    type: text("type", "an event type (decision, consent.recorded …)"),
    from: instant("from"),
    to: instant("to"),
  };
  if (filter.from !== null && filter.to !== null && !(filter.from < filter.to))
    throw new PledgeError("PLEDGE_VALIDATION_FAILED", `${names.from} must be before ${names.to}`);
  return filter;
}

/** Where a page of the log ends: a chain and a seq in it. */
export interface LogPlace {
  readonly chain: number;
  readonly seq: number;
}

/**
 * At most `limit` events matching `filter` after `after`, chain by chain (chains.ts), each chain
 * oldest first. With one chain that is the whole log, oldest first. Every event about one person
 * is appended to their chain, so a filter naming a person reads that chain, and chain 1 before it,
 * which holds the events a store wrote before it had a chain per shard.
 */
export async function readAuditLog(
  db: Kysely<Database>,
  filter: AuditLogFilter,
  page: { readonly after: LogPlace | null; readonly limit: number },
): Promise<AuditRow[]> {
  const layout = await chainLayout(db);
  const own = chainOfSubject(layout, filter.subjectId);
  const chains = own === null ? layout : own.chain === 1 ? [own] : [layout[0]!, own];
  const rows: AuditRow[] = [];
  for (const chain of chains) {
    if (rows.length >= page.limit) break;
    if (page.after !== null && chain.chain < page.after.chain) continue;
    const after = page.after !== null && chain.chain === page.after.chain ? page.after.seq : 0;
    let q = db
      .selectFrom("audit_log")
      .selectAll()
      .where("anchor", "=", chain.anchor)
      .where("seq", ">", after);
    if (filter.subjectId !== null) q = q.where("subject_id", "=", filter.subjectId);
    if (filter.actor !== null) q = q.where("actor", "=", filter.actor);
    if (filter.type !== null) q = q.where("type", "=", filter.type);
    if (filter.from !== null) q = q.where("at", ">=", filter.from);
    if (filter.to !== null) q = q.where("at", "<", filter.to);
    const found = await q
      .orderBy("seq")
      .limit(page.limit - rows.length)
      .execute();
    for (const r of found) {
      rows.push({
        chain: Number(r.chain),
        seq: Number(r.seq),
        at: r.at,
        type: r.type,
        actor: r.actor,
        subjectId: r.subject_id,
        payload: r.payload,
        prevHash: r.prev_hash,
        hash: r.hash,
      });
    }
  }
  return rows;
}

/** The record of a read of the log: who read, about which subject, with which filter, how many. */
export function auditReadEvent(
  filter: AuditLogFilter,
  events: number,
  by: { readonly actor: string; readonly at: Date; readonly via: "api" | "cli" },
): AuditEvent {
  return {
    type: "audit.read",
    at: by.at,
    actor: by.actor,
    subjectId: filter.subjectId,
    payload: {
      via: by.via,
      actor: filter.actor,
      type: filter.type,
      from: filter.from?.toISOString() ?? null,
      to: filter.to?.toISOString() ?? null,
      events,
    },
  };
}

/** An event as the API and `pledge audit log --json` present it: every field named. */
export function presentAuditEvent(row: AuditRow) {
  return {
    chain: row.chain,
    seq: row.seq,
    at: row.at.toISOString(),
    type: row.type,
    actor: row.actor,
    subjectId: row.subjectId,
    payload: row.payload,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}
