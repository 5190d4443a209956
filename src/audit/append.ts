import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../store/database.ts";
import type { AuditEvent, AuditRow } from "./audit.events.ts";
import { chainLayout, chainOfSubject, chainsDistributed, type Chain } from "./chains.ts";
import { canonicalEncodingOfJson, canonicalJson, rowHashOfJson } from "./hash.ts";
import type { JsonObject, JsonValue } from "./audit.table.ts";

/** The end of one chain: its last row's seq and hash (0 and the genesis hash when empty). */
export interface ChainHead {
  readonly chain: number;
  readonly anchor: string;
  readonly seq: number;
  readonly hash: string;
}

/** Events bound for one chain, with their places in the caller's list. */
export interface ChainBatch {
  readonly chain: Chain;
  readonly events: AuditEvent[];
  readonly places: number[];
}

/**
 * Splits `events` by chain (chains.ts), chains in ascending order so that every appender locks
 * heads in the same order. An event whose subject names no chain joins the chain of the first
 * event that does, else chain 1.
 */
export function byChain(chains: readonly Chain[], events: readonly AuditEvent[]): ChainBatch[] {
  let home: Chain | null = null;
  for (const e of events) home ??= chainOfSubject(chains, e.subjectId);
  home ??= chains[0]!;
  const batches = new Map<number, ChainBatch>();
  events.forEach((event, place) => {
    const chain = chainOfSubject(chains, event.subjectId) ?? home;
    let batch = batches.get(chain.chain);
    if (batch === undefined) batches.set(chain.chain, (batch = { chain, events: [], places: [] }));
    batch.events.push(event);
    batch.places.push(place);
  });
  return [...batches.values()].sort((a, b) => a.chain.chain - b.chain.chain);
}

/**
 * Appends `events` to the audit log inside the caller's transaction, so the record commits or
 * rolls back with what it records. Each chain's head row is locked FOR UPDATE first: appenders
 * to one chain queue behind it, appenders to other chains do not wait. Returns the rows written,
 * in the order of `events`.
 *
 * On one node a chain's batch of up to CHAINED_IN_SQL rows (a use's decision and its events,
 * nearly always) is one statement: it locks the head, chains the rows after it, inserts them and
 * moves the head, the database computing each hash by the same formula as `rowHashOfJson`
 * (hash.ts) over the canonical encoding Node sends. A larger batch reads the locked head first
 * and is chained in Node.
 */
export async function appendAudit(
  trx: Transaction<Database>,
  events: readonly AuditEvent[],
): Promise<AuditRow[]> {
  if (events.length === 0) return [];
  const out: AuditRow[] = new Array<AuditRow>(events.length);
  const routed = await chainsDistributed(trx);
  for (const batch of byChain(await chainLayout(trx), events)) {
    const { anchor } = batch.chain;
    if (!routed && batch.events.length <= CHAINED_IN_SQL) {
      const rows = await appendChainedInSql(trx, batch.chain, batch.events);
      rows.forEach((row, i) => (out[batch.places[i]!] = row));
      continue;
    }
    const head = await trx
      .selectFrom("audit_head")
      .select(["seq", "hash"])
      .where("anchor", "=", anchor)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const rows = chain(
      { chain: batch.chain.chain, anchor, seq: Number(head.seq), hash: head.hash },
      batch.events,
    );
    const last = rows[rows.length - 1]!;
    if (routed) {
      await sql`update audit_head set seq = ${last.seq}, hash = ${last.hash} where anchor = ${anchor}`.execute(
        trx,
      );
      await insertValues(trx, anchor, rows);
    } else {
      // The head moves and the rows go in with one statement: the head row is locked already.
      await sql`
        with moved as (
          update audit_head set seq = ${last.seq}, hash = ${last.hash} where anchor = ${anchor} returning 1
        )
        ${insertStatement(anchor, rows)}
        where exists (select 1 from moved)`.execute(trx);
    }
    rows.forEach((row, i) => (out[batch.places[i]!] = plain(row)));
  }
  return out;
}

/**
 * Appends `events`, all bound for `expected`'s chain, after `expected`, the head the caller
 * believes is current, in ONE statement (its own transaction, durable when it returns): the head
 * moves and the rows are inserted only if the head still is `expected`. Returns the rows, or null
 * when another appender moved the head first, in which case nothing was written. One round trip
 * per batch keeps group commit fast when the database shares its machine with the load. On Citus
 * the same is a short transaction of statements the chain's worker runs alone.
 */
