import type { CompiledPolicy } from "./compiled.ts";
import type { Decision, Reason } from "./types.ts";

/** The gate's rules by name; the numbers are the ones listed in the header of decide.ts. */
export const RULE = {
  policyInForce: 0,
  residency: 1,
  purposeKnown: 2,
  attestation: 3,
  staffRole: 4,
  aggregateOnly: 5,
  contentGround: 6,
  recipientKnown: 7,
  thirdParties: 8,
  recipientPurpose: 9,
  singleSubject: 10,
  recipientContract: 11,
  legalGround: 12,
  saleNever: 13,
  topic: 14,
  messageForm: 15,
  fields: 16,
  subjectKnown: 17,
  minimumAge: 18,
  formerCustomers: 19,
  suppression: 20,
  topicWithdrawn: 21,
  legalBasis: 22,
  recipientConsent: 23,
  permission: 24,
  allowed: 25,
} as const;

export const NO_FIELDS: readonly string[] = Object.freeze([]);

export function reason(clause: string | null, rule: number, code: string, detail: string): Reason {
  return { clause, rule, code, detail };
}

/** A refusal: no fields, one reason, the version it was decided under. */
export function deny(policy: CompiledPolicy, why: Reason): Decision {
  return { outcome: "deny", fields: NO_FIELDS, removed: NO_FIELDS, reasons: [why], policy: policy.ref };
}
