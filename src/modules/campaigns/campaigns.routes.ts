import type { FastifyInstance } from "fastify";
import type { Authenticator } from "../../http/auth.ts";
import { PledgeError } from "../../http/errors.ts";
import { decodeCursor, encodeCursor, limitOf } from "../../http/pagination.ts";
import { ADMIN_ROLE, type Caller } from "../staff/staff.ts";
import type { CampaignInput } from "./campaigns.ts";
import {
  campaignViewSchema,
  createBody,
  idParams,
  listQuery,
  listResponse,
  previewResponse,
} from "./campaigns.schemas.ts";
import {
  cancelCampaign,
  createCampaign,
  getCampaign,
  listCampaigns,
  previewCampaign,
  resendUncertain,
  sendCampaign,
  type CampaignsDeps,
} from "./campaigns.service.ts";

export interface CampaignRoutesOptions {
  readonly auth: Authenticator;
  readonly deps: CampaignsDeps;
}

const errors = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
  409: { $ref: "Problem#" },
};

/**
 * /v1/campaigns: staff API keys. Admin keys manage every campaign; a pack role manages the
 * campaigns of the purposes its role lists (create, preview and send also ask the gate, which
 * checks the role and the attestation). Responses carry ids and counts, never personal data.
 */
export async function campaignRoutes(app: FastifyInstance, opts: CampaignRoutesOptions): Promise<void> {
  const { auth, deps } = opts;
  const tags = ["campaigns"];
  const security = [{ apiKey: [] }];
  const any = auth.requireRole("any");
  const callerOf = (caller: Caller | null): Caller => {
    if (caller === null) throw new PledgeError("PLEDGE_AUTH_MISSING", "send the API key");
    return caller;
  };
  /** Roles a caller's key may manage campaigns of: null = every purpose (admin). */
  const purposesOf = (caller: Caller): ReadonlySet<string> | null => {
    if (caller.role === ADMIN_ROLE) return null;
    const { policy } = deps.book.at(deps.clock().toISOString());
    return policy.roles.get(caller.role) ?? new Set<string>();
  };
  /** The campaign, if the caller may manage it; otherwise the same 404 as no campaign. */
  const owned = async (caller: Caller, id: string) => {
    const view = await getCampaign(deps, id);
    const purposes = purposesOf(caller);
    if (purposes !== null && !purposes.has(view.purpose)) {
      throw new PledgeError("PLEDGE_NOT_FOUND", "no campaign with this id");
    }
    return view;
  };

  app.post<{ Body: CampaignInput }>(
    "/v1/campaigns",
    {
      preHandler: any,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        summary: "Create a campaign (draft): purpose, class, channel, topic and content",
        body: createBody,
        response: { 201: campaignViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const view = await createCampaign(deps, callerOf(request.caller), request.body);
      return reply.code(201).send(view);
    },
  );

  app.get<{ Querystring: { limit?: string; cursor?: string } }>(
    "/v1/campaigns",
    {
      preHandler: any,
      schema: {
        tags,
        security,
        summary: "Campaigns, newest first (cursor pagination)",
        querystring: listQuery,
        response: { 200: listResponse, ...errors },
      },
    },
    async (request) => {
      const caller = callerOf(request.caller);
      const limit = limitOf(request.query);
      const { cursor } = request.query;
      const after = cursor === undefined ? null : decodeCursor(cursor, ["createdAt", "id"]);
      const purposes = purposesOf(caller);
      const rows = await listCampaigns(deps, limit + 1, after, purposes === null ? null : [...purposes]);
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const nextCursor =
        rows.length > limit && last !== undefined
          ? encodeCursor({ createdAt: last.createdAt, id: last.id })
          : null;
      return { items, nextCursor };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/campaigns/:id",
    {
      preHandler: any,
      schema: {
        tags,
        security,
        summary: "A campaign, its outbox counts per state and the messages left uncertain",
        params: idParams,
        response: { 200: campaignViewSchema, ...errors },
      },
    },
    async (request) => owned(callerOf(request.caller), request.params.id),
  );

  app.post<{ Params: { id: string } }>(
    "/v1/campaigns/:id/preview",
    {
      preHandler: any,
      schema: {
        tags,
        security,
        summary: "How many people the campaign would reach now, and why the others are left out",
        params: idParams,
        response: { 200: previewResponse, ...errors },
      },
    },
    async (request) => {
      const caller = callerOf(request.caller);
      await owned(caller, request.params.id);
      return previewCampaign(deps, caller, request.params.id);
    },
  );

  app.post<{ Params: { id: string } }>(
    "/v1/campaigns/:id/send",
    {
      preHandler: any,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        summary:
          "Draw the audience into the outbox and start sending (202: sending goes on in the background)",
        params: idParams,
        response: { 202: campaignViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request.caller);
      await owned(caller, request.params.id);
      return reply.code(202).send(await sendCampaign(deps, caller, request.params.id));
    },
  );

  app.post<{ Params: { id: string } }>(
    "/v1/campaigns/:id/cancel",
    {
      preHandler: any,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        summary: "Cancel a draft or a campaign being sent: messages not yet claimed are never sent",
        params: idParams,
        response: { 200: campaignViewSchema, ...errors },
      },
    },
    async (request) => {
      const caller = callerOf(request.caller);
      await owned(caller, request.params.id);
      return cancelCampaign(deps, caller, request.params.id);
    },
  );

  app.post<{ Params: { id: string } }>(
    "/v1/campaigns/:id/resend-uncertain",
    {
      preHandler: any,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        summary: "Send again the messages a crash left uncertain (a staff decision: some may arrive twice)",
        params: idParams,
        response: { 200: campaignViewSchema, ...errors },
      },
    },
    async (request) => {
      const caller = callerOf(request.caller);
      await owned(caller, request.params.id);
      return resendUncertain(deps, caller, request.params.id);
    },
  );
}
