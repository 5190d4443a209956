import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { ErrorCode } from "../../errors.ts";
import type { Database } from "../../store/database.ts";
import * as repo from "./drp.repository.ts";
import type { AgentRequests } from "./drp.port.ts";
import { exerciseOf, kindOf, newRequestOf, type Agent } from "./drp.ts";
import { ed25519Key, openEnvelope, openSigned, type EnvelopeFailure } from "./envelope.ts";
import type { ReplayGuard } from "./tokens.ts";
import { notCoveredStatus, presentStatus, type ExerciseStatus } from "./status.ts";

/**
 * The exercise endpoints' use cases (DRP 2.01, 2.02, 2.04), for an agent already known from its
 * bearer token. A refusal is a value with a stable code; only the route makes it an HTTP answer.
 */
export interface ExerciseDeps {
  readonly db: Kysely<Database>;
  readonly clock: () => Date;
  readonly businessId: string;
  readonly skewMs: number;
  readonly requests: AgentRequests;
  readonly replay: ReplayGuard;
}

export interface DrpRefusal {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly detail: string;
  /** The request will not be processed, whatever the agent sends again (§3.06). */
  readonly fatal: boolean;
}
export type DrpResult<T> = { readonly ok: true; readonly value: T } | DrpRefusal;

const REFUSALS: Record<EnvelopeFailure, ErrorCode> = {
  malformed_base64: "PLEDGE_DRP_ENVELOPE_MALFORMED",
  too_short: "PLEDGE_DRP_ENVELOPE_MALFORMED",
  malformed_json: "PLEDGE_DRP_ENVELOPE_MALFORMED",
  bad_signature: "PLEDGE_DRP_SIGNATURE_INVALID",
  wrong_agent: "PLEDGE_DRP_WRONG_AGENT",
  wrong_business: "PLEDGE_DRP_WRONG_BUSINESS",
  issued_in_future: "PLEDGE_DRP_NOT_YET_VALID",
  expired: "PLEDGE_DRP_EXPIRED",
  wrong_version: "PLEDGE_DRP_VERSION_UNSUPPORTED",
};

function refuse(code: ErrorCode, detail: string, fatal = false): DrpRefusal {
  return { ok: false, code, detail, fatal };
}

/**
 * DRP 2.01: opens the envelope (E1–E9), refuses a second use of it, and takes the request. An
 * action Pledge does not cover is answered, and kept, as `denied`/`claim_not_covered`: a workflow
 * answer, not an error. One transaction: the envelope's claim, the rights request and the agent's
 * record of it commit together, so a failure leaves none of them (the same envelope may be sent
 * again) and a replay racing its original waits for it and is refused.
 */
export async function submitExercise(
  deps: ExerciseDeps,
  agent: Agent,
  body: string,
): Promise<DrpResult<ExerciseStatus>> {
  const now = deps.clock();
  const opened = openEnvelope(body, ed25519Key(agent.verifyKey), {
    agentId: agent.id,
    businessId: deps.businessId,
    now,
    skewMs: deps.skewMs,
  });
  if (!opened.ok) return refuse(REFUSALS[opened.failure], opened.detail, opened.failure === "expired");
  const envelope = { digest: opened.digest, agentId: agent.id, expiresAt: opened.expiresAt };
  const exercise = exerciseOf(opened.claims);
  const kind = exercise.action === null ? null : kindOf(exercise.action);
  const row = {
    agent_id: agent.id,
    agent_request_id: exercise.agentRequestId ?? null,
    status_callback: exercise.callback ?? null,
    exercise: exercise.exercise,
    received_at: now,
  };
  const taken = await deps.db.transaction().execute(async (trx): Promise<ExerciseStatus | null> => {
    if (!(await deps.replay.claim(trx, envelope, now))) return null;
    if (kind === null) {
      const id = randomUUID();
      await repo.insertRequest(trx, { ...row, request_id: id, not_covered: true });
      await appendAudit(trx, [
        {
          type: "drp.exercise_not_covered",
          at: now,
          actor: `agent:${agent.id}`,
          subjectId: null,
          payload: { agentId: agent.id, requestId: id, exercise: exercise.exercise },
        },
      ]);
      return notCoveredOf({ ...row, request_id: id });
    }
    const view = await deps.requests.submit(
      trx,
      agent.id,
      newRequestOf(agent.id, kind, exercise, opened.claims),
    );
    await repo.insertRequest(trx, { ...row, request_id: view.id, not_covered: false });
    return presentStatus(view);
  });
  if (taken === null)
    return refuse("PLEDGE_DRP_REPLAYED", "this envelope was accepted before; sign a new one");
  if (kind !== null) deps.requests.received(taken.request_id);
  return { ok: true, value: taken };
}

