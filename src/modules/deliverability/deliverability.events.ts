/** Audit events of deliverability and list delivery: ids, codes and counts, never an address. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    /** Bounces and complaints recorded in one request (duplicates are not counted). */
    "deliverability.recorded": {
      campaignId: string;
      source: string;
      bounces: number;
      complaints: number;
      duplicates: number;
    };
    /** The send guard stopped a campaign (ZM-10): the rates that passed the pack's limits. */
    "send_guard.stopped": {
      campaignId: string;
      reason: string;
      clause: string;
      sent: number;
      bounces: number;
      complaints: number;
      policyVersion: string;
    };
    /** A postal, catalogue or phone list left for its processor (the ledger has the people). */
    "campaign.list_delivered": {
      campaignId: string;
      recipient: string;
      disclosureId: string;
      fields: string[];
      count: number;
      skipped: number;
      format: string;
    };
  }
}

export {};
