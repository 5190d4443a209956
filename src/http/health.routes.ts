import type { FastifyInstance } from "fastify";
import { storeAnswers, type Store } from "../store/store.ts";
import { PledgeError } from "../errors.ts";
import type { PolicyBook } from "../policy/book.ts";

export interface HealthRoutesOptions {
  readonly store: Store;
  readonly book: PolicyBook;
  readonly clock: () => Date;
}

/**
 * `/healthz`: the process is up (for restarts). `/readyz`: the store answers and a policy version
 * is in force now (for load balancers); 503 problem+json otherwise.
 */
export async function healthRoutes(app: FastifyInstance, opts: HealthRoutesOptions): Promise<void> {
  app.get(
    "/healthz",
    {
      config: { use: { callers: { public: true }, personal: false } },
      schema: {
        tags: ["health"],
        summary: "The process is up",
        response: {
          200: {
            type: "object",
            required: ["status"],
            properties: { status: { type: "string", const: "ok" } },
          },
        },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      config: { use: { callers: { public: true }, personal: false } },
      schema: {
        tags: ["health"],
        summary: "The store answers and a policy is in force",
        response: {
          200: {
            type: "object",
            required: ["status", "store", "policy"],
            properties: {
              status: { type: "string", const: "ready" },
              store: { type: "string", enum: ["pglite", "postgres"] },
              policy: {
                type: "object",
                required: ["company", "version"],
                properties: { company: { type: "string" }, version: { type: "string" } },
              },
            },
          },
          503: { $ref: "Problem#" },
        },
      },
    },
    async () => {
      if (!(await storeAnswers(opts.store)))
        throw new PledgeError("PLEDGE_NOT_READY", "the store does not answer");
      let pack;
      try {
        pack = opts.book.at(opts.clock().toISOString()).pack;
      } catch {
        throw new PledgeError("PLEDGE_NOT_READY", "no policy version is in force now");
      }
      return {
        status: "ready" as const,
        store: opts.store.kind,
        policy: { company: pack.company, version: pack.version },
      };
    },
  );
}
