/**
 * Audit events of privacy complaints (ZM-12) beyond their request's (`request.received`,
 * `request.moved`): a read of the message, with ids and field names, never the sender or the text.
 */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "complaint.read": { complaintId: string; purpose: string; fields: string[] };
  }
}

export {};
