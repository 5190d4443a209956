import type { FastifyInstance, FastifyRequest } from "fastify";
import { requireCsrf } from "../../http/csrf.ts";
import { customerSession, doNotTrack, gpcSignalled } from "../../http/gpc.ts";
import { requireSecureTransport, type CustomerSession } from "../../http/session.ts";
import { unwrap } from "../../use/refusal.ts";
import type { CustomersDeps } from "../customers/customers.service.ts";
import { DEFAULT_LIMIT, ORDER_ITEMS_FIELD, VIEW_FIELD } from "./recommendations.ts";
import { ownRecommendations, recordOwnView } from "./recommendations.service.ts";

const tags = ["account"];
const CUSTOMER = { customer: true } as const;
const errors = Object.fromEntries([400, 401, 403, 404].map((s) => [s, { $ref: "Problem#" }])) as Record<
  number,
  { $ref: string }
>;

const recommendation = {
  type: "object",
  additionalProperties: false,
  required: ["product", "reason"],
  properties: {
    product: { type: "string" },
    reason: { type: "string", enum: ["viewed", "bought_with"] },
    views: { type: "integer" },
    lastViewedAt: { type: "string", format: "date-time" },
    page: {
      type: "object",
      additionalProperties: false,
      required: ["site", "path"],
      properties: { site: { type: "string" }, path: { type: "string" } },
    },
    boughtWith: { type: "string" },
    orders: { type: "integer" },
    description: { type: ["string", "null"] },
  },
} as const;

/**
 * The Z16-08 exception (docs/analytics.md): a signed-in customer's own product views, and the
 * recommendations made from them and the customer's own orders, for that customer only. The
 * subject is the session's; a request without a session is 401 before anything is read. Recording
 * a view needs X-CSRF-Token; under `Sec-GPC: 1` or `DNT: 1` nothing is recorded.
 */
export async function recommendationRoutes(
  app: FastifyInstance,
  opts: { readonly deps: CustomersDeps },
): Promise<void> {
  const { deps } = opts;
  app.decorateRequest("customer", null);
  app.addHook("onRequest", requireSecureTransport(deps.settings));
  app.addHook("onRequest", customerSession(deps));
  app.addHook("onRequest", requireCsrf());
  const own = (request: FastifyRequest): string => (request.customer as CustomerSession).subjectId;

  app.post<{ Body: { page: string; product: string } }>(
    "/v1/account/views",
    {
      config: {
        use: { callers: CUSTOMER, personal: true, action: "collect", purpose: "pack", touches: [VIEW_FIELD] },
      },
      schema: {
        tags,
        summary: "Record that I viewed a product page, for my own recommendations (Z16-08)",
        description:
          "Kept apart from the site statistics, under my record, for 90 days; only I see it. Nothing is recorded when the request carries `Sec-GPC: 1` or `DNT: 1` (still 204). Needs X-CSRF-Token.",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["page", "product"],
          properties: {
            page: { type: "string", minLength: 1, maxLength: 2048 },
            product: {
              type: "string",
              minLength: 1,
              maxLength: 100,
              pattern: "^[A-Za-z0-9][A-Za-z0-9._:/-]*$",
            },
          },
        },
        response: { 204: { type: "null" }, ...errors },
      },
    },
    async (request, reply) => {
      const optedOut = gpcSignalled(request) || doNotTrack(request);
      unwrap(await recordOwnView(deps.subjects, own(request), { ...request.body, optedOut }));
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: { limit?: string } }>(
    "/v1/account/recommendations",
    {
      config: {
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "read",
          purpose: "pack",
          touches: [VIEW_FIELD, ORDER_ITEMS_FIELD],
        },
      },
      schema: {
        tags,
        summary: "Products recommended to me from the product pages I viewed and my own orders (Z16-08)",
        description:
          "Products I viewed and have not ordered (most recent first), then products I bought together with a product I viewed, each with its reason. Made from my data only.",
        querystring: {
          type: "object",
          additionalProperties: false,
          // The app does not coerce types: `limit` is a digit string, 1 to MAX_LIMIT.
          properties: { limit: { type: "string", pattern: "^(?:[1-9]|[1-4][0-9]|50)$" } },
        },
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["purpose", "items"],
            properties: { purpose: { type: "string" }, items: { type: "array", items: recommendation } },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      void reply.header("cache-control", "no-store");
      const limit = request.query.limit === undefined ? DEFAULT_LIMIT : Number(request.query.limit);
      return unwrap(await ownRecommendations(deps.subjects, own(request), limit));
    },
  );
}
