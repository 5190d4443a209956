import { sql, type Kysely } from "kysely";
import { chainsFor, SINGLE_NODE } from "../../audit/chains.ts";
import { distributeBesideSubjects, onCitus } from "../citus.ts";

// The audit log becomes one hash chain per shard of `subjects` (src/audit/chains.ts,
// docs/audit.md): one chain on a single node, whose rows are the log as it was; on Citus, one
// chain per shard, each placed beside the people whose events it records. `audit_head` holds one
// row per chain, with the chain's range of subject hashes and its anchor (the chain's distribution
// value); `audit_log` rows name their chain and anchor, and are numbered within their chain.
export async function up(db: Kysely<unknown>): Promise<void> {
  const citus = await onCitus(db);
  const chains = chainsFor(citus ? await shardRanges(db) : SINGLE_NODE);
  const first = chains[0]!;

  await sql`alter table audit_head drop constraint if exists audit_head_id_check`.execute(db);
  await sql`alter table audit_head
    add column anchor uuid, add column low integer, add column high integer`.execute(db);
  await sql`update audit_head set anchor = ${first.anchor}, low = ${first.low}, high = ${first.high}
    where id = 1`.execute(db);
  await sql`alter table audit_head
    alter column anchor set not null, alter column low set not null, alter column high set not null,
    drop constraint audit_head_pkey, add constraint audit_head_pkey primary key (anchor)`.execute(db);
  for (const c of chains.slice(1)) {
    await sql`insert into audit_head (id, anchor, low, high, seq, hash)
      values (${c.chain}, ${c.anchor}, ${c.low}, ${c.high}, 0, ${"0".repeat(64)})`.execute(db);
  }

  // Existing rows are chain 1's: the defaults fill them without rewriting a row (no trigger runs).
  await sql`alter table audit_log
    add column chain smallint not null default 1,
    add column anchor uuid not null default ${sql.lit(first.anchor)}::uuid`.execute(db);
  await sql`alter table audit_log alter column chain drop default, alter column anchor drop default,
    drop constraint audit_log_pkey, add constraint audit_log_pkey primary key (anchor, seq)`.execute(db);

  for (const table of ["audit_head", "audit_log"]) await distributeBesideSubjects(db, table, "anchor");
}

/** The hash ranges of the shards of `subjects`, in order. */
async function shardRanges(db: Kysely<unknown>): Promise<{ low: number; high: number }[]> {
  const { rows } = await sql<{ low: string; high: string }>`
    select shardminvalue as low, shardmaxvalue as high from pg_dist_shard
    where logicalrelid = 'subjects'::regclass order by shardminvalue::integer`.execute(db);
  return rows.map((r) => ({ low: Number(r.low), high: Number(r.high) }));
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from audit_head where id <> 1`.execute(db);
  await sql`alter table audit_log drop constraint audit_log_pkey, drop column chain, drop column anchor,
    add constraint audit_log_pkey primary key (seq)`.execute(db);
  await sql`alter table audit_head drop constraint audit_head_pkey, drop column anchor, drop column low,
    drop column high, add constraint audit_head_pkey primary key (id),
    add constraint audit_head_id_check check (id = 1)`.execute(db);
}
