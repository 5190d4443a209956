import type { Provenance } from "../records/records.ts";

/** Orders and services: what a subject bought and subscribes to (ZM-07, ZZ-01, Z16-03, PS-01). */

/** The record fields of an order, as the packs' categories name them. */
export const ORDER_FIELDS = ["order_id", "order_items", "order_total"] as const;
/** A service's plan and history are the field `services`. */
export const SERVICE_FIELDS = ["services"] as const;

export const ORDER_STATUSES = ["placed", "fulfilled", "cancelled"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * The one transition table of an order: a placed order is fulfilled or cancelled, and either is
 * final. `moveOrder()` (orders.service.ts) is the only place an order's status changes.
 */
export const ORDER_TRANSITIONS = {
  fulfil: { from: ["placed"], to: "fulfilled" },
  cancel: { from: ["placed"], to: "cancelled" },
} as const satisfies Record<string, { from: readonly OrderStatus[]; to: OrderStatus }>;
export type OrderMove = keyof typeof ORDER_TRANSITIONS;
export const ORDER_MOVES = Object.keys(ORDER_TRANSITIONS) as OrderMove[];

export interface OrderMoveInput {
  readonly orderId: string;
  readonly action: OrderMove;
  readonly purpose: string;
}

export interface OrderItem {
  readonly sku: string;
  readonly description?: string;
  readonly quantity: number;
  /** Decimal string in the order's currency, e.g. "19.99". */
  readonly unitAmount: string;
}

export interface Money {
  readonly amount: string;
  /** ISO 4217, e.g. USD. */
  readonly currency: string;
}

export interface NewOrder {
  readonly orderId: string;
  readonly items: readonly OrderItem[];
  readonly total: Money;
  readonly purpose: string;
  readonly collectionPoint: string;
  /**
   * The customer's IP address at checkout, for the fraud checks' velocity by source (ZM-09). Only
   * a blind index of its network (/24, /48) is kept, never the address.
   */
  readonly sourceAddress?: string;
}

/** An order as it leaves: personal fields only when the gate allowed them (projection). */
export interface OrderView {
  readonly orderId?: string;
  readonly items?: readonly OrderItem[];
  readonly total?: Money;
  readonly status: OrderStatus;
  readonly createdAt: string;
  readonly provenance: Provenance;
  readonly version: number;
  /** On the answer to placing an order of a customer held for verification (ZM-09). */
  readonly fraudHold?: { readonly holdId: string; readonly reasons: readonly string[] };
}

export const SERVICE_STATUSES = ["active", "changed", "cancelled"] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];
export type ServiceAction = "add" | "change" | "cancel";

/**
 * The one transition table of a service (ZM-07): added → active; a change of plan → changed;
 * cancel → cancelled, which is final. Returns the new status, or null when the move is not allowed.
 */
export function transition(from: ServiceStatus | null, action: ServiceAction): ServiceStatus | null {
  switch (action) {
    case "add":
      return from === null ? "active" : null;
    case "change":
      return from === "active" || from === "changed" ? "changed" : null;
    case "cancel":
      return from === "active" || from === "changed" ? "cancelled" : null;
    default: {
      const never: never = action;
      throw new Error(`unknown service action ${String(never)}`);
    }
  }
}

export interface ServiceStep {
  readonly seq: number;
  readonly action: ServiceAction;
  readonly plan: string;
  readonly at: string;
  /** Who made the step: `staff:<id>` or `customer:<id>`. */
  readonly actor: string;
  readonly provenance: Provenance;
}

export interface ServiceView {
  readonly serviceId: string;
  /** Plan and history are the field `services`: absent when the gate did not allow it. */
  readonly plan?: string;
  readonly history?: readonly ServiceStep[];
  readonly status: ServiceStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly provenance: Provenance;
  readonly version: number;
  /** On the answer to ordering a service while the customer is held for verification (ZM-09). */
  readonly fraudHold?: { readonly holdId: string; readonly reasons: readonly string[] };
}
