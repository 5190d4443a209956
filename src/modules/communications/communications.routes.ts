import { limitOf, pageSchema, paginationQuery } from "../../http/pagination.ts";
import type { FastifyInstance } from "fastify";
import { CHANNELS, type Channel } from "../../policy/schema.ts";
import { actingOf } from "../../http/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import { errorResponses, subjectParams } from "../records/schemas.ts";
import type { RecordsDeps } from "../records/records.ts";
import { collectionPointSchema, provenanceSchema, purposeSchema } from "../records/records.ts";
import { DIRECTIONS, type Direction, type NewMessage, type OpenRequest } from "./communications.ts";
import { listMessages, openMessage, storeMessage } from "./communications.service.ts";

const STAFF = { staff: "any" } as const;

const metadataProperties = {
  messageId: { type: "string", format: "uuid" },
  direction: { type: "string", enum: DIRECTIONS },
  channel: { type: "string", enum: CHANNELS },
  at: { type: "string", format: "date-time" },
  sizeBytes: { type: "integer" },
  provenance: provenanceSchema,
} as const;
const metadataRequired = ["messageId", "direction", "channel", "at", "sizeBytes", "provenance"] as const;

/** Metadata only: the list can never carry content. */
const metadataSchema = {
  type: "object",
  additionalProperties: false,
  required: metadataRequired,
  properties: metadataProperties,
} as const;

const openedSchema = {
  type: "object",
  additionalProperties: false,
  required: [...metadataRequired, "content", "ground", "caseId"],
  properties: {
    ...metadataProperties,
    content: { type: "string" },
    ground: { type: "string" },
    caseId: { type: ["string", "null"] },
  },
} as const;

/**
 * Communications (ZZ-03, ZZ-11, ZZ-12): store, list metadata, open ONE message's content on a
 * ground for a case. Deliberately no route searches or lists content.
 */
export async function communicationRoutes(app: FastifyInstance, opts: RecordsDeps): Promise<void> {
  const security = [{ apiKey: [] }];

  app.post<{ Params: { id: string }; Body: NewMessage }>(
    "/v1/subjects/:id/communications",
    {
      config: {
        use: {
          callers: STAFF,
          personal: true,
          action: "collect",
          purpose: "body",
          touches: ["message_metadata", "message_content"],
        },
        idempotent: true,
      },
      schema: {
        tags: ["communications"],
        summary: "Store a message being carried for the subject (content encrypted)",
        security,
        params: subjectParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["direction", "channel", "content", "purpose", "collectionPoint"],
          properties: {
            direction: { type: "string", enum: DIRECTIONS },
            channel: { type: "string", enum: CHANNELS },
            content: { type: "string", maxLength: 1_000_000 },
            purpose: purposeSchema,
            collectionPoint: collectionPointSchema,
          },
        },
        response: {
          201: {
            type: "object",
            additionalProperties: false,
            required: ["messageId", "provenance"],
            properties: { messageId: metadataProperties.messageId, provenance: provenanceSchema },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(unwrap(await storeMessage(opts, actingOf(request), request.params.id, request.body))),
  );

  app.get<{
    Params: { id: string };
    Querystring: { purpose: string; channel?: Channel; direction?: Direction } & {
      limit?: string;
      cursor?: string;
    };
  }>(
    "/v1/subjects/:id/communications",
    {
      config: {
        use: {
          callers: STAFF,
          personal: true,
          action: "read",
          purpose: "query",
          touches: ["message_metadata"],
        },
      },
      schema: {
        tags: ["communications"],
        summary: "The metadata of a subject's communications (never content), for a stated purpose",
        security,
        params: subjectParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["purpose"],
          properties: {
            purpose: purposeSchema,
            channel: { type: "string", enum: CHANNELS },
            direction: { type: "string", enum: DIRECTIONS },
            ...paginationQuery,
          },
        },
        response: { 200: pageSchema(metadataSchema), ...errorResponses },
      },
    },
    async (request) =>
      unwrap(
        await listMessages(opts, actingOf(request), request.params.id, {
          ...request.query,
          limit: limitOf(request.query),
        }),
      ),
  );

  app.post<{ Params: { id: string; mid: string }; Body: OpenRequest }>(
    "/v1/subjects/:id/communications/:mid/open",
    {
      config: {
        use: {
          callers: STAFF,
          personal: true,
          action: "open_content",
          purpose: "body",
          touches: ["message_content"],
        },
      },
      schema: {
        tags: ["communications"],
        summary: "Open one message's content on a content ground for a case (ZZ-11, ZZ-12); audited",
        security,
        params: {
          type: "object",
          required: ["id", "mid"],
          properties: { id: { type: "string", format: "uuid" }, mid: { type: "string", format: "uuid" } },
        },
        body: {
          type: "object",
          additionalProperties: false,
          required: ["purpose", "ground"],
          properties: {
            purpose: purposeSchema,
            ground: { type: "string", pattern: "^[a-z][a-z0-9_-]{0,63}$" },
            caseId: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$" },
          },
        },
        response: { 200: openedSchema, ...errorResponses },
      },
    },
    async (request) =>
      unwrap(await openMessage(opts, actingOf(request), request.params.id, request.params.mid, request.body)),
  );
}
