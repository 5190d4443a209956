import type { FastifyInstance } from "fastify";
import { requiredIfMatch, setETag } from "../../http/etag.ts";
import { actingOf } from "../../http/acting.ts";
import { PledgeError } from "../../errors.ts";
import { decodeCursor, encodeCursor, limitOf, pageSchema, paginationQuery } from "../../http/pagination.ts";
import { normaliseJurisdiction } from "../../policy/jurisdiction.ts";
import { unwrap } from "../../use/refusal.ts";
import { errorResponses, moveErrorResponses } from "../records/schemas.ts";
import { assignRequest, listRequests, moveRequest, readRequest, type QueueFilter } from "./requests.queue.ts";
import {
  claimantSchema,
  detailsSchema,
  jurisdictionSchema,
  kindSchema,
  receivedSchema,
  requestDetail,
  requestView,
} from "./requests.schemas.ts";
import { receiveRequest, type RequestsDeps } from "./requests.service.ts";
import {
  DENIAL_REASONS,
  REQUEST_STATES,
  type Claimant,
  type DenialReason,
  type RequestDetails,
  type RequestKind,
  type RequestState,
} from "./requests.ts";

const tags = ["requests"];
const security = [{ apiKey: [] }];
const STAFF = { staff: "any" } as const;
const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;

/**
 * The staff side of rights requests: intake on a person's behalf (matched on the pack's
 * identifying fields; two people matched act on nobody), the queue by due date with filters,
 * one request with its history, moves with If-Match (verify, work, wait on the person, extend
 * with notice, fulfil, deny with a reason, revoke), and assignment.
 */
