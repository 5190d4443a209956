import type { LightMyRequestResponse } from "fastify";
import { as, signedUp, type Signed } from "../customers/helpers.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/**
 * The Z16-08 exception over HTTP: a zones app with a clock the test moves, signed-in customers
 * who view product pages and get recommendations, and staff who record their orders.
 */
export interface RecsFixture {
  readonly t: TestApp;
  /** Keys of staff: admin (the system), customer service (orders), and the pack's other roles. */
  readonly keys: Readonly<Record<"admin" | "customer_service" | "marketing" | "analyst" | "legal", string>>;
  at(instant: string): void;
  customer(): Promise<Signed>;
  view(
    c: Signed,
    page: string,
    product: string,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  recommendations(c: Signed, query?: string): Promise<LightMyRequestResponse>;
  order(
    c: Signed,
    orderId: string,
    items: readonly { sku: string; description?: string }[],
  ): Promise<LightMyRequestResponse>;
  staff(
    method: "GET" | "POST" | "DELETE",
    url: string,
    key: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
  /** How many product views are stored for the customer. */
  stored(c: Signed): Promise<number>;
}

export async function recsFixture(start = "2018-06-01T12:00:00Z"): Promise<RecsFixture> {
  let now = new Date(start);
  const t = await buildTestApp({ company: "zones", clock: () => now });
  const keys = {
    admin: await t.apiKey("admin"),
    customer_service: await t.apiKey("customer_service"),
    marketing: await t.apiKey("marketing"),
    analyst: await t.apiKey("analyst"),
    legal: await t.apiKey("legal"),
  };
  const staff: RecsFixture["staff"] = (method, url, key, body) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  return {
    t,
    keys,
    at(instant) {
      now = new Date(instant);
    },
    customer: () => signedUp(t.app),
    view: (c, page, product, headers = {}) =>
      t.app.inject({
        method: "POST",
        url: "/v1/account/views",
        headers: as(c, headers),
        payload: { page, product },
      }),
    recommendations: (c, query = "") =>
      t.app.inject({ method: "GET", url: `/v1/account/recommendations${query}`, headers: as(c, {}, false) }),
    order: (c, orderId, items) =>
      staff("POST", `/v1/subjects/${c.subjectId}/orders`, keys.customer_service, {
        orderId,
        items: items.map((i) => ({ ...i, quantity: 1, unitAmount: "10.00" })),
        total: { amount: (10 * items.length).toFixed(2), currency: "USD" },
        purpose: "essential.service.order_fulfilment",
        collectionPoint: "web.checkout",
      }),
    staff,
    async stored(c) {
      const rows = await t.store.db
        .selectFrom("product_views")
        .select("view_id")
        .where("subject_id", "=", c.subjectId)
        .execute();
      return rows.length;
    },
  };
}
