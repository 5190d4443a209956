import type { FastifyInstance } from "fastify";
import { actingOf } from "../../http/acting.ts";
import { decodeCursor, encodeCursor, limitOf, pageSchema, paginationQuery } from "../../http/pagination.ts";
import type { Channel } from "../../policy/schema.ts";
import type { UseDeps } from "../../use/kernel.ts";
import { unwrap } from "../../use/refusal.ts";
import { purpose as purposeSchema } from "../subjects/subjects.schemas.ts";
import type { ConsentInput, ConsentSource, Evidence, Preferences } from "./consent.ts";
import {
  consentBody,
  eventSchema,
  preferencesSchema,
  stopBody,
  stopParams,
  stopResponse,
  subjectParams,
} from "./consent.schemas.ts";
import { presentEvent } from "./consent.present.ts";
import { consentHistoryFor, preferencesFor, recordConsentFor, stopChannelFor } from "./consent.uses.ts";

export interface ConsentRoutesOptions {
  readonly deps: UseDeps;
}

const errors = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
};

/**
 * The consent ledger over HTTP, used by staff on the person's behalf: append an event, stop a
 * channel (ZM-06), read the history and the current preferences. Each states the purpose it is
 * done for, and is a use of the person's record (consent.uses.ts); the caller is the audit actor.
 */
export async function consentRoutes(app: FastifyInstance, opts: ConsentRoutesOptions): Promise<void> {
  const { deps } = opts;
  const tags = ["consent"];
  const security = [{ apiKey: [] }];
  const staff = { staff: "any" } as const;
  const writes = {
    use: { callers: staff, personal: true, action: "collect", purpose: "body", touches: [] },
  } as const;
  const reads = {
    use: { callers: staff, personal: true, action: "read", purpose: "query", touches: [] },
  } as const;

  app.post<{ Params: { id: string }; Body: ConsentInput & { purpose: string } }>(
    "/v1/subjects/:id/consents",
    {
      config: { ...writes, idempotent: true },
      schema: {
        tags,
        security,
        summary:
          "Record a consent event: granted, withdrawn or objected, for a purpose, topic, sharing scope or permission",
        params: subjectParams,
        body: {
          ...consentBody,
          required: [...consentBody.required, "purpose"],
          properties: { ...consentBody.properties, purpose: purposeSchema },
        },
        response: { 201: eventSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { purpose, ...input } = request.body;
      const event = unwrap(
        await recordConsentFor(deps, actingOf(request), request.params.id, purpose, input),
      );
      return reply.code(201).send(presentEvent(event));
    },
  );

  app.post<{
    Params: { id: string; channel: Channel };
    Body: { source: ConsentSource; evidence?: Evidence; purpose: string };
  }>(
    "/v1/subjects/:id/channels/:channel/stop",
    {
      config: { ...writes, idempotent: true },
      schema: {
        tags,
        security,
        summary: "Stop all marketing on one channel (every marketing purpose and topic that uses it)",
        params: stopParams,
        body: {
          ...stopBody,
          required: [...stopBody.required, "purpose"],
          properties: { ...stopBody.properties, purpose: purposeSchema },
        },
        response: { 200: stopResponse, ...errors },
      },
    },
    async (request) => {
      const { id, channel } = request.params;
      const { purpose, ...how } = request.body;
      const events = unwrap(await stopChannelFor(deps, actingOf(request), id, purpose, channel, how));
      return { channel, events: events.map(presentEvent) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { purpose: string; limit?: string; cursor?: string } }>(
    "/v1/subjects/:id/consents",
    {
      config: reads,
      schema: {
        tags,
        security,
        summary: "The subject's consent ledger, oldest first",
        params: subjectParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["purpose"],
          properties: { purpose: purposeSchema, ...paginationQuery },
        },
        response: { 200: pageSchema(eventSchema), ...errors },
      },
    },
    async (request) => {
      const { cursor } = request.query;
      const limit = limitOf(request.query);
      const after = cursor === undefined ? null : position(cursor);
      // One more than asked tells whether another page follows.
      const rows = unwrap(
        await consentHistoryFor(deps, actingOf(request), request.params.id, request.query.purpose, {
          limit: limit + 1,
          after,
        }),
      );
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const nextCursor =
        rows.length > limit && last !== undefined
          ? encodeCursor({ at: last.at.toISOString(), eventId: last.eventId })
          : null;
      return { items: items.map(presentEvent), nextCursor };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { purpose: string } }>(
    "/v1/subjects/:id/preferences",
    {
      config: reads,
      schema: {
        tags,
        security,
        summary: "The subject's current consents, stopped sharing scopes and permissions",
        params: subjectParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["purpose"],
          properties: { purpose: purposeSchema },
        },
        response: { 200: preferencesSchema, ...errors },
      },
    },
    async (request) => {
      const input = request.params.id;
      return presentPreferences(
        unwrap(await preferencesFor(deps, actingOf(request), input, request.query.purpose)),
      );
    },
  );
}

function position(cursor: string): { at: Date; eventId: string } {
  const { at, eventId } = decodeCursor(cursor, { at: "time", eventId: "uuid" });
  return { at: new Date(at), eventId };
}

function presentPreferences(p: Preferences) {
  return {
    consents: p.consents.map((c) => ({
      scope: c.scope,
      channel: c.channel,
      state: c.state,
      updatedAt: c.updatedAt.toISOString(),
    })),
    optOuts: [...p.optOuts],
    permissions: [...p.permissions],
  };
}
