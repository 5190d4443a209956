import type { ColumnType } from "kysely";

/**
 * `removal_requests`: one row per removal request (Z16-14, Z19-06). No personal value is stored:
 * the email and postal address are kept as the vault's blind indexes (the same indexes the
 * subject's identities and the Do Not Send list carry), and the first name, last name and ZIP as
 * keyed indexes of their normalised forms, which is all that matching needs. Created by
 * src/store/migrations/2026112207_removal_requests.ts.
 */
export interface RemovalRequestsTable {
  request_id: string;
  /** The queue the request is handled from (`customer-service`, `infosec`, …). */
  queue: string;
  status: "queued" | "applied";
  /** The pack field names the request gave, e.g. `first_name,last_name,email,zip`. */
  fields: string;
  jurisdiction: string | null;
  email_index: string | null;
  postal_index: string | null;
  first_name_index: string | null;
  last_name_index: string | null;
  zip_index: string | null;
  matched: number | null;
  received_at: ColumnType<Date, Date | string, never>;
  received_by: ColumnType<string, string, never>;
  applied_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  applied_by: string | null;
}

export interface RemovalTables {
  removal_requests: RemovalRequestsTable;
}
