import type { ColumnType } from "kysely";

/**
 * The tables of site statistics. Created by src/store/migrations/2026120920_analytics.ts.
 *
 * `analytics_salts`: one random salt per UTC day, the key the day's visitor keys are made under.
 * A salt is deleted 48 hours after its day began; from then on no one, not even the company, can
 * tell whether two keys came from the same address and browser.
 */
export interface AnalyticsSaltsTable {
  /** `YYYY-MM-DD` (UTC). */
  day: ColumnType<string, string, never>;
  salt: ColumnType<Buffer, Buffer, never>;
  created_at: ColumnType<Date, Date, never>;
}

/**
 * `page_views`: one row per page view. `visitor` is the 16-byte salted key (never an address or a
 * user agent); `path` the page's path without its query string or fragment; `referrer` the host
 * of another site the visitor came from, or null.
 */
export interface PageViewsTable {
  site: string;
  day: ColumnType<string, string, never>;
  at: ColumnType<Date, Date, never>;
  visitor: ColumnType<Buffer, Buffer, never>;
  path: string;
  referrer: string | null;
}

/** `analytics_budget_spends`: the privacy budget (ε) each noisy report spent, per site and month. */
export interface AnalyticsBudgetSpendsTable {
  spend_id: string;
  site: string;
  /** `YYYY-MM` (UTC): the month the report's days fall in. */
  period: string;
  epsilon: number;
  purpose: string;
  actor: string;
  at: ColumnType<Date, Date, never>;
}

export interface AnalyticsTables {
  analytics_salts: AnalyticsSaltsTable;
  page_views: PageViewsTable;
  analytics_budget_spends: AnalyticsBudgetSpendsTable;
}
