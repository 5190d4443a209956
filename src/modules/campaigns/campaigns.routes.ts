import type { FastifyInstance, FastifyRequest } from "fastify";
import { PledgeError } from "../../errors.ts";
import { actingOf } from "../../http/acting.ts";
import { decodeCursor, encodeCursor, limitOf } from "../../http/pagination.ts";
import { ADMIN_ROLE, type Acting } from "../../use/acting.ts";
import { unwrap } from "../../use/refusal.ts";
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
  const { deps } = opts;
  const tags = ["campaigns"];
  const security = [{ apiKey: [] }];
  const callerOf = (request: FastifyRequest): Acting => actingOf(request);
  /** Purposes a caller's key may manage campaigns of: null = every purpose (admin). */
  const purposesOf = (caller: Acting): ReadonlySet<string> | null => {
    const role = caller.actor.role;
    if (caller.actor.kind !== "staff" || role === undefined || role === ADMIN_ROLE) return null;
    const { policy } = deps.policies.at(deps.clock().toISOString());
    return policy.roles.get(role) ?? new Set<string>();
  };
  /** The campaign, if the caller may manage it; otherwise the same 404 as no campaign. */
  const owned = async (caller: Acting, id: string) => {
    const view = await getCampaign(deps, id);
    const purposes = purposesOf(caller);
    if (purposes !== null && !purposes.has(view.purpose)) {
      throw new PledgeError("PLEDGE_NOT_FOUND", "no campaign with this id");
    }
    return view;
  };
  const staff = { staff: "any" } as const;
  const settings = { use: { callers: staff, personal: false } } as const;
  const reaching = (action: "send") =>
    ({
      use: {
        callers: staff,
        personal: true,
        action,
        purpose: "record",
        touches: ["email", "postal_address", "phone"],
      },
    }) as const;

  app.post<{ Body: CampaignInput }>(
    "/v1/campaigns",
    {
      config: { ...settings, idempotent: true },
      schema: {
        tags,
        security,
        summary: "Create a campaign (draft): purpose, class, channel, topic and content",
        body: createBody,
        response: { 201: campaignViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const view = unwrap(await createCampaign(deps, callerOf(request), request.body));
      return reply.code(201).send(view);
    },
  );

  app.get<{ Querystring: { limit?: string; cursor?: string } }>(
    "/v1/campaigns",
    {
      config: settings,
      schema: {
        tags,
        security,
        summary: "Campaigns, newest first (cursor pagination)",
        querystring: listQuery,
        response: { 200: listResponse, ...errors },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const limit = limitOf(request.query);
      const { cursor } = request.query;
      const after = cursor === undefined ? null : decodeCursor(cursor, { createdAt: "time", id: "uuid" });
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
      config: settings,
      schema: {
        tags,
        security,
        summary: "A campaign, its outbox counts per state and the messages left uncertain",
        params: idParams,
        response: { 200: campaignViewSchema, ...errors },
      },
    },
    async (request) => owned(callerOf(request), request.params.id),
  );

  app.post<{ Params: { id: string } }>(
    "/v1/campaigns/:id/preview",
    {
      config: { use: { callers: staff, personal: true, action: "send", purpose: "record", touches: [] } },
      schema: {
        tags,
        security,
        summary: "How many people the campaign would reach now, and why the others are left out",
        params: idParams,
        response: { 200: previewResponse, ...errors },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await owned(caller, request.params.id);
      return unwrap(await previewCampaign(deps, caller, request.params.id));
    },
  );

  app.post<{ Params: { id: string } }>(
    "/v1/campaigns/:id/send",
    {
      config: { ...reaching("send"), idempotent: true },
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
      const caller = callerOf(request);
      await owned(caller, request.params.id);
      return reply.code(202).send(unwrap(await sendCampaign(deps, caller, request.params.id)));
    },
  );

  app.post<{ Params: { id: string } }>(
    "/v1/campaigns/:id/cancel",
    {
      config: { ...settings, idempotent: true },
      schema: {
        tags,
        security,
        summary: "Cancel a draft or a campaign being sent: messages not yet claimed are never sent",
        params: idParams,
        response: { 200: campaignViewSchema, ...errors },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await owned(caller, request.params.id);
      return unwrap(await cancelCampaign(deps, caller, request.params.id));
    },
  );

  app.post<{ Params: { id: string } }>(
    "/v1/campaigns/:id/resend-uncertain",
    {
      config: { ...settings, idempotent: true },
      schema: {
        tags,
        security,
        summary: "Send again the messages a crash left uncertain (a staff decision: some may arrive twice)",
        params: idParams,
        response: { 200: campaignViewSchema, ...errors },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await owned(caller, request.params.id);
      return unwrap(await resendUncertain(deps, caller, request.params.id));
    },
  );
}
