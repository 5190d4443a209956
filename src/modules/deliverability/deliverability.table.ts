import type { ColumnType } from "kysely";

export const DELIVERABILITY_KINDS = ["bounce", "complaint", "delivered"] as const;
export type DeliverabilityKind = (typeof DELIVERABILITY_KINDS)[number];

/** Where a report came in: staff through the API, or the mail provider's signed webhook. */
export const DELIVERABILITY_SOURCES = ["api", "webhook"] as const;
export type DeliverabilitySource = (typeof DELIVERABILITY_SOURCES)[number];

/**
 * `deliverability_events`: a bounce or a complaint reported for one campaign message (ZM-10).
 * One row per (message, kind). `detail` is a short code or SMTP status, never an address.
 * Created by src/store/migrations/2026112204_deliverability.ts.
 */
export interface DeliverabilityEventsTable {
  subject_id: string;
  event_id: string;
  campaign_id: string;
  message_id: string;
  kind: DeliverabilityKind;
  detail: string | null;
  source: DeliverabilitySource;
  occurred_at: ColumnType<Date, Date | string, never>;
  recorded_at: ColumnType<Date, Date | string, never>;
  /** `staff:<id>` or `webhook:deliverability`. */
  recorded_by: string;
}

export interface DeliverabilityTables {
  deliverability_events: DeliverabilityEventsTable;
}
