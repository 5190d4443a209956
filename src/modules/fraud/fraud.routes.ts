import type { FastifyInstance } from "fastify";
import { actingOf } from "../../http/acting.ts";
import { limitOf, pageSchema, paginationQuery } from "../../http/pagination.ts";
import { ADMIN_ROLE } from "../../use/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import { FRAUD_REASON_CODES, FRAUD_ROLES, HOLD_STATUSES, type HoldStatus } from "./fraud.ts";
import { expireHolds, getHold, listHolds, moveHold, type FraudDeps } from "./fraud.service.ts";

const tags = ["fraud"];
const security = [{ apiKey: [] }];
const CALLERS = { staff: [ADMIN_ROLE, ...FRAUD_ROLES] } as const;
const time = { type: "string", format: "date-time" } as const;

/** Every field of a hold as it leaves: ids, codes, reasons in words, dates. */
export const fraudHoldSchema = {
  type: "object",
  additionalProperties: false,
  required: [
    "holdId",
    "subjectId",
    "status",
    "reasons",
    "heldAt",
    "verifyBy",
    "closedAt",
    "closedBy",
    "noticeSentAt",
    "version",
  ],
  properties: {
    holdId: { type: "string", format: "uuid" },
    subjectId: { type: "string", format: "uuid" },
    status: { type: "string", enum: HOLD_STATUSES },
    reasons: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["code", "reason"],
        properties: { code: { type: "string", enum: FRAUD_REASON_CODES }, reason: { type: "string" } },
      },
    },
    heldAt: time,
    verifyBy: time,
    closedAt: { type: ["string", "null"], format: "date-time" },
    closedBy: { type: ["string", "null"] },
    noticeSentAt: { type: ["string", "null"], format: "date-time" },
    version: { type: "integer" },
  },
} as const;

const problems = Object.fromEntries(
  [400, 401, 403, 404, 409].map((s) => [s, { $ref: "Problem#" }]),
) as Record<number, { $ref: string }>;
const holdParams = {
  type: "object",
  required: ["holdId"],
  properties: { holdId: { type: "string", format: "uuid" } },
} as const;

/**
 * Fraud holds (ZM-09, docs/fraud.md) under /v1/fraud/holds: list and filter them, read one with
 * its reasons, release or reject a held one (the customer is told by email), and run the expiry
 * of holds past the pack's verification limit (also run by the app's sweep). Admin or the pack's
 * `billing` role.
 */
export async function fraudRoutes(app: FastifyInstance, opts: { readonly deps: FraudDeps }): Promise<void> {
  const { deps } = opts;

  app.get<{ Querystring: { status?: HoldStatus; limit?: string; cursor?: string } }>(
    "/v1/fraud/holds",
    {
      config: { use: { callers: CALLERS, personal: false } },
      schema: {
        tags,
        security,
        summary: "Fraud holds, newest first, optionally only those in one status",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { status: { type: "string", enum: HOLD_STATUSES }, ...paginationQuery },
        },
        response: { 200: pageSchema(fraudHoldSchema), ...problems },
      },
    },
    async (request) => {
      const { status, cursor } = request.query;
      return listHolds(deps, {
        limit: limitOf(request.query),
        ...(status === undefined ? {} : { status }),
        ...(cursor === undefined ? {} : { cursor }),
      });
    },
  );

  app.get<{ Params: { holdId: string } }>(
    "/v1/fraud/holds/:holdId",
    {
      config: { use: { callers: CALLERS, personal: false } },
      schema: {
        tags,
        security,
        summary: "One fraud hold with its reasons",
        params: holdParams,
        response: { 200: fraudHoldSchema, ...problems },
      },
    },
    async (request) => unwrap(await getHold(deps, request.params.holdId)),
  );

  for (const move of ["release", "reject"] as const) {
    app.post<{ Params: { holdId: string } }>(
      `/v1/fraud/holds/:holdId/${move}`,
      {
        config: { use: { callers: CALLERS, personal: false } },
        schema: {
          tags,
          security,
          summary:
            move === "release"
              ? "Release a held customer: verified, their orders may be charged and fulfilled"
              : "Reject a held customer: their placed orders are cancelled and no further order is taken",
          description:
            "The customer is told by email. A hold that is not held any more is PLEDGE_FRAUD_HOLD_CLOSED.",
          params: holdParams,
          response: { 200: fraudHoldSchema, ...problems },
        },
      },
      async (request) => unwrap(await moveHold(deps, actingOf(request), request.params.holdId, move)),
    );
  }

  app.post(
    "/v1/fraud/holds/expire",
    {
      config: { use: { callers: CALLERS, personal: false } },
      schema: {
        tags,
        security,
        summary: "Reject every hold not verified within the pack's limit (what the sweep runs)",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["expired"],
            properties: { expired: { type: "array", items: { type: "string", format: "uuid" } } },
          },
          ...problems,
        },
      },
    },
    async () => ({ expired: await expireHolds(deps) }),
  );
}
