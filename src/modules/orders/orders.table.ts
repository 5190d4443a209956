import type { ColumnType } from "kysely";

/** Written once at insert, never updated. */
type Fixed<T> = ColumnType<T, T, never>;

/**
 * Orders: what was bought, for how much, and its status. `items_enc` and `total_enc` are
 * ciphertext under the subject's key (fields `order_items`, `order_total`). Kept after erasure for
 * tax law; the destroyed key leaves them unreadable. Created by migration 2026112115_records.ts.
 */
export interface OrdersTable {
  subject_id: Fixed<string>;
  order_id: Fixed<string>;
  status: "placed" | "fulfilled" | "cancelled";
  items_enc: Fixed<string>;
  total_enc: Fixed<string>;
  collection_point: Fixed<string>;
  purpose: Fixed<string>;
  policy_version: Fixed<string>;
  created_at: Fixed<Date>;
  version: ColumnType<number, number | undefined, number>;
}

/** A service the subject subscribes to; `plan_enc` is the field `services`, encrypted. */
export interface ServicesTable {
  subject_id: Fixed<string>;
  service_id: Fixed<string>;
  plan_enc: string;
  status: "active" | "changed" | "cancelled";
  /** Provenance of the latest add or change; each step's own is in service_events. */
  collection_point: string;
  purpose: string;
  policy_version: string;
  created_at: Fixed<Date>;
  updated_at: Date;
  version: ColumnType<number, number | undefined, number>;
}

/** Each add, change and cancel of a service, in order (ZM-07). Append-only. */
export interface ServiceEventsTable {
  subject_id: Fixed<string>;
  service_id: Fixed<string>;
  seq: Fixed<number>;
  action: Fixed<"add" | "change" | "cancel">;
  plan_enc: Fixed<string>;
  actor: Fixed<string>;
  collection_point: Fixed<string>;
  purpose: Fixed<string>;
  policy_version: Fixed<string>;
  at: Fixed<Date>;
}

export interface OrderTables {
  orders: OrdersTable;
  services: ServicesTable;
  service_events: ServiceEventsTable;
}
