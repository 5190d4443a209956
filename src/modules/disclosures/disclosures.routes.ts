import type { FastifyInstance } from "fastify";
import type { Authenticator } from "../../http/auth.ts";
import { PledgeError } from "../../http/errors.ts";
import { ADMIN_ROLE, type Caller } from "../staff/staff.ts";
import { actingOf, NOT_FOUND_DETAIL } from "../subjects/subjects.http.ts";
import type { DisclosureDeps } from "./context.ts";
import {
  auditRead,
  disclosuresReport,
  shareSubject,
  shineTheLight,
  subjectExists,
  subjectLedger,
  type ShareInput,
} from "./disclosures.service.ts";
import { csvLine } from "../exports/format.ts";
import { listRecipients, updateRecipient, type RecipientUpdate } from "./recipients.ts";
import {
  ledgerEntrySchema,
  recipientParams,
  recipientSchema,
  recipientUpdateBody,
  reportLineSchema,
  shareBody,
  shareSchema,
  shineTheLightSchema,
  subjectParams,
} from "./disclosures.schemas.ts";

const errors = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
};
const tags = ["disclosures"];
const security = [{ apiKey: [] }];

/**
 * Recipients, processor shares, the ledger of one person, and the reports drawn from the ledger.
 * Any valid key reads; recording what is on file about a recipient needs an admin key.
 */
export async function disclosureRoutes(
  app: FastifyInstance,
  opts: { readonly auth: Authenticator; readonly deps: DisclosureDeps },
): Promise<void> {
  const { deps } = opts;
  app.addHook("preHandler", opts.auth.requireRole("any"));
  const names = (id: string): string =>
    deps.policies.at(deps.clock().toISOString()).pack.recipients.find((r) => r.id === id)?.name ?? id;

  app.get(
    "/v1/recipients",
    {
      schema: {
        tags,
        security,
        summary: "Every recipient of the policy in force, with what it may receive and what is on file",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: recipientSchema } },
          },
          ...errors,
        },
      },
    },
    async () => {
      const now = deps.clock();
      return { items: await listRecipients(deps.db, deps.policies.at(now.toISOString()).pack, now) };
    },
  );

  app.put<{ Params: { id: string }; Body: RecipientUpdate }>(
    "/v1/recipients/:id",
    {
      schema: {
        tags,
        security,
        summary: "Record the recipient's legal name, business address and contract (admin)",
        params: recipientParams,
        body: recipientUpdateBody,
        response: { 200: recipientSchema, ...errors },
      },
    },
    async (request) => {
      const caller = request.caller as Caller;
      if (caller.role !== ADMIN_ROLE)
        throw new PledgeError("PLEDGE_FORBIDDEN_ROLE", "this endpoint needs the role admin");
      const now = deps.clock();
      const pack = deps.policies.at(now.toISOString()).pack;
      return updateRecipient(deps.db, pack, request.params.id, request.body, `staff:${caller.staffId}`, now);
    },
  );

  app.post<{ Params: { id: string }; Body: Omit<ShareInput, "subjectId"> }>(
    "/v1/subjects/:id/disclosures",
    {
      schema: {
        tags,
        security,
        summary: "Share one customer's fields with a recipient for one purpose; written to the ledger",
        params: subjectParams,
        body: shareBody,
        response: { 201: shareSchema, ...errors },
      },
    },
    async (request, reply) => {
      const share = await shareSubject(deps, actingOf(request), {
        ...request.body,
        subjectId: request.params.id,
      });
      return reply.code(201).header("pledge-disclosure-id", share.disclosureId).send(share);
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/subjects/:id/disclosures",
    {
      schema: {
        tags,
        security,
        summary: "Who the person's data was given to: the ledger rows that name them, oldest first",
        params: subjectParams,
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: ledgerEntrySchema } },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const id = request.params.id;
      if (!(await subjectExists(deps.db, id))) throw new PledgeError("PLEDGE_NOT_FOUND", NOT_FOUND_DETAIL);
      const items = await subjectLedger(deps.db, id, names);
      await auditRead(deps.db, actingOf(request), id, "ledger", items.length, deps.clock());
      return { items };
    },
  );

  app.get<{ Querystring: { subjectId: string; year: string } }>(
    "/v1/reports/shine-the-light",
    {
      schema: {
        tags,
        security,
        summary:
          "Shine the Light (Z19-10): categories disclosed to third parties for their direct marketing in a calendar year, and to whom",
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["subjectId", "year"],
          properties: {
            subjectId: { type: "string", format: "uuid" },
            year: { type: "string", pattern: "^(19|20|21)[0-9]{2}$" },
          },
        },
        response: { 200: shineTheLightSchema, ...errors },
      },
    },
    async (request) => {
      const { subjectId } = request.query;
      if (!(await subjectExists(deps.db, subjectId)))
        throw new PledgeError("PLEDGE_NOT_FOUND", NOT_FOUND_DETAIL);
      const report = await shineTheLight(deps.db, subjectId, Number(request.query.year), names);
      await auditRead(
        deps.db,
        actingOf(request),
        subjectId,
        "shine-the-light",
        report.recipients.length,
        deps.clock(),
      );
      return report;
    },
  );

  app.get<{ Querystring: { from: string; to: string; format?: "json" | "csv" } }>(
    "/v1/reports/disclosures",
    {
      schema: {
        tags,
        security,
        summary:
          "Disclosures company-wide over [from, to): by recipient and category, counts of disclosures and people",
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["from", "to"],
          properties: {
            from: { type: "string", format: "date-time" },
            to: { type: "string", format: "date-time" },
            format: { type: "string", enum: ["json", "csv"], default: "json" },
          },
        },
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["from", "to", "items"],
            description: "JSON; with format=csv, text/csv with the same columns",
            properties: {
              from: { type: "string", format: "date-time" },
              to: { type: "string", format: "date-time" },
              items: { type: "array", items: reportLineSchema },
            },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const from = new Date(request.query.from);
      const to = new Date(request.query.to);
      if (!(from < to)) throw new PledgeError("PLEDGE_VALIDATION_FAILED", "from must be before to");
      const items = await disclosuresReport(deps.db, from, to);
      await auditRead(deps.db, actingOf(request), null, "report", items.length, deps.clock());
      if (request.query.format === "csv") {
        let body = csvLine(["recipient", "recipient_kind", "category", "disclosures", "people"]);
        for (const l of items)
          body += csvLine([
            l.recipient,
            l.recipientKind,
            l.category,
            String(l.disclosures),
            String(l.people),
          ]);
        return reply
          .type("text/csv; charset=utf-8")
          .serializer((p: unknown) => p as string)
          .send(body);
      }
      return { from: from.toISOString(), to: to.toISOString(), items };
    },
  );
}
