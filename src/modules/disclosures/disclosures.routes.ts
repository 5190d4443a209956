import type { FastifyInstance } from "fastify";
import { PledgeError } from "../../errors.ts";
import { actingOf } from "../../http/acting.ts";
import { ADMIN_ROLE, auditActor } from "../../use/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import type { DisclosureDeps } from "./context.ts";
import {
  disclosuresReportFor,
  personLedger,
  recipientNames,
  shareSubject,
  shineTheLightFor,
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
import { purposeQuery } from "../subjects/subjects.schemas.ts";

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
  opts: { readonly deps: DisclosureDeps },
): Promise<void> {
  const { deps } = opts;
  const staff = { staff: "any" } as const;
  const names = (id: string): string => recipientNames(deps.policies.at(deps.clock().toISOString()).pack)(id);

  app.get(
    "/v1/recipients",
    {
      config: { use: { callers: staff, personal: false } },
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
      config: { use: { callers: { staff: [ADMIN_ROLE] }, personal: false } },
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
      const now = deps.clock();
      const pack = deps.policies.at(now.toISOString()).pack;
      const actor = auditActor(actingOf(request).actor);
      return updateRecipient(deps.db, pack, request.params.id, request.body, actor, now);
    },
  );

  app.post<{ Params: { id: string }; Body: Omit<ShareInput, "subjectId"> }>(
    "/v1/subjects/:id/disclosures",
    {
      config: {
        use: { callers: staff, personal: true, action: "disclose", purpose: "body", touches: ["*"] },
      },
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
      const share = unwrap(
        await shareSubject(deps, actingOf(request), { ...request.body, subjectId: request.params.id }),
      );
      return reply.code(201).header("pledge-disclosure-id", share.disclosureId).send(share);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { purpose: string } }>(
    "/v1/subjects/:id/disclosures",
    {
      config: { use: { callers: staff, personal: true, action: "read", purpose: "query", touches: [] } },
      schema: {
        tags,
        security,
        summary: "Who the person's data was given to: the ledger rows that name them, oldest first",
        params: subjectParams,
        querystring: purposeQuery,
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
      const input = { subjectId: request.params.id, purpose: request.query.purpose };
      return { items: unwrap(await personLedger(deps, actingOf(request), input, names)) };
    },
  );

  app.get<{ Querystring: { subjectId: string; year: string; purpose: string } }>(
    "/v1/reports/shine-the-light",
    {
      config: { use: { callers: staff, personal: true, action: "read", purpose: "query", touches: [] } },
      schema: {
        tags,
        security,
        summary:
          "Shine the Light (Z19-10): categories disclosed to third parties for their direct marketing in a calendar year, and to whom",
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["subjectId", "year", "purpose"],
          properties: {
            subjectId: { type: "string", format: "uuid" },
            year: { type: "string", pattern: "^(19|20|21)[0-9]{2}$" },
            purpose: purposeQuery.properties.purpose,
          },
        },
        response: { 200: shineTheLightSchema, ...errors },
      },
    },
    async (request) => {
      const { subjectId, year, purpose } = request.query;
      const input = { subjectId, year: Number(year), purpose };
      return unwrap(await shineTheLightFor(deps, actingOf(request), input, names));
    },
  );

  app.get<{ Querystring: { from: string; to: string; purpose: string; format?: "json" | "csv" } }>(
    "/v1/reports/disclosures",
    {
      config: { use: { callers: staff, personal: true, action: "analyse", purpose: "query", touches: [] } },
      schema: {
        tags,
        security,
        summary:
          "Disclosures company-wide over [from, to): by recipient and category, counts of disclosures and people",
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["from", "to", "purpose"],
          properties: {
            from: { type: "string", format: "date-time" },
            to: { type: "string", format: "date-time" },
            purpose: purposeQuery.properties.purpose,
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
      const input = { from, to, purpose: request.query.purpose };
      const items = unwrap(await disclosuresReportFor(deps, actingOf(request), input));
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
