import { limitOf, pageSchema, paginationQuery } from "../../http/pagination.ts";
import { requiredIfMatch, setETag } from "../../http/etag.ts";
import type { FastifyInstance } from "fastify";
import { actingOf } from "../../http/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import { errorResponses, moveErrorResponses, subjectParams } from "../records/schemas.ts";
import type { RecordsDeps } from "../records/records.ts";
import {
  ORDER_FIELDS,
  ORDER_MOVES,
  ORDER_STATUSES,
  type NewOrder,
  type OrderMoveInput,
  type OrderStatus,
} from "./orders.ts";
import { createOrder, listOrders, moveOrder } from "./orders.service.ts";
import { collectionPointSchema, provenanceSchema, purposeSchema } from "../records/records.ts";

const STAFF = { staff: "any" } as const;

/** On the answer to an order of a customer held for verification (ZM-09): the hold and its reason codes. */
export const fraudHoldRef = {
  type: "object",
  additionalProperties: false,
  required: ["holdId", "reasons"],
  properties: {
    holdId: { type: "string", format: "uuid" },
    reasons: { type: "array", items: { type: "string" } },
  },
} as const;

/** The customer's IP address at an order, for the fraud checks (ZM-09). */
export const sourceAddressSchema = {
  type: "string",
  anyOf: [{ format: "ipv4" }, { format: "ipv6" }],
  description:
    "the customer's IP address at checkout, for the fraud checks (ZM-09); only a blind index of its network is kept",
} as const;

const money = {
  type: "object",
  additionalProperties: false,
  required: ["amount", "currency"],
  properties: {
    amount: { type: "string", pattern: "^-?\\d{1,12}(\\.\\d{1,4})?$" },
    currency: { type: "string", pattern: "^[A-Z]{3}$" },
  },
} as const;

const item = {
  type: "object",
  additionalProperties: false,
  required: ["sku", "quantity", "unitAmount"],
  properties: {
    sku: { type: "string", minLength: 1, maxLength: 64 },
    description: { type: "string", maxLength: 500 },
    quantity: { type: "integer", minimum: 1, maximum: 1_000_000 },
    unitAmount: money.properties.amount,
  },
} as const;

/** Every field an order may carry out; personal ones only when the gate allowed them. */
export const orderSchema = {
  type: "object",
  additionalProperties: false,
  required: ["status", "createdAt", "provenance", "version"],
  properties: {
    orderId: { type: "string" },
    items: { type: "array", items: item },
    total: money,
    status: { type: "string", enum: ORDER_STATUSES },
    createdAt: { type: "string", format: "date-time" },
    provenance: provenanceSchema,
    version: { type: "integer" },
    fraudHold: fraudHoldRef,
  },
} as const;

const orderId = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$" } as const;

/** GET/POST /v1/subjects/:id/orders, and POST …/orders/moves (fulfil, cancel). */
export async function orderRoutes(app: FastifyInstance, opts: RecordsDeps): Promise<void> {
  app.post<{ Params: { id: string }; Body: NewOrder }>(
    "/v1/subjects/:id/orders",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "collect", purpose: "body", touches: ORDER_FIELDS },
        idempotent: true,
      },
      schema: {
        tags: ["orders"],
        summary: "Record an order (a collect use of the order fields for the stated purpose)",
        security: [{ apiKey: [] }],
        params: subjectParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["orderId", "items", "total", "purpose", "collectionPoint"],
          properties: {
            orderId,
            items: { type: "array", minItems: 1, maxItems: 500, items: item },
            total: money,
            purpose: purposeSchema,
            collectionPoint: collectionPointSchema,
            sourceAddress: sourceAddressSchema,
          },
        },
        response: { 201: orderSchema, ...errorResponses, 409: { $ref: "Problem#" } },
      },
    },
    async (request, reply) => {
      const order = unwrap(await createOrder(opts, actingOf(request), request.params.id, request.body));
      setETag(reply, order.version);
      return reply.code(201).send(order);
    },
  );

  // The order's id travels in the body: it is a field of the record, and never goes in a URL.
  app.post<{ Params: { id: string }; Body: OrderMoveInput }>(
    "/v1/subjects/:id/orders/moves",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "collect", purpose: "body", touches: ["order_id"] },
      },
      schema: {
        tags: ["orders"],
        summary: "Fulfil or cancel a placed order (the order's only status changes); needs If-Match",
        security: [{ apiKey: [] }],
        params: subjectParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["orderId", "action", "purpose"],
          properties: {
            orderId,
            action: { type: "string", enum: ORDER_MOVES },
            purpose: purposeSchema,
          },
        },
        response: { 200: orderSchema, ...moveErrorResponses },
      },
    },
    async (request, reply) => {
      const version = requiredIfMatch(request);
      const order = unwrap(
        await moveOrder(opts, actingOf(request), request.params.id, version, request.body),
      );
      setETag(reply, order.version);
      return order;
    },
  );

  app.get<{
    Params: { id: string };
    Querystring: { purpose: string; status?: OrderStatus } & { limit?: string; cursor?: string };
  }>(
    "/v1/subjects/:id/orders",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "read", purpose: "query", touches: ORDER_FIELDS },
      },
      schema: {
        tags: ["orders"],
        summary: "A subject's orders, read for a stated purpose (fields projected by the gate)",
        security: [{ apiKey: [] }],
        params: subjectParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["purpose"],
          properties: {
            purpose: purposeSchema,
            status: { type: "string", enum: ORDER_STATUSES },
            ...paginationQuery,
          },
        },
        response: { 200: pageSchema(orderSchema), ...errorResponses },
      },
    },
    async (request) =>
      unwrap(
        await listOrders(opts, actingOf(request), request.params.id, {
          ...request.query,
          limit: limitOf(request.query),
        }),
      ),
  );
}
