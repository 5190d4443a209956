import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../store/database.ts";
import type { AuditEvent, AuditRow } from "./audit.events.ts";
import { canonicalJson, rowHashOfJson } from "./hash.ts";
import type { JsonObject, JsonValue } from "./audit.table.ts";

/** The end of the chain: the last row's seq and hash (0 and the genesis hash when empty). */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * Appends `events`, in order, to the audit log inside the caller's transaction, so the record
 * commits or rolls back with what it records. Locks the head row FOR UPDATE first: concurrent
 * appenders on PostgreSQL queue behind it and every row joins one chain. Returns the rows written.
 */
export async function appendAudit(
  trx: Transaction<Database>,
  events: readonly AuditEvent[],
): Promise<AuditRow[]> {
  if (events.length === 0) return [];
  const head = await trx
    .selectFrom("audit_head")
    .select(["seq", "hash"])
    .where("id", "=", 1)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const rows = chain({ seq: Number(head.seq), hash: head.hash }, events);
  const last = rows[rows.length - 1]!;
  // The head moves and the rows go in with one statement: the head row is locked already.
  await sql`
    with moved as (update audit_head set seq = ${last.seq}, hash = ${last.hash} where id = 1 returning 1)
    ${insertStatement(rows)}
    where exists (select 1 from moved)`.execute(trx);
  return rows.map(plain);
}

/**
 * Appends `events` after `expected`, the head the caller believes is current, in ONE statement
 * (its own transaction, durable when it returns): the head moves and the rows are inserted only
 * if the head still is `expected`. Returns the rows, or null when another appender moved the head
 * first, in which case nothing was written. One round trip per batch keeps group commit fast
 * when the database shares its machine with the load.
 */
export async function appendAfter(
  db: Kysely<Database>,
  expected: ChainHead,
  events: readonly AuditEvent[],
): Promise<AuditRow[] | null> {
  if (events.length === 0) return [];
  const rows = chain(expected, events);
  const last = rows[rows.length - 1]!;
  const result = await sql`
    with moved as (
      update audit_head set seq = ${last.seq}, hash = ${last.hash}
      where id = 1 and seq = ${expected.seq} and hash = ${expected.hash}
      returning 1
    )
    ${insertStatement(rows)}
    where exists (select 1 from moved)`.execute(db);
  return Number(result.numAffectedRows ?? 0) === rows.length ? rows.map(plain) : null;
}

/** The current head, read without a lock (a hint for `appendAfter`, which checks it). */
export async function readHead(db: Kysely<Database>): Promise<ChainHead> {
  const head = await db
    .selectFrom("audit_head")
    .select(["seq", "hash"])
    .where("id", "=", 1)
    .executeTakeFirstOrThrow();
  return { seq: Number(head.seq), hash: head.hash };
}

/** A row to write, with its payload's canonical JSON text (what is hashed and stored). */
interface ChainedRow extends AuditRow {
  readonly payloadJson: string;
}

/** The rows for `events` chained after `head`: each hash covers the previous hash and the row. */
function chain(head: ChainHead, events: readonly AuditEvent[]): ChainedRow[] {
  let seq = head.seq;
  let prevHash = head.hash;
  return events.map((event) => {
    const payloadJson = canonicalJson(event.payload as JsonValue);
    const fields = { at: event.at, type: event.type, actor: event.actor, subjectId: event.subjectId };
    const hash = rowHashOfJson(prevHash, fields, payloadJson);
    const payload = JSON.parse(payloadJson) as JsonObject;
    const row: ChainedRow = { seq: ++seq, ...fields, payload, payloadJson, prevHash, hash };
    prevHash = hash;
    return row;
  });
}

function plain({ payloadJson: _written, ...row }: ChainedRow): AuditRow {
  return row;
}

/**
 * One INSERT for the whole batch, with one array parameter per column: eight bound values
 * however many rows, which both engines parse far faster than eight values per row.
 */
function insertStatement(rows: readonly ChainedRow[]) {
  const column = <T>(pick: (row: ChainedRow) => T): T[] => rows.map(pick);
  return sql`
    insert into audit_log (seq, at, type, actor, subject_id, payload, prev_hash, hash)
    select * from unnest(
      ${column((r) => r.seq)}::bigint[], ${column((r) => r.at.toISOString())}::timestamptz[],
      ${column((r) => r.type)}::text[], ${column((r) => r.actor)}::text[],
      ${column((r) => r.subjectId)}::text[], ${column((r) => r.payloadJson)}::jsonb[],
      ${column((r) => r.prevHash)}::text[], ${column((r) => r.hash)}::text[])`;
}
