import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { AuditWriter } from "../audit/writer.ts";
import type { DecisionSummary } from "../audit/audit.events.ts";
import { decide } from "../gate/decide.ts";
import { loadSubjectFacts } from "../gate/facts.ts";
import type { Action, Actor, Decision, Facts, SubjectFacts, Use } from "../gate/types.ts";
import type { Channel, MessageClass } from "../policy/schema.ts";
import type { Database } from "../store/database.ts";
import { ADMIN_ROLE, type Caller } from "../modules/staff/staff.ts";
import type { Authenticator } from "./auth.ts";
import { decisionRequestSchema, decisionResponseSchema } from "./decisions.schema.ts";
import type { PolicyBook } from "./policies.ts";
import { PledgeError } from "./errors.ts";
import { unknownName } from "./vocabulary.ts";

export interface DecisionRoutesOptions {
  /** Where `subjectId` facts are read from (loadSubjectFacts). */
  readonly db: Kysely<Database>;
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
      const { use: body, facts: given = {}, subjectId } = request.body;
      const at = body.at === undefined ? opts.clock().toISOString() : new Date(body.at).toISOString();
      const { pack, policy } = opts.book.at(at);
      const use: Use = { ...body, actor: actorOf(caller), at };
      let subject = given.subject ?? null;
      if (subjectId !== undefined) {
        if (given.subject != null) {
          throw new PledgeError("PLEDGE_VALIDATION_FAILED", "give subjectId or facts.subject, not both");
        }
        subject = await storedFacts(opts.db, subjectId, at);
      }
      const facts: Facts = {
        subject,
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
        subjectId: subjectId ?? null,
        payload: summarise(use, decision),
      });
      return { decision, at, audit: { seq: row.seq, hash: row.hash } };
    },
  );
}

/** The stored subject's facts; PLEDGE_NOT_FOUND when there is no live subject with that id. */
async function storedFacts(db: Kysely<Database>, subjectId: string, at: string): Promise<SubjectFacts> {
  const live = await db
    .selectFrom("subjects")
    .select("subject_id")
    .where("subject_id", "=", subjectId)
    .where("erased_at", "is", null)
    .executeTakeFirst();
  const facts = live === undefined ? null : await loadSubjectFacts(db, subjectId, at);
  if (facts === null) throw new PledgeError("PLEDGE_NOT_FOUND", "no such subject");
  return facts;
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
