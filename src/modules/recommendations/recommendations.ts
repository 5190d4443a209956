import { pageViewOf } from "../analytics/analytics.ts";

/**
 * Product recommendations for one signed-in customer (the Z16-08 exception: their own visits
 * joined with their own orders, for recommendations to that customer). The pure part: what a
 * product view keeps, and how recommendations are ranked. Nothing here looks at another
 * customer's data or at the anonymous site statistics.
 *
 * The recommender is deliberately simple and says why each product is there:
 *
 *  1. `viewed`: products the customer viewed and has not ordered (a cancelled order does not
 *     count as ordered), most recently viewed first, then most viewed, then by product id.
 *  2. `bought_with`: products that were in one of the customer's own orders together with a
 *     product they viewed (a printer they view again, and the toner they bought with it), ranked
 *     by how many of their orders held both, then by how recently the viewed product was seen.
 *     A product already listed is not repeated.
 *
 * Only views of the last RECENT_DAYS count; older ones are deleted when the customer records a
 * new view, and never used.
 */

/** How long a product view is kept and used. */
export const RECENT_DAYS = 90;
export const RECENT_MS = RECENT_DAYS * 86_400_000;
/** The most views one recommendation reads (the newest). */
export const MAX_VIEWS_READ = 2000;
export const DEFAULT_LIMIT = 10;
/** The most one answer lists (the route's `limit` pattern allows 1 to 50). */
export const MAX_LIMIT = 50;

/** The pack field a product view is (category `user.behavior.browsing_history`). */
export const VIEW_FIELD = "web_log";
/** The pack field the orders' items are (category `user.behavior.purchase_history`). */
export const ORDER_ITEMS_FIELD = "order_items";

/** A product page the customer viewed: what is sealed in `view_enc`. */
export interface ProductView {
  readonly site: string;
  /** The page's path, without query string or fragment. */
  readonly path: string;
  /** The product the page shows: the same id as an order item's `sku`. */
  readonly product: string;
}

/**
 * What is kept of a view the customer's browser reports: the page's host and path (never its
 * query string or fragment) and the product id. Null for a page that is not an http(s) URL.
 */
export function productViewOf(page: string, product: string): ProductView | null {
  // Read as a page view of the site statistics is: host and path, the same length limit.
  const seen = pageViewOf(page, undefined);
  return seen === null ? null : { site: seen.site, path: seen.path, product };
}

export interface SeenView extends ProductView {
  readonly at: Date;
}

/** One of the customer's own orders, decrypted; given oldest first. */
export interface OwnOrder {
  readonly cancelled: boolean;
  readonly items: readonly { readonly sku: string; readonly description?: string }[];
}

export type Recommendation =
  | {
      readonly product: string;
      readonly reason: "viewed";
      /** How many times the customer viewed it in the last RECENT_DAYS. */
      readonly views: number;
      readonly lastViewedAt: string;
      /** The page the customer last viewed it on. */
      readonly page: { readonly site: string; readonly path: string };
    }
  | {
      readonly product: string;
      readonly reason: "bought_with";
      /** The viewed product it was bought together with. */
      readonly boughtWith: string;
      /** How many of the customer's orders held both. */
      readonly orders: number;
      /** The item's description in the customer's latest order holding it, if it had one. */
      readonly description: string | null;
    };

interface Seen {
  views: number;
  last: SeenView;
}

export function recommend(
  views: readonly SeenView[],
  orders: readonly OwnOrder[],
  limit: number,
): Recommendation[] {
  const seen = new Map<string, Seen>();
  for (const v of views) {
    const s = seen.get(v.product);
    if (s === undefined) seen.set(v.product, { views: 1, last: v });
    else {
      s.views++;
      if (v.at > s.last.at) s.last = v;
    }
  }
  const kept = orders.filter((o) => !o.cancelled);
  const ordered = new Set(kept.flatMap((o) => o.items.map((i) => i.sku)));
  const byRecency = [...seen.entries()].sort(
    ([a, x], [b, y]) => y.last.at.getTime() - x.last.at.getTime() || y.views - x.views || a.localeCompare(b),
  );
  const out: Recommendation[] = byRecency
    .filter(([product]) => !ordered.has(product))
    .map(([product, s]) => ({
      product,
      reason: "viewed" as const,
      views: s.views,
      lastViewedAt: s.last.at.toISOString(),
      page: { site: s.last.site, path: s.last.path },
    }));
  const listed = new Set(out.map((r) => r.product));
  // Co-occurrence within this customer's own orders, per viewed product, in order of recency.
  const pairs: {
    product: string;
    boughtWith: string;
    orders: number;
    rank: number;
    description: string | null;
  }[] = [];
  byRecency.forEach(([viewed], rank) => {
    const together = new Map<string, { orders: number; description: string | null }>();
    for (const order of kept) {
      const skus = new Set(order.items.map((i) => i.sku));
      if (!skus.has(viewed)) continue;
      for (const item of order.items) {
        if (item.sku === viewed) continue;
        const t = together.get(item.sku) ?? { orders: 0, description: null };
        // One order counts once, however many lines name the product.
        if (!counted(order, item)) continue;
        t.orders++;
        t.description = item.description ?? t.description;
        together.set(item.sku, t);
      }
    }
    for (const [product, t] of together) pairs.push({ product, boughtWith: viewed, rank, ...t });
  });
  pairs.sort((a, b) => b.orders - a.orders || a.rank - b.rank || a.product.localeCompare(b.product));
  for (const p of pairs) {
    if (listed.has(p.product)) continue;
    listed.add(p.product);
    out.push({
      product: p.product,
      reason: "bought_with",
      boughtWith: p.boughtWith,
      orders: p.orders,
      description: p.description,
    });
  }
  return out.slice(0, limit);
}

/** Whether `item` is the first line of `order` naming its product (an order counts once). */
function counted(order: OwnOrder, item: OwnOrder["items"][number]): boolean {
  return order.items.find((i) => i.sku === item.sku) === item;
}
