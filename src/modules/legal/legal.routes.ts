import type { FastifyInstance } from "fastify";
import { PledgeError } from "../../errors.ts";
import { actingOf } from "../../http/acting.ts";
import { ADMIN_ROLE } from "../../use/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import type { MailTransport } from "../messages/transport.ts";
import {
  halfYear,
  LEGAL_ROLES,
  LEGAL_STATES,
  type LegalState,
  type NewEmergency,
  type NewLegalRequest,
} from "./legal.ts";
import { sendLegalNotices } from "./legal.notices.ts";
import {
  approveRequest,
  closeRequest,
  getRequest,
  listRequests,
  produceRequest,
  recordEmergency,
  registerRequest,
  type LegalDeps,
  type ProduceInput,
} from "./legal.service.ts";
import {
  legalRequestSchema,
  newRequestSchema,
  problems,
  productionSchema,
  transparencySchema,
} from "./legal.schemas.ts";
import { transparencyReport } from "./legal.transparency.ts";

const tags = ["legal requests"];
const security = [{ apiKey: [] }];
const CALLERS = { staff: [ADMIN_ROLE, ...LEGAL_ROLES] } as const;
const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;

/**
 * The register of legal requests under /v1/legal (docs/legal.md): register, approve (twice, by two
 * staff members other than the receiver), produce through the gate into the disclosure ledger,
 * refuse or withdraw; emergencies recorded after the fact; the people's notices; the half-yearly
 * transparency report. Admin or the pack's `legal` role.
 */
export async function legalRoutes(
  app: FastifyInstance,
  opts: { readonly deps: LegalDeps; readonly transport: MailTransport | null },
): Promise<void> {
  const { deps, transport } = opts;

  app.post<{ Body: NewLegalRequest }>(
    "/v1/legal/requests",
    {
      config: { idempotent: true, use: { callers: CALLERS, personal: false } },
      schema: {
        tags,
        security,
        summary: "Register a legal request as received by the caller",
        body: newRequestSchema(),
        response: { 201: legalRequestSchema, ...problems },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await registerRequest(deps, actingOf(request), request.body)),
  );

  app.get<{ Querystring: { state?: LegalState; limit?: number } }>(
    "/v1/legal/requests",
    {
      config: { use: { callers: CALLERS, personal: false } },
      schema: {
        tags,
        security,
        summary: "The register, newest first",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            state: { type: "string", enum: [...LEGAL_STATES] },
            limit: { type: "integer", minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: legalRequestSchema } },
          },
          ...problems,
        },
      },
    },
    async (request) => ({
      items: await listRequests(deps, {
        limit: request.query.limit ?? 100,
        ...(request.query.state === undefined ? {} : { state: request.query.state }),
      }),
    }),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/legal/requests/:id",
    {
      config: { use: { callers: CALLERS, personal: false } },
      schema: {
        tags,
        security,
        summary: "One legal request",
        params: idParams,
        response: { 200: legalRequestSchema, ...problems },
      },
    },
    async (request) => getRequest(deps, request.params.id),
  );

  app.post<{ Params: { id: string } }>(
    "/v1/legal/requests/:id/approvals",
    {
      config: { use: { callers: CALLERS, personal: false } },
      schema: {
        tags,
        security,
        summary: "Approve a legal request (two staff members other than its receiver are needed)",
        params: idParams,
        response: { 200: legalRequestSchema, ...problems },
      },
    },
    async (request) => approveRequest(deps, actingOf(request), request.params.id),
  );

  for (const [path, to] of [
    ["refuse", "refused"],
    ["withdraw", "withdrawn"],
  ] as const) {
    app.post<{ Params: { id: string }; Body: { note?: string } }>(
      `/v1/legal/requests/:id/${path}`,
      {
        config: { use: { callers: CALLERS, personal: false } },
        schema: {
          tags,
          security,
          summary:
            to === "refused"
              ? "Refuse a legal request (the company pushes back)"
              : "Record that the authority withdrew its request",
          params: idParams,
          body: {
            type: "object",
            additionalProperties: false,
            properties: { note: { type: "string", maxLength: 500, pattern: "^[^\\n\\r]*$" } },
          },
          response: { 200: legalRequestSchema, ...problems },
        },
      },
      async (request) =>
        closeRequest(deps, actingOf(request), request.params.id, to, request.body?.note ?? null),
    );
  }

  app.post<{ Params: { id: string }; Body: ProduceInput }>(
    "/v1/legal/requests/:id/production",
    {
      config: {
        use: { callers: CALLERS, personal: true, action: "disclose", purpose: "pack", touches: ["*"] },
      },
      schema: {
        tags,
        security,
        summary:
          "Produce an approved legal request to the authority, through the gate, into the disclosure ledger",
        params: idParams,
        body: {
          type: "object",
          additionalProperties: false,
          properties: {
            subjects: { type: "array", items: { type: "string", format: "uuid" }, maxItems: 1000 },
            fields: { type: "array", items: { type: "string" }, maxItems: 100 },
          },
        },
        response: { 200: productionSchema, ...problems },
      },
    },
    async (request) =>
      unwrap(await produceRequest(deps, actingOf(request), request.params.id, request.body ?? {})),
  );

  app.post<{ Body: NewEmergency }>(
    "/v1/legal/emergencies",
    {
      config: {
        idempotent: true,
        use: { callers: CALLERS, personal: true, action: "disclose", purpose: "pack", touches: ["*"] },
      },
      schema: {
        tags,
        security,
        summary: "Record after the fact an emergency disclosure, with its justification",
        body: newRequestSchema(true),
        response: { 201: productionSchema, ...problems },
      },
    },
    async (request, reply) =>
      reply.code(201).send(unwrap(await recordEmergency(deps, actingOf(request), request.body))),
  );

  app.post(
    "/v1/legal/notices/send",
    {
      config: {
        use: { callers: CALLERS, personal: true, action: "read", purpose: "pack", touches: ["email"] },
      },
      schema: {
        tags,
        security,
        summary: "Send the notices due now (those whose non-disclosure order ended included)",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["sent"],
            properties: { sent: { type: "integer" } },
          },
          ...problems,
        },
      },
    },
    async () => {
      if (transport === null)
        throw new PledgeError("PLEDGE_VALIDATION_FAILED", "no SMTP relay is configured (PLEDGE_SMTP_URL)");
      return { sent: await sendLegalNotices(deps, transport) };
    },
  );

  app.get<{ Querystring: { period: string } }>(
    "/v1/legal/transparency",
    {
      config: { use: { callers: CALLERS, personal: false } },
      schema: {
        tags,
        security,
        summary: "The transparency report of legal requests for a half-year",
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["period"],
          properties: { period: { type: "string", pattern: "^\\d{4}-H[12]$", description: "e.g. 2026-H1" } },
        },
        response: { 200: transparencySchema, ...problems },
      },
    },
    async (request) => {
      const range = halfYear(request.query.period);
      if (range === null) throw new PledgeError("PLEDGE_VALIDATION_FAILED", "period is YYYY-H1 or YYYY-H2");
      return transparencyReport(deps.db, request.query.period, range.from, range.to);
    },
  );
}
