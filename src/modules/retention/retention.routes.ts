import type { FastifyInstance } from "fastify";
import { actingOf } from "../../http/acting.ts";
import { limitOf } from "../../http/pagination.ts";
import { ADMIN_ROLE } from "../../use/acting.ts";
import { RETENTION_ITEMS } from "./retention.ts";
import { getRun, listRuns, runRetention, type RetentionDeps } from "./retention.service.ts";

const tags = ["retention"];
const security = [{ apiKey: [] }];
const config = { use: { callers: { staff: [ADMIN_ROLE] }, personal: false } } as const;
const strings = { type: "array", items: { type: "string" } } as const;

const itemReport = {
  type: "object",
  additionalProperties: false,
  required: ["item", "categories", "periods", "reasons", "from", "cutoff", "erased", "keptByHold"],
  properties: {
    item: { type: "string", enum: RETENTION_ITEMS },
    categories: strings,
    periods: strings,
    reasons: strings,
    from: { type: "string" },
    cutoff: { type: "string", format: "date-time" },
    erased: { type: "integer" },
    keptByHold: { type: "integer" },
  },
} as const;

const run = {
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "dryRun",
    "status",
    "asOf",
    "policyVersion",
    "timeZone",
    "startedBy",
    "startedAt",
    "finishedAt",
    "batches",
    "report",
  ],
  properties: {
    id: { type: ["string", "null"], format: "uuid" },
    dryRun: { type: "boolean" },
    status: { type: "string", enum: ["running", "finished"] },
    asOf: { type: "string", format: "date-time" },
    policyVersion: { type: "string" },
    timeZone: { type: "string" },
    startedBy: { type: "string" },
    startedAt: { type: "string", format: "date-time" },
    finishedAt: { type: ["string", "null"], format: "date-time" },
    batches: { type: "integer" },
    report: {
      type: "object",
      additionalProperties: false,
      required: ["items", "subjects", "heldSubjects", "unenforced"],
      properties: {
        items: { type: "array", items: itemReport },
        subjects: { type: "integer" },
        heldSubjects: { type: "integer" },
        unenforced: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["categories", "period", "why"],
            properties: { categories: strings, period: { type: "string" }, why: { type: "string" } },
          },
        },
      },
    },
  },
} as const;

const problems = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
};

/**
 * Retention runs under /v1/retention/runs (docs/retention.md), admin only: start one (or resume
 * the unfinished one), dry or not, and read the reports. Nothing here carries personal data.
 */
export async function retentionRoutes(
  app: FastifyInstance,
  opts: { readonly deps: RetentionDeps },
): Promise<void> {
  const { deps } = opts;

  app.post<{ Body: { dryRun?: boolean; maxBatches?: number } }>(
    "/v1/retention/runs",
    {
      config,
      schema: {
        tags,
        security,
        summary:
          "Run retention now: erase what is past its period (or, dry, report what would go); resumes an unfinished run",
        body: {
          type: "object",
          additionalProperties: false,
          properties: {
            dryRun: { type: "boolean", default: false },
            maxBatches: { type: "integer", minimum: 1, maximum: 1000000 },
          },
        },
        response: { 200: run, ...problems },
      },
    },
    async (request) =>
      runRetention(deps, actingOf(request), {
        dryRun: request.body?.dryRun === true,
        ...(request.body?.maxBatches === undefined ? {} : { maxBatches: request.body.maxBatches }),
      }),
  );

  app.get<{ Querystring: { limit?: string } }>(
    "/v1/retention/runs",
    {
      config,
      schema: {
        tags,
        security,
        summary: "The latest retention runs and their reports, newest first",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { limit: { type: "string", pattern: "^[1-9][0-9]{0,2}$" } },
        },
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: run } },
          },
          ...problems,
        },
      },
    },
    async (request) => ({ items: await listRuns(deps, limitOf(request.query)) }),
  );

  app.get<{ Params: { runId: string } }>(
    "/v1/retention/runs/:runId",
    {
      config,
      schema: {
        tags,
        security,
        summary: "One retention run's report",
        params: {
          type: "object",
          required: ["runId"],
          properties: { runId: { type: "string", format: "uuid" } },
        },
        response: { 200: run, ...problems },
      },
    },
    async (request) => getRun(deps, request.params.runId),
  );
}
