/** Audit events of communications. The case id and ground, never the content. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "communication.opened": { messageId: string; purpose: string; ground: string; caseId: string | null };
  }
}

export {};
