import type { ColumnType } from "kysely";

type Fixed<T> = ColumnType<T, T, never>;

/**
 * A payment method as the payment provider's token, never a card number (PS-02, Z16-01): token,
 * brand, last four and expiry are ciphertext under the subject's key. `given_for_order` is the
 * order it was given for; `reuse_allowed` whether the customer allowed charging it again (ZM-14).
 */
export interface PaymentMethodsTable {
  subject_id: Fixed<string>;
  payment_method_id: Fixed<string>;
  token_enc: Fixed<string>;
  brand_enc: Fixed<string>;
  last4_enc: Fixed<string>;
  expiry_enc: Fixed<string>;
  given_for_order: Fixed<string>;
  reuse_allowed: boolean;
  collection_point: Fixed<string>;
  purpose: Fixed<string>;
  policy_version: Fixed<string>;
  created_at: Fixed<Date>;
  version: ColumnType<number, number | undefined, number>;
}

/** An authorised charge: which method, for which order, whether it was a reuse. Kept for tax law. */
export interface PaymentChargesTable {
  subject_id: Fixed<string>;
  charge_id: Fixed<string>;
  payment_method_id: Fixed<string>;
  order_id: Fixed<string>;
  reuse: Fixed<boolean>;
  purpose: Fixed<string>;
  policy_version: Fixed<string>;
  charged_at: Fixed<Date>;
  /** SHA-256 over the caller and its Idempotency-Key; null when none was sent. */
  request_key: Fixed<string | null>;
  /** SHA-256 over what was asked (method, order, purpose), to tell a retry from a misuse of the key. */
  request_hash: Fixed<string | null>;
}

export interface PaymentTables {
  payment_methods: PaymentMethodsTable;
  payment_charges: PaymentChargesTable;
}
