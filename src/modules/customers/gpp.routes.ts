import type { FastifyInstance } from "fastify";
import { customerSession } from "../../http/gpc.ts";
import { requireSecureTransport, type CustomerSession } from "../../http/session.ts";
import { unwrap } from "../../use/refusal.ts";
import type { CustomersDeps } from "./customers.service.ts";
import { gppResponse } from "./customers.schemas.ts";
import { selfService } from "./self-service.ts";

export interface GppRoutesOptions {
  readonly deps: CustomersDeps;
}

const errors = Object.fromEntries([401, 403, 404].map((s) => [s, { $ref: "Problem#" }])) as Record<
  number,
  { $ref: string }
>;

/**
 * `GET /v1/account/gpp`: the signed-in customer's opt-out state as an IAB Global Privacy Platform
 * string (usnat section; docs/gpc.md), for the company's own pages to hand to an ad stack that
 * reads GPP. A read of the consent state like `GET /v1/account/me/consents`: through the gate as
 * the customer, audited.
 */
export async function gppRoutes(app: FastifyInstance, opts: GppRoutesOptions): Promise<void> {
  const { deps } = opts;
  app.decorateRequest("customer", null);
  app.addHook("onRequest", requireSecureTransport(deps.settings));
  app.addHook("onRequest", customerSession(deps));

  app.get(
    "/v1/account/gpp",
    {
      config: {
        use: {
          callers: { customer: true },
          personal: true,
          action: "read",
          purpose: "self-service",
          touches: [],
        },
      },
      schema: {
        tags: ["account"],
        summary: "My opt-outs of sale and sharing as an IAB GPP string (usnat)",
        response: { 200: gppResponse, ...errors },
      },
    },
    async (request, reply) => {
      void reply.header("cache-control", "no-store");
      const { subjectId } = request.customer as CustomerSession;
      return unwrap(await selfService(deps, subjectId).gpp());
    },
  );
}
