/** Audit events of the payments module. Ids, clause ids and outcomes only: never a token. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "payment.charged": { chargeId: string; paymentMethodId: string; orderId: string; reuse: boolean };
    "payment.charge_refused": {
      paymentMethodId: string;
      orderId: string;
      purpose: string;
      clauses: string[];
      policy: { company: string; version: string };
    };
  }
}

export {};
