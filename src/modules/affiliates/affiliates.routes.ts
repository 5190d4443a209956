import type { FastifyInstance } from "fastify";
import { actingOf } from "../../http/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import type { DisclosureDeps } from "../disclosures/context.ts";
import { IDENTITY_FIELDS, recordConversion, type ConversionInput } from "./affiliates.ts";

const conversionSchema = {
  type: "object",
  additionalProperties: false,
  required: ["token", "affiliate", "disclosures", "identity", "identityClauses"],
  properties: {
    token: { type: "string" },
    affiliate: { type: "string" },
    disclosures: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["recipient", "disclosureId", "fields"],
        properties: {
          recipient: { type: "string" },
          disclosureId: { type: "string", format: "uuid" },
          fields: { type: "array", items: { type: "string" } },
        },
      },
    },
    identity: { type: ["object", "null"], additionalProperties: { type: "string" } },
    identityClauses: { type: "array", items: { type: "string" } },
  },
} as const;

export async function affiliateRoutes(
  app: FastifyInstance,
  opts: { readonly deps: DisclosureDeps },
): Promise<void> {
  app.post<{ Body: ConversionInput }>(
    "/v1/affiliate-conversions",
    {
      config: {
        use: {
          callers: { staff: "any" },
          personal: true,
          action: "disclose",
          purpose: "pack",
          touches: ["affiliate_token", ...IDENTITY_FIELDS],
        },
      },
      schema: {
        tags: ["disclosures"],
        security: [{ apiKey: [] }],
        summary:
          "Record a purchase through an affiliate link (Z16-11): a non-identifying token for the tracker",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["affiliate"],
          oneOf: [{ required: ["orderId"] }, { required: ["subjectId"] }],
          properties: {
            orderId: { type: "string", minLength: 1, maxLength: 100 },
            subjectId: { type: "string", format: "uuid" },
            affiliate: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$", maxLength: 100 },
          },
        },
        response: {
          201: conversionSchema,
          400: { $ref: "Problem#" },
          401: { $ref: "Problem#" },
          403: { $ref: "Problem#" },
          404: { $ref: "Problem#" },
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(unwrap(await recordConversion(opts.deps, actingOf(request), request.body))),
  );
}
