import type { FastifyInstance, FastifyReply } from "fastify";
import { PledgeError } from "../errors.ts";
import type { PolicyBook } from "../policy/book.ts";
import { inForce, type PolicyVersion } from "../policy/history.ts";
import { renderPolicy, type RenderFormat } from "../policy/render.ts";
import type { PolicyPack } from "../policy/schema.ts";

export interface PolicyRoutesOptions {
  readonly book: PolicyBook;
  readonly clock: () => Date;
}

/** The published policy: anyone may read it, and it holds nobody's data. */
const PUBLIC = { callers: { public: true }, personal: false } as const;

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
    {
      config: { use: PUBLIC },
      schema: { tags: ["policy"], summary: "The privacy policy in force now", querystring: formatSchema },
    },
    async (request, reply) => send(reply, inForce(book.history, clock().toISOString()), request.query.format),
  );

  app.get(
    "/policy/versions",
    {
      config: { use: PUBLIC },
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
    {
      config: { use: PUBLIC },
      schema: { tags: ["policy"], summary: "One version of the privacy policy", querystring: formatSchema },
    },
    async (request, reply) => {
      const entry = visible().find((v) => v.pack.version === request.params.version);
      if (!entry) throw new PledgeError("PLEDGE_NOT_FOUND", "no such policy version");
      return send(reply, entry.pack, request.query.format);
    },
  );
}

/** Where a version of the policy is published. */
export function versionUrl(version: string): string {
  return `/policy/versions/${encodeURIComponent(version)}`;
}