export async function requestRoutes(app: FastifyInstance, opts: { deps: RequestsDeps }): Promise<void> {
  const { deps } = opts;

  app.post<{
    Body: { kind: RequestKind; claimant: Claimant; jurisdiction?: string; details?: RequestDetails };
  }>(
    "/v1/requests",
    {
      config: {
        idempotent: true,
        use: {
          callers: STAFF,
          personal: true,
          action: "read",
          purpose: "pack",
          touches: ["email", "first_name", "last_name", "zip"],
        },
      },
      schema: {
        tags,
        security,
        summary: "Receive a rights request on a person's behalf (staff-assisted intake)",
        description:
          "The person is matched on one of the pack's identifying sets (requests.removal_match: e.g. name + postal address + ZIP, or email). " +
          "Details that fit two people (two people at one address) act on nobody: 422 PLEDGE_REQUEST_AMBIGUOUS_MATCH; details that fit nobody: 422 PLEDGE_REQUEST_NO_MATCH. " +
          "A matched person's request is verified; an opt-out is done at once. An open request of the same kind for the same person is answered as it is (200, repeated: true).",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["kind", "claimant"],
          properties: {
            kind: kindSchema,
            claimant: claimantSchema,
            jurisdiction: jurisdictionSchema,
            details: detailsSchema,
          },
        },
        response: { 200: receivedSchema, 201: receivedSchema, ...errorResponses, 422: { $ref: "Problem#" } },
      },
    },
    async (request, reply) => {
      const { kind, claimant, jurisdiction, details } = request.body;
      const received = unwrap(
        await receiveRequest(deps, actingOf(request), {
          kind,
          intake: "staff",
          claimant,
          ...(jurisdiction === undefined ? {} : { jurisdiction }),
          ...(details === undefined ? {} : { details }),
        }),
      );
      setETag(reply, received.request.version);
      return reply.code(received.repeated ? 200 : 201).send(received);
    },
  );

  app.get<{
    Querystring: {
      kind?: RequestKind;
      state?: RequestState | "open" | "overdue" | "all";
      jurisdiction?: string;
      queue?: string;
      dueBefore?: string;
      limit?: string;
      cursor?: string;
    };
  }>(
    "/v1/requests",
    {
      config: { use: { callers: STAFF, personal: true, action: "read", purpose: "none", touches: [] } },
      schema: {
        tags,
        security,
        summary: "The request queue, most urgent first",
        description:
          "Open requests by due date, the overdue first (the default), or with `state` a state, `overdue`, or `all` (closed ones after the open). Filters: kind, jurisdiction, queue, dueBefore. No personal values.",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            kind: kindSchema,
            state: {
              type: "string",
              enum: [...REQUEST_STATES, "open", "overdue", "all"],
              description: "a state, open (the default), overdue, or all",
            },
            jurisdiction: jurisdictionSchema,
            queue: { type: "string", maxLength: 60, pattern: "^[a-z][a-z0-9_-]*$" },
            dueBefore: { type: "string", format: "date-time" },
            ...paginationQuery,
          },
        },
        response: { 200: pageSchema(requestView), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, { due: "time", id: "uuid" });
      const jurisdiction = q.jurisdiction === undefined ? undefined : normaliseJurisdiction(q.jurisdiction);
      if (jurisdiction === null) {
        throw new PledgeError(
          "PLEDGE_VALIDATION_FAILED",
          "jurisdiction is a country (DE), a subdivision (US-CA) or a group (EU, EEA)",
        );
      }
      const filter: QueueFilter = {
        ...(q.kind === undefined ? {} : { kind: q.kind }),
        ...(q.state === undefined ? {} : { state: q.state }),
        ...(jurisdiction === undefined ? {} : { jurisdiction }),
        ...(q.queue === undefined ? {} : { queue: q.queue }),
        ...(q.dueBefore === undefined ? {} : { dueBefore: new Date(q.dueBefore) }),
      };
      const page = await listRequests(deps, filter, {
        limit: limitOf(q),
        ...(after === undefined ? {} : { after }),
      });
      return { items: page.requests, nextCursor: page.next === null ? null : encodeCursor(page.next) };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/requests/:id",
    {
      config: { use: { callers: STAFF, personal: true, action: "read", purpose: "none", touches: [] } },
      schema: {
        tags,
        security,
        summary: "One request with its history and what fulfilment did",
        params: idParams,
        response: { 200: requestDetail, ...errorResponses },
      },
    },
    async (request, reply) => {
      const detail = await readRequest(deps, request.params.id);
      if (detail === null)
        throw new PledgeError("PLEDGE_NOT_FOUND", `no rights request ${request.params.id}`);
      setETag(reply, detail.version);
      return detail;
    },
  );

  app.post<{
    Params: { id: string };
    Body: { to: RequestState; reason?: DenialReason; extensionReason?: string };
  }>(
    "/v1/requests/:id/moves",
    {
      config: { use: { callers: STAFF, personal: true, action: "erase", purpose: "pack", touches: [] } },
      schema: {
        tags,
        security,
        summary: "Move a request: verify, work, wait on the person, extend with notice, fulfil, deny, revoke",
        description:
          "Needs If-Match with the request's ETag. `fulfilled` does the request's work (an access package link, the erasure, the opt-out). " +
          "`denied` needs `reason`; `extended` needs `extensionReason` (told to the person), once, before the request is due. Each move owes the person its notice by email.",
        params: idParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["to"],
          properties: {
            to: { type: "string", enum: REQUEST_STATES },
            reason: { type: "string", enum: DENIAL_REASONS },
            extensionReason: { type: "string", minLength: 1, maxLength: 1000 },
          },
        },
        response: { 200: requestView, ...moveErrorResponses },
      },
    },
    async (request, reply) => {
      const expected = requiredIfMatch(request);
      const { to, reason, extensionReason } = request.body;
      const view = await moveRequest(
        deps,
        actingOf(request),
        request.params.id,
        {
          to,
          ...(reason === undefined ? {} : { reason }),
          ...(extensionReason === undefined ? {} : { extensionReason }),
        },
        expected ?? undefined,
      );
      setETag(reply, view.version);
      return view;
    },
  );

  app.put<{ Params: { id: string }; Body: { assignee: string | null } }>(
    "/v1/requests/:id/assignee",
    {
      config: { use: { callers: STAFF, personal: false } },
      schema: {
        tags,
        security,
        summary: "Give a request to a staff member (null: to nobody)",
        params: idParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["assignee"],
          properties: { assignee: { type: ["string", "null"], format: "uuid", description: "a staff id" } },
        },
        response: { 200: requestView, ...moveErrorResponses },
      },
    },
    async (request, reply) => {
      const expected = requiredIfMatch(request);
      const view = await assignRequest(
        deps,
        actingOf(request),
        request.params.id,
        request.body.assignee,
        expected ?? undefined,
      );
      setETag(reply, view.version);
      return view;
    },
  );
}
