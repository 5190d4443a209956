import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { requiredIfMatch, setETag } from "../../http/etag.ts";
import { PledgeError } from "../../errors.ts";
import { limitOf, paginationQuery } from "../../http/pagination.ts";
import { actingOf } from "../../http/acting.ts";
import type { Authenticator } from "../../http/auth.ts";
import { auditActor } from "../../use/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import { errorResponses } from "../records/schemas.ts";
import type { RecordsDeps } from "../records/records.ts";
import { purposeSchema } from "../records/records.ts";
import { HOOK_SECRET_HEADER } from "../unsubscribe/unsubscribe.routes.ts";
import {
  COMPLAINT_SOURCES,
  COMPLAINT_STATUSES,
  isComplaintSubject,
  type ComplaintStatus,
} from "./complaints.ts";
import { listComplaints, moveComplaint, openComplaint, readComplaint } from "./complaints.service.ts";

export interface ComplaintRoutesOptions extends RecordsDeps {
  /** Staff keys, for the inbound route that also takes the hook's secret. */
  readonly auth: Authenticator;
  /** The shared secret an inbound-mail hook sends in `X-Pledge-Hook-Secret`; null: staff keys only. */
  readonly hookSecret: string | null;
}

const security = [{ apiKey: [] }];
const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;

const summaryProperties = {
  id: { type: "string", format: "uuid" },
  status: { type: "string", enum: COMPLAINT_STATUSES },
  source: { type: "string", enum: COMPLAINT_SOURCES },
  linked: { type: "boolean", description: "the sender's address is a known subject's email" },
  receivedAt: { type: "string", format: "date-time" },
  ageDays: { type: "integer", description: "whole days since the complaint was received" },
  version: { type: "integer" },
} as const;
const summaryRequired = ["id", "status", "source", "linked", "receivedAt", "ageDays", "version"] as const;

/** No personal values: the list and every change answer with this. */
const summarySchema = {
  type: "object",
  additionalProperties: false,
  required: summaryRequired,
  properties: summaryProperties,
} as const;

const detailSchema = {
  type: "object",
  additionalProperties: false,
  required: [...summaryRequired, "from", "subject", "text", "resolutionNote", "history"],
  properties: {
    ...summaryProperties,
    from: { type: ["string", "null"] },
    subject: { type: ["string", "null"] },
    text: { type: ["string", "null"] },
    resolutionNote: { type: ["string", "null"] },
    history: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["from", "to", "actor", "at"],
        properties: {
          from: { type: ["string", "null"], enum: [...COMPLAINT_STATUSES, null] },
          to: { type: "string", enum: COMPLAINT_STATUSES },
          actor: { type: "string" },
          at: { type: "string", format: "date-time" },
        },
      },
    },
  },
} as const;

const messageProperties = {
  from: { type: "string", minLength: 3, maxLength: 320, description: "the From address of the message" },
  subject: { type: "string", maxLength: 998, description: "the Subject line" },
  text: { type: "string", maxLength: 100_000, description: "the message text" },
  receivedAt: { type: "string", format: "date-time" },
} as const;

interface MessageBody {
  from: string;
  subject?: string;
  text: string;
  receivedAt?: string;
}

const allErrors = {
  ...errorResponses,
  409: { $ref: "Problem#" },
  412: { $ref: "Problem#" },
  428: { $ref: "Problem#" },
};

/**
 * Privacy complaints (ZM-12): the inbound-mail hook and staff intake, the working list (no
 * personal values), moves through the transition table with If-Match, and the gate-checked read.
 * There is no route that deletes a complaint.
 */
