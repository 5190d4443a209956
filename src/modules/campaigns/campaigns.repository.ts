import {
  sql,
  type Expression,
  type Insertable,
  type Kysely,
  type RawBuilder,
  type Selectable,
  type SqlBool,
  type Transaction,
} from "kysely";
import type { Database } from "../../store/database.ts";
import { refOf, type Campaign, type MessageRef, type StateCounts } from "./campaigns.ts";
import { MESSAGE_STATES, type CampaignsTable } from "./campaigns.table.ts";

/** SQL of `campaigns` and `campaign_messages` (the outbox). No personal data is read here. */
type Db = Kysely<Database> | Transaction<Database>;

export async function insertCampaign(trx: Db, row: Insertable<CampaignsTable>): Promise<void> {
  await trx.insertInto("campaigns").values(row).execute();
}

export async function findCampaign(db: Db, id: string, lock = false): Promise<Campaign | null> {
  let query = db.selectFrom("campaigns").selectAll().where("campaign_id", "=", id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined ? null : present(row);
}

/** A page of campaigns, newest first; `after` is the (created_at, id) of the last one seen. */
export async function listCampaigns(
  db: Db,
  limit: number,
  after: { createdAt: string; id: string } | null,
  /** Only campaigns of these purposes; null: all. */
  purposes: readonly string[] | null,
): Promise<Campaign[]> {
  let query = db
    .selectFrom("campaigns")
    .selectAll()
    .orderBy("created_at", "desc")
    .orderBy("campaign_id", "desc")
    .limit(limit);
  if (purposes !== null) {
    if (purposes.length === 0) return [];
    query = query.where("purpose", "in", purposes);
  }
  if (after !== null) {
    query = query.where(
      sql<SqlBool>`(created_at, campaign_id) < (cast(${after.createdAt} as timestamptz), cast(${after.id} as uuid))`,
    );
  }
  return (await query.execute()).map(present);
}

/**
 * Draws the audience into the outbox in one statement: one `queued` row per subject selected by
 * `where` (a predicate over `subjects`). The unique (campaign, subject) key makes a second draw add
 * nobody twice. Returns how many rows were added.
 */
export async function drawOutbox(
  trx: Db,
  campaignId: string,
  audience: { where: Expression<SqlBool>; rows: RawBuilder<{ subject_id: string }> | null },
  now: Date,
): Promise<number> {
  const columns = [
    sql<string>`gen_random_uuid()`.as("message_id"),
    sql<string>`cast(${campaignId} as uuid)`.as("campaign_id"),
    sql<string>`${"queued"}`.as("state"),
    sql<Date>`cast(${now.toISOString()} as timestamptz)`.as("queued_at"),
  ];
  const { rows, where } = audience;
  // The kept audience's rows when it has them (src/use/kept.ts), else everyone the predicate selects.
  const result = await trx
    .insertInto("campaign_messages")
    .columns(["message_id", "campaign_id", "state", "queued_at", "subject_id"])
    .expression((eb) =>
      rows === null
        ? eb
            .selectFrom("subjects")
            .where(where)
            .select([...columns, "subjects.subject_id"])
        : eb.selectFrom(rows.as("kept")).select([...columns, "kept.subject_id"]),
    )
    .onConflict((oc) => oc.columns(["campaign_id", "subject_id"]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

export async function stateCounts(db: Db, campaignId: string): Promise<StateCounts> {
  const rows = await db
    .selectFrom("campaign_messages")
    .select(["state", sql<number>`cast(count(*) as int)`.as("n")])
    .where("campaign_id", "=", campaignId)
    .groupBy("state")
    .execute();
  const counts = Object.fromEntries(MESSAGE_STATES.map((s) => [s, 0])) as StateCounts;
  for (const r of rows) counts[r.state] = Number(r.n);
  return counts;
}

/**
 * Messages waiting to go out, across every campaign that is sending: `queued` (not yet claimed)
 * and `sending` (claimed by a worker). One count per state, read with the (campaign_id, state)
 * index of the campaigns that are sending.
 */
export async function pendingSends(db: Db): Promise<{ queued: number; sending: number }> {
  const rows = await db
    .selectFrom("campaign_messages as m")
    .innerJoin("campaigns as c", "c.campaign_id", "m.campaign_id")
    .where("c.status", "=", "sending")
    .where("m.state", "in", ["queued", "sending"])
    .select(["m.state", (eb) => eb.fn.countAll().as("n")])
    .groupBy("m.state")
    .execute();
  const count = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
  return { queued: count("queued"), sending: count("sending") };
}

export async function uncertainMessages(
  db: Db,
  campaignId: string,
  limit = 1000,
): Promise<{ messageId: string; subjectId: string }[]> {
  const rows = await db
    .selectFrom("campaign_messages")
    .select(["message_id", "subject_id"])
    .where("campaign_id", "=", campaignId)
    .where("state", "=", "uncertain")
    .orderBy("message_id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ messageId: r.message_id, subjectId: r.subject_id }));
}

/** Ids of the campaign's messages in `state`, in id order. */
export async function messageRefs(
  db: Db,
  campaignId: string,
  state: "queued" | "uncertain",
): Promise<MessageRef[]> {
  const rows = await db
    .selectFrom("campaign_messages")
    .select(["message_id", "subject_id"])
    .where("campaign_id", "=", campaignId)
    .where("state", "=", state)
    .orderBy("message_id")
    .execute();
  return rows.map(refOf);
}

function iso(d: Date | string | null): string | null {
  return d === null ? null : new Date(d).toISOString();
}

export function present(r: Selectable<CampaignsTable>): Campaign {
  return {
    id: r.campaign_id,
    name: r.name,
    purpose: r.purpose,
    topic: r.topic,
    messageClass: r.message_class,
    channel: r.channel,
    recipient: r.recipient,
    subjectLine: r.subject_line,
    text: r.body_text,
    html: r.body_html,
    status: r.status,
    policyVersion: r.policy_version,
    audienceSize: r.audience_size,
    stoppedReason: r.stopped_reason,
    stoppedClause: r.stopped_clause,
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}