export async function appendAfter(
  db: Kysely<Database>,
  expected: ChainHead,
  events: readonly AuditEvent[],
): Promise<AuditRow[] | null> {
  if (events.length === 0) return [];
  const rows = chain(expected, events);
  const last = rows[rows.length - 1]!;
  if (await chainsDistributed(db)) {
    return db.transaction().execute(async (trx) => {
      const moved = await sql`
        update audit_head set seq = ${last.seq}, hash = ${last.hash}
        where anchor = ${expected.anchor} and seq = ${expected.seq} and hash = ${expected.hash}`.execute(trx);
      if (Number(moved.numAffectedRows ?? 0) !== 1) return null;
      await insertValues(trx, expected.anchor, rows);
      return rows.map(plain);
    });
  }
  const result = await sql`
    with moved as (
      update audit_head set seq = ${last.seq}, hash = ${last.hash}
      where anchor = ${expected.anchor} and seq = ${expected.seq} and hash = ${expected.hash}
      returning 1
    )
    ${insertStatement(expected.anchor, rows)}
    where exists (select 1 from moved)`.execute(db);
  return Number(result.numAffectedRows ?? 0) === rows.length ? rows.map(plain) : null;
}

/** The most rows of one chain that `appendAudit` chains in one statement (a recursive query). */
export const CHAINED_IN_SQL = 16;

/**
 * `events` appended to `chain` in one statement: the head locked, each row's hash computed by the
 * database as `rowHashOfJson` computes it (hex SHA-256 of the previous hash, a newline and the
 * row's canonical encoding, in UTF-8), the rows inserted and the head moved to the last.
 */
async function appendChainedInSql(
  trx: Transaction<Database>,
  chain: Chain,
  events: readonly AuditEvent[],
): Promise<AuditRow[]> {
  const rows = events.map((event) => {
    const hashed = hashedParts(event);
    return { ...hashed, encoding: canonicalEncodingOfJson(hashed.fields, hashed.payloadJson) };
  });
  const column = <T>(pick: (row: (typeof rows)[number]) => T): T[] => rows.map(pick);
  const { rows: chained } = await sql<{ seq: string | number; prev_hash: string; hash: string }>`
    with recursive head as (
      select seq, hash from audit_head where anchor = ${chain.anchor} for update
    ), input as (
      select * from rows from (
        unnest(${column((r) => r.encoding)}::text[]), unnest(${column((r) => r.fields.at.toISOString())}::timestamptz[]),
        unnest(${column((r) => r.fields.type)}::text[]), unnest(${column((r) => r.fields.actor)}::text[]),
        unnest(${column((r) => r.fields.subjectId)}::text[]),
        jsonb_array_elements(${`[${column((r) => r.payloadJson).join(",")}]`}::jsonb)
      ) with ordinality as i(encoding, at, type, actor, subject_id, payload, n)
    ), chained (n, seq, prev_hash, hash) as (
      select 0::bigint, seq, null::text, hash from head
      union all
      select i.n, c.seq + 1, c.hash, encode(sha256(convert_to(c.hash || chr(10) || i.encoding, 'UTF8')), 'hex')
      from chained c join input i on i.n = c.n + 1
    ), written as (
      insert into audit_log (chain, anchor, seq, at, type, actor, subject_id, payload, prev_hash, hash)
      select ${chain.chain}::smallint, ${chain.anchor}::uuid, c.seq, i.at, i.type, i.actor, i.subject_id,
        i.payload, c.prev_hash, c.hash
      from chained c join input i on i.n = c.n
      returning seq, prev_hash, hash
    ), moved as (
      update audit_head set seq = last.seq, hash = last.hash
      from (select seq, hash from chained order by n desc limit 1) last
      where audit_head.anchor = ${chain.anchor}
    )
    select seq, prev_hash, hash from written order by seq`.execute(trx);
  if (chained.length !== rows.length)
    throw new Error(`the audit chain ${chain.chain} took ${chained.length} of ${rows.length} rows`);
  return rows.map((row, i) => ({
    chain: chain.chain,
    seq: Number(chained[i]!.seq),
    ...row.fields,
    payload: row.payload,
    prevHash: chained[i]!.prev_hash,
    hash: chained[i]!.hash,
  }));
}