export async function complaintRoutes(app: FastifyInstance, opts: ComplaintRoutesOptions): Promise<void> {
  const staff = opts.auth.requireRole("any");
  const actorOf = (request: FastifyRequest) => auditActor(actingOf(request).actor);
  const STAFF = { staff: "any" } as const;

  const staffOrHook = async (request: FastifyRequest, reply: Parameters<typeof staff>[1]) => {
    const presented = request.headers[HOOK_SECRET_HEADER];
    if (typeof presented === "string" && opts.hookSecret !== null) {
      const a = Buffer.from(presented);
      const b = Buffer.from(opts.hookSecret);
      if (a.length === b.length && timingSafeEqual(a, b)) return;
      throw new PledgeError(
        "PLEDGE_AUTH_INVALID",
        `the ${HOOK_SECRET_HEADER} header is not the configured secret`,
      );
    }
    await staff.call(app, request, reply);
  };

  app.post<{ Body: MessageBody }>(
    "/v1/privacy-complaints/inbound",
    {
      config: {
        use: {
          callers: { staff: "any", hook: true },
          personal: true,
          action: "collect",
          purpose: "none",
          touches: ["email", "support_tickets"],
        },
      },
      preHandler: staffOrHook,
      schema: {
        tags: ["complaints"],
        security,
        summary:
          'A message to the privacy mailbox; one whose subject has "Privacy Policy" is tracked (ZM-12)',
        description:
          "Staff (any API key) or an inbound-mail hook (X-Pledge-Hook-Secret: PLEDGE_WEBHOOK_SECRET). " +
          'A message whose Subject contains "Privacy Policy" (any case) opens a complaint (201); ' +
          "any other is answered 202 with tracked: false and not stored.",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["from", "subject", "text"],
          properties: messageProperties,
        },
        response: {
          201: {
            type: "object",
            additionalProperties: false,
            required: ["tracked", "complaint"],
            properties: { tracked: { type: "boolean", enum: [true] }, complaint: summarySchema },
          },
          202: {
            type: "object",
            additionalProperties: false,
            required: ["tracked"],
            properties: { tracked: { type: "boolean", enum: [false] } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { from, subject = "", text, receivedAt } = request.body;
      if (!isComplaintSubject(subject)) return reply.code(202).send({ tracked: false });
      const actor = request.caller ? actorOf(request) : "system:inbound-mail";
      const complaint = await openComplaint(
        opts,
        { from, subject, text, source: "inbound-mail", ...(receivedAt ? { receivedAt } : {}) },
        actor,
      );
      return reply.code(201).send({ tracked: true, complaint });
    },
  );

  app.post<{ Body: MessageBody }>(
    "/v1/privacy-complaints",
    {
      config: {
        idempotent: true,
        use: {
          callers: STAFF,
          personal: true,
          action: "collect",
          purpose: "none",
          touches: ["email", "support_tickets"],
        },
      },
      schema: {
        tags: ["complaints"],
        security,
        summary: "Open a privacy complaint received another way (ZM-12)",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["from", "text"],
          properties: messageProperties,
        },
        response: { 201: summarySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { from, subject = "Privacy Policy", text, receivedAt } = request.body;
      const complaint = await openComplaint(
        opts,
        { from, subject, text, source: "staff", ...(receivedAt ? { receivedAt } : {}) },
        actorOf(request),
      );
      setETag(reply, complaint.version);
      return reply.code(201).send(complaint);
    },
  );

  app.get<{ Querystring: { status: ComplaintStatus | "unresolved"; limit?: string } }>(
    "/v1/privacy-complaints",
    {
      config: { use: { callers: STAFF, personal: true, action: "read", purpose: "none", touches: [] } },
      schema: {
        tags: ["complaints"],
        security,
        summary: "Complaints in a status, oldest first (default: open and in progress); no personal values",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            status: { type: "string", enum: [...COMPLAINT_STATUSES, "unresolved"], default: "unresolved" },
            limit: paginationQuery.limit,
          },
        },
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: summarySchema } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => ({
      items: await listComplaints(opts.db, opts.clock(), {
        status: request.query.status,
        limit: limitOf(request.query),
      }),
    }),
  );

  app.get<{ Params: { id: string }; Querystring: { purpose: string } }>(
    "/v1/privacy-complaints/:id",
    {
      config: {
        use: {
          callers: STAFF,
          personal: true,
          action: "read",
          purpose: "query",
          touches: ["email", "support_tickets"],
        },
      },
      schema: {
        tags: ["complaints"],
        security,
        summary: "One complaint's content and history, for a stated purpose (gate-checked, audited)",
        params: idParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["purpose"],
          properties: { purpose: purposeSchema },
        },
        response: { 200: detailSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const detail = unwrap(
        await readComplaint(opts, actingOf(request), request.params.id, request.query.purpose),
      );
      setETag(reply, detail.version);
      return detail;
    },
  );

  app.patch<{ Params: { id: string }; Body: { status: ComplaintStatus; note?: string; purpose: string } }>(
    "/v1/privacy-complaints/:id",
    {
      config: {
        use: {
          callers: STAFF,
          personal: true,
          action: "collect",
          purpose: "body",
          touches: ["support_tickets"],
        },
      },
      schema: {
        tags: ["complaints"],
        security,
        summary: "Move a complaint: open → in_progress → resolved | rejected (a note is required to close)",
        description: "Send If-Match with the ETag (version) you read; the move is audited with who and when.",
        params: idParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["status", "purpose"],
          properties: {
            status: { type: "string", enum: COMPLAINT_STATUSES },
            note: { type: "string", maxLength: 10_000 },
            purpose: purposeSchema,
          },
        },
        response: { 200: summarySchema, ...allErrors },
      },
    },
    async (request, reply) => {
      const expected = requiredIfMatch(request);
      const summary = unwrap(
        await moveComplaint(opts, actingOf(request), request.params.id, expected, request.body),
      );
      setETag(reply, summary.version);
      return summary;
    },
  );
}
