import { sql, type Insertable, type Kysely, type Selectable } from "kysely";
import type { Database } from "../../store/database.ts";
import type { Agent } from "./drp.ts";
import type { DrpAgentsTable, DrpRequestsTable } from "./drp.table.ts";

/** SQL of the DRP tables only. Every function takes the database or the caller's transaction. */
type Db = Kysely<Database>;

export async function insertAgent(db: Db, agent: Agent): Promise<boolean> {
  const result = await db
    .insertInto("drp_agents")
    .values({
      agent_id: agent.id,
      name: agent.name,
      verify_key: agent.verifyKey.toString("base64"),
      web_url: agent.webUrl,
      status: agent.status,
      created_at: agent.createdAt,
      disabled_at: agent.disabledAt,
    })
    .onConflict((oc) => oc.column("agent_id").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function findAgent(db: Db, id: string): Promise<Agent | null> {
  const row = await db.selectFrom("drp_agents").selectAll().where("agent_id", "=", id).executeTakeFirst();
  return row === undefined ? null : agentOf(row);
}

export async function listAgents(db: Db): Promise<Agent[]> {
  const rows = await db.selectFrom("drp_agents").selectAll().orderBy("agent_id").execute();
  return rows.map(agentOf);
}

export async function disableAgent(db: Db, id: string, at: Date): Promise<void> {
  await db
    .updateTable("drp_agents")
    .set({ status: "disabled", disabled_at: at })
    .where("agent_id", "=", id)
    .execute();
  await db.deleteFrom("drp_agent_tokens").where("agent_id", "=", id).execute();
}

/** The agent's new token replaces any it had. */
export async function replaceToken(db: Db, agentId: string, tokenHash: string, at: Date): Promise<void> {
  await db.deleteFrom("drp_agent_tokens").where("agent_id", "=", agentId).execute();
  await db
    .insertInto("drp_agent_tokens")
    .values({ token_hash: tokenHash, agent_id: agentId, issued_at: at })
    .execute();
}

/** The active agent a token was issued to, or null. */
export async function agentOfToken(db: Db, tokenHash: string): Promise<Agent | null> {
  const row = await db
    .selectFrom("drp_agent_tokens as t")
    .innerJoin("drp_agents as a", "a.agent_id", "t.agent_id")
    .selectAll("a")
    .where("t.token_hash", "=", tokenHash)
    .where("a.status", "=", "active")
    .executeTakeFirst();
  return row === undefined ? null : agentOf(row);
}

/**
 * Remembers an accepted envelope until it expires; false when it was accepted before (a replay).
 * This and `insertRequest` run on every exercise: written with `sql`, whose compiling costs a
 * fraction of the query builder's `values(…)` (on PGlite the builder cost more than the insert).
 */
export async function claimEnvelope(
  db: Db,
  envelope: { digest: string; agentId: string; expiresAt: Date },
): Promise<boolean> {
  const result = await sql`
    insert into drp_envelopes (digest, agent_id, expires_at)
    values (${envelope.digest}, ${envelope.agentId}, ${envelope.expiresAt})
    on conflict (digest) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

/**
 * Forgets envelopes past their expiry: the same bytes carry the same `expires-at`, so such an
 * envelope is refused as expired (E8) before its digest is looked at.
 */
export async function forgetExpiredEnvelopes(db: Db, now: Date): Promise<void> {
  await db.deleteFrom("drp_envelopes").where("expires_at", "<=", now).execute();
}

export type DrpRequestRow = Selectable<DrpRequestsTable>;
export type NewDrpRequestRow = Required<Insertable<DrpRequestsTable>>;

/** Records an agent's request; a request already recorded (a repeat the service answered) stays as it is. */
export async function insertRequest(db: Db, row: NewDrpRequestRow): Promise<void> {
  await sql`
    insert into drp_requests
      (request_id, agent_id, agent_request_id, status_callback, exercise, not_covered, received_at)
    values (${row.request_id}, ${row.agent_id}, ${row.agent_request_id}, ${row.status_callback},
      ${row.exercise}, ${row.not_covered}, ${row.received_at})
    on conflict (request_id) do nothing`.execute(db);
}

export async function findRequest(db: Db, id: string): Promise<DrpRequestRow | null> {
  return (
    (await db.selectFrom("drp_requests").selectAll().where("request_id", "=", id).executeTakeFirst()) ?? null
  );
}

/**
 * Keeps the reason given for revoking the request, sealed; a reason kept already stays (the
 * request is revoked once). False when none was written.
 */
export async function keepRevokeReason(db: Db, id: string, sealed: string): Promise<boolean> {
  const result = await db
    .updateTable("drp_requests")
    .set({ revoke_reason_enc: sealed })
    .where("request_id", "=", id)
    .where("revoke_reason_enc", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

function agentOf(row: Selectable<DrpAgentsTable>): Agent {
  return {
    id: row.agent_id,
    name: row.name,
    verifyKey: Buffer.from(row.verify_key, "base64"),
    webUrl: row.web_url,
    status: row.status,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}
