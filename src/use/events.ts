import type { AuditEvent, DecisionSummary } from "../audit/audit.events.ts";
import type { Decision, Use } from "../gate/types.ts";
import { auditActor } from "./acting.ts";
import { clausesOf } from "./refusal.ts";

/** What the audit log keeps of a decision: names, ids and outcomes, never a value. */
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

/** The `decision` audit event of a use about `subjectId` (null: nobody in particular, or a list). */
export function decisionEvent(subjectId: string | null, use: Use, decision: Decision): AuditEvent {
  return {
    type: "decision",
    at: new Date(use.at),
    actor: auditActor(use.actor),
    subjectId,
    payload: summarise(use, decision),
  };
}
