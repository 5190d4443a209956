/**
 * Audit events of the payments module. Pledge's ids, clause ids and outcomes only: never a token,
 * and never the caller's order id, a field of the record (the charge row keeps it; see orders.events.ts).
 */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "payment.charged": { chargeId: string; paymentMethodId: string; reuse: boolean };
    "payment.charge_refused": {
      paymentMethodId: string;
      purpose: string;
      clauses: string[];
      policy: { company: string; version: string };
    };
  }
}

export {};
