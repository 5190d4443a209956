import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Vault } from "../../crypto/vault.types.ts";
import { actingOf } from "../../http/acting.ts";
import { PledgeError } from "../../errors.ts";
import { PROBLEM_CONTENT_TYPE, problem } from "../../http/errors.ts";
import { decodeCursor, encodeCursor, limitOf, paginationQuery } from "../../http/pagination.ts";
import { CHANNELS, type Channel } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { ADMIN_ROLE, auditActor } from "../../use/acting.ts";
import type { SuppressionAddress } from "./address.ts";
import type { ImportFormat } from "./import.ts";
import {
  addBody,
  addResponse,
  checkBody,
  checkResponse,
  entrySchema,
  EXPORT_NOTE,
  exportResponse,
  importQuery,
  importResponse,
  removeBody,
} from "./suppression.schemas.ts";
import {
  addSuppression,
  checkSuppression,
  exportSuppression,
  importSuppression,
  removeSuppression,
  type SuppressionContext,
} from "./suppression.service.ts";
import type { RemovalReason, SuppressionEntry, SuppressionReason, SuppressionSource } from "./suppression.ts";

export interface SuppressionRoutesOptions {
  readonly db: Kysely<Database>;
  readonly vault: Pick<Vault, "blindIndex">;
  readonly clock: () => Date;
}

/** Largest import file accepted, in bytes. */
export const IMPORT_BODY_LIMIT = 10 * 1024 * 1024;

const errors = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
};

/**
 * The Do Not Send list (PS-05) under /v1/suppression. Check and add: any valid key; remove,
 * import and export: admin. Addresses travel in bodies only.
 */
export async function suppressionRoutes(app: FastifyInstance, opts: SuppressionRoutesOptions): Promise<void> {
  const { db, vault, clock } = opts;
  const tags = ["suppression"];
  const security = [{ apiKey: [] }];
  // The list holds blind indexes of addresses, never a person's record: these routes open none.
  const list = (roles: "any" | readonly string[], action: "read" | "collect") =>
    ({
      use: {
        callers: { staff: roles },
        personal: true,
        action,
        purpose: "none",
        touches: ["email", "phone", "postal_address"],
      },
    }) as const;
  const context = (request: FastifyRequest): SuppressionContext => ({
    actor: auditActor(actingOf(request).actor),
    now: clock(),
  });
  app.addContentTypeParser(["text/csv", "application/x-ndjson"], { parseAs: "string" }, (_req, body, done) =>
    done(null, body),
  );

  app.post<{ Body: { channel: Channel; address: SuppressionAddress } }>(
    "/v1/suppression/check",
    {
      config: list("any", "read"),
      schema: {
        tags,
        security,
        summary: "Is this address on the Do Not Send list for the channel?",
        body: checkBody,
        response: { 200: checkResponse, ...errors },
      },
    },
    async (request) => {
      const { channel, address } = request.body;
      const entry = await checkSuppression(db, vault, channel, address);
      return { channel, suppressed: entry !== null, entry: entry === null ? null : present(entry) };
    },
  );

  app.post<{
    Body: {
      channel: Channel;
      address: SuppressionAddress;
      reason: SuppressionReason;
      source: SuppressionSource;
    };
  }>(
    "/v1/suppression",
    {
      config: { ...list("any", "collect"), idempotent: true },
      schema: {
        tags,
        security,
        summary: "Put an address on the Do Not Send list for a channel",
        body: addBody,
        response: { 200: addResponse, 201: addResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { entry, added } = await addSuppression(db, vault, request.body, context(request));
      return reply.code(added ? 201 : 200).send({ added, entry: present(entry) });
    },
  );

  app.post<{ Body: { channel: Channel; address: SuppressionAddress; reason: RemovalReason } }>(
    "/v1/suppression/remove",
    {
      config: { ...list([ADMIN_ROLE], "collect"), idempotent: true },
      schema: {
        tags,
        security,
        summary: "Take an address off the Do Not Send list, with a reason (audited)",
        body: removeBody,
        response: { 200: entrySchema, ...errors },
      },
    },
    async (request) => present(await removeSuppression(db, vault, request.body, context(request))),
  );

  app.post<{
    Querystring: { channel?: Channel; reason: SuppressionReason; source: SuppressionSource };
    Body: string;
  }>(
    "/v1/suppression/import",
    {
      config: list([ADMIN_ROLE], "collect"),
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags,
        security,
        summary: "Import a CSV or NDJSON file of addresses; all or nothing: any bad row and nothing is added",
        querystring: importQuery,
        consumes: ["text/csv", "application/x-ndjson"],
        response: { 200: importResponse, ...errors, 422: { $ref: "Problem#" } },
      },
    },
    async (request, reply) => {
      const format = formatOf(request.headers["content-type"]);
      const { channel, reason, source } = request.query;
      const result = await importSuppression(
        db,
        vault,
        { text: request.body, format },
        { channel: channel ?? null, reason, source },
        context(request),
      );
      if (result.ok) return result.report;
      const body = problem(
        "PLEDGE_SUPPRESSION_IMPORT_REJECTED",
        `${result.errors.length} bad rows; nothing was added`,
        {
          instance: `urn:pledge:request:${request.id}`,
          errors: result.errors.map((e) => ({ path: `line ${e.line}`, message: e.message })),
        },
      );
      return reply.code(422).type(PROBLEM_CONTENT_TYPE).send(body);
    },
  );

  app.get<{ Querystring: { channel?: Channel; limit?: string; cursor?: string } }>(
    "/v1/suppression/export",
    {
      config: list([ADMIN_ROLE], "read"),
      schema: {
        tags,
        security,
        summary: "The Do Not Send list: channel, blind index, reason, source and date of each entry",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { channel: { type: "string", enum: CHANNELS }, ...paginationQuery },
        },
        response: { 200: exportResponse, ...errors },
      },
    },
    async (request) => {
      const { channel, cursor } = request.query;
      const limit = limitOf(request.query);
      const after =
        cursor === undefined ? null : decodeCursor(cursor, { channel: "text", addressIndex: "text" });
      // One more than asked tells whether another page follows.
      const rows = await exportSuppression(
        db,
        { channel: channel ?? null, limit: limit + 1, after },
        context(request),
      );
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const nextCursor =
        rows.length > limit && last !== undefined
          ? encodeCursor({ channel: last.channel, addressIndex: last.addressIndex })
          : null;
      return { addressesKept: false, note: EXPORT_NOTE, items: items.map(present), nextCursor };
    },
  );
}

function formatOf(contentType: string | undefined): ImportFormat {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (type === "text/csv") return "csv";
  if (type === "application/x-ndjson") return "ndjson";
  throw new PledgeError("PLEDGE_UNSUPPORTED_MEDIA_TYPE", "send the file as text/csv or application/x-ndjson");
}

function present(e: SuppressionEntry) {
  return {
    channel: e.channel,
    addressIndex: e.addressIndex,
    reason: e.reason,
    source: e.source,
    createdAt: e.createdAt.toISOString(),
    createdBy: e.createdBy,
  };
}
