import { limitOf, pageSchema, paginationQuery } from "../../http/pagination.ts";
import { requiredIfMatch, setETag } from "../../http/etag.ts";
import type { FastifyInstance } from "fastify";
import { PledgeError } from "../../errors.ts";
import { actingOf } from "../../http/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import { errorResponses, subjectParams } from "../records/schemas.ts";
import type { RecordsDeps } from "../records/records.ts";
import { collectionPointSchema, provenanceSchema, purposeSchema } from "../records/records.ts";
import { PAYMENT_FIELDS, type NewPaymentMethod } from "./payments.ts";
import {
  addPaymentMethod,
  chargeRequestKey,
  chargePaymentMethod,
  listPaymentMethods,
  setPaymentMethodReuse,
  type PaymentsDeps,
} from "./payments.service.ts";
import { recordPermissionInLedger, type PermissionRecorder } from "./permissions.ts";

const STAFF = { staff: "any" } as const;

export interface PaymentRoutesOptions extends RecordsDeps {
  /** How the card_reuse permission is recorded; the consent ledger by default. */
  readonly recordPermission?: PermissionRecorder;
}

const orderId = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$" } as const;

export const paymentMethodSchema = {
  type: "object",
  additionalProperties: false,
  required: ["paymentMethodId", "givenForOrder", "reuseAllowed", "createdAt", "provenance", "version"],
  properties: {
    paymentMethodId: { type: "string", format: "uuid" },
    token: { type: "string" },
    brand: { type: "string" },
    last4: { type: "string" },
    expiry: { type: "string" },
    givenForOrder: { type: "string" },
    reuseAllowed: { type: "boolean" },
    createdAt: { type: "string", format: "date-time" },
    provenance: provenanceSchema,
    version: { type: "integer" },
  },
} as const;

const chargeSchema = {
  type: "object",
  additionalProperties: false,
  required: ["chargeId", "paymentMethodId", "orderId", "reuse", "token", "chargedAt", "policyVersion"],
  properties: {
    chargeId: { type: "string", format: "uuid" },
    paymentMethodId: { type: "string", format: "uuid" },
    orderId: { type: "string" },
    reuse: { type: "boolean" },
    token: {
      type: "string",
      description: "the provider token, for the caller's own call to the payment provider",
    },
    chargedAt: { type: "string", format: "date-time" },
    policyVersion: { type: "string" },
  },
} as const;

const methodParams = {
  type: "object",
  required: ["id", "pm"],
  properties: { id: { type: "string", format: "uuid" }, pm: { type: "string", format: "uuid" } },
} as const;

/** Payment methods (ZM-14, Z16-01, PS-02) and their charges. */
export async function paymentRoutes(app: FastifyInstance, opts: PaymentRoutesOptions): Promise<void> {
  const deps: PaymentsDeps = { ...opts, recordPermission: opts.recordPermission ?? recordPermissionInLedger };
  const security = [{ apiKey: [] }];

  app.post<{ Params: { id: string }; Body: NewPaymentMethod }>(
    "/v1/subjects/:id/payment-methods",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "collect", purpose: "body", touches: PAYMENT_FIELDS },
        idempotent: true,
      },
      schema: {
        tags: ["payments"],
        summary: "Store a payment method as the provider's token (never a card number)",
        security,
        params: subjectParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: [
            "token",
            "brand",
            "last4",
            "expiry",
            "orderId",
            "reuseAllowed",
            "purpose",
            "collectionPoint",
          ],
          properties: {
            token: { type: "string", minLength: 4, maxLength: 255 },
            brand: { type: "string", pattern: "^[a-z][a-z0-9_-]{1,31}$" },
            last4: { type: "string", maxLength: 8 },
            expiry: { type: "string", pattern: "^(0[1-9]|1[0-2])/\\d{4}$" },
            orderId,
            reuseAllowed: { type: "boolean" },
            purpose: purposeSchema,
            collectionPoint: collectionPointSchema,
          },
        },
        response: { 201: paymentMethodSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const method = unwrap(await addPaymentMethod(deps, actingOf(request), request.params.id, request.body));
      setETag(reply, method.version);
      return reply.code(201).send(method);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { purpose: string } & { limit?: string; cursor?: string } }>(
    "/v1/subjects/:id/payment-methods",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "read", purpose: "query", touches: PAYMENT_FIELDS },
      },
      schema: {
        tags: ["payments"],
        summary: "A subject's payment methods, read for a stated purpose",
        security,
        params: subjectParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["purpose"],
          properties: { purpose: purposeSchema, ...paginationQuery },
        },
        response: { 200: pageSchema(paymentMethodSchema), ...errorResponses },
      },
    },
    async (request) =>
      unwrap(
        await listPaymentMethods(deps, actingOf(request), request.params.id, {
          ...request.query,
          limit: limitOf(request.query),
        }),
      ),
  );

  app.patch<{
    Params: { id: string; pm: string };
    Body: { reuseAllowed: boolean; purpose: string; collectionPoint: string };
  }>(
    "/v1/subjects/:id/payment-methods/:pm",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "collect", purpose: "body", touches: PAYMENT_FIELDS },
      },
      schema: {
        tags: ["payments"],
        summary: "Record whether the customer allows the method to be charged again (If-Match)",
        security,
        params: methodParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["reuseAllowed", "purpose", "collectionPoint"],
          properties: {
            reuseAllowed: { type: "boolean" },
            purpose: purposeSchema,
            collectionPoint: collectionPointSchema,
          },
        },
        response: {
          200: paymentMethodSchema,
          ...errorResponses,
          412: { $ref: "Problem#" },
          428: { $ref: "Problem#" },
        },
      },
    },
    async (request, reply) => {
      const version = requiredIfMatch(request);
      const { id, pm } = request.params;
      const method = unwrap(
        await setPaymentMethodReuse(deps, actingOf(request), id, pm, version, request.body),
      );
      setETag(reply, method.version);
      return method;
    },
  );

  app.post<{ Params: { id: string; pm: string }; Body: { orderId: string; purpose: string } }>(
    "/v1/subjects/:id/payment-methods/:pm/charges",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "charge", purpose: "body", touches: ["card_token"] },
      },
      schema: {
        tags: ["payments"],
        summary:
          "Authorise a charge of the method for an order (ZM-14); returns the token for the provider call",
        security,
        params: methodParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["orderId", "purpose"],
          properties: { orderId, purpose: purposeSchema },
        },
        response: { 201: chargeSchema, ...errorResponses, 422: { $ref: "Problem#" } },
      },
    },
    async (request, reply) => {
      const { id, pm } = request.params;
      const caller = actingOf(request);
      const key = request.headers["idempotency-key"];
      if (key !== undefined && (typeof key !== "string" || !/^[\x21-\x7e]{8,255}$/.test(key))) {
        throw new PledgeError(
          "PLEDGE_VALIDATION_FAILED",
          "Idempotency-Key must be 8–255 visible ASCII characters",
        );
      }
      const input = {
        ...request.body,
        ...(key === undefined ? {} : { requestKey: chargeRequestKey(caller.actor.id, key) }),
      };
      const charge = unwrap(await chargePaymentMethod(deps, caller, id, pm, input));
      return reply.code(201).send(charge);
    },
  );
}
