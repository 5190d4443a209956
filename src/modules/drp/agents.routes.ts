import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { ADMIN_ROLE } from "../../use/acting.ts";
import type { Database } from "../../store/database.ts";
import { disableAgent, listAgents, readAgent, registerAgent, type Context } from "./agents.service.ts";
import type { Agent } from "./drp.ts";
import type { AgentTokens } from "./tokens.ts";

export interface AgentRoutesOptions {
  readonly db: Kysely<Database>;
  readonly clock: () => Date;
  /** Told to forget the tokens it remembers when an agent is disabled. */
  readonly tokens: AgentTokens;
}

const agentSchema = {
  type: "object",
  required: ["id", "name", "verifyKey", "webUrl", "status", "createdAt", "disabledAt"],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    verifyKey: { type: "string", description: "the Ed25519 verify key, 32 bytes in base64" },
    webUrl: { type: ["string", "null"] },
    status: { type: "string", enum: ["active", "disabled"] },
    createdAt: { type: "string", format: "date-time" },
    disabledAt: { type: ["string", "null"], format: "date-time" },
  },
} as const;

const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: "^[A-Z0-9_]{1,100}$" } },
} as const;

const errors = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
  409: { $ref: "Problem#" },
};

/** The registry of Data Rights Protocol agents (docs/drp.md): admin role only. */
export async function drpAgentRoutes(app: FastifyInstance, opts: AgentRoutesOptions): Promise<void> {
  const { db, clock } = opts;
  const config = { use: { callers: { staff: [ADMIN_ROLE] }, personal: false } } as const;
  const ctx = (staffId: string | undefined): Context => ({
    actor: `staff:${staffId ?? "unknown"}`,
    now: clock(),
  });
  const tags = ["drp"];
  const security = [{ apiKey: [] }];

  app.post<{ Body: { id: string; name: string; verifyKey: string; webUrl?: string } }>(
    "/v1/drp/agents",
    {
      config,
      schema: {
        tags,
        security,
        summary: "Register an authorised agent from the DRP service directory",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["id", "name", "verifyKey"],
          properties: {
            id: { type: "string", pattern: "^[A-Z0-9_]{1,100}$" },
            name: { type: "string", minLength: 1, maxLength: 200 },
            verifyKey: {
              type: "string",
              maxLength: 100,
              description: "base64 of 32 bytes, or 64 hex digits",
            },
            webUrl: { type: "string", pattern: "^https?://\\S+$", maxLength: 2000 },
          },
        },
        response: { 201: agentSchema, ...errors },
      },
    },
    async (request, reply) => {
      const agent = await registerAgent(db, request.body, ctx(request.caller?.staffId));
      return reply.code(201).send(presentAgent(agent));
    },
  );

  app.get(
    "/v1/drp/agents",
    {
      config,
      schema: {
        tags,
        security,
        summary: "List the registered agents, by id",
        response: {
          200: {
            type: "object",
            required: ["items"],
            properties: { items: { type: "array", items: agentSchema } },
          },
          ...errors,
        },
      },
    },
    async () => ({ items: (await listAgents(db)).map(presentAgent) }),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/drp/agents/:id",
    {
      config,
      schema: {
        tags,
        security,
        summary: "Read a registered agent",
        params: idParams,
        response: { 200: agentSchema, ...errors },
      },
    },
    async (request) => presentAgent(await readAgent(db, request.params.id)),
  );

  app.delete<{ Params: { id: string } }>(
    "/v1/drp/agents/:id",
    {
      config,
      schema: {
        tags,
        security,
        summary: "Disable an agent: its token stops working and it cannot set up another",
        params: idParams,
        response: { 200: agentSchema, ...errors },
      },
    },
    async (request) => {
      const agent = await disableAgent(db, request.params.id, ctx(request.caller?.staffId));
      opts.tokens.forget();
      return presentAgent(agent);
    },
  );
}

function presentAgent(a: Agent) {
  return {
    id: a.id,
    name: a.name,
    verifyKey: a.verifyKey.toString("base64"),
    webUrl: a.webUrl,
    status: a.status,
    createdAt: a.createdAt.toISOString(),
    disabledAt: a.disabledAt?.toISOString() ?? null,
  };
}
