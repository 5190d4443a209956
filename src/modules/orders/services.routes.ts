import { fraudHoldRef, sourceAddressSchema } from "./orders.routes.ts";
import { limitOf, pageSchema, paginationQuery } from "../../http/pagination.ts";
import { requiredIfMatch, setETag } from "../../http/etag.ts";
import type { FastifyInstance } from "fastify";
import { errorOf, unwrap } from "../../use/refusal.ts";
import { actingOf } from "../../http/acting.ts";
import { errorResponses, moveErrorResponses, subjectParams } from "../records/schemas.ts";
import type { RecordsDeps } from "../records/records.ts";
import { SERVICE_FIELDS, SERVICE_STATUSES, type ServiceStatus } from "./orders.ts";
import { collectionPointSchema, provenanceSchema, purposeSchema } from "../records/records.ts";
import { addService, changeService, listServices, type ServiceChange } from "./services.service.ts";

const STAFF = { staff: "any" } as const;

export const plan = {
  type: "string",
  minLength: 1,
  maxLength: 200,
  description: "the plan or product of the service",
} as const;

export const serviceSchema = {
  type: "object",
  additionalProperties: false,
  required: ["serviceId", "status", "createdAt", "updatedAt", "provenance", "version"],
  properties: {
    serviceId: { type: "string", format: "uuid" },
    plan: { type: "string" },
    history: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["seq", "action", "plan", "at", "actor", "provenance"],
        properties: {
          seq: { type: "integer" },
          action: { type: "string", enum: ["add", "change", "cancel"] },
          plan: { type: "string" },
          at: { type: "string", format: "date-time" },
          actor: { type: "string" },
          provenance: provenanceSchema,
        },
      },
    },
    status: { type: "string", enum: SERVICE_STATUSES },
    createdAt: { type: "string", format: "date-time" },
    updatedAt: { type: "string", format: "date-time" },
    provenance: provenanceSchema,
    version: { type: "integer" },
    fraudHold: fraudHoldRef,
  },
} as const;

const serviceParams = {
  type: "object",
  required: ["id", "serviceId"],
  properties: { id: { type: "string", format: "uuid" }, serviceId: { type: "string", format: "uuid" } },
} as const;

/** GET/POST /v1/subjects/:id/services and PATCH …/services/:serviceId (change, cancel: ZM-07). */
export async function serviceRoutes(app: FastifyInstance, opts: RecordsDeps): Promise<void> {
  const security = [{ apiKey: [] }];

  app.post<{ Params: { id: string }; Body: { plan: string; purpose: string; collectionPoint: string } }>(
    "/v1/subjects/:id/services",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "collect", purpose: "body", touches: SERVICE_FIELDS },
        idempotent: true,
      },
      schema: {
        tags: ["services"],
        summary: "Add a service (ZM-07)",
        security,
        params: subjectParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["plan", "purpose", "collectionPoint"],
          properties: {
            plan,
            purpose: purposeSchema,
            collectionPoint: collectionPointSchema,
            sourceAddress: sourceAddressSchema,
          },
        },
        response: { 201: serviceSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const service = unwrap(await addService(opts, actingOf(request), request.params.id, request.body));
      setETag(reply, service.version);
      return reply.code(201).send(service);
    },
  );

  app.patch<{ Params: { id: string; serviceId: string }; Body: ServiceChange }>(
    "/v1/subjects/:id/services/:serviceId",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "collect", purpose: "body", touches: SERVICE_FIELDS },
      },
      schema: {
        tags: ["services"],
        summary: "Change the plan of a service, or cancel it (ZM-07); needs If-Match",
        security,
        params: serviceParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["action", "purpose", "collectionPoint"],
          properties: {
            action: { type: "string", enum: ["change", "cancel"] },
            plan,
            purpose: purposeSchema,
            collectionPoint: collectionPointSchema,
          },
          if: { properties: { action: { const: "change" } } },
          then: { required: ["plan"] },
          else: { not: { required: ["plan"] } },
        },
        response: { 200: serviceSchema, ...moveErrorResponses },
      },
    },
    async (request, reply) => {
      const version = requiredIfMatch(request);
      const { id, serviceId } = request.params;
      const service = unwrap(
        await changeService(opts, actingOf(request), id, serviceId, version, request.body),
      );
      setETag(reply, service.version);
      return service;
    },
  );

  app.get<{
    Params: { id: string };
    Querystring: { purpose: string; status?: ServiceStatus } & { limit?: string; cursor?: string };
  }>(
    "/v1/subjects/:id/services",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "read", purpose: "query", touches: SERVICE_FIELDS },
      },
      schema: {
        tags: ["services"],
        summary: "A subject's services with their history, read for a stated purpose",
        security,
        params: subjectParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["purpose"],
          properties: {
            purpose: purposeSchema,
            status: { type: "string", enum: SERVICE_STATUSES },
            ...paginationQuery,
          },
        },
        response: { 200: pageSchema(serviceSchema), ...errorResponses },
      },
    },
    async (request) =>
      unwrap(
        await listServices(opts, actingOf(request), request.params.id, {
          ...request.query,
          limit: limitOf(request.query),
        }),
      ),
  );

  app.get<{ Params: { id: string; serviceId: string }; Querystring: { purpose: string } }>(
    "/v1/subjects/:id/services/:serviceId",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "read", purpose: "query", touches: SERVICE_FIELDS },
      },
      schema: {
        tags: ["services"],
        summary: "One service with its history and ETag, read for a stated purpose",
        security,
        params: serviceParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["purpose"],
          properties: { purpose: purposeSchema },
        },
        response: { 200: serviceSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id, serviceId } = request.params;
      const page = unwrap(
        await listServices(opts, actingOf(request), id, {
          purpose: request.query.purpose,
          limit: 1,
          serviceId,
        }),
      );
      const service = page.items[0];
      if (service === undefined) throw errorOf({ kind: "not_found" });
      setETag(reply, service.version);
      return service;
    },
  );
}
