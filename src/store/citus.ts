import { sql, type Kysely } from "kysely";

/**
 * Where each table lives when the store is a Citus coordinator (docs/citus.md). On PGlite and
 * plain PostgreSQL every function here does nothing, so one set of migrations serves all three.
 *
 * A migration places each table it creates right after creating it, before any foreign key
 * points at it:
 * - a person's data is distributed by `subject_id`, in the shard group of `subjects`, so that
 *   everything about one person sits on one node and is written there in one transaction;
 * - a table every node reads (staff, recipients, campaigns, requests, policy versions) is a
 *   reference table, copied to every node;
 * - a uniqueness that spans people (an email, a customer number) is a table of its own,
 *   distributed by the unique value, so the check is one shard's index;
 * - anything else (the audit chain, throttles, the migrations' own bookkeeping) stays on the
 *   coordinator as an ordinary table.
 */

/** Whether the store runs on Citus: the extension is installed in its database. */
export async function onCitus(db: Kysely<unknown>): Promise<boolean> {
  const { rows } = await sql<{ citus: boolean }>`
    select exists (select 1 from pg_extension where extname = 'citus') as citus`.execute(db);
  return rows[0]?.citus === true;
}

/** Distributes a table of a person's data by `subject_id`, beside that person's `subjects` row. */
export async function distributeBySubject(db: Kysely<unknown>, table: string): Promise<void> {
  await distributeBy(db, table, "subject_id", table === "subjects" ? "none" : "subjects");
}

/**
 * Distributes a table by `column` alone (its own shard group): the home of a uniqueness that
 * spans people, such as an email's blind index.
 */
export async function distributeByValue(db: Kysely<unknown>, table: string, column: string): Promise<void> {
  await distributeBy(db, table, column, "none");
}

/**
 * Distributes a table by a uuid `column` other than `subject_id`, beside `subjects`: rows whose
 * value hashes like a person's id sit on that person's shard (the audit chains' anchors). Its
 * triggers go with it to every shard.
 */
export async function distributeBesideSubjects(
  db: Kysely<unknown>,
  table: string,
  column: string,
): Promise<void> {
  if (!(await onCitus(db))) return;
  await sql`set local citus.enable_unsafe_triggers to on`.execute(db);
  await distributeBy(db, table, column, "subjects");
}

/** Copies a table to every node (small tables read everywhere, joined with people's data). */
export async function shareWithEveryNode(db: Kysely<unknown>, table: string): Promise<void> {
  if (!(await onCitus(db))) return;
  await sequential(db);
  await sql`select create_reference_table(${table})`.execute(db);
}

async function distributeBy(
  db: Kysely<unknown>,
  table: string,
  column: string,
  colocateWith: string,
): Promise<void> {
  if (!(await onCitus(db))) return;
  await sequential(db);
  await sql`select create_distributed_table(${table}, ${column}, colocate_with => ${colocateWith})`.execute(
    db,
  );
}

/**
 * The migrations run in one transaction; Citus refuses to create a table's shards over several
 * connections once the same transaction has touched a reference table over one, so the whole
 * migration works one connection per node.
 */
async function sequential(db: Kysely<unknown>): Promise<void> {
  await sql`set local citus.multi_shard_modify_mode to 'sequential'`.execute(db);
}
