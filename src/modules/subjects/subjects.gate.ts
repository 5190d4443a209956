import type { AuditEvent, DecisionSummary } from "../../audit/audit.events.ts";
import { decide } from "../../gate/decide.ts";
import { RULE } from "../../gate/reasons.ts";
import type { Action, Decision, SubjectFacts, Use } from "../../gate/types.ts";
import { auditActor, type Acting, type Refusal } from "./subjects.ts";

/**
 * One question to the gate about one subject, and what the record's services make of the
 * answer. Every call is audited by the caller, allowed or not, with the subject id (ALL-02).
 */
export interface Ask {
  readonly action: Action;
  readonly purpose: string;
  readonly fields: readonly string[];
  readonly projection?: boolean;
  readonly at: string;
}

export function askGate(
  policy: Parameters<typeof decide>[0],
  region: string,
  acting: Acting,
  subject: SubjectFacts | null,
  ask: Ask,
): { use: Use; decision: Decision } {
  const use: Use = {
    action: ask.action,
    purpose: ask.purpose,
    actor: acting.actor,
    fields: ask.fields,
    ...(ask.projection === true ? { projection: true } : {}),
    at: ask.at,
  };
  const decision = decide(
    policy,
    { subject, actorAttested: acting.attested, recipientContractOnFile: null, deploymentRegion: region },
    use,
  );
  return { use, decision };
}

/**
 * A refusal as the outside world may see it: rules 0–16 do not depend on the person and are told
 * (403 naming the clause); from rule 17 on the refusal depends on the person, or the person does
 * not exist, and both answer "not found".
 */
export function refusalOf(decision: Decision): Refusal | null {
  if (decision.outcome !== "deny") return null;
  const rule = decision.reasons[0]?.rule ?? RULE.allowed;
  return rule <= RULE.fields ? { kind: "refused", decision } : { kind: "not_found" };
}

export function clausesOf(decision: Decision): string[] {
  return [...new Set(decision.reasons.flatMap((r) => (r.clause === null ? [] : [r.clause])))];
}

export function summarise(use: Use, d: Decision): DecisionSummary {
  return {
    outcome: d.outcome,
    purpose: use.purpose,
    action: use.action,
    recipient: use.recipient ?? null,
    clauses: clausesOf(d),
    policy: { company: d.policy.company, version: d.policy.version },
    fields: [...d.fields],
    removed: [...d.removed],
  };
}

/** The `decision` audit event of a use about `subjectId` (null when there is no subject yet). */
export function decisionEvent(
  acting: Acting,
  subjectId: string | null,
  use: Use,
  decision: Decision,
): AuditEvent {
  return {
    type: "decision",
    at: new Date(use.at),
    actor: auditActor(acting.actor),
    subjectId,
    payload: summarise(use, decision),
  };
}
