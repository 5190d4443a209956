import type { FastifyInstance, FastifyReply } from "fastify";
import { inForce } from "../policy/history.ts";
import { renderPolicy, type RenderFormat } from "../policy/render.ts";
import type { PolicyPack } from "../policy/schema.ts";
import { PledgeError } from "./errors.ts";
import type { PolicyBook } from "./policies.ts";

export interface PolicyRoutesOptions {
  readonly book: PolicyBook;
  readonly clock: () => Date;
}

const CONTENT_TYPES: Record<RenderFormat, string> = {
  html: "text/html; charset=utf-8",
  md: "text/markdown; charset=utf-8",
};

/**
 * The published policy, public and without sign-in: rendered from the same pack the gate enforces
 * (ALL-01), the version in force now at /policy, and every version ever in force at
 * /policy/versions/<version>, so earlier wording stays published (Z16-16) with its last-updated
 * date (Z19-08). Renders are made once per version and format.
 */
export async function policyRoutes(app: FastifyInstance, opts: PolicyRoutesOptions): Promise<void> {
  const { history } = opts.book;
  const rendered = new Map<string, string>();
  const render = (pack: PolicyPack, format: RenderFormat): string => {
    const key = `${pack.version}\u0000${format}`;
    let text = rendered.get(key);
    if (text === undefined) {
      text = renderPolicy(pack, format);
      rendered.set(key, text);
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

  app.get<{ Querystring: { format: RenderFormat } }>(
    "/policy",
    { schema: { tags: ["policy"], summary: "The privacy policy in force now", querystring: formatSchema } },
    async (request, reply) => send(reply, inForce(history, opts.clock().toISOString()), request.query.format),
  );

  app.get(
    "/policy/versions",
    { schema: { tags: ["policy"], summary: "Every published version of the privacy policy" } },
    async () => {
      const current = inForce(history, opts.clock().toISOString());
      const now = opts.clock().getTime();
      return {
        company: history.company,
        versions: history.versions.map((v) => ({
          version: v.pack.version,
          effectiveFrom: new Date(v.from).toISOString(),
          lastUpdated: v.pack.last_updated,
          inForce: v.pack === current,
          published: v.from <= now,
          url: `/policy/versions/${encodeURIComponent(v.pack.version)}`,
        })),
      };
    },
  );

  app.get<{ Params: { version: string }; Querystring: { format: RenderFormat } }>(
    "/policy/versions/:version",
    { schema: { tags: ["policy"], summary: "One version of the privacy policy", querystring: formatSchema } },
    async (request, reply) => {
      const entry = history.versions.find((v) => v.pack.version === request.params.version);
      if (!entry) throw new PledgeError("PLEDGE_NOT_FOUND", "no such policy version");
      return send(reply, entry.pack, request.query.format);
    },
  );
}
