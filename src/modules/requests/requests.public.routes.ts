import type { FastifyInstance, FastifyRequest } from "fastify";
import { PledgeError } from "../../errors.ts";
import { requireSecureTransport } from "../../http/session.ts";
import type { CustomerAccessSettings } from "../customers/customers.ts";
import { refuseUnlessAdmitted, TokenBuckets } from "../../http/rate-limit.ts";
import { escapeHtml, htmlPage } from "../../web/page.ts";
import { PAGE_CSP } from "../../http/page-csp.ts";
import { normaliseEmail } from "../../crypto/normalise.ts";
import { sourceOf } from "../../throttle/source.ts";
import { unwrap } from "../../use/refusal.ts";
import { systemActing } from "../../use/acting.ts";
import { LINK_PATTERN } from "./requests.links.ts";
import { downloadPackage } from "./requests.package.ts";
import { detailsSchema, jurisdictionSchema, kindSchema } from "./requests.schemas.ts";
import { receiveRequest, type RequestsDeps } from "./requests.service.ts";
import type { RequestDetails, RequestKind } from "./requests.ts";
import { verifyRequest } from "./requests.verify.ts";

const HOUR = 3_600_000;
const tokenParams = {
  type: "object",
  required: ["token"],
  properties: { token: { type: "string", pattern: LINK_PATTERN.source } },
} as const;
const HTML = "text/html; charset=utf-8";

/**
 * Rights requests from anyone, without an account. `POST /v1/public/requests` takes the kind and
 * an email address and always answers the same 202, whoever the address belongs to: the answer
 * tells nothing about who is on record. A link is emailed to the address; opening it shows a
 * page whose button (a POST: mail scanners fetch links) verifies the request, matches it on that
 * address, and starts the work. Nothing is disclosed before then. A fulfilled access request's
 * package downloads from the link in the completion email. Limits: per source address and per
 * email address, so nobody can flood a mailbox with verification messages.
 */
