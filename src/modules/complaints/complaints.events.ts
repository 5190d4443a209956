/** Audit events of privacy complaints (ZM-12): ids and statuses, never the sender or the text. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "complaint.opened": { complaintId: string; source: string; linked: boolean };
    "complaint.moved": { complaintId: string; from: string; to: string; version: number };
    "complaint.read": { complaintId: string; purpose: string; fields: string[] };
  }
}

export {};
