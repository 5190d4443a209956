/** Audit events of campaigns and their outbox: ids, counts, codes and clauses only. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "campaign.created": { campaignId: string; purpose: string; channel: string; messageClass: string };
    "campaign.previewed": { campaignId: string; audience: number; policyVersion: string };
    "campaign.send_started": {
      campaignId: string;
      audience: number;
      policyVersion: string;
      clauses: string[];
    };
    "campaign.finished": {
      campaignId: string;
      sent: number;
      skipped: number;
      failed: number;
      uncertain: number;
    };
    "campaign.cancelled": { campaignId: string; from: string };
    "campaign.resend_uncertain": { campaignId: string; messages: number };
    "campaign.message_sent": {
      campaignId: string;
      messageId: string;
      policyVersion: string;
      clauses: string[];
    };
    "campaign.message_skipped": {
      campaignId: string;
      messageId: string;
      code: string;
      clause: string | null;
    };
    "campaign.message_failed": { campaignId: string; messageId: string; code: string };
    "campaign.message_uncertain": { campaignId: string; messageId: string };
    /** A relay's report (delivered, bounce, complaint) settles an uncertain message as sent. */
    "campaign.message_confirmed": { campaignId: string; messageId: string; by: string };
  }
}

export {};
