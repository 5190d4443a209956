import type { FastifyInstance } from "fastify";
import { actingOf } from "../../http/acting.ts";
import { doNotTrack, gpcSignalled } from "../../http/gpc.ts";
import { refuseUnlessAdmitted, TokenBuckets } from "../../http/rate-limit.ts";
import { sourceOf } from "../../throttle/source.ts";
import { unwrap } from "../../use/refusal.ts";
import { purposeSchema } from "../records/records.ts";
import { errorResponses } from "../records/schemas.ts";
import { ANALYTICS_SCRIPT } from "./analytics.script.ts";
import { PageViewWriter } from "./analytics.writer.ts";
import {
  collectHit,
  exportReport,
  siteReport,
  type AnalyticsDeps,
  type ExportQuery,
  type ReportQuery,
  type Salts,
} from "./analytics.service.ts";

const tags = ["analytics"];
const security = [{ apiKey: [] }];
const STAFF = { staff: "any" } as const;
const day = { type: "string", format: "date" } as const;
const site = { type: "string", minLength: 1, maxLength: 253, pattern: "^[A-Za-z0-9.:-]+$" } as const;

const table = {
  type: "object",
  additionalProperties: false,
  required: ["cells", "withheld"],
  properties: {
    cells: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["key", "views", "visitors"],
        properties: {
          key: { type: ["string", "null"] },
          views: { type: "integer" },
          visitors: { type: "integer" },
        },
      },
    },
    withheld: { type: "integer" },
  },
} as const;

const report = {
  type: "object",
  additionalProperties: false,
  required: ["site", "from", "to", "minCohort", "epsilon", "budget", "days"],
  properties: {
    site: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    minCohort: { type: ["integer", "null"] },
    epsilon: { type: ["number", "null"] },
    budget: {
      type: "object",
      additionalProperties: false,
      required: ["limit", "periods"],
      properties: {
        limit: { type: "number" },
        periods: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["period", "spent", "left"],
            properties: { period: { type: "string" }, spent: { type: "number" }, left: { type: "number" } },
          },
        },
      },
    },
    disclosureId: { type: "string", format: "uuid" },
    days: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["day", "withheld", "pageViews", "visitors", "pages", "referrers", "entries", "exits"],
        properties: {
          day: { type: "string" },
          withheld: { type: "boolean" },
          pageViews: { type: ["integer", "null"] },
          visitors: { type: ["integer", "null"] },
          pages: table,
          referrers: table,
          entries: table,
          exits: table,
        },
      },
    },
  },
} as const;

const reportQuery = {
  type: "object",
  additionalProperties: false,
  required: ["site", "from", "to", "purpose"],
  properties: {
    site,
    from: day,
    to: day,
    purpose: purposeSchema,
    epsilon: { type: "string", pattern: "^(0|[1-9][0-9]?)(\\.[0-9]{1,6})?$" },
  },
} as const;

/**
 * Site statistics (docs/analytics.md): the first-party script, the collection endpoint (public,
 * no cookies, drops hits that carry GPC or DNT), and reports and exports of aggregates only.
 */
export async function analyticsRoutes(
  app: FastifyInstance,
  opts: {
    readonly deps: AnalyticsDeps;
    readonly salts: Salts;
    /** Page-view INSERTs in flight at once (PageViewWriter): 1 on PGlite, a few on PostgreSQL. */
    readonly writers: number;
    /** Hits taken from one source a minute (PLEDGE_ANALYTICS_HITS_PER_MINUTE); null: no limit. */
    readonly hitsPerMinute: number | null;
  },
): Promise<void> {
  const { deps, salts } = opts;
  const perSource =
    opts.hitsPerMinute === null
      ? null
      : new TokenBuckets({ capacity: opts.hitsPerMinute, perMs: 60_000 }, () => Date.now());
  const writer = new PageViewWriter(deps.db, opts.writers);
  // sendBeacon and a no-cors fetch send text/plain (a "simple" request, no preflight): read it as JSON.
  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser("text/plain", { parseAs: "string" }, app.getDefaultJsonParser("error", "error"));

  app.get(
    "/analytics.js",
    {
      config: { use: { callers: { public: true }, personal: false } },
      schema: { tags, summary: "The first-party page-view script (no cookies; silent under GPC or DNT)" },
    },
    async (_request, reply) =>
      reply
        .type("text/javascript; charset=utf-8")
        .header("cache-control", "public, max-age=3600")
        .header("cross-origin-resource-policy", "cross-origin")
        .send(ANALYTICS_SCRIPT),
  );

  app.post<{ Body: { page: string; referrer?: string } }>(
    "/v1/analytics/hits",
    {
      config: {
        use: {
          callers: { public: true },
          personal: true,
          action: "collect",
          purpose: "none",
          touches: [],
        },
      },
      schema: {
        tags,
        summary: "Count one page view",
        description:
          "Public, sets and reads no cookie. Keeps the site, the path (no query string), the referring host and a visitor key salted per day; never the address or user agent. A hit with `Sec-GPC: 1` or `DNT: 1` is dropped (still 204). More than PLEDGE_ANALYTICS_HITS_PER_MINUTE from one source in a minute: 429 PLEDGE_RATE_LIMITED, nothing counted.",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["page"],
          properties: {
            page: { type: "string", minLength: 1, maxLength: 2048 },
            referrer: { type: "string", maxLength: 2048 },
          },
        },
        response: { 204: { type: "null" }, 400: { $ref: "Problem#" }, 429: { $ref: "Problem#" } },
      },
    },
    async (request, reply) => {
      // A flood from one source is refused before anything is counted or stored.
      if (perSource !== null) refuseUnlessAdmitted(reply, perSource.take(sourceOf(request.ip)), "page views");
      await collectHit(
        { clock: deps.clock, salts, writer },
        {
          page: request.body.page,
          ...(request.body.referrer === undefined ? {} : { referrer: request.body.referrer }),
          ip: request.ip,
          userAgent: request.headers["user-agent"] ?? "",
          optedOut: gpcSignalled(request) || doNotTrack(request),
        },
      );
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: Omit<ReportQuery, "epsilon"> & { epsilon?: string } }>(
    "/v1/analytics/report",
    {
      config: { use: { callers: STAFF, personal: true, action: "analyse", purpose: "query", touches: [] } },
      schema: {
        tags,
        security,
        summary: "A site's statistics by day, aggregates only; small cells and their complements withheld",
        querystring: reportQuery,
        response: { 200: report, ...errorResponses },
      },
    },
    async (request) => {
      const { epsilon, ...query } = request.query;
      const noise = epsilon === undefined ? {} : { epsilon: Number(epsilon) };
      return unwrap(await siteReport(deps, actingOf(request), { ...query, ...noise }));
    },
  );

  app.post<{ Body: ExportQuery }>(
    "/v1/analytics/exports",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "disclose", purpose: "body", touches: [] },
        idempotent: true,
      },
      schema: {
        tags,
        security,
        summary:
          "Send a site report to a recipient (a tracking tool): aggregates only, in the disclosure ledger (Z16-09)",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["site", "from", "to", "purpose", "recipient"],
          properties: {
            ...reportQuery.properties,
            epsilon: { type: "number", exclusiveMinimum: 0, maximum: 10 },
            recipient: { type: "string", minLength: 1, maxLength: 100 },
            level: { type: "string", enum: ["aggregate", "page_views"], default: "aggregate" },
          },
        },
        response: { 201: report, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(unwrap(await exportReport(deps, actingOf(request), request.body))),
  );
}
