import type { FastifyInstance } from "fastify";
import type { AuditWriter } from "../audit/writer.ts";
import type { DecisionSummary } from "../audit/audit.events.ts";
import { decide } from "../gate/decide.ts";
import type { Action, Actor, Decision, Facts, SubjectFacts, Use } from "../gate/types.ts";
import type { Channel, MessageClass } from "../policy/schema.ts";
import { ADMIN_ROLE, type Caller } from "../modules/staff/staff.ts";
import type { Authenticator } from "./auth.ts";
import { decisionRequestSchema, decisionResponseSchema } from "./decisions.schema.ts";
import type { PolicyBook } from "./policies.ts";
import { PledgeError } from "./errors.ts";
import { unknownName } from "./vocabulary.ts";

export interface DecisionRoutesOptions {
  readonly auth: Authenticator;
  readonly book: PolicyBook;
  readonly audit: AuditWriter;
  readonly clock: () => Date;
  readonly region: string;
}

interface DecisionRequest {
  use: {
    action: Action;
    purpose: string;
    fields: string[];
    recipient?: string;
    channel?: Channel;
    messageClass?: MessageClass;
    topic?: string;
    ground?: string;
    caseId?: string;
    aggregate?: boolean;
    projection?: boolean;
    at?: string;
  };
  facts?: { subject?: SubjectFacts | null; recipientContractOnFile?: boolean };
}

/**
 * POST /v1/decisions: "may I make this use?". The answer is the gate's decision, written to the
 * audit log before the response leaves. A deny is a 200 too: the question was answered. A use
 * naming something the pack does not know is a 400 and writes nothing.
 */
export async function decisionRoutes(app: FastifyInstance, opts: DecisionRoutesOptions): Promise<void> {
  app.post<{ Body: DecisionRequest }>(
    "/v1/decisions",
    {
      preHandler: opts.auth.requireRole("any"),
      schema: {
        tags: ["decisions"],
        summary: "Ask the gate whether a use of personal data is allowed",
        security: [{ apiKey: [] }],
        body: decisionRequestSchema,
        response: {
          200: decisionResponseSchema,
          400: { $ref: "Problem#" },
          401: { $ref: "Problem#" },
          403: { $ref: "Problem#" },
        },
      },
    },
    async (request) => {
      const caller = request.caller as Caller;
      const { use: body, facts: given = {} } = request.body;
      const at = body.at === undefined ? opts.clock().toISOString() : new Date(body.at).toISOString();
      const { pack, policy } = opts.book.at(at);
      const use: Use = { ...body, actor: actorOf(caller), at };
      const facts: Facts = {
        subject: given.subject ?? null,
        actorAttested: caller.attested,
        recipientContractOnFile:
          use.recipient === undefined ? null : (given.recipientContractOnFile ?? false),
        deploymentRegion: opts.region,
      };
      const decision = decide(policy, facts, use);
      const problem = unknownName(pack, use);
      if (problem) {
        // The gate refuses an unknown name too; its reasons say which clause the refusal rests on.
        const clauses = decision.reasons.flatMap((r) => (r.clause === null ? [] : [r.clause]));
        throw new PledgeError(problem.code, problem.detail, clauses);
      }
      const row = await opts.audit.append({
        type: "decision",
        at: new Date(at),
        actor: `staff:${caller.staffId}`,
        subjectId: null,
        payload: summarise(use, decision),
      });
      return { decision, at, audit: { seq: row.seq, hash: row.hash } };
    },
  );
}

/** Keys of a pack role ask as that staff member; admin keys ask as the system (an integration). */
function actorOf(caller: Caller): Actor {
  return caller.role === ADMIN_ROLE
    ? { kind: "system", id: caller.staffId }
    : { kind: "staff", id: caller.staffId, role: caller.role };
}

function summarise(use: Use, d: Decision): DecisionSummary {
  const clauses = [...new Set(d.reasons.flatMap((r) => (r.clause === null ? [] : [r.clause])))];
  return {
    outcome: d.outcome,
    purpose: use.purpose,
    action: use.action,
    recipient: use.recipient ?? null,
    clauses,
    policy: { company: d.policy.company, version: d.policy.version },
    fields: [...d.fields],
    removed: [...d.removed],
  };
}
