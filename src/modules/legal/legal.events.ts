/**
 * Audit events of legal requests: ids, the instrument, the ground, counts and field names; the
 * authority's name and country (an institution, not a person), never a personal value.
 */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "legal.received": {
      requestId: string;
      instrument: string;
      ground: string;
      authority: string;
      country: string;
      subjects: number;
      fields: string[];
      nondisclosureUntil: string | null;
    };
    "legal.approved": { requestId: string; approvals: number };
    "legal.moved": { requestId: string; from: string | null; to: string };
    "legal.emergency": { requestId: string; justification: string };
    "legal.notice_sent": { requestId: string };
  }
}

export {};
