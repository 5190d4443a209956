import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { PledgeError } from "../../errors.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { recordReports } from "./deliverability.service.ts";
import { webhookBody, webhookResponse } from "./deliverability.schemas.ts";
import type { DeliverabilityKind } from "./deliverability.table.ts";
import { SIGNATURE_HEADER, verifySignature } from "./signature.ts";

export interface WebhookRoutesOptions {
  readonly db: Kysely<Database>;
  readonly clock: () => Date;
  readonly packAt: (at: string) => PolicyPack;
  /** PLEDGE_WEBHOOK_SECRET; null refuses every call. */
  readonly secret: string | null;
}

export const WEBHOOK_ACTOR = "webhook:deliverability";

type Reports = { messageId: string; kind: DeliverabilityKind; at: string; detail?: string }[];

/** Requests whose body the parser verified; only these reach the handler. */
const verified = new WeakSet<object>();

/**
 * `POST /v1/webhooks/deliverability`: the mail provider's bounces and complaints, in bulk. No API
 * key: the raw body must carry a valid signature (signature.ts). The signature is checked on the
 * bytes, before the body is parsed; a bad or missing one is 401 and nothing is read or written.
 * This plugin parses its own JSON (encapsulated: other routes keep Fastify's parser).
 */
export async function webhookRoutes(app: FastifyInstance, opts: WebhookRoutesOptions): Promise<void> {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    const header = request.headers[SIGNATURE_HEADER];
    if (!verifySignature(opts.secret, body as Buffer, typeof header === "string" ? header : undefined)) {
      done(
        new PledgeError(
          "PLEDGE_WEBHOOK_SIGNATURE_INVALID",
          `send ${SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of the body under the webhook secret>`,
        ),
      );
      return;
    }
    verified.add(request);
    try {
      done(null, JSON.parse((body as Buffer).toString("utf8")) as unknown);
    } catch {
      done(new PledgeError("PLEDGE_MALFORMED_JSON", "the body could not be parsed as JSON"));
    }
  });

  app.post<{ Body: Reports }>(
    "/v1/webhooks/deliverability",
    {
      config: {
        use: {
          callers: { hook: true },
          personal: true,
          action: "collect",
          purpose: "none",
          touches: ["email"],
        },
      },
      // Only a JSON body whose signature the parser checked goes on (no body, another media type: 401).
      preValidation: async (request) => {
        if (!verified.has(request)) {
          throw new PledgeError(
            "PLEDGE_WEBHOOK_SIGNATURE_INVALID",
            `send ${SIGNATURE_HEADER} with a JSON body`,
          );
        }
      },
      schema: {
        tags: ["campaigns"],
        summary:
          "Bounces and complaints from the mail provider, signed with HMAC-SHA256 of the body (X-Pledge-Signature); the send guard may stop campaigns (ZM-10)",
        body: webhookBody,
        response: {
          200: webhookResponse,
          400: { $ref: "Problem#" },
          401: { $ref: "Problem#" },
          404: { $ref: "Problem#" },
        },
      },
    },
    async (request) => {
      const now = opts.clock();
      const reports = request.body.map((r) => ({
        messageId: r.messageId,
        kind: r.kind,
        at: new Date(r.at),
        ...(r.detail === undefined ? {} : { detail: r.detail }),
      }));
      return recordReports(opts.db, opts.packAt(now.toISOString()), reports, {
        actor: WEBHOOK_ACTOR,
        now,
        source: "webhook",
      });
    },
  );
}
