import type { ConsentEvent } from "./consent.ts";

/** A ledger event as the API and the access export show it: every field listed. */
export function presentEvent(e: ConsentEvent) {
  return {
    eventId: e.eventId,
    subjectId: e.subjectId,
    targetKind: e.targetKind,
    target: e.target,
    channel: e.channel,
    action: e.action,
    source: e.source,
    policyVersion: e.policyVersion,
    at: e.at.toISOString(),
    actor: e.actor,
    evidence: e.evidence,
  };
}
