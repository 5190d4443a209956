import type { KeyObject } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { chainState } from "../audit/chain.state.ts";
import { latestNote } from "../audit/checkpoint.ts";
import {
  FILTER_PATTERNS,
  auditLogFilter,
  auditReadEvent,
  presentAuditEvent,
  readAuditLog,
  type LogPlace,
} from "../audit/log.read.ts";
import { vkeyOf } from "../audit/note.ts";
import type { AuditWriter } from "../audit/writer.ts";
import { PledgeError } from "../errors.ts";
import type { Database } from "../store/database.ts";
import { ADMIN_ROLE, auditActor } from "../use/acting.ts";
import { actingOf } from "./acting.ts";
import { decodeCursor, encodeCursor, limitOf, pageSchema, paginationQuery } from "./pagination.ts";

export interface AuditRoutesOptions {
  readonly db: Kysely<Database>;
  readonly audit: AuditWriter;
  readonly clock: () => Date;
  /** The checkpoints' origin, which is also their key name (note.ts). */
  readonly origin: string;
  /** The public half of the audit signing key; null when this node was not given it. */
  readonly publicKey: KeyObject | null;
}

/** Checkpoints are public: they hold a row count and a hash, and are made to be kept by anyone. */
const PUBLIC = { callers: { public: true }, personal: false } as const;
const TEXT = "text/plain; charset=utf-8";

const eventSchema = {
  type: "object",
  additionalProperties: false,
  required: ["chain", "seq", "at", "type", "actor", "subjectId", "payload", "prevHash", "hash"],
  properties: {
    chain: { type: "integer", description: "the hash chain the event is in (1 on a single node)" },
    seq: { type: "integer", description: "the event's place in its chain" },
    at: { type: "string", format: "date-time" },
    type: { type: "string" },
    actor: { type: "string", description: "staff:<id>, customer:<id>, system:<job> or system" },
    subjectId: { type: ["string", "null"] },
    payload: {
      type: "object",
      additionalProperties: true,
      description: "ids, clause ids, field names and outcomes as recorded; never personal data",
    },
    prevHash: { type: "string" },
    hash: { type: "string" },
  },
} as const;

const chainSchema = {
  type: "object",
  additionalProperties: false,
  required: ["verified", "checked", "intactTo", "problems", "problemCount", "checkpoint", "unsignedRows"],
  properties: {
    verified: { type: "boolean", description: "every row checked holds, with every checkpoint" },
    checked: { type: "integer", description: "rows checked: every chain's head seq when the check began" },
    intactTo: {
      type: "integer",
      description: "the last seq before the first problem, in that problem's chain",
    },
    problems: {
      type: "array",
      description: "the first 20 problems, by chain and seq",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["seq", "kind", "detail"],
        properties: {
          chain: { type: "integer", description: "the chain at fault, when the log has several" },
          seq: { type: "integer" },
          kind: { type: "string" },
          detail: { type: "string" },
        },
      },
    },
    problemCount: { type: "integer" },
    checkpoint: {
      type: ["object", "null"],
      additionalProperties: false,
      required: ["seq", "at", "keyId", "note"],
      properties: {
        seq: { type: "integer" },
        at: { type: "string", format: "date-time" },
        keyId: { type: "string" },
        note: { type: ["string", "null"], description: "the signed note, as GET /v1/audit/checkpoint" },
      },
    },
    unsignedRows: { type: "integer", description: "rows appended after that checkpoint" },
  },
} as const;

const errors = { 400: { $ref: "Problem#" }, 401: { $ref: "Problem#" }, 403: { $ref: "Problem#" } };

