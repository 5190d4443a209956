import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { actingOf } from "../../http/acting.ts";
import { ADMIN_ROLE, auditActor } from "../../use/acting.ts";
import { PROBLEM_CONTENT_TYPE, problem } from "../../http/errors.ts";
import { versionUrl } from "../../http/policy.routes.ts";
import type { PolicyBook } from "../../policy/book.ts";
import { PolicyError } from "../../policy/errors.ts";
import { inForce } from "../../policy/history.ts";
import type { Database } from "../../store/database.ts";
import type { CampaignsDeps } from "../campaigns/campaigns.service.ts";
import { campaignAnnouncer } from "./versions.announce.ts";
import { publishPolicy, type PublishResult } from "./versions.service.ts";
import { POLICY_POLL_MS, PublishedSync } from "./versions.sync.ts";

export interface PolicyPublishOptions {
  readonly db: Kysely<Database>;
  readonly book: PolicyBook;
  readonly clock: () => Date;
  readonly region: string;
  /**
   * The campaign service, to announce a material change as a policy_change campaign (PS-10).
   * Absent: a material change is published and recorded, and the answer says nobody was told.
   */
  readonly campaigns?: CampaignsDeps;
  /** How often to look for versions published through other nodes (ms). */
  readonly pollMs?: number;
}

const changeSchema = {
  type: "object",
  required: ["area", "id", "kind", "detail", "material"],
  properties: {
    area: { type: "string" },
    id: { type: "string" },
    kind: { type: "string", enum: ["added", "removed", "changed"] },
    detail: { type: "string" },
    material: { type: "boolean" },
    why: { type: "string" },
  },
} as const;

const publishedSchema = {
  type: "object",
  required: [
    "company",
    "version",
    "effectiveFrom",
    "publishedAt",
    "lastUpdated",
    "follows",
    "inForce",
    "material",
    "changes",
    "announcement",
    "url",
  ],
  properties: {
    company: { type: "string" },
    version: { type: "string" },
    effectiveFrom: {
      type: "string",
      format: "date-time",
      description: "the pack's effective_from, or the moment it was published when that is later",
    },
    publishedAt: { type: "string", format: "date-time" },
    lastUpdated: { type: "string" },
    follows: { type: ["string", "null"], description: "the version in force just before this one" },
    inForce: { type: "boolean", description: "the version is in force now" },
    material: { type: "boolean", description: "`pledge policy diff` finds a material change" },
    changes: { type: "array", items: changeSchema },
    announcement: {
      type: "object",
      required: ["campaignId", "queued", "note"],
      properties: {
        campaignId: { type: ["string", "null"] },
        queued: { type: "integer", description: "policy-change messages queued" },
        note: { type: "string" },
      },
    },
    url: { type: "string" },
  },
} as const;

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml"];

/**
 * `POST /v1/policy/versions` (admin): publishes a new version of the company's pack, sent as YAML
 * (`Content-Type: application/yaml`) or as JSON `{ "yaml": "…" }`. Also keeps this node's book in
 * step with versions published through other nodes: loaded now, then polled.
 */
export async function policyPublishRoutes(app: FastifyInstance, opts: PolicyPublishOptions): Promise<void> {
  const sync = new PublishedSync(opts.db, opts.book);
  await sync.sync();
  sync.start(opts.pollMs ?? POLICY_POLL_MS, (error: unknown) => {
    app.log.error(
      { errName: error instanceof Error ? error.name : typeof error },
      "policy version poll failed",
    );
  });
  app.addHook("onClose", async () => sync.stop());

  app.addContentTypeParser(YAML_TYPES, { parseAs: "string" }, (_request, body, done) => done(null, body));

  app.post<{ Body: string | { yaml: string } }>(
    "/v1/policy/versions",
    {
      config: { use: { callers: { staff: [ADMIN_ROLE] }, personal: false } },
      schema: {
        tags: ["policy"],
        security: [{ apiKey: [] }],
        summary: "Publish a new version of the company's policy",
        body: {
          anyOf: [
            { type: "string", minLength: 1, description: "the pack, as application/yaml" },
            {
              type: "object",
              additionalProperties: false,
              required: ["yaml"],
              properties: { yaml: { type: "string", minLength: 1 } },
            },
          ],
        },
        response: {
          201: publishedSchema,
          400: { $ref: "Problem#" },
          401: { $ref: "Problem#" },
          403: { $ref: "Problem#" },
          409: { $ref: "Problem#" },
          422: { $ref: "Problem#" },
        },
      },
    },
    async (request, reply) => {
      const yaml = typeof request.body === "string" ? request.body : request.body.yaml;
      let result: PublishResult;
      try {
        result = await publishPolicy(
          {
            db: opts.db,
            sync,
            clock: opts.clock,
            region: opts.region,
            ...(opts.campaigns ? { announce: campaignAnnouncer(opts.campaigns, actingOf(request)) } : {}),
          },
          { yaml, actor: auditActor(actingOf(request).actor), source: "body" },
        );
      } catch (error) {
        if (!(error instanceof PolicyError)) throw error;
        // The loader's issues, each with its line and column in the body.
        const body = problem(error.code, error.message, {
          instance: `urn:pledge:request:${request.id}`,
          errors: error.issues.map((i) => ({
            path: i.path,
            message: `line ${i.line}, column ${i.column}: ${i.message}`,
          })),
        });
        return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
      }
      const now = opts.clock().getTime();
      return reply.code(201).send({
        company: result.company,
        version: result.version,
        effectiveFrom: result.effectiveFrom.toISOString(),
        publishedAt: result.publishedAt.toISOString(),
        lastUpdated: result.lastUpdated,
        follows: result.follows,
        inForce: inForce(opts.book.history, new Date(now).toISOString()).version === result.version,
        material: result.material,
        changes: result.changes.map((c) => ({ ...c })),
        announcement: { ...result.announcement },
        url: versionUrl(result.version),
      });
    },
  );
}