/** Every chain's head, read without a lock, chain 1 first. */
export async function readHeads(db: Kysely<Database>): Promise<ChainHead[]> {
  const heads = await db
    .selectFrom("audit_head")
    .select(["id", "anchor", "seq", "hash"])
    .orderBy("id")
    .execute();
  return heads.map((h) => ({ chain: Number(h.id), anchor: h.anchor, seq: Number(h.seq), hash: h.hash }));
}

/** One chain's head, read without a lock (a hint for `appendAfter`, which checks it). */
export async function readHead(db: Kysely<Database>, anchor: string): Promise<ChainHead> {
  const head = await db
    .selectFrom("audit_head")
    .select(["id", "seq", "hash"])
    .where("anchor", "=", anchor)
    .executeTakeFirstOrThrow();
  return { chain: Number(head.id), anchor, seq: Number(head.seq), hash: head.hash };
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
    const { fields, payloadJson, payload } = hashedParts(event);
    const hash = rowHashOfJson(prevHash, fields, payloadJson);
    const row: ChainedRow = {
      chain: head.chain,
      seq: ++seq,
      ...fields,
      payload,
      payloadJson,
      prevHash,
      hash,
    };
    prevHash = hash;
    return row;
  });
}

/**
 * What of `event` is hashed: its fields, and its payload as canonical JSON text, with the payload
 * as it reads back from that text (dates as strings, undefined keys gone).
 */
function hashedParts(event: AuditEvent) {
  const payloadJson = canonicalJson(event.payload as JsonValue);
  const fields = { at: event.at, type: event.type, actor: event.actor, subjectId: event.subjectId };
  return { fields, payloadJson, payload: JSON.parse(payloadJson) as JsonObject };
}

function plain({ payloadJson: _written, ...row }: ChainedRow): AuditRow {
  return row;
}

/**
 * On Citus: the rows as one multi-row INSERT … VALUES naming the chain's anchor, which the
 * coordinator sends whole to the shard that holds the chain. (An INSERT … SELECT, as below, would
 * be run through the coordinator, and the transaction committed in two phases.)
 */
async function insertValues(
  trx: Transaction<Database>,
  anchor: string,
  rows: readonly ChainedRow[],
): Promise<void> {
  // 10 parameters a row; PostgreSQL takes at most 65,535 in one statement.
  for (let i = 0; i < rows.length; i += 5_000) {
    const values = rows
      .slice(i, i + 5_000)
      .map(
        (r) =>
          sql`(${r.chain}, ${anchor}, ${r.seq}, ${r.at.toISOString()}::timestamptz, ${r.type}, ${r.actor}, ${r.subjectId}, ${r.payloadJson}::jsonb, ${r.prevHash}, ${r.hash})`,
      );
    await sql`insert into audit_log (chain, anchor, seq, at, type, actor, subject_id, payload, prev_hash, hash)
      values ${sql.join(values)}`.execute(trx);
  }
}

/**
 * One INSERT for the whole batch, with one array parameter per column: a fixed number of bound
 * values however many rows, which both engines parse far faster than one set per row. The
 * payloads go as one JSON array whose elements are their canonical texts as they are, zipped
 * with the other columns by ROWS FROM: a text[] parameter would escape every quote in them.
 */
function insertStatement(anchor: string, rows: readonly ChainedRow[]) {
  const column = <T>(pick: (row: ChainedRow) => T): T[] => rows.map(pick);
  const payloads = `[${column((r) => r.payloadJson).join(",")}]`;
  return sql`
    insert into audit_log (chain, anchor, seq, at, type, actor, subject_id, payload, prev_hash, hash)
    select ${rows[0]!.chain}::smallint, ${anchor}::uuid, * from rows from (
      unnest(${column((r) => r.seq)}::bigint[]), unnest(${column((r) => r.at.toISOString())}::timestamptz[]),
      unnest(${column((r) => r.type)}::text[]), unnest(${column((r) => r.actor)}::text[]),
      unnest(${column((r) => r.subjectId)}::text[]), jsonb_array_elements(${payloads}::jsonb),
      unnest(${column((r) => r.prevHash)}::text[]), unnest(${column((r) => r.hash)}::text[]))`;
}
