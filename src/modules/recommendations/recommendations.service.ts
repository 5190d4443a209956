import { PledgeError } from "../../errors.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import { customerActing } from "../../use/acting.ts";
import { use, type UseDeps } from "../../use/kernel.ts";
import { failWith, ok, type Result } from "../../use/refusal.ts";
import { allOrderRows } from "../orders/orders.repository.ts";
import type { OrderItem } from "../orders/orders.ts";
import { deleteViewsBefore, insertProductView, recentViews } from "./recommendations.repository.ts";
import {
  MAX_VIEWS_READ,
  ORDER_ITEMS_FIELD,
  productViewOf,
  recommend,
  RECENT_MS,
  VIEW_FIELD,
  type ProductView,
  type Recommendation,
} from "./recommendations.ts";

/**
 * The Z16-08 exception, as uses of the customer's own record. Every call acts as the signed-in
 * customer (`customer:<id>`) on their own subject id, which comes from the session, never from
 * the request, under the pack's own-use purpose: the gate decides and the decision is audited,
 * like every other use. Staff, keys, recipients and aggregates never reach these views: the
 * purpose is `own_use_only` (gate rule 5) and the views are kept in their own table, apart from
 * the anonymous site statistics and never joined with them.
 */

/** The purpose id asked when the pack has no own-use purpose over views and orders (the gate refuses it, rule 2). */
export const RECOMMENDATIONS_PURPOSE = "personalize.recommendations";

/**
 * The pack's purpose for recommendations to the customer: the first `own_use_only` purpose whose
 * categories hold both a product view (`web_log`) and the orders' items (`order_items`).
 */
export function recommendationsPurpose(pack: PolicyPack): string {
  const owner = new Map(pack.categories.flatMap((c) => c.fields.map((f) => [f, c.id] as const)));
  const views = owner.get(VIEW_FIELD);
  const items = owner.get(ORDER_ITEMS_FIELD);
  const found = pack.purposes.find(
    (p) =>
      p.own_use_only &&
      views !== undefined &&
      items !== undefined &&
      p.categories.includes(views) &&
      p.categories.includes(items),
  );
  return found?.id ?? RECOMMENDATIONS_PURPOSE;
}

export interface ViewInput {
  /** The page's URL as the browser has it; only its host and path are kept. */
  readonly page: string;
  /** The product the page shows (an order item's `sku`). */
  readonly product: string;
  /** The browser asked not to be tracked: `Sec-GPC: 1` or `DNT: 1`. Nothing is recorded. */
  readonly optedOut: boolean;
}

/**
 * Records that the signed-in customer viewed a product page: a `collect` of `web_log` under the
 * own-use purpose. Under GPC or Do Not Track nothing is recorded and the gate is not asked. The
 * customer's views older than RECENT_DAYS are deleted in the same transaction.
 */
export async function recordOwnView(
  deps: UseDeps,
  subjectId: string,
  input: ViewInput,
): Promise<Result<"recorded" | "dropped">> {
  if (input.optedOut) return ok("dropped");
  const seen = productViewOf(input.page, input.product);
  if (seen === null) {
    return failWith(new PledgeError("PLEDGE_VALIDATION_FAILED", "`page` must be an http(s) URL"));
  }
  const { pack } = deps.policies.at(deps.clock().toISOString());
  const ask = { action: "collect", purpose: recommendationsPurpose(pack), fields: [VIEW_FIELD] } as const;
  return use(deps, customerActing(subjectId), { subject: subjectId }, ask, async (scope) => {
    const fields = await scope.view();
    await insertProductView(scope.trx, {
      subject_id: subjectId,
      at: scope.now,
      view_enc: fields.seal(VIEW_FIELD, JSON.stringify(seen satisfies ProductView)),
      policy_version: scope.decision.policy.version,
    });
    await deleteViewsBefore(scope.trx, subjectId, new Date(scope.now.getTime() - RECENT_MS));
    return ok("recorded" as const);
  });
}

export interface OwnRecommendations {
  readonly purpose: string;
  readonly items: readonly Recommendation[];
}

/**
 * Recommendations for the signed-in customer: a `read` of their own `web_log` and `order_items`
 * under the own-use purpose, joining their recent product views with their own orders (see
 * recommendations.ts for the ranking). Nothing of any other person is read.
 */
export async function ownRecommendations(
  deps: UseDeps,
  subjectId: string,
  limit: number,
): Promise<Result<OwnRecommendations>> {
  const { pack } = deps.policies.at(deps.clock().toISOString());
  const purpose = recommendationsPurpose(pack);
  const ask = { action: "read", purpose, fields: [VIEW_FIELD, ORDER_ITEMS_FIELD] } as const;
  return use(deps, customerActing(subjectId), { subject: subjectId }, ask, async (scope) => {
    const fields = await scope.view();
    const since = new Date(scope.now.getTime() - RECENT_MS);
    const views = (await recentViews(scope.trx, subjectId, since, MAX_VIEWS_READ)).map((r) => ({
      ...(JSON.parse(fields.open(VIEW_FIELD, r.view_enc)) as ProductView),
      at: r.at,
    }));
    const orders = (await allOrderRows(scope.trx, subjectId))
      .sort((a, b) => a.created_at.getTime() - b.created_at.getTime())
      .map((o) => ({
        cancelled: o.status === "cancelled",
        items: JSON.parse(fields.open(ORDER_ITEMS_FIELD, o.items_enc)) as OrderItem[],
      }));
    return ok({ purpose, items: recommend(views, orders, limit) });
  });
}
