import type { FastifyInstance } from "fastify";
import type { Authenticator } from "../../http/auth.ts";
import { PledgeError } from "../../http/errors.ts";
import { ADMIN_ROLE, type Caller } from "../staff/staff.ts";
import { postalAddress } from "../suppression/suppression.schemas.ts";
import {
  applyRemoval,
  listRemovals,
  receiveRemoval,
  type RemovalDeps,
  type RemovalInput,
} from "./removal.service.ts";

export interface RemovalRoutesOptions {
  readonly auth: Authenticator;
  readonly deps: RemovalDeps;
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
    jurisdiction: { type: "string", pattern: "^[A-Za-z]{2,8}$" },
  },
} as const;

const outcome = {
  type: "object",
  additionalProperties: false,
  required: ["id", "status", "queue", "matched"],
  properties: {
    id: { type: "string", format: "uuid" },
    status: { type: "string", enum: ["applied", "queued"] },
    queue: { type: "string" },
    matched: { type: "integer", description: "live people matched (when queued: matched so far)" },
  },
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
        required: ["id", "queue", "status", "receivedAt", "appliedAt", "matched"],
        properties: {
          id: { type: "string", format: "uuid" },
          queue: { type: "string" },
          status: { type: "string", enum: ["applied", "queued"] },
          receivedAt: { type: "string", format: "date-time" },
          appliedAt: { type: ["string", "null"], format: "date-time" },
          matched: { type: ["integer", "null"] },
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
const RECEIVERS = ["customer_service", "infosec", ADMIN_ROLE];

/**
 * Removal requests (Z16-14, Z19-06) under /v1/removal-requests. Receiving: customer service,
 * infosec or admin. A queue is listed and applied by the staff role of the same name
 * (`infosec` for the `infosec` queue) or admin. Personal values travel in bodies only.
 */
export async function removalRoutes(app: FastifyInstance, opts: RemovalRoutesOptions): Promise<void> {
  const { auth, deps } = opts;
  const tags = ["removal"];
  const security = [{ apiKey: [] }];
  const receivers = auth.requireRole(RECEIVERS);
  const any = auth.requireRole("any");
  const actor = (caller: Caller | null): string => `staff:${caller?.staffId ?? "unknown"}`;
  const mayHandle = (caller: Caller | null, queue: string): void => {
    const role = caller?.role ?? "";
    if (role !== ADMIN_ROLE && role.replace(/_/g, "-") !== queue)
      throw new PledgeError(
        "PLEDGE_FORBIDDEN_ROLE",
        `the ${queue} queue is handled by its own team or admin`,
      );
  };

  app.post<{ Body: RemovalInput }>(
    "/v1/removal-requests",
    {
      preHandler: receivers,
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
      const result = await receiveRemoval(deps, request.body, actor(request.caller));
      return reply.code(result.status === "applied" ? 200 : 202).send(result);
    },
  );

  app.get<{ Querystring: { queue: string; limit?: string } }>(
    "/v1/removal-requests",
    {
      preHandler: any,
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
      mayHandle(request.caller, queue);
      const n = Math.min(Math.max(Number(limit ?? 100), 1), 500);
      return { items: await listRemovals(deps.db, queue, n) };
    },
  );

  app.post<{ Params: { id: string } }>(
    "/v1/removal-requests/:id/apply",
    {
      preHandler: any,
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
      const row = await deps.db
        .selectFrom("removal_requests")
        .select("queue")
        .where("request_id", "=", request.params.id)
        .executeTakeFirst();
      if (row === undefined)
        throw new PledgeError("PLEDGE_NOT_FOUND", `no removal request ${request.params.id}`);
      mayHandle(request.caller, row.queue);
      return applyRemoval(deps, request.params.id, actor(request.caller));
    },
  );
}