/** DRP 2.02: the status of one of the agent's requests. */
export async function exerciseStatus(
  deps: ExerciseDeps,
  agent: Agent,
  id: string,
): Promise<DrpResult<ExerciseStatus>> {
  const owned = await ownedRequest(deps, agent, id);
  if (!owned.ok) return owned;
  if (owned.value.not_covered) return { ok: true, value: notCoveredOf(owned.value) };
  const view = await deps.requests.status(agent.id, id);
  return view === null ? notFound() : { ok: true, value: presentStatus(view) };
}

/**
 * DRP 2.04: revokes one of the agent's requests; the body is a signed `{reason}`. The reason is
 * the person's own words: kept only sealed under the request's data key, with the move that
 * revoked it, and never logged, audited or answered (the status has no field for it, §3.02–3.03).
 * The audit event says whether a reason was given and kept. A request closed already is answered
 * as it is, and a reason sent then is not kept.
 */
export async function revokeExercise(
  deps: ExerciseDeps,
  agent: Agent,
  id: string,
  body: string,
): Promise<DrpResult<ExerciseStatus>> {
  const opened = openSigned(body, ed25519Key(agent.verifyKey));
  if (!opened.ok) return refuse(REFUSALS[opened.failure], opened.detail);
  const owned = await ownedRequest(deps, agent, id);
  if (!owned.ok) return owned;
  if (owned.value.not_covered) return { ok: true, value: notCoveredOf(owned.value) };
  const reason = reasonOf(opened.claims.reason);
  const now = deps.clock();
  const revoked = await deps.db.transaction().execute(async (trx) => {
    const done = await deps.requests.revoke(trx, agent.id, id);
    if (done === null || !done.moved) return done;
    const kept = reason !== null && (await keepReason(trx, deps.requests, id, reason));
    await appendAudit(trx, [
      {
        type: "drp.exercise_revoked",
        at: now,
        actor: `agent:${agent.id}`,
        subjectId: done.view.subjectId,
        payload: { agentId: agent.id, requestId: id, reasonGiven: reason !== null, reasonKept: kept },
      },
    ]);
    return done;
  });
  if (revoked === null) return notFound();
  if (revoked.moved) deps.requests.changed(id);
  return { ok: true, value: presentStatus(revoked.view) };
}

/** The field a revoke reason is sealed as (the associated data binds it to its request). */
export const revokeReasonField = (requestId: string) => `drp.${requestId}.revoke_reason`;

/** Seals the reason under the request's data key and keeps it; false when the key is gone. */
async function keepReason(
  trx: Transaction<Database>,
  requests: AgentRequests,
  id: string,
  reason: string,
): Promise<boolean> {
  const cipher = await requests.cipherOf(trx, id);
  return cipher !== null && repo.keepRevokeReason(trx, id, cipher.encrypt(revokeReasonField(id), reason));
}

/** The reason as given, at most 2,000 characters; null when none was (or it is not text). */
function reasonOf(value: unknown): string | null {
  if (typeof value !== "string" || value.trim() === "") return null;
  return value.trim().slice(0, 2000);
}

async function ownedRequest(
  deps: ExerciseDeps,
  agent: Agent,
  id: string,
): Promise<DrpResult<repo.DrpRequestRow>> {
  const row = UUID.test(id) ? await repo.findRequest(deps.db, id) : null;
  if (row === null) return notFound();
  if (row.agent_id !== agent.id)
    return refuse("PLEDGE_DRP_WRONG_AGENT", "the request was submitted by another agent");
  return { ok: true, value: row };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function notFound(): DrpRefusal {
  return refuse("PLEDGE_NOT_FOUND", "no such request");
}

function notCoveredOf(
  row: Pick<repo.DrpRequestRow, "request_id" | "agent_request_id" | "exercise" | "received_at">,
): ExerciseStatus {
  return notCoveredStatus({
    id: row.request_id,
    agentRequestId: row.agent_request_id,
    exercise: row.exercise,
    receivedAt: row.received_at,
  });
}
