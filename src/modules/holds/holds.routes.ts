import type { FastifyInstance } from "fastify";
import { actingOf } from "../../http/acting.ts";
import { ADMIN_ROLE } from "../../use/acting.ts";
import { subjectParams } from "../records/schemas.ts";
import { HOLD_ROLES, MATTER_PATTERN } from "./holds.ts";
import { listHolds, placeHold, releaseHold, type HoldsDeps } from "./holds.service.ts";

const tags = ["legal holds"];
const security = [{ apiKey: [] }];
const CALLERS = { staff: [ADMIN_ROLE, ...HOLD_ROLES] } as const;

const hold = {
  type: "object",
  additionalProperties: false,
  required: ["id", "subjectId", "matter", "placedBy", "placedAt", "releasedBy", "releasedAt"],
  properties: {
    id: { type: "string", format: "uuid" },
    subjectId: { type: "string", format: "uuid" },
    matter: { type: "string" },
    placedBy: { type: "string" },
    placedAt: { type: "string", format: "date-time" },
    releasedBy: { type: ["string", "null"] },
    releasedAt: { type: ["string", "null"], format: "date-time" },
  },
} as const;

const problems = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
};

/**
 * Legal holds on a person under /v1/subjects/:id/legal-holds: place one (naming its matter by
 * reference), list them, release one. Admin or the pack's `legal` role. While a hold is active
 * the person is not erased (docs/holds.md).
 */
export async function holdRoutes(app: FastifyInstance, opts: { readonly deps: HoldsDeps }): Promise<void> {
  const { deps } = opts;

  app.post<{ Params: { id: string }; Body: { matter: string } }>(
    "/v1/subjects/:id/legal-holds",
    {
      config: { idempotent: true, use: { callers: CALLERS, personal: false } },
      schema: {
        tags,
        security,
        summary: "Place a legal hold on a person: they are not erased while it lasts",
        params: subjectParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["matter"],
          properties: {
            matter: {
              type: "string",
              pattern: MATTER_PATTERN,
              description: "the matter's reference (a case or docket number), not a description",
            },
          },
        },
        response: { 201: hold, ...problems },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await placeHold(deps, actingOf(request), request.params.id, request.body.matter)),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/subjects/:id/legal-holds",
    {
      config: { use: { callers: CALLERS, personal: false } },
      schema: {
        tags,
        security,
        summary: "A person's legal holds, active and released, newest first",
        params: subjectParams,
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: hold } },
          },
          ...problems,
        },
      },
    },
    async (request) => ({ items: await listHolds(deps.db, request.params.id) }),
  );

  app.post<{ Params: { id: string; holdId: string } }>(
    "/v1/subjects/:id/legal-holds/:holdId/release",
    {
      config: { use: { callers: CALLERS, personal: false } },
      schema: {
        tags,
        security,
        summary: "Release a legal hold (a released one is returned as it is)",
        params: {
          type: "object",
          required: ["id", "holdId"],
          properties: { id: { type: "string", format: "uuid" }, holdId: { type: "string", format: "uuid" } },
        },
        response: { 200: hold, ...problems },
      },
    },
    async (request) => releaseHold(deps, actingOf(request), request.params.id, request.params.holdId),
  );
}