interface EventsQuery {
  subjectId?: string;
  actor?: string;
  type?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

/**
 * The audit log from outside: the newest signed checkpoint and its verifier key for anyone to
 * keep (docs/operations.md), and the events for admins, filtered and paginated, each read
 * recorded as an `audit.read` event before the answer leaves.
 */
export async function auditRoutes(app: FastifyInstance, opts: AuditRoutesOptions): Promise<void> {
  const { db, clock } = opts;
  const tags = ["audit"];

  app.get(
    "/v1/audit/checkpoint",
    {
      config: { use: PUBLIC },
      schema: {
        tags,
        summary: "The newest signed checkpoint of the audit log, as a C2SP signed note",
        description:
          "Keep a copy: `pledge audit verify --checkpoint FILE` later proves the log still holds every row it committed to.",
        response: {
          200: {
            description: "origin, row count, base64 hash, blank line, signature",
            content: { "text/plain": { schema: { type: "string" } } },
          },
          404: { $ref: "Problem#" },
        },
      },
    },
    async (_request, reply) => {
      const latest = await latestNote(db);
      if (latest === null)
        throw new PledgeError("PLEDGE_NOT_FOUND", "no signed checkpoint has been made yet");
      return reply.type(TEXT).header("cache-control", "no-cache").send(latest.note);
    },
  );

  app.get(
    "/v1/audit/checkpoint/key",
    {
      config: { use: PUBLIC },
      schema: {
        tags,
        summary: "The key that verifies checkpoints: a signed-note verifier key (name+hash+key)",
        response: {
          200: {
            description: "one line: <name>+<key hash>+<base64 key>",
            content: { "text/plain": { schema: { type: "string" } } },
          },
          404: { $ref: "Problem#" },
        },
      },
    },
    async (_request, reply) => {
      if (opts.publicKey === null)
        throw new PledgeError(
          "PLEDGE_NOT_FOUND",
          "this node was not given the audit signing key's public key",
        );
      return reply.type(TEXT).send(`${vkeyOf(opts.origin, opts.publicKey)}\n`);
    },
  );

  app.get(
    "/v1/audit/chain",
    {
      config: { use: { callers: { staff: [ADMIN_ROLE] }, personal: false } },
      schema: {
        tags,
        security: [{ apiKey: [] }],
        summary: "The state of the audit chain: verified or not, up to which seq, and the newest checkpoint",
        description:
          "Runs the check `pledge audit verify` makes, over the whole log, with this node's public key; a node without it counts every checkpoint as unverifiable.",
        response: { 200: chainSchema, ...errors },
      },
    },
    async () => {
      const state = await chainState(db, opts.publicKey, clock());
      return {
        ...state,
        problems: state.problems.map((p) => ({
          ...(p.chain === undefined ? {} : { chain: p.chain }),
          seq: p.seq,
          kind: p.kind,
          detail: p.detail,
        })),
        checkpoint:
          state.checkpoint === null ? null : { ...state.checkpoint, at: state.checkpoint.at.toISOString() },
      };
    },
  );

  app.get<{ Querystring: EventsQuery }>(
    "/v1/audit/events",
    {
      config: { use: { callers: { staff: [ADMIN_ROLE] }, personal: false } },
      schema: {
        tags,
        security: [{ apiKey: [] }],
        summary: "Audit events, oldest first: who used whose record, when, for what purpose",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            subjectId: { type: "string", maxLength: 200, pattern: FILTER_PATTERNS.subjectId },
            actor: {
              type: "string",
              maxLength: 200,
              pattern: FILTER_PATTERNS.actor,
              description: "staff:<id>, customer:<id>, system:<job>, system",
            },
            type: {
              type: "string",
              maxLength: 100,
              pattern: FILTER_PATTERNS.type,
              description: "decision, consent.recorded …",
            },
            from: {
              type: "string",
              format: "date-time",
              description: "events at or after this instant (with a UTC offset)",
            },
            to: {
              type: "string",
              format: "date-time",
              description: "events before this instant (with a UTC offset)",
            },
            ...paginationQuery,
          },
        },
        response: { 200: pageSchema(eventSchema), ...errors },
      },
    },
    async (request) => {
      const { cursor, limit: _limit, ...query } = request.query;
      const filter = auditLogFilter(query);
      const limit = limitOf(request.query);
      const after = cursor === undefined ? null : placeOf(decodeCursor(cursor, { seq: "text" }).seq);
      const rows = await readAuditLog(db, filter, { after, limit: limit + 1 });
      const items = rows.slice(0, limit);
      await opts.audit.append(
        auditReadEvent(filter, items.length, {
          actor: auditActor(actingOf(request).actor),
          at: clock(),
          via: "api",
        }),
      );
      const last = items.at(-1);
      return {
        items: items.map(presentAuditEvent),
        nextCursor:
          rows.length > limit && last !== undefined
            ? encodeCursor({ seq: `${last.chain}.${last.seq}` })
            : null,
      };
    },
  );
}

/** The place a cursor names: `<chain>.<seq>`, or a bare seq of chain 1. */
function placeOf(text: string): LogPlace {
  const m = /^(?:([1-9][0-9]{0,4})\.)?([1-9][0-9]{0,15})$/.exec(text);
  if (m === null)
    throw new PledgeError("PLEDGE_INVALID_CURSOR", "the cursor was not given out by this endpoint");
  return { chain: Number(m[1] ?? 1), seq: Number(m[2]) };
}
