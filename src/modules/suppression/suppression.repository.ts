import { sql, type Kysely, type Transaction } from "kysely";
import type { Channel } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import type { SuppressionEntry } from "./suppression.ts";

/** SQL of the Do Not Send list. No rules here: see suppression.service.ts. */
type Db = Kysely<Database> | Transaction<Database>;

export async function findEntry(
  db: Db,
  channel: Channel,
  addressIndex: string,
): Promise<SuppressionEntry | null> {
  const row = await db
    .selectFrom("suppression_list")
    .selectAll()
    .where("channel", "=", channel)
    .where("address_index", "=", addressIndex)
    .executeTakeFirst();
  return row === undefined ? null : toEntry(row);
}

/** Inserts the entries that are not listed yet; returns those inserted (existing entries are kept as they were). */
export async function insertEntries(
  trx: Transaction<Database>,
  entries: readonly SuppressionEntry[],
): Promise<SuppressionEntry[]> {
  if (entries.length === 0) return [];
  const rows = await trx
    .insertInto("suppression_list")
    .values(
      entries.map((e) => ({
        channel: e.channel,
        address_index: e.addressIndex,
        reason: e.reason,
        source: e.source,
        created_at: e.createdAt,
        created_by: e.createdBy,
      })),
    )
    .onConflict((oc) => oc.columns(["channel", "address_index"]).doNothing())
    .returningAll()
    .execute();
  return rows.map(toEntry);
}

export async function deleteEntry(
  trx: Transaction<Database>,
  channel: Channel,
  addressIndex: string,
): Promise<SuppressionEntry | null> {
  const row = await trx
    .deleteFrom("suppression_list")
    .where("channel", "=", channel)
    .where("address_index", "=", addressIndex)
    .returningAll()
    .executeTakeFirst();
  return row === undefined ? null : toEntry(row);
}

/** One page in (channel, address_index) order, after `after` when given. */
export async function listEntries(
  db: Db,
  channel: Channel | null,
  limit: number,
  after: { channel: string; addressIndex: string } | null,
): Promise<SuppressionEntry[]> {
  let query = db
    .selectFrom("suppression_list")
    .selectAll()
    .orderBy("channel")
    .orderBy("address_index")
    .limit(limit);
  if (channel !== null) query = query.where("channel", "=", channel);
  if (after !== null) {
    query = query.where(sql<boolean>`(channel, address_index) > (${after.channel}, ${after.addressIndex})`);
  }
  return (await query.execute()).map(toEntry);
}

function toEntry(row: {
  channel: Channel;
  address_index: string;
  reason: SuppressionEntry["reason"];
  source: SuppressionEntry["source"];
  created_at: Date;
  created_by: string;
}): SuppressionEntry {
  return {
    channel: row.channel,
    addressIndex: row.address_index,
    reason: row.reason,
    source: row.source,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
  };
}
