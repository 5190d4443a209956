/** Audit events of recipients and the disclosure ledger: ids, field names and counts, never values. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    /** What is on file about a recipient changed (contract reference and dates, legal name, address). */
    "recipient.updated": {
      recipientId: string;
      contractRef: boolean;
      signedOn: string | null;
      expiresOn: string | null;
    };
    /** Data left for a recipient: the ledger row's id, what kind of act, the fields and how many people. */
    "disclosure.recorded": {
      disclosureId: string;
      recipient: string;
      kind: string;
      purpose: string;
      fields: string[];
      removed: string[];
      count: number;
    };
    /** A read of the ledger: one person's disclosures, or a report. */
    "disclosure.read": { what: string; count: number };
  }
}

export {};
