import { luhn } from "../../crypto/cards.ts";
import type { Provenance } from "../records/records.ts";

/**
 * Payment methods as the provider's token (ZM-14, Z16-01, PS-02). Pledge never holds a card
 * number and never talks to a payment provider: a charge records the authorised use and hands the
 * token back for the caller's own provider call.
 */
export const PAYMENT_FIELDS = ["card_token", "card_last4", "card_brand", "card_expiry"] as const;

export interface NewPaymentMethod {
  readonly token: string;
  readonly brand: string;
  readonly last4: string;
  /** MM/YYYY. */
  readonly expiry: string;
  /** The order the method was given for: it may be charged for that order. */
  readonly orderId: string;
  /** Whether the customer allowed charging it for later orders (the `card_reuse` permission). */
  readonly reuseAllowed: boolean;
  readonly purpose: string;
  readonly collectionPoint: string;
}

export interface PaymentMethodView {
  readonly paymentMethodId: string;
  readonly token?: string;
  readonly brand?: string;
  readonly last4?: string;
  readonly expiry?: string;
  readonly givenForOrder: string;
  readonly reuseAllowed: boolean;
  readonly createdAt: string;
  readonly provenance: Provenance;
  readonly version: number;
}

export interface Charge {
  readonly chargeId: string;
  readonly paymentMethodId: string;
  readonly orderId: string;
  /** True when the order is not the one the method was given for. */
  readonly reuse: boolean;
  /** The provider token, for the caller's own call to the payment provider. */
  readonly token: string;
  readonly chargedAt: string;
  readonly policyVersion: string;
}

/**
 * Why a submitted method is not a provider token with its last four digits, or null. Names the
 * property only, never the value. The HTTP layer refuses any card number in any field already;
 * this also refuses a token hiding a card inside a longer run of digits.
 */
export function paymentMethodProblem(input: Pick<NewPaymentMethod, "token" | "last4">): string | null {
  if (!/^\d{4}$/.test(input.last4)) return "last4 must be exactly 4 digits";
  if (hasLuhnRun(input.token)) return "token contains a run of 13 or more digits passing the Luhn check";
  return null;
}

/** True when some 13–19 consecutive digits of `value` pass the Luhn check. */
export function hasLuhnRun(value: string): boolean {
  for (const run of value.match(/\d{13,}/g) ?? []) {
    for (let start = 0; start + 13 <= run.length; start += 1) {
      for (let len = 13; len <= 19 && start + len <= run.length; len += 1) {
        if (luhn(run.slice(start, start + len))) return true;
      }
    }
  }
  return false;
}
