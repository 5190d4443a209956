import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { PledgeError } from "../../errors.ts";
import type { Database } from "../../store/database.ts";
import * as repo from "./drp.repository.ts";
import { AGENT_ID_PATTERN, parseVerifyKey, type Agent } from "./drp.ts";
import { DEFAULT_SKEW_MS, ed25519Key, openEnvelope } from "./envelope.ts";
import { tokenHash } from "./tokens.ts";

/**
 * The agents this business trusts, and their pair-wise tokens. Each change and its audit event
 * commit in one transaction. `actor` is the audit actor (`staff:<id>`).
 */
type Db = Kysely<Database>;

export interface Context {
  readonly actor: string;
  readonly now: Date;
}

export interface NewAgent {
  readonly id: string;
  readonly name: string;
  /** base64 of 32 bytes, or 64 hex digits. */
  readonly verifyKey: string;
  readonly webUrl?: string;
}

export async function registerAgent(db: Db, input: NewAgent, ctx: Context): Promise<Agent> {
  if (!AGENT_ID_PATTERN.test(input.id))
    throw new PledgeError("PLEDGE_VALIDATION_FAILED", "the agent id is upper-case letters, digits and _");
  const verifyKey = parseVerifyKey(input.verifyKey);
  if (verifyKey === null)
    throw new PledgeError(
      "PLEDGE_DRP_VERIFY_KEY_INVALID",
      "verifyKey is not an Ed25519 key: 32 bytes in base64, or 64 hex digits",
    );
  ed25519Key(verifyKey); // any 32 bytes import; a key that cannot verify anything fails later
  const agent: Agent = {
    id: input.id,
    name: input.name,
    verifyKey,
    webUrl: input.webUrl ?? null,
    status: "active",
    createdAt: ctx.now,
    disabledAt: null,
  };
  return db.transaction().execute(async (trx) => {
    if (!(await repo.insertAgent(trx, agent)))
      throw new PledgeError("PLEDGE_DRP_AGENT_EXISTS", `agent ${agent.id} is registered already`);
    await appendAudit(trx, [
      {
        type: "drp.agent_registered",
        at: ctx.now,
        actor: ctx.actor,
        subjectId: null,
        payload: { agentId: agent.id },
      },
    ]);
    return agent;
  });
}

export async function readAgent(db: Db, id: string): Promise<Agent> {
  const agent = await repo.findAgent(db, id);
  if (agent === null) throw new PledgeError("PLEDGE_NOT_FOUND", "no such agent");
  return agent;
}

export async function listAgents(db: Db): Promise<Agent[]> {
  return repo.listAgents(db);
}

/** Disables the agent and drops its tokens. Idempotent: disabling again changes nothing. */
export async function disableAgent(db: Db, id: string, ctx: Context): Promise<Agent> {
  return db.transaction().execute(async (trx) => {
    const before = await repo.findAgent(trx, id);
    if (before === null) throw new PledgeError("PLEDGE_NOT_FOUND", "no such agent");
    if (before.status === "disabled") return before;
    await repo.disableAgent(trx, id, ctx.now);
    await appendAudit(trx, [
      {
        type: "drp.agent_disabled",
        at: ctx.now,
        actor: ctx.actor,
        subjectId: null,
        payload: { agentId: id },
      },
    ]);
    return { ...before, status: "disabled", disabledAt: ctx.now };
  });
}

/**
 * Pair-wise key set-up (DRP 2.05): an envelope signed with the key registered for `agentId`,
 * whose claims name that agent and this business, now. Returns a new token (64 bytes from the
 * CSPRNG, base64), which replaces the agent's earlier one; null on any failure, which the
 * protocol answers with a bare 403 and so is not told apart.
 */
export async function setUpToken(
  db: Db,
  input: { agentId: string; body: string; businessId: string; now: Date },
): Promise<string | null> {
  const agent = AGENT_ID_PATTERN.test(input.agentId) ? await repo.findAgent(db, input.agentId) : null;
  if (agent === null || agent.status !== "active") return null;
  const opened = openEnvelope(input.body, ed25519Key(agent.verifyKey), {
    agentId: agent.id,
    businessId: input.businessId,
    now: input.now,
    skewMs: DEFAULT_SKEW_MS,
  });
  if (!opened.ok) return null;
  const token = randomBytes(64).toString("base64");
  await db.transaction().execute(async (trx) => {
    await repo.replaceToken(trx, agent.id, tokenHash(token), input.now);
    await appendAudit(trx, [
      {
        type: "drp.token_issued",
        at: input.now,
        actor: `agent:${agent.id}`,
        subjectId: null,
        payload: { agentId: agent.id },
      },
    ]);
  });
  return token;
}

declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "drp.agent_registered": { agentId: string };
    "drp.agent_disabled": { agentId: string };
    "drp.token_issued": { agentId: string };
    "drp.exercise_not_covered": { agentId: string; requestId: string; exercise: string };
    /** Never the reason itself: whether one was given, and kept sealed. */
    "drp.exercise_revoked": { agentId: string; requestId: string; reasonGiven: boolean; reasonKept: boolean };
  }
}
