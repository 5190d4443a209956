import { randomUUID } from "node:crypto";
import type { Acting } from "../../use/acting.ts";
import { use } from "../../use/kernel.ts";
import { ok, type Result } from "../../use/refusal.ts";
import type { DisclosureDeps } from "../disclosures/context.ts";

/**
 * The internal sales-tracking store (ZZ-02): order-form data that landing-page cookies capture is
 * written here and nowhere else, and read back only through the gate for the sales-tracking
 * purpose. Exports and shares refuse its fields for any other recipient (context.ts,
 * internalOnlyRefusal), and the pack lists no other recipient of its categories.
 */
const PURPOSE = "marketing.sales_tracking";
const RECIPIENT = "sales-tracking";
export const FIELDS = ["cookie_id", "landing_order_form"] as const;

/**
 * Captures a landing page's order form: a `collect` for the sales-tracking purpose, into the
 * internal store as the recipient. The data is held of nobody on record (a cookie's), so the
 * use-level rules decide (0–16); the row and the decision commit together.
 */
export async function captureOrderForm(
  deps: DisclosureDeps,
  acting: Acting,
  input: { cookieId: string; orderForm: Record<string, string> },
): Promise<Result<{ entryId: string; capturedAt: string }>> {
  const ask = { action: "collect", purpose: PURPOSE, recipient: RECIPIENT, fields: [...FIELDS] } as const;
  return use(deps, acting, { nobody: true }, ask, async ({ trx, now, decision }) => {
    const entryId = randomUUID();
    await trx
      .insertInto("sales_tracking")
      .values({
        entry_id: entryId,
        cookie_id: input.cookieId,
        order_form: JSON.stringify(input.orderForm),
        policy_version: decision.policy.version,
        captured_at: now,
      })
      .execute();
    return ok({ entryId, capturedAt: now.toISOString() });
  });
}

export async function readOrderForms(
  deps: DisclosureDeps,
  acting: Acting,
  cookieId: string,
): Promise<
  Result<{ entryId: string; cookieId: string; orderForm: Record<string, string>; capturedAt: string }[]>
> {
  const ask = { action: "read", purpose: PURPOSE, fields: [...FIELDS] } as const;
  return use(deps, acting, { nobody: true }, ask, async ({ trx }) => {
    const rows = await trx
      .selectFrom("sales_tracking")
      .selectAll()
      .where("cookie_id", "=", cookieId)
      .orderBy("captured_at")
      .orderBy("entry_id")
      .execute();
    return ok(
      rows.map((r) => ({
        entryId: r.entry_id,
        cookieId: r.cookie_id,
        orderForm:
          typeof r.order_form === "string"
            ? (JSON.parse(r.order_form) as Record<string, string>)
            : r.order_form,
        capturedAt: new Date(r.captured_at).toISOString(),
      })),
    );
  });
}
