import type { FastifyInstance, FastifyRequest } from "fastify";
import { PledgeError } from "../../errors.ts";
import { actingOf } from "../../http/acting.ts";
import { ADMIN_ROLE } from "../../use/acting.ts";
import { REQUEST_STATES } from "../requests/requests.ts";
import { postalAddress } from "../suppression/suppression.schemas.ts";
import type { RequestsDeps } from "../requests/requests.service.ts";
import { mayHandleQueue } from "../requests/requests.match.ts";
import {
  applyRemoval,
  listRemovals,
  queueOfRemoval,
  receiveRemoval,
  type RemovalInput,
} from "./removal.service.ts";

export interface RemovalRoutesOptions {
  readonly deps: RequestsDeps;
}

const requestBody = {
  type: "object",
  additionalProperties: false,
  properties: {
    firstName: { type: "string", minLength: 1, maxLength: 200 },
    lastName: { type: "string", minLength: 1, maxLength: 200 },
    email: { type: "string", minLength: 1, maxLength: 320 },
    postalAddress,
    zip: { type: "string", minLength: 1, maxLength: 20 },
    jurisdiction: {
      type: "string",
      minLength: 2,
      maxLength: 12,
      description: "a country (DE), a subdivision (US-CA) or a group (EU, EEA), any case",
    },
  },
} as const;

const outcomeProperties = {
  id: { type: "string", format: "uuid", description: "the rights request's id (GET /v1/requests/{id})" },
  status: {
    type: "string",
    enum: ["applied", "queued", "closed"],
    description: "applied once fulfilled; queued while open; closed when denied, revoked or expired",
  },
  state: { type: "string", enum: REQUEST_STATES, description: "the request's state in the request workflow" },
  queue: { type: "string" },
  matched: { type: "integer", description: "live people it fitted (0 or 1)" },
} as const;

const outcome = {
  type: "object",
  additionalProperties: false,
  required: ["id", "status", "state", "queue", "matched"],
  properties: outcomeProperties,
} as const;

const listResponse = {
  type: "object",
  additionalProperties: false,
  required: ["items"],
  properties: {
    items: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "status", "state", "queue", "matched", "receivedAt", "appliedAt"],
        properties: {
          ...outcomeProperties,
          receivedAt: { type: "string", format: "date-time" },
          appliedAt: { type: ["string", "null"], format: "date-time" },
        },
      },
    },
  },
} as const;

const errors = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
};

/** Staff roles that take removal requests (customer service) besides admin. */
const RECEIVERS = ["customer_service", "infosec", ADMIN_ROLE] as const;

/**
 * Removal requests (Z16-14, Z19-06) under /v1/removal-requests. Receiving: customer service,
 * infosec or admin. A queue is listed and applied by the staff role of the same name
 * (`infosec` for the `infosec` queue) or admin. Personal values travel in bodies only.
 */
export async function removalRoutes(app: FastifyInstance, opts: RemovalRoutesOptions): Promise<void> {
  const { deps } = opts;
  const tags = ["removal"];
  const security = [{ apiKey: [] }];
  const mayHandle = (request: FastifyRequest, queue: string): void => {
    const pack = deps.policies.at(deps.clock().toISOString()).pack;
    mayHandleQueue(pack, request.caller?.role ?? "", queue);
  };

  app.post<{ Body: RemovalInput }>(
    "/v1/removal-requests",
    {
      config: {
        use: {
          callers: { staff: RECEIVERS },
          personal: true,
          action: "read",
          purpose: "self-service",
          touches: ["first_name", "last_name", "zip", "postal_address"],
        },
      },
      schema: {
        tags,
        security,
        summary:
          "Remove a person from marketing, mail and email lists (applied at once, or queued by jurisdiction)",
        body: requestBody,
        response: { 200: outcome, 202: outcome, ...errors },
      },
    },
    async (request, reply) => {
      const result = await receiveRemoval(deps, actingOf(request), request.body);
      return reply.code(result.status === "applied" ? 200 : 202).send(result);
    },
  );

  app.get<{ Querystring: { queue: string; limit?: string } }>(
    "/v1/removal-requests",
    {
      config: {
        use: { callers: { staff: "any" }, personal: true, action: "read", purpose: "none", touches: [] },
      },
      schema: {
        tags,
        security,
        summary: "Removal requests of a queue, oldest first (ids, status, dates; no personal values)",
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["queue"],
          properties: {
            queue: { type: "string", pattern: "^[a-z][a-z0-9-]*$", maxLength: 64 },
            limit: { type: "string", pattern: "^[0-9]{1,3}$" },
          },
        },
        response: { 200: listResponse, ...errors },
      },
    },
    async (request) => {
      const { queue, limit } = request.query;
      mayHandle(request, queue);
      const n = Math.min(Math.max(Number(limit ?? 100), 1), 500);
      return { items: await listRemovals(deps.db, queue, n) };
    },
  );

  app.post<{ Params: { id: string } }>(
    "/v1/removal-requests/:id/apply",
    {
      config: {
        use: {
          callers: { staff: "any" },
          personal: true,
          action: "read",
          purpose: "self-service",
          touches: ["first_name", "last_name", "zip", "postal_address"],
        },
      },
      schema: {
        tags,
        security,
        summary: "Apply a queued removal request",
        params: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string", format: "uuid" } },
        },
        response: { 200: outcome, ...errors },
      },
    },
    async (request) => {
      const queue = await queueOfRemoval(deps.db, request.params.id);
      if (queue === null)
        throw new PledgeError("PLEDGE_NOT_FOUND", `no removal request ${request.params.id}`);
      mayHandle(request, queue);
      return applyRemoval(deps, actingOf(request), request.params.id);
    },
  );
}
