import type { FastifyInstance, FastifyRequest } from "fastify";
import { requireCsrf } from "../../http/csrf.ts";
import { customerSession } from "../../http/gpc.ts";
import { requireSecureTransport, type CustomerSession } from "../../http/session.ts";
import type { CustomersDeps } from "../customers/customers.service.ts";
import { customerActing } from "../../use/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import { downloadOwnPackage } from "./requests.package.ts";
import { listRequests } from "./requests.queue.ts";
import {
  detailsSchema,
  jurisdictionSchema,
  kindSchema,
  receivedSchema,
  requestView,
} from "./requests.schemas.ts";
import { receiveRequest, type RequestsDeps } from "./requests.service.ts";
import type { RequestDetails, RequestKind } from "./requests.ts";

const tags = ["account"];
const CUSTOMER = { customer: true } as const;
const errors = Object.fromEntries([400, 401, 403, 404, 409].map((s) => [s, { $ref: "Problem#" }])) as Record<
  number,
  { $ref: string }
>;

/**
 * `/v1/account/requests`: the signed-in customer makes a rights request about their own record
 * (self-service export, deletion of the account, correction, opt-outs) and follows each one's
 * state and due date. The session proves who they are: the request is verified at once, and an
 * opt-out is done at once. Changes need X-CSRF-Token.
 */
export async function accountRequestRoutes(
  app: FastifyInstance,
  opts: { deps: RequestsDeps; customers: CustomersDeps },
): Promise<void> {
  const { deps } = opts;
  app.decorateRequest("customer", null);
  app.addHook("onRequest", requireSecureTransport(opts.customers.settings));
  // The session check of every customer route, Global Privacy Control included.
  app.addHook("onRequest", customerSession(opts.customers));
  app.addHook("onRequest", requireCsrf());
  const me = (request: FastifyRequest) => (request.customer as CustomerSession).subjectId;

  app.post<{ Body: { kind: RequestKind; jurisdiction?: string; details?: RequestDetails } }>(
    "/v1/account/requests",
    {
      config: {
        idempotent: true,
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "read",
          purpose: "self-service",
          touches: ["email"],
        },
      },
      schema: {
        tags,
        summary: "Make a rights request about my own record",
        description:
          "Access, a portable export, deletion of the account, a correction (staff review it), an opt-out (done at once), a disclosure report. " +
          "The answer shows the state and the due date; an open request of the same kind is answered as it is (200, repeated: true).",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["kind"],
          properties: { kind: kindSchema, jurisdiction: jurisdictionSchema, details: detailsSchema },
        },
        response: { 200: receivedSchema, 201: receivedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const subjectId = me(request);
      const { kind, jurisdiction, details } = request.body;
      const received = unwrap(
        await receiveRequest(deps, customerActing(subjectId), {
          kind,
          intake: "customer",
          subjectId,
          ...(jurisdiction === undefined ? {} : { jurisdiction }),
          ...(details === undefined ? {} : { details }),
        }),
      );
      return reply.code(received.repeated ? 200 : 201).send(received);
    },
  );

  app.get(
    "/v1/account/requests",
    {
      config: { use: { callers: CUSTOMER, personal: true, action: "read", purpose: "none", touches: [] } },
      schema: {
        tags,
        summary: "My rights requests, open ones first by due date",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: requestView } },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const page = await listRequests(deps, { subjectId: me(request), state: "all" }, { limit: 200 });
      return { items: page.requests };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/account/requests/:id/package",
    {
      config: {
        use: { callers: CUSTOMER, personal: true, action: "read", purpose: "self-service", touches: [] },
      },
      schema: {
        tags,
        summary: "Download the package of my fulfilled access request (ZIP: data.json, data.csv, README.txt)",
        description:
          "The same package as the completion email's link, for the signed-in owner of the request; made when downloaded, from the record as it is then.",
        params: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string", format: "uuid" } },
        },
        response: errors,
      },
    },
    async (request, reply) => {
      const pkg = await downloadOwnPackage(deps, me(request), request.params.id);
      return reply
        .type("application/zip")
        .header("content-disposition", `attachment; filename="${pkg.filename}"`)
        .header("cache-control", "no-store")
        .send(Buffer.from(pkg.bytes));
    },
  );
}
