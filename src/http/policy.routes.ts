import type { FastifyInstance, FastifyReply } from "fastify";
import type { Kysely } from "kysely";
import { PolicyError } from "../policy/errors.ts";
import { inForce, type PolicyVersion } from "../policy/history.ts";
import type { CampaignsDeps } from "../modules/campaigns/campaigns.service.ts";
import { campaignAnnouncer } from "../policy/publish.announce.ts";
import { publishPolicy, type PublishResult } from "../policy/publish.service.ts";
import { POLICY_POLL_MS, PublishedSync } from "../policy/publish.sync.ts";
import { renderPolicy, type RenderFormat } from "../policy/render.ts";
import type { PolicyPack } from "../policy/schema.ts";
import type { Database } from "../store/database.ts";
import type { Authenticator } from "./auth.ts";
import { PROBLEM_CONTENT_TYPE, PledgeError, problem } from "./errors.ts";
import type { PolicyBook } from "./policies.ts";

export interface PolicyRoutesOptions {
  readonly book: PolicyBook;
  readonly clock: () => Date;
}

const CONTENT_TYPES: Record<RenderFormat, string> = {
  html: "text/html; charset=utf-8",
  md: "text/markdown; charset=utf-8",
};

const versionSchema = {
  type: "object",
  required: ["version", "effectiveFrom", "lastUpdated", "inForce", "published", "source", "url"],
  properties: {
    version: { type: "string" },
    effectiveFrom: { type: "string", format: "date-time", description: "when the version took effect" },
    lastUpdated: { type: "string" },
    inForce: { type: "boolean" },
    published: { type: "boolean", description: "always true: a version is listed once it takes effect" },
    source: {
      type: "string",
      enum: ["file", "published"],
      description: "the policy folder, or published through the API or CLI",
    },
    url: { type: "string" },
  },
} as const;

/**
 * The published policy, public and without sign-in: rendered from the same pack the gate enforces
 * (ALL-01), the version in force now at /policy, and every version that has taken effect at
 * /policy/versions/<version>, so earlier wording stays published (Z16-16) with its last-updated
 * date (Z19-08). The book is read on every request, so a version published while Pledge runs
 * appears here from the instant it takes effect. Renders are made once per pack and format.
 */
export async function policyRoutes(app: FastifyInstance, opts: PolicyRoutesOptions): Promise<void> {
  const { book, clock } = opts;
  const rendered = new WeakMap<PolicyPack, Map<RenderFormat, string>>();
  const render = (pack: PolicyPack, format: RenderFormat): string => {
    let forPack = rendered.get(pack);
    if (forPack === undefined) rendered.set(pack, (forPack = new Map()));
    let text = forPack.get(format);
    if (text === undefined) {
      text = renderPolicy(pack, format);
      forPack.set(format, text);
    }
    return text;
  };
  const formatSchema = {
    type: "object",
    properties: { format: { type: "string", enum: ["html", "md"], default: "html" } },
    additionalProperties: false,
  } as const;
  const send = (reply: FastifyReply, pack: PolicyPack, format: RenderFormat): string => {
    void reply
      .type(CONTENT_TYPES[format])
      .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'")
      .header("x-policy-version", pack.version);
    return render(pack, format);
  };
  /** Versions that have taken effect by now, oldest first. */
  const visible = (): readonly PolicyVersion[] => {
    const now = clock().getTime();
    return book.history.versions.filter((v) => v.from <= now);
  };

  app.get<{ Querystring: { format: RenderFormat } }>(
    "/policy",
    { schema: { tags: ["policy"], summary: "The privacy policy in force now", querystring: formatSchema } },
    async (request, reply) => send(reply, inForce(book.history, clock().toISOString()), request.query.format),
  );

  app.get(
    "/policy/versions",
    {
      schema: {
        tags: ["policy"],
        summary: "Every version of the privacy policy that has taken effect",
        response: {
          200: {
            type: "object",
            required: ["company", "versions"],
            properties: { company: { type: "string" }, versions: { type: "array", items: versionSchema } },
          },
        },
      },
    },
    async () => {
      const current = inForce(book.history, clock().toISOString());
      const stored = new Set(book.published);
      return {
        company: book.history.company,
        versions: visible().map((v) => ({
          version: v.pack.version,
          effectiveFrom: new Date(v.from).toISOString(),
          lastUpdated: v.pack.last_updated,
          inForce: v.pack === current,
          published: true,
          source: stored.has(v) ? "published" : "file",
          url: versionUrl(v.pack.version),
        })),
      };
    },
  );

  app.get<{ Params: { version: string }; Querystring: { format: RenderFormat } }>(
    "/policy/versions/:version",
    { schema: { tags: ["policy"], summary: "One version of the privacy policy", querystring: formatSchema } },
    async (request, reply) => {
      const entry = visible().find((v) => v.pack.version === request.params.version);
      if (!entry) throw new PledgeError("PLEDGE_NOT_FOUND", "no such policy version");
      return send(reply, entry.pack, request.query.format);
    },
  );
}

export interface PolicyPublishOptions {
  readonly db: Kysely<Database>;
  readonly auth: Authenticator;
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
  app.addHook("preHandler", opts.auth.requireRole(["admin"]));

  app.post<{ Body: string | { yaml: string } }>(
    "/v1/policy/versions",
    {
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
            ...(opts.campaigns && request.caller
              ? { announce: campaignAnnouncer(opts.campaigns, request.caller) }
              : {}),
          },
          { yaml, actor: `staff:${request.caller?.staffId ?? "unknown"}`, source: "body" },
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

function versionUrl(version: string): string {
  return `/policy/versions/${encodeURIComponent(version)}`;
}
