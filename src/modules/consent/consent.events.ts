/** Audit events of the consent ledger: ids, actions and counts, never personal data. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "consent.recorded": {
      eventId: string;
      targetKind: string;
      target: string;
      channel: string;
      action: string;
      source: string;
      policyVersion: string;
    };
    /** A read of a subject's consent history or preferences. */
    "consent.read": { what: "history" | "preferences"; count: number };
  }
}

export {};
