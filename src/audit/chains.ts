import { createHash } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database } from "../store/database.ts";

/**
 * The audit log is one or more hash chains (docs/audit.md). On one node it is one chain. On
 * Citus there is one chain per shard of `subjects`: an event about a person is appended to the
 * chain that lives on the same node as that person's rows, in the same transaction, and locks
 * only that chain's head. A signed checkpoint commits to every chain's head at once (merkle.ts).
 *
 * Each chain covers a range of PostgreSQL's `uuid_hash` of the subject id, the same function and
 * the same ranges Citus uses to place a subject's rows, and has an `anchor`: a fixed uuid inside
 * its range, which is the distribution value of its head and its rows. Events without a subject
 * (or whose subject id is not a uuid) go to the chain of the batch's first event that has one,
 * else to chain 1.
 */
export interface Chain {
  /** 1, 2, 3 …, in the order of the ranges. */
  readonly chain: number;
  readonly anchor: string;
  /** The range of `uuid_hash(subject_id)` this chain covers, both ends included. */
  readonly low: number;
  readonly high: number;
}

export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The chains' ranges and anchors for the given hash ranges, in order (chain 1 first). */
export function chainsFor(ranges: readonly { readonly low: number; readonly high: number }[]): Chain[] {
  const anchors: (string | undefined)[] = ranges.map(() => undefined);
  let left = ranges.length;
  for (let i = 0; left > 0; i++) {
    const candidate = uuidOfCounter(i);
    const at = indexOf(ranges, uuidHash(candidate));
    if (at >= 0 && anchors[at] === undefined) {
      anchors[at] = candidate;
      left--;
    }
  }
  return ranges.map((r, i) => ({ chain: i + 1, anchor: anchors[i]!, low: r.low, high: r.high }));
}

/** One chain covering every subject: the layout of a single node. */
export const SINGLE_NODE: readonly { low: number; high: number }[] = [{ low: INT32_MIN, high: INT32_MAX }];

/** The chain an event about `subjectId` belongs to; null when the id is not a uuid. */
export function chainOfSubject(chains: readonly Chain[], subjectId: string | null): Chain | null {
  if (subjectId === null || chains.length === 0 || !UUID.test(subjectId)) return null;
  if (chains.length === 1) return chains[0]!;
  const i = indexOf(chains, uuidHash(subjectId));
  return i < 0 ? null : chains[i]!;
}

function indexOf(ranges: readonly { readonly low: number; readonly high: number }[], h: number): number {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (h < r.low) hi = mid - 1;
    else if (h > r.high) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** A uuid made from a counter: anchors are the same on every store with the same ranges. */
function uuidOfCounter(i: number): string {
  const hex = createHash("sha256").update(`pledge-audit-chain/${i}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * PostgreSQL's `uuid_hash`: `hash_bytes` (Bob Jenkins' lookup3, as PostgreSQL's hashfn.c has it)
 * over the 16 bytes of the uuid, as a signed 32-bit integer. Citus places a row by this value.
 */
export function uuidHash(uuid: string): number {
  const k = Buffer.from(uuid.replace(/-/g, ""), "hex");
  let a = (0x9e3779b9 + 16 + 3923095) >>> 0;
  let b = a;
  let c = a;
  a = (a + k.readUInt32LE(0)) >>> 0;
  b = (b + k.readUInt32LE(4)) >>> 0;
  c = (c + k.readUInt32LE(8)) >>> 0;
  // mix(a, b, c)
  a = (a - c) >>> 0;
  a = (a ^ rot(c, 4)) >>> 0;
  c = (c + b) >>> 0; // prettier-ignore
  b = (b - a) >>> 0;
  b = (b ^ rot(a, 6)) >>> 0;
  a = (a + c) >>> 0; // prettier-ignore
  c = (c - b) >>> 0;
  c = (c ^ rot(b, 8)) >>> 0;
  b = (b + a) >>> 0; // prettier-ignore
  a = (a - c) >>> 0;
  a = (a ^ rot(c, 16)) >>> 0;
  c = (c + b) >>> 0; // prettier-ignore
  b = (b - a) >>> 0;
  b = (b ^ rot(a, 19)) >>> 0;
  a = (a + c) >>> 0; // prettier-ignore
  c = (c - b) >>> 0;
  c = (c ^ rot(b, 4)) >>> 0;
  b = (b + a) >>> 0; // prettier-ignore
  // the last four bytes
  a = (a + k.readUInt32LE(12)) >>> 0;
  // final(a, b, c)
  c = (c ^ b) >>> 0;
  c = (c - rot(b, 14)) >>> 0; // prettier-ignore
  a = (a ^ c) >>> 0;
  a = (a - rot(c, 11)) >>> 0; // prettier-ignore
  b = (b ^ a) >>> 0;
  b = (b - rot(a, 25)) >>> 0; // prettier-ignore
  c = (c ^ b) >>> 0;
  c = (c - rot(b, 16)) >>> 0; // prettier-ignore
  a = (a ^ c) >>> 0;
  a = (a - rot(c, 4)) >>> 0; // prettier-ignore
  b = (b ^ a) >>> 0;
  b = (b - rot(a, 14)) >>> 0; // prettier-ignore
  c = (c ^ b) >>> 0;
  c = (c - rot(b, 24)) >>> 0; // prettier-ignore
  return c | 0;
}

function rot(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * The store's chains, read from `audit_head` (they are fixed when the store is first migrated)
 * and kept per database handle. Kysely shares one adapter between a database and its
 * transactions, which makes it the key. Until the layout is known, each caller reads it over its
 * own connection: a transaction must never wait on a read that needs another connection from
 * the pool its peers may be holding.
 */
const layouts = new WeakMap<object, Layout>();

interface Layout {
  readonly chains: readonly Chain[];
  /** The store is a Citus coordinator: appends are written in statements each worker runs alone. */
  readonly citus: boolean;
}

export async function chainLayout(db: Kysely<Database>): Promise<readonly Chain[]> {
  return (await layoutOf(db)).chains;
}

/** Whether the log's chains are distributed (a Citus store). */
export async function chainsDistributed(db: Kysely<Database>): Promise<boolean> {
  return (await layoutOf(db)).citus;
}

async function layoutOf(db: Kysely<Database>): Promise<Layout> {
  const key = db.getExecutor().adapter;
  const known = layouts.get(key);
  if (known !== undefined) return known;
  const layout = await readLayout(db);
  layouts.set(key, layout);
  return layout;
}

/** Forgets the layout kept for `db` (after its chains were rewritten). */
export function forgetChainLayout(db: Kysely<Database>): void {
  layouts.delete(db.getExecutor().adapter);
}

async function readLayout(db: Kysely<Database>): Promise<Layout> {
  const rows = await db
    .selectFrom("audit_head")
    .select(["id", "anchor", "low", "high"])
    .orderBy("id")
    .execute();
  if (rows.length === 0) throw new Error("the audit log has no chain: run pledge migrate");
  const { rows: found } = await sql<{ citus: boolean }>`
    select exists (select 1 from pg_extension where extname = 'citus') as citus`.execute(db);
  return {
    chains: rows.map((r) => ({
      chain: Number(r.id),
      anchor: r.anchor,
      low: Number(r.low),
      high: Number(r.high),
    })),
    citus: found[0]?.citus === true,
  };
}
