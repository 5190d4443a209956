/**
 * Audit events of orders: the move and the statuses, never the order's id (the field `order_id`
 * is the caller's identifier and a personal field in the packs) or its items and total.
 */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "order.moved": { move: string; from: string; to: string; version: number; purpose: string };
  }
}

export {};
