import { sql, type Kysely, type Transaction } from "kysely";
import type { ConsentState } from "../../gate/types.ts";
import type { Channel } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import type { ConsentEvent, Evidence, Preferences } from "./consent.ts";

/** SQL of the consent ledger and of the derived state it keeps. No rules here: see consent.service.ts. */
type Db = Kysely<Database> | Transaction<Database>;

/** Locks the live subject's row so ledger writes for one person queue; false when there is none. */
export async function lockSubject(trx: Transaction<Database>, subjectId: string): Promise<boolean> {
  const row = await trx
    .selectFrom("subjects")
    .select("subject_id")
    .where("subject_id", "=", subjectId)
    .where("erased_at", "is", null)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

/** A live subject: erased subjects (a tombstone row) count as absent. */
export async function subjectExists(db: Db, subjectId: string): Promise<boolean> {
  const row = await db
    .selectFrom("subjects")
    .select("subject_id")
    .where("subject_id", "=", subjectId)
    .where("erased_at", "is", null)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertEvents(
  trx: Transaction<Database>,
  events: readonly ConsentEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await trx
    .insertInto("consent_events")
    .values(
      events.map((e) => ({
        subject_id: e.subjectId,
        event_id: e.eventId,
        target_kind: e.targetKind,
        target: e.target,
        channel: e.channel,
        action: e.action,
        source: e.source,
        policy_version: e.policyVersion,
        at: e.at,
        actor: e.actor,
        evidence: JSON.stringify(e.evidence),
      })),
    )
    .execute();
}

/** Sets a purpose's or topic's state; '' applies to every channel, so it clears the channel rows. */
export async function setConsentState(
  trx: Transaction<Database>,
  subjectId: string,
  scope: string,
  channel: Channel | "",
  state: ConsentState,
  at: Date,
): Promise<void> {
  if (channel === "") {
    await trx
      .deleteFrom("subject_consents")
      .where("subject_id", "=", subjectId)
      .where("scope", "=", scope)
      .where("channel", "<>", "")
      .execute();
  }
  await trx
    .insertInto("subject_consents")
    .values({ subject_id: subjectId, scope, channel, state, updated_at: at })
    .onConflict((oc) => oc.columns(["subject_id", "scope", "channel"]).doUpdateSet({ state, updated_at: at }))
    .execute();
}

export async function setOptOut(
  trx: Transaction<Database>,
  subjectId: string,
  scope: string,
  on: boolean,
  at: Date,
) {
  if (on) {
    await trx
      .insertInto("subject_opt_outs")
      .values({ subject_id: subjectId, scope, created_at: at })
      .onConflict((oc) => oc.columns(["subject_id", "scope"]).doNothing())
      .execute();
  } else {
    await trx
      .deleteFrom("subject_opt_outs")
      .where("subject_id", "=", subjectId)
      .where("scope", "=", scope)
      .execute();
  }
}

export async function setPermission(
  trx: Transaction<Database>,
  subjectId: string,
  permission: "card_reuse" | "sale" | "affiliate_identity",
  on: boolean,
  at: Date,
) {
  if (on) {
    await trx
      .insertInto("subject_permissions")
      .values({ subject_id: subjectId, permission, granted_at: at })
      .onConflict((oc) => oc.columns(["subject_id", "permission"]).doNothing())
      .execute();
  } else {
    await trx
      .deleteFrom("subject_permissions")
      .where("subject_id", "=", subjectId)
      .where("permission", "=", permission)
      .execute();
  }
}

export async function preferences(db: Db, subjectId: string): Promise<Preferences> {
  const [consents, optOuts, permissions] = await Promise.all([
    db
      .selectFrom("subject_consents")
      .select(["scope", "channel", "state", "updated_at"])
      .where("subject_id", "=", subjectId)
      .orderBy("scope")
      .orderBy("channel")
      .execute(),
    db
      .selectFrom("subject_opt_outs")
      .select("scope")
      .where("subject_id", "=", subjectId)
      .orderBy("scope")
      .execute(),
    db
      .selectFrom("subject_permissions")
      .select("permission")
      .where("subject_id", "=", subjectId)
      .orderBy("permission")
      .execute(),
  ]);
  return {
    consents: consents.map((c) => ({
      scope: c.scope,
      channel: c.channel,
      state: c.state,
      updatedAt: new Date(c.updated_at),
    })),
    optOuts: optOuts.map((o) => o.scope),
    permissions: permissions.map((p) => p.permission),
  };
}

/** One page of the ledger in time order, after the (at, event_id) position `after` when given. */
export async function history(
  db: Db,
  subjectId: string,
  limit: number,
  after: { at: Date; eventId: string } | null,
): Promise<ConsentEvent[]> {
  let query = db
    .selectFrom("consent_events")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .orderBy("at")
    .orderBy("event_id")
    .limit(limit);
  if (after !== null) {
    query = query.where(
      sql<boolean>`(at, event_id) > (${after.at.toISOString()}::timestamptz, ${after.eventId}::uuid)`,
    );
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    subjectId: r.subject_id,
    eventId: r.event_id,
    targetKind: r.target_kind,
    target: r.target,
    channel: r.channel,
    action: r.action,
    source: r.source,
    policyVersion: r.policy_version,
    at: new Date(r.at),
    actor: r.actor,
    evidence: (typeof r.evidence === "string" ? JSON.parse(r.evidence) : r.evidence) as Evidence,
  }));
}

/** When the subject's first event from a Global Privacy Control signal was recorded; null if none. */
export async function firstGpcAt(db: Db, subjectId: string): Promise<Date | null> {
  const row = await db
    .selectFrom("consent_events")
    .select("at")
    .where("subject_id", "=", subjectId)
    .where("source", "=", "gpc")
    .orderBy("at")
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? null : new Date(row.at);
}
