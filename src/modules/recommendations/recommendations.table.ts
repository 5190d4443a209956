import type { ColumnType } from "kysely";

type Fixed<T> = ColumnType<T, T, never>;

/**
 * `product_views`: one row per product page a signed-in customer viewed (the Z16-08 exception).
 * `view_enc` is `{site, path, product}` as JSON, sealed under the subject's key as field
 * `web_log`; no address, user agent or visitor key is kept, and no row of `page_views` is linked.
 * Created by src/store/migrations/2026121000_product_views.ts.
 */
export interface ProductViewsTable {
  subject_id: Fixed<string>;
  view_id: Fixed<string>;
  at: Fixed<Date>;
  view_enc: Fixed<string>;
  policy_version: Fixed<string>;
}

export interface RecommendationTables {
  product_views: ProductViewsTable;
}
