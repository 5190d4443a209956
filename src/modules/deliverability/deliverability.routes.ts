import type { FastifyInstance } from "fastify";
import { actingOf } from "../../http/acting.ts";
import { auditActor } from "../../use/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import { deliverList, MESSAGE_COLUMN } from "../campaigns/lists.ts";
import type { DisclosureDeps } from "../disclosures/context.ts";
import { CONTENT_TYPES, type ExportFormat } from "../exports/format.ts";
import { campaignRates, mayReport, recordReports } from "./deliverability.service.ts";
import {
  campaignParams,
  eventBody,
  eventResponse,
  listBody,
  ratesResponse,
} from "./deliverability.schemas.ts";
import type { DeliverabilityKind } from "./deliverability.table.ts";

export interface DeliverabilityRoutesOptions {
  /** The list's gate, ledger and record reader (the same as partner exports). */
  readonly deps: DisclosureDeps;
}

const errors = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
  409: { $ref: "Problem#" },
};

/**
 * Getting a campaign to people and hearing back: the list for a mail house or call centre
 * (`POST /v1/campaigns/:id/list`) and bounces and complaints reported by staff
 * (`POST /v1/campaigns/:id/events`), and the rates they add up to against the pack's send guard
 * (`GET /v1/campaigns/:id/deliverability`). The signed webhook is in webhook.routes.ts.
 */
export async function deliverabilityRoutes(
  app: FastifyInstance,
  opts: DeliverabilityRoutesOptions,
): Promise<void> {
  const { deps } = opts;
  const tags = ["campaigns"];
  const security = [{ apiKey: [] }];

  app.post<{ Params: { id: string }; Body: { format: ExportFormat } }>(
    "/v1/campaigns/:id/list",
    {
      config: {
        use: {
          callers: { staff: "any" },
          personal: true,
          action: "export",
          purpose: "record",
          touches: ["first_name", "last_name", "postal_address", "phone"],
        },
      },
      schema: {
        tags,
        security,
        summary:
          "The list of a postal, catalogue or phone campaign for its mail house or call centre, through the gate; written to the disclosure ledger first",
        params: campaignParams,
        body: listBody,
        response: {
          200: {
            description: `CSV (RFC 4180, header row) or NDJSON; columns ${MESSAGE_COLUMN} then the channel's fields. Headers: Pledge-Disclosure-Id, Pledge-Disclosure-Count, Pledge-Skipped, Pledge-Fields, Pledge-Clauses.`,
            type: "string",
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const result = unwrap(
        await deliverList(deps, actingOf(request), {
          campaignId: request.params.id,
          format: request.body.format,
        }),
      );
      return reply
        .header("pledge-disclosure-id", result.disclosureId)
        .header("pledge-disclosure-count", String(result.count))
        .header("pledge-skipped", String(result.skipped))
        .header("pledge-fields", result.fields.join(","))
        .header("pledge-clauses", result.clauses.join(","))
        .header("cache-control", "no-store")
        .type(CONTENT_TYPES[request.body.format])
        .send(result.body);
    },
  );

  app.post<{
    Params: { id: string };
    Body: { messageId: string; kind: DeliverabilityKind; detail?: string };
  }>(
    "/v1/campaigns/:id/events",
    {
      config: {
        use: {
          callers: { staff: "any" },
          personal: true,
          action: "collect",
          purpose: "record",
          touches: ["email"],
        },
      },
      schema: {
        tags,
        security,
        summary:
          "Record a bounce or a complaint for one message of the campaign; the send guard may stop the campaign (ZM-10)",
        params: campaignParams,
        body: eventBody,
        response: { 200: eventResponse, 201: eventResponse, ...errors },
      },
    },
    async (request, reply) => {
      const caller = actingOf(request);
      const now = deps.clock();
      const { pack } = deps.policies.at(now.toISOString());
      await mayReport(deps.db, pack.staff.roles, caller, request.params.id);
      const { messageId, kind, detail } = request.body;
      const outcome = await recordReports(
        deps.db,
        pack,
        [{ messageId, kind, ...(detail === undefined ? {} : { detail }) }],
        { actor: auditActor(caller.actor), now, source: "api" },
        request.params.id,
      );
      const campaign = outcome.campaigns[0];
      if (campaign === undefined) throw new Error("a recorded report has no campaign");
      return reply
        .code(outcome.recorded > 0 ? 201 : 200)
        .send({ recorded: outcome.recorded > 0, suppressed: outcome.suppressed > 0, campaign });
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/campaigns/:id/deliverability",
    {
      config: { use: { callers: { staff: "any" }, personal: false } },
      schema: {
        tags,
        security,
        summary:
          "The campaign's bounce and complaint rates next to the send guard's limits in the pack in force (ZM-10)",
        params: campaignParams,
        response: { 200: ratesResponse, ...errors },
      },
    },
    async (request) => {
      const now = deps.clock();
      const { pack } = deps.policies.at(now.toISOString());
      await mayReport(deps.db, pack.staff.roles, actingOf(request), request.params.id);
      return campaignRates(deps.db, pack, request.params.id);
    },
  );
}
