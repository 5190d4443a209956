import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { Authenticator } from "../../http/auth.ts";
import { decodeCursor, encodeCursor, limitOf, pageSchema, paginationQuery } from "../../http/pagination.ts";
import { PledgeError } from "../../http/errors.ts";
import type { Channel, PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import type { Caller } from "../staff/staff.ts";
import type { ConsentContext, ConsentInput, ConsentSource, Evidence, Preferences } from "./consent.ts";
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
import { consentHistory, currentPreferences, recordConsent, stopChannel } from "./consent.service.ts";

export interface ConsentRoutesOptions {
  readonly db: Kysely<Database>;
  readonly auth: Authenticator;
  readonly clock: () => Date;
  /** The pack in force at an instant: targets are checked against it and its version stamped. */
  readonly packAt: (at: string) => PolicyPack;
}

const errors = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
};

/**
 * The consent ledger over HTTP: append an event, stop a channel (ZM-06), read the history and
 * the current preferences. Any valid key; the caller is the audit actor.
 */
export async function consentRoutes(app: FastifyInstance, opts: ConsentRoutesOptions): Promise<void> {
  const { db, auth, clock } = opts;
  app.addHook("preHandler", auth.requireRole("any"));
  const tags = ["consent"];
  const security = [{ apiKey: [] }];
  const context = (caller: Caller | null): ConsentContext => ({
    actor: `staff:${caller?.staffId ?? "unknown"}`,
    now: clock(),
  });

  app.post<{ Params: { id: string }; Body: ConsentInput }>(
    "/v1/subjects/:id/consents",
    {
      config: { idempotent: true },
      schema: {
        tags,
        security,
        summary:
          "Record a consent event: granted, withdrawn or objected, for a purpose, topic, sharing scope or permission",
        params: subjectParams,
        body: consentBody,
        response: { 201: eventSchema, ...errors },
      },
    },
    async (request, reply) => {
      const ctx = context(request.caller);
      const pack = opts.packAt(ctx.now.toISOString());
      const event = await recordConsent(db, pack, request.params.id, request.body, ctx);
      return reply.code(201).send(presentEvent(event));
    },
  );

  app.post<{
    Params: { id: string; channel: Channel };
    Body: { source: ConsentSource; evidence?: Evidence };
  }>(
    "/v1/subjects/:id/channels/:channel/stop",
    {
      config: { idempotent: true },
      schema: {
        tags,
        security,
        summary: "Stop all marketing on one channel (every marketing purpose and topic that uses it)",
        params: stopParams,
        body: stopBody,
        response: { 200: stopResponse, ...errors },
      },
    },
    async (request) => {
      const ctx = context(request.caller);
      const pack = opts.packAt(ctx.now.toISOString());
      const { id, channel } = request.params;
      const events = await stopChannel(db, pack, id, channel, request.body, ctx);
      return { channel, events: events.map(presentEvent) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: string; cursor?: string } }>(
    "/v1/subjects/:id/consents",
    {
      schema: {
        tags,
        security,
        summary: "The subject's consent ledger, oldest first",
        params: subjectParams,
        querystring: { type: "object", additionalProperties: false, properties: paginationQuery },
        response: { 200: pageSchema(eventSchema), ...errors },
      },
    },
    async (request) => {
      const { cursor } = request.query;
      const limit = limitOf(request.query);
      const after = cursor === undefined ? null : position(cursor);
      // One more than asked tells whether another page follows.
      const rows = await consentHistory(
        db,
        request.params.id,
        { limit: limit + 1, after },
        context(request.caller),
      );
      if (rows === null) throw new PledgeError("PLEDGE_NOT_FOUND", "no such subject");
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const nextCursor =
        rows.length > limit && last !== undefined
          ? encodeCursor({ at: last.at.toISOString(), eventId: last.eventId })
          : null;
      return { items: items.map(presentEvent), nextCursor };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/subjects/:id/preferences",
    {
      schema: {
        tags,
        security,
        summary: "The subject's current consents, stopped sharing scopes and permissions",
        params: subjectParams,
        response: { 200: preferencesSchema, ...errors },
      },
    },
    async (request) => {
      const prefs = await currentPreferences(db, request.params.id, context(request.caller));
      if (prefs === null) throw new PledgeError("PLEDGE_NOT_FOUND", "no such subject");
      return presentPreferences(prefs);
    },
  );
}

function position(cursor: string): { at: Date; eventId: string } {
  const { at, eventId } = decodeCursor(cursor, ["at", "eventId"]);
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime()) || !/^[0-9a-f-]{36}$/.test(eventId)) {
    throw new PledgeError("PLEDGE_INVALID_CURSOR", "the cursor was not given out by this endpoint");
  }
  return { at: instant, eventId };
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