export async function publicRequestRoutes(
  app: FastifyInstance,
  opts: { deps: RequestsDeps; settings: CustomerAccessSettings },
): Promise<void> {
  const { deps } = opts;
  const now = () => deps.clock().getTime();
  const perSource = new TokenBuckets({ capacity: 10, perMs: HOUR }, now);
  const perAddress = new TokenBuckets({ capacity: 3, perMs: 24 * HOUR }, now);
  // The address, the link and the package travel over HTTPS only (Z16-12, ZM-08).
  app.addHook("onRequest", requireSecureTransport(opts.settings));
  app.addContentTypeParser(
    ["application/x-www-form-urlencoded"],
    { parseAs: "string", bodyLimit: 4 * 1024 },
    (_req, body, done) => done(null, body),
  );

  app.post<{ Body: { kind: RequestKind; email: string; jurisdiction?: string; details?: RequestDetails } }>(
    "/v1/public/requests",
    {
      config: {
        use: {
          callers: { public: true },
          personal: true,
          action: "collect",
          purpose: "none",
          touches: ["email"],
        },
      },
      schema: {
        tags: ["requests"],
        summary: "Make a rights request without an account (the email address is verified by a link)",
        description:
          "Always 202 with the same body, whether or not the address is on record. A verification link (valid 24 hours, usable once) is emailed to the address; " +
          "nothing is done or disclosed before it is used. At most 10 requests an hour from one source and 3 a day for one address (429 PLEDGE_RATE_LIMITED).",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["kind", "email"],
          properties: {
            kind: kindSchema,
            email: { type: "string", minLength: 3, maxLength: 320 },
            jurisdiction: jurisdictionSchema,
            details: detailsSchema,
          },
        },
        response: {
          202: {
            type: "object",
            additionalProperties: false,
            required: ["received"],
            properties: { received: { type: "boolean", enum: [true] }, next: { type: "string" } },
          },
          400: { $ref: "Problem#" },
          429: { $ref: "Problem#" },
        },
      },
    },
    async (request, reply) => {
      const { kind, email, jurisdiction, details } = request.body;
      const normal = normaliseEmail(email);
      if (!normal.ok) throw new PledgeError(normal.code, `email: ${normal.detail}`);
      refuseUnlessAdmitted(reply, perSource.take(sourceOf(request.ip)), "requests");
      refuseUnlessAdmitted(reply, perAddress.take(deps.vault.blindIndex("email", normal.value)), "requests");
      unwrap(
        await receiveRequest(deps, systemActing("public-request"), {
          kind,
          intake: "public",
          claimant: { email: normal.value },
          ...(jurisdiction === undefined ? {} : { jurisdiction }),
          ...(details === undefined ? {} : { details }),
        }),
      );
      return reply
        .code(202)
        .send({ received: true, next: "open the link emailed to the address given, within 24 hours" });
    },
  );

  app.get<{ Params: { token: string } }>(
    "/requests/verify/:token",
    {
      schema: { hide: true, params: tokenParams },
      config: { use: { callers: { public: true }, personal: false } },
    },
    async (_request, reply) =>
      reply
        .type(HTML)
        .header("content-security-policy", PAGE_CSP)
        .send(
          htmlPage(
            "Confirm your privacy request",
            "<p>Confirm that you made this request and that the email address it was sent to is yours.</p>" +
              '<form method="post"><button type="submit">Confirm my request</button></form>',
          ),
        ),
  );

  app.post<{ Params: { token: string } }>(
    "/requests/verify/:token",
    {
      schema: { hide: true, params: tokenParams },
      config: {
        use: { callers: { public: true }, personal: true, action: "read", purpose: "none", touches: [] },
      },
    },
    async (request, reply) => {
      reply.type(HTML).header("content-security-policy", PAGE_CSP);
      try {
        const view = await verifyRequest(deps, request.params.token);
        const done =
          view.state === "fulfilled"
            ? "It is done."
            : view.state === "denied"
              ? "We hold no personal information under this address; a message explains."
              : `We will answer by ${escapeHtml(view.dueDate ?? "")}.`;
        return reply.send(
          htmlPage("Your request is confirmed", `<p>Thank you. ${done}</p><p>Reference: ${view.id}</p>`),
        );
      } catch (error) {
        if (!(error instanceof PledgeError) || error.code !== "PLEDGE_REQUEST_LINK_INVALID") throw error;
        return reply
          .code(410)
          .send(
            htmlPage(
              "This link does not work",
              "<p>This link has expired, was used already, or was copied incompletely. Nothing was changed.</p>",
            ),
          );
      }
    },
  );

  app.post<{ Body: { token: string } }>(
    "/v1/public/requests/verify",
    {
      config: {
        use: { callers: { public: true }, personal: true, action: "read", purpose: "none", touches: [] },
      },
      schema: {
        tags: ["requests"],
        summary: "Verify a request made without an account, with the token of its emailed link",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["token"],
          properties: { token: { type: "string", pattern: LINK_PATTERN.source } },
        },
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["id", "kind", "state", "dueDate"],
            properties: {
              id: { type: "string", format: "uuid" },
              kind: kindSchema,
              state: { type: "string" },
              dueDate: { type: ["string", "null"] },
            },
          },
          400: { $ref: "Problem#" },
          410: { $ref: "Problem#" },
        },
      },
    },
    async (request) => {
      const view = await verifyRequest(deps, request.body.token);
      return { id: view.id, kind: view.kind, state: view.state, dueDate: view.dueDate };
    },
  );

  app.get<{ Params: { token: string } }>(
    "/v1/requests/download/:token",
    {
      schema: {
        tags: ["requests"],
        summary: "Download a fulfilled access request's package (ZIP: data.json, data.csv, README.txt)",
        description:
          "The link from the completion email; valid 7 days; opens one person's data, made when downloaded.",
        params: tokenParams,
        response: { 400: { $ref: "Problem#" }, 410: { $ref: "Problem#" } },
      },
      config: {
        use: {
          callers: { public: true },
          personal: true,
          action: "read",
          purpose: "self-service",
          touches: [],
        },
      },
    },
    async (request: FastifyRequest<{ Params: { token: string } }>, reply) => {
      const pkg = await downloadPackage(deps, request.params.token);
      return reply
        .type("application/zip")
        .header("content-disposition", `attachment; filename="${pkg.filename}"`)
        .send(Buffer.from(pkg.bytes));
    },
  );
}
