import type { FastifyInstance } from "fastify";
import { actingOf } from "../../http/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import type { DisclosureDeps } from "../disclosures/context.ts";
import { captureOrderForm, FIELDS, readOrderForms } from "./sales-tracking.ts";

const STAFF = { staff: "any" } as const;

const errors = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
};
const cookieId = { type: "string", pattern: "^[A-Za-z0-9_.-]{8,128}$" } as const;
const entrySchema = {
  type: "object",
  additionalProperties: false,
  required: ["entryId", "cookieId", "orderForm", "capturedAt"],
  properties: {
    entryId: { type: "string", format: "uuid" },
    cookieId: { type: "string" },
    orderForm: { type: "object", additionalProperties: { type: "string" } },
    capturedAt: { type: "string", format: "date-time" },
  },
} as const;

export async function salesTrackingRoutes(
  app: FastifyInstance,
  opts: { readonly deps: DisclosureDeps },
): Promise<void> {
  const tags = ["disclosures"];
  const security = [{ apiKey: [] }];
  app.post<{ Body: { cookieId: string; orderForm: Record<string, string> } }>(
    "/v1/sales-tracking",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "collect", purpose: "pack", touches: FIELDS },
      },
      schema: {
        tags,
        security,
        summary:
          "Store order-form data a landing-page cookie captured, in the internal sales-tracking store (ZZ-02)",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["cookieId", "orderForm"],
          properties: {
            cookieId,
            orderForm: {
              type: "object",
              maxProperties: 30,
              propertyNames: { pattern: "^[a-z][a-z0-9_]{0,63}$" },
              additionalProperties: { type: "string", maxLength: 1000 },
            },
          },
        },
        response: {
          201: {
            type: "object",
            additionalProperties: false,
            required: ["entryId", "capturedAt"],
            properties: {
              entryId: { type: "string", format: "uuid" },
              capturedAt: { type: "string", format: "date-time" },
            },
          },
          ...errors,
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(unwrap(await captureOrderForm(opts.deps, actingOf(request), request.body))),
  );
  app.post<{ Body: { cookieId: string } }>(
    "/v1/sales-tracking/search",
    {
      config: { use: { callers: STAFF, personal: true, action: "read", purpose: "pack", touches: FIELDS } },
      schema: {
        tags,
        security,
        summary: "Read the order forms of one cookie, through the gate for the sales-tracking purpose",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["cookieId"],
          properties: { cookieId },
        },
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: entrySchema } },
          },
          ...errors,
        },
      },
    },
    async (request) => ({
      items: unwrap(await readOrderForms(opts.deps, actingOf(request), request.body.cookieId)),
    }),
  );
}
