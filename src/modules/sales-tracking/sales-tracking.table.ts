import type { ColumnType } from "kysely";

/**
 * `sales_tracking`: order-form data captured by landing-page cookies, kept only in this internal
 * store (ZZ-02). Keyed by the cookie id, not by a subject: the visitor may never become a customer.
 * Created by src/store/migrations/2026112202_sales_tracking.ts.
 */
export interface SalesTrackingTable {
  entry_id: string;
  cookie_id: string;
  /** The order-form fields as captured (JSON object of strings). */
  order_form: ColumnType<Record<string, string>, string, never>;
  policy_version: string;
  captured_at: ColumnType<Date, Date | string, never>;
}

export interface SalesTrackingTables {
  sales_tracking: SalesTrackingTable;
}
