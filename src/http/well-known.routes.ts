import type { FastifyInstance } from "fastify";
import type { PolicyBook } from "../policy/book.ts";

export interface WellKnownRoutesOptions {
  readonly book: PolicyBook;
  readonly clock: () => Date;
}

const gpcSupport = {
  type: "object",
  additionalProperties: false,
  required: ["gpc", "lastUpdate"],
  properties: {
    gpc: {
      type: "boolean",
      description: "true: signed-in customers' Global Privacy Control signals are honoured",
    },
    lastUpdate: {
      type: "string",
      format: "date",
      description: "the last-updated date of the policy in force",
    },
  },
} as const;

/**
 * `/.well-known/gpc.json`, the GPC support resource (w3c/gpc): Pledge honours the signal under
 * every pack (src/http/gpc.ts), and the date is the policy in force's `last_updated`, the date
 * the published policy shows. Public, and nobody's data.
 */
export async function wellKnownRoutes(app: FastifyInstance, opts: WellKnownRoutesOptions): Promise<void> {
  app.get(
    "/.well-known/gpc.json",
    {
      config: { use: { callers: { public: true }, personal: false } },
      schema: { tags: ["policy"], summary: "Global Privacy Control support", response: { 200: gpcSupport } },
    },
    async (_request, reply) => {
      void reply.type("application/json").header("cache-control", "public, max-age=3600");
      return { gpc: true, lastUpdate: opts.book.at(opts.clock().toISOString()).pack.last_updated };
    },
  );
}
