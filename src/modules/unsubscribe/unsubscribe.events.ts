/** Audit events of unsubscribe links: ids and targets, never an address or a token. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "unsubscribe.used": {
      via: string;
      campaignId: string | null;
      channel: string;
      targetKind: string;
      target: string;
      suppressed: boolean;
      consentEvents: number;
    };
    "unsubscribe.requested": { via: string; channel: string; subjects: number; suppressed: boolean };
  }
}

export {};
