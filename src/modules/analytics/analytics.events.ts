/** Audit events of site statistics: what was reported, to whom, with what noise; never a count of one person. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "analytics.reported": {
      site: string;
      from: string;
      to: string;
      purpose: string;
      /** The recipient the report was sent to (Z16-09); null for a report read by staff. */
      recipient: string | null;
      epsilon: number | null;
      days: number;
      withheldDays: number;
    };
  }
}

export {};
