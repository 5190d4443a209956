import type { FastifyInstance } from "fastify";
import type { Authenticator } from "../../http/auth.ts";
import { PledgeError } from "../../http/errors.ts";
import type { Database } from "../../store/database.ts";
import type { Kysely } from "kysely";
import { deliverList, MESSAGE_COLUMN } from "../campaigns/lists.ts";
import type { DisclosureDeps } from "../disclosures/context.ts";
import { CONTENT_TYPES, type ExportFormat } from "../exports/format.ts";
import { ADMIN_ROLE, type Caller } from "../staff/staff.ts";
import { actingOf } from "../subjects/subjects.http.ts";
import { recordReports } from "./deliverability.service.ts";
import { campaignParams, eventBody, eventResponse, listBody } from "./deliverability.schemas.ts";
import type { DeliverabilityKind } from "./deliverability.table.ts";

export interface DeliverabilityRoutesOptions {
  readonly auth: Authenticator;
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
 * (`POST /v1/campaigns/:id/events`). The signed webhook is in webhook.routes.ts.
 */
export async function deliverabilityRoutes(
  app: FastifyInstance,
  opts: DeliverabilityRoutesOptions,
): Promise<void> {
  const { auth, deps } = opts;
  const tags = ["campaigns"];
  const security = [{ apiKey: [] }];
  app.addHook("preHandler", auth.requireRole("any"));

  app.post<{ Params: { id: string }; Body: { format: ExportFormat } }>(
    "/v1/campaigns/:id/list",
    {
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
      const result = await deliverList(deps, actingOf(request), {
        campaignId: request.params.id,
        format: request.body.format,
      });
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
      const caller = request.caller as Caller;
      const now = deps.clock();
      const { pack } = deps.policies.at(now.toISOString());
      await mayReport(deps.db, pack.staff.roles, caller, request.params.id);
      const { messageId, kind, detail } = request.body;
      const outcome = await recordReports(
        deps.db,
        pack,
        [{ messageId, kind, ...(detail === undefined ? {} : { detail }) }],
        { actor: `staff:${caller.staffId}`, now, source: "api" },
        request.params.id,
      );
      const campaign = outcome.campaigns[0];
      if (campaign === undefined) throw new Error("a recorded report has no campaign");
      return reply
        .code(outcome.recorded > 0 ? 201 : 200)
        .send({ recorded: outcome.recorded > 0, suppressed: outcome.suppressed > 0, campaign });
    },
  );
}

/**
 * Staff report for a campaign when their role sends its purpose (admin keys always may). An
 * unknown campaign is not found.
 */
async function mayReport(
  db: Kysely<Database>,
  roles: readonly { id: string; purposes: readonly string[] }[],
  caller: Caller,
  campaignId: string,
): Promise<void> {
  const campaign = await db
    .selectFrom("campaigns")
    .select("purpose")
    .where("campaign_id", "=", campaignId)
    .executeTakeFirst();
  if (campaign === undefined) throw new PledgeError("PLEDGE_NOT_FOUND", "no such campaign");
  if (caller.role === ADMIN_ROLE) return;
  const role = roles.find((r) => r.id === caller.role);
  if (role === undefined || !role.purposes.includes(campaign.purpose)) {
    throw new PledgeError(
      "PLEDGE_FORBIDDEN_ROLE",
      `staff role ${caller.role} does not send purpose ${campaign.purpose}`,
    );
  }
}
