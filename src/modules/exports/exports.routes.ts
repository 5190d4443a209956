import type { FastifyInstance } from "fastify";
import type { DisclosureDeps } from "../disclosures/context.ts";
import { actingOf } from "../../http/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import { exportList, type ExportInput } from "./exports.service.ts";
import { CONTENT_TYPES } from "./format.ts";

const errors = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
};

const exportBody = {
  type: "object",
  additionalProperties: false,
  required: ["recipient", "purpose", "fields", "format"],
  properties: {
    recipient: { type: "string", pattern: "^[a-z][a-z0-9_-]*$", maxLength: 100 },
    purpose: { type: "string", pattern: "^[a-z][a-z0-9_.]*$", maxLength: 200 },
    fields: {
      type: "array",
      minItems: 1,
      maxItems: 50,
      items: { type: "string", pattern: "^[a-z][a-z0-9_]*$", maxLength: 100 },
    },
    format: { type: "string", enum: ["csv", "ndjson"] },
    projection: {
      type: "boolean",
      default: false,
      description: "true: fields the recipient may not receive are removed instead of refusing the export",
    },
  },
} as const;

/**
 * Partner and processor lists (`POST /v1/exports`). The ledger is committed before the body
 * streams; the response headers carry the disclosure id, the number of people and the fields
 * removed by a projection.
 */
export async function exportRoutes(
  app: FastifyInstance,
  opts: { readonly deps: DisclosureDeps },
): Promise<void> {
  app.post<{ Body: ExportInput }>(
    "/v1/exports",
    {
      config: {
        use: { callers: { staff: "any" }, personal: true, action: "export", purpose: "body", touches: ["*"] },
      },
      schema: {
        tags: ["disclosures"],
        security: [{ apiKey: [] }],
        summary: "Export a list for a recipient through the gate; written to the disclosure ledger first",
        body: exportBody,
        response: {
          200: {
            description:
              "The list as CSV (RFC 4180, header row) or NDJSON. Headers: Pledge-Disclosure-Id, Pledge-Disclosure-Count, Pledge-Fields, Pledge-Fields-Removed, Pledge-Clauses.",
            type: "string",
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const result = unwrap(await exportList(opts.deps, actingOf(request), request.body));
      return reply
        .header("pledge-disclosure-id", result.disclosureId)
        .header("pledge-disclosure-count", String(result.count))
        .header("pledge-fields", result.fields.join(","))
        .header("pledge-fields-removed", result.removed.join(","))
        .header("pledge-clauses", result.clauses.join(","))
        .header("cache-control", "no-store")
        .type(CONTENT_TYPES[request.body.format])
        .send(result.body);
    },
  );
}
