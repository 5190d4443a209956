/**
 * Audit events of the customer record. Payloads name ids, field names, sections, clause ids and
 * counts; never a value. A refused collection records the names of the fields that were sent and
 * nothing they held (Z16-15: nothing the person sent is kept).
 */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "subject.created": {
      fields: string[];
      status: string;
      purpose: string;
      collectionPoint: string;
      policyVersion: string;
    };
    "subject.collection_refused": { purpose: string; fields: string[]; clauses: string[]; code: string };
    /** Also written for staff edits made on a customer's behalf (ZZ-09): the actor is the staff member. */
    "subject.updated": {
      fields: string[];
      purpose: string;
      collectionPoint: string;
      version: number;
      change: "fields" | "address_added" | "address_removed" | "contact_added" | "contact_removed";
    };
    "subject.exported": { purpose: string; sections: string[] };
    "subject.erased": {
      sections: { name: string; deleted: number; kept: number; keptReason: string | null }[];
      keyDestroyed: boolean;
    };
  }
}

export {};
