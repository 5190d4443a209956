import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { Vault } from "../../crypto/vault.types.ts";
import type { Authenticator } from "../../http/auth.ts";
import { PROBLEM_CONTENT_TYPE, PledgeError, problem } from "../../http/errors.ts";
import { decodeCursor, encodeCursor, limitOf, paginationQuery } from "../../http/pagination.ts";
import { CHANNELS, type Channel } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { ADMIN_ROLE, type Caller } from "../staff/staff.ts";
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
  readonly auth: Authenticator;
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
  const { db, vault, auth, clock } = opts;
  const tags = ["suppression"];
  const security = [{ apiKey: [] }];
  const any = auth.requireRole("any");
  const admin = auth.requireRole([ADMIN_ROLE]);
  const context = (caller: Caller | null): SuppressionContext => ({
    actor: `staff:${caller?.staffId ?? "unknown"}`,
    now: clock(),
  });
  app.addContentTypeParser(["text/csv", "application/x-ndjson"], { parseAs: "string" }, (_req, body, done) =>
    done(null, body),
  );

  app.post<{ Body: { channel: Channel; address: SuppressionAddress } }>(
    "/v1/suppression/check",
    {
      preHandler: any,
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
      preHandler: any,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        summary: "Put an address on the Do Not Send list for a channel",
        body: addBody,
        response: { 200: addResponse, 201: addResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { entry, added } = await addSuppression(db, vault, request.body, context(request.caller));
      return reply.code(added ? 201 : 200).send({ added, entry: present(entry) });
    },
  );

  app.post<{ Body: { channel: Channel; address: SuppressionAddress; reason: RemovalReason } }>(
    "/v1/suppression/remove",
    {
      preHandler: admin,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        summary: "Take an address off the Do Not Send list, with a reason (audited)",
        body: removeBody,
        response: { 200: entrySchema, ...errors },
      },
    },
    async (request) => present(await removeSuppression(db, vault, request.body, context(request.caller))),
  );

  app.post<{
    Querystring: { channel?: Channel; reason: SuppressionReason; source: SuppressionSource };
    Body: string;
  }>(
    "/v1/suppression/import",
    {
      preHandler: admin,
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
        context(request.caller),
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
      preHandler: admin,
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
      const after = cursor === undefined ? null : decodeCursor(cursor, ["channel", "addressIndex"]);
      // One more than asked tells whether another page follows.
      const rows = await exportSuppression(
        db,
        { channel: channel ?? null, limit: limit + 1, after },
        context(request.caller),
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
