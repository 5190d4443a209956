import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PledgeError, type ErrorCode } from "../../errors.ts";
import { STATUS } from "../../http/errors.ts";
import { setUpToken } from "./agents.service.ts";
import type { Agent } from "./drp.ts";
import {
  exerciseStatus,
  revokeExercise,
  submitExercise,
  type DrpResult,
  type ExerciseDeps,
} from "./exercise.service.ts";
import type { AgentTokens } from "./tokens.ts";
import { DRP_REASONS, DRP_STATUSES, type ExerciseStatus } from "./status.ts";

/**
 * The Data Rights Protocol 1.0 endpoints a Covered Business serves (docs/drp.md). Callers are
 * authorised agents: key set-up is authenticated by its signature alone, everything else by the
 * pair-wise bearer token and, for bodies, the signature. Errors are the protocol's own JSON
 * (§3.06: `{"code": "<HTTP status>", "message", "fatal"?}`), not problem+json; the message starts
 * with Pledge's stable code. Key set-up answers every failure with a bare 403 (§2.05).
 */
export interface DrpRoutesOptions extends ExerciseDeps {
  readonly tokens: AgentTokens;
}

const statusSchema = {
  type: "object",
  required: ["request_id", "status", "reason", "received_at", "expires_at"],
  properties: {
    request_id: { type: "string" },
    agent_request_id: { type: "string" },
    status: { type: "string", enum: DRP_STATUSES },
    reason: { anyOf: [{ type: "string", enum: DRP_REASONS }, { type: "null" }] },
    received_at: { type: "string" },
    expected_by: { type: "string" },
    processing_details: { type: "string" },
    expires_at: { type: "string" },
  },
} as const;

const errorSchema = {
  type: "object",
  required: ["code", "message"],
  properties: { code: { type: "string" }, message: { type: "string" }, fatal: { type: "boolean" } },
} as const;
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };

const agentUse = { use: { callers: { public: true }, personal: false } } as const;
const tags = ["drp"];

export async function drpRoutes(app: FastifyInstance, deps: DrpRoutesOptions): Promise<void> {
  app.setErrorHandler((error: FastifyError | PledgeError, request, reply) => {
    const status = error instanceof PledgeError ? STATUS[error.code] : (error.statusCode ?? 500);
    if (status >= 500) request.log.error({ errName: error.name }, "DRP request failed");
    const message =
      error instanceof PledgeError
        ? `${error.code}: ${error.detail}`
        : status >= 500
          ? "internal error"
          : error.message;
    return reply
      .code(status)
      .type("application/json")
      .send({ code: String(status), message });
  });

  app.post<{ Params: { agentId: string }; Body: unknown }>(
    "/v1/agent/:agentId",
    {
      config: agentUse,
      // Whatever went wrong, the agent learns only that it did not work (§2.05).
      // A broken store is still a 5xx, with no body either.
      errorHandler: (error, request, reply) => {
        const broken = !(error instanceof PledgeError) && (error.statusCode ?? 500) >= 500;
        if (broken) request.log.error({ errName: error.name }, "DRP key set-up failed");
        void reply.code(broken ? 500 : 403).send();
      },
      schema: {
        tags,
        summary:
          "Pair-wise key set-up: a signed envelope in, a bearer token out (403 with no body on failure)",
        response: {
          200: {
            type: "object",
            required: ["agent-id", "token"],
            properties: { "agent-id": { type: "string" }, token: { type: "string" } },
          },
        },
      },
    },
    async (request, reply) => {
      const { agentId } = request.params;
      const token =
        typeof request.body === "string"
          ? await setUpToken(deps.db, {
              agentId,
              body: request.body,
              businessId: deps.businessId,
              now: deps.clock(),
            })
          : null;
      if (token === null) return reply.code(403).send();
      deps.tokens.forget(); // the agent's earlier token no longer works
      return { "agent-id": agentId, token };
    },
  );

  app.get<{ Params: { agentId: string } }>(
    "/v1/agent/:agentId",
    {
      config: agentUse,
      schema: {
        tags,
        summary: "Agent information: {} when the bearer token is this agent's",
        response: { 200: { type: "object" }, ...errors },
      },
    },
    async (request, reply) => {
      const agent = await bearer(request);
      if (agent.id !== request.params.agentId)
        return refusal(reply, {
          code: "PLEDGE_DRP_WRONG_AGENT",
          detail: "the token is another agent's",
          fatal: false,
        });
      return {};
    },
  );

  app.post<{ Body: unknown }>(
    "/v1/data-rights-request",
    {
      config: {
        use: { callers: { public: true }, personal: true, action: "collect", purpose: "pack", touches: [] },
      },
      schema: {
        tags,
        summary: "Exercise a data right: a signed envelope in, an Exercise Status out",
        response: { 200: statusSchema, ...errors },
      },
    },
    async (request, reply) =>
      answer(reply, await submitExercise(deps, await bearer(request), textBody(request))),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/data-rights-request/:id",
    {
      config: {
        use: { callers: { public: true }, personal: true, action: "read", purpose: "none", touches: [] },
      },
      schema: {
        tags,
        summary: "The status of one of the agent's requests",
        response: { 200: statusSchema, ...errors },
      },
    },
    async (request, reply) =>
      answer(reply, await exerciseStatus(deps, await bearer(request), request.params.id)),
  );

  app.delete<{ Params: { id: string }; Body: unknown }>(
    "/v1/data-rights-request/:id",
    {
      config: {
        use: { callers: { public: true }, personal: true, action: "collect", purpose: "pack", touches: [] },
      },
      schema: {
        tags,
        summary: "Revoke one of the agent's requests: a signed {reason} in",
        response: { 200: statusSchema, ...errors },
      },
    },
    async (request, reply) =>
      answer(reply, await revokeExercise(deps, await bearer(request), request.params.id, textBody(request))),
  );

  /** The agent of the request's bearer token; a 401 when there is none. */
  async function bearer(request: FastifyRequest): Promise<Agent> {
    const agent = await deps.tokens.agentOf(request.headers.authorization);
    if (agent === null)
      throw new PledgeError(
        "PLEDGE_DRP_TOKEN_INVALID",
        "send the pair-wise token as Authorization: Bearer <token>",
      );
    return agent;
  }
}

/** A body that is not text (JSON, say) is no envelope: it fails E1 like any other non-base64. */
function textBody(request: FastifyRequest): string {
  return typeof request.body === "string" ? request.body : "";
}

function answer(reply: FastifyReply, result: DrpResult<ExerciseStatus>) {
  return result.ok ? reply.send(result.value) : refusal(reply, result);
}

function refusal(reply: FastifyReply, r: { code: ErrorCode; detail: string; fatal: boolean }) {
  const status = STATUS[r.code];
  const body = {
    code: String(status),
    message: `${r.code}: ${r.detail}`,
    ...(r.fatal ? { fatal: true } : {}),
  };
  return reply.code(status).type("application/json").send(body);
}
