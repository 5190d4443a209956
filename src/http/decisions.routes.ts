import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { AuditWriter } from "../audit/writer.ts";
import { PledgeError } from "../errors.ts";
import { decide } from "../gate/decide.ts";
import type { Action, Facts, SubjectFacts, Use } from "../gate/types.ts";
import type { Channel, MessageClass } from "../policy/schema.ts";
import type { Database } from "../store/database.ts";
import { auditActor } from "../use/acting.ts";
import { summarise } from "../use/events.ts";
import { loadSubjectFacts } from "../use/facts.ts";
import type { UseDeps } from "../use/kernel.ts";
import { clausesOf } from "../use/refusal.ts";
import { unknownName } from "../use/vocabulary.ts";
import { actingOf } from "./acting.ts";
import { decisionRequestSchema, decisionResponseSchema } from "./decisions.schema.ts";

export interface DecisionRoutesOptions {
  /** The store a `subjectId`'s facts are read from, the policy, the clock and the region. */
  readonly deps: UseDeps;
  /** Decisions are appended with group commit: many concurrent questions share one flush. */
  readonly audit: AuditWriter;
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
  /** A stored subject whose facts the gate reads, instead of `facts.subject`. */
  subjectId?: string;
}

/**
 * POST /v1/decisions: "may I make this use?". The answer is the gate's decision, written to the
 * audit log before the response leaves. A deny is a 200 too: the question was answered. A use
 * naming something the pack does not know is a 400 and writes nothing. With `subjectId` the
 * subject's facts are read from the store (consents, opt-outs, permissions, Do Not Send through
 * its identities) and the audit row names the subject; an unknown or erased subject is a 404.
 */
export async function decisionRoutes(app: FastifyInstance, opts: DecisionRoutesOptions): Promise<void> {
  app.post<{ Body: DecisionRequest }>(
    "/v1/decisions",
    {
      // The gate's own question: the answer is a decision, never a value of the record. A stored
      // subject's facts are read for the gate alone, which refuses unattested staff first (rule 3).
      config: { use: { callers: { staff: "any" }, personal: false } },
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
      const acting = actingOf(request);
      const { deps } = opts;
      const { use: body, facts: given = {}, subjectId } = request.body;
      const at = body.at === undefined ? deps.clock().toISOString() : new Date(body.at).toISOString();
      const { pack, policy } = deps.policies.at(at);
      const use: Use = { ...body, actor: acting.actor, at };
      let subject = given.subject ?? null;
      if (subjectId !== undefined) {
        if (given.subject != null) {
          throw new PledgeError("PLEDGE_VALIDATION_FAILED", "give subjectId or facts.subject, not both");
        }
        subject = await storedFacts(deps.db, subjectId, at);
      }
      const facts: Facts = {
        subject,
        actorAttested: acting.attested,
        recipientContractOnFile:
          use.recipient === undefined ? null : (given.recipientContractOnFile ?? false),
        deploymentRegion: deps.region,
      };
      const decision = decide(policy, facts, use);
      const problem = unknownName(pack, use);
      if (problem) {
        // The gate refuses an unknown name too; its reasons say which clause the refusal rests on.
        throw new PledgeError(problem.code, problem.detail, clausesOf(decision));
      }
      const row = await opts.audit.append({
        type: "decision",
        at: new Date(at),
        actor: auditActor(acting.actor),
        subjectId: subjectId ?? null,
        payload: summarise(use, decision),
      });
      deps.onDecision?.(decision.outcome, use.action);
      return { decision, at, audit: { chain: row.chain, seq: row.seq, hash: row.hash } };
    },
  );
}

/** The stored subject's facts; PLEDGE_NOT_FOUND when there is no live subject with that id. */
async function storedFacts(db: Kysely<Database>, subjectId: string, at: string): Promise<SubjectFacts> {
  // One statement: the facts are read only from a live (not erased) subject's row.
  const facts = await loadSubjectFacts(db, subjectId, at);
  if (facts === null) throw new PledgeError("PLEDGE_NOT_FOUND", "no such subject");
  return facts;
}
