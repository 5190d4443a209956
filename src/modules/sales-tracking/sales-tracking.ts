import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { appendAudit } from "../../audit/append.ts";
import { checkUse } from "../../gate/use-rules.ts";
import { allowed } from "../../gate/use-rules.ts";
import type { Decision, Use } from "../../gate/index.ts";
import type { Authenticator } from "../../http/auth.ts";
import { refusedError, useFactsFor, type DisclosureDeps } from "../disclosures/context.ts";
import { decisionEvent } from "../subjects/subjects.gate.ts";
import { actingOf } from "../subjects/subjects.http.ts";
import type { Acting } from "../subjects/subjects.ts";

/**
 * The internal sales-tracking store (ZZ-02): order-form data that landing-page cookies capture is
 * written here and nowhere else, and read back only through the gate for the sales-tracking
 * purpose. Exports and shares refuse its fields for any other recipient (context.ts,
 * internalOnlyRefusal), and the pack lists no other recipient of its categories.
 */
const PURPOSE = "marketing.sales_tracking";
const RECIPIENT = "sales-tracking";
const FIELDS = ["cookie_id", "landing_order_form"] as const;

async function gate(
  deps: DisclosureDeps,
  acting: Acting,
  action: "collect" | "read",
  at: Date,
): Promise<{ use: Use; decision: Decision }> {
  const { policy } = deps.policies.at(at.toISOString());
  const use: Use = {
    action,
    purpose: PURPOSE,
    actor: acting.actor,
    ...(action === "collect" ? { recipient: RECIPIENT } : {}),
    fields: [...FIELDS],
    at: at.toISOString(),
  };
  const verdict = checkUse(
    policy,
    await useFactsFor(deps, acting, action === "collect" ? RECIPIENT : undefined, at),
    use,
  );
  const decision = "outcome" in verdict ? verdict : allowed(policy, verdict, use);
  return { use, decision };
}

export async function captureOrderForm(
  deps: DisclosureDeps,
  acting: Acting,
  input: { cookieId: string; orderForm: Record<string, string> },
): Promise<{ entryId: string; capturedAt: string }> {
  const now = deps.clock();
  const { use, decision } = await gate(deps, acting, "collect", now);
  const entryId = randomUUID();
  await deps.db.transaction().execute(async (trx) => {
    await appendAudit(trx, [decisionEvent(acting, null, use, decision)]);
    if (decision.outcome === "deny") return;
    await trx
      .insertInto("sales_tracking")
      .values({
        entry_id: entryId,
        cookie_id: input.cookieId,
        order_form: JSON.stringify(input.orderForm),
        policy_version: decision.policy.version,
        captured_at: now,
      })
      .execute();
  });
  if (decision.outcome === "deny") throw refusedError(decision);
  return { entryId, capturedAt: now.toISOString() };
}

export async function readOrderForms(
  deps: DisclosureDeps,
  acting: Acting,
  cookieId: string,
): Promise<{ entryId: string; cookieId: string; orderForm: Record<string, string>; capturedAt: string }[]> {
  const now = deps.clock();
  const { use, decision } = await gate(deps, acting, "read", now);
  await deps.db
    .transaction()
    .execute((trx) => appendAudit(trx, [decisionEvent(acting, null, use, decision)]));
  if (decision.outcome === "deny") throw refusedError(decision);
  const rows = await deps.db
    .selectFrom("sales_tracking")
    .selectAll()
    .where("cookie_id", "=", cookieId)
    .orderBy("captured_at")
    .orderBy("entry_id")
    .execute();
  return rows.map((r) => ({
    entryId: r.entry_id,
    cookieId: r.cookie_id,
    orderForm:
      typeof r.order_form === "string" ? (JSON.parse(r.order_form) as Record<string, string>) : r.order_form,
    capturedAt: new Date(r.captured_at).toISOString(),
  }));
}

const errors = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
};
const cookieId = { type: "string", pattern: "^[A-Za-z0-9_.-]{8,128}$" } as const;
const entrySchema = {
  type: "object",
  additionalProperties: false,
  required: ["entryId", "cookieId", "orderForm", "capturedAt"],
  properties: {
    entryId: { type: "string", format: "uuid" },
    cookieId: { type: "string" },
    orderForm: { type: "object", additionalProperties: { type: "string" } },
    capturedAt: { type: "string", format: "date-time" },
  },
} as const;

export async function salesTrackingRoutes(
  app: FastifyInstance,
  opts: { readonly auth: Authenticator; readonly deps: DisclosureDeps },
): Promise<void> {
  app.addHook("preHandler", opts.auth.requireRole("any"));
  const tags = ["disclosures"];
  const security = [{ apiKey: [] }];
  app.post<{ Body: { cookieId: string; orderForm: Record<string, string> } }>(
    "/v1/sales-tracking",
    {
      schema: {
        tags,
        security,
        summary:
          "Store order-form data a landing-page cookie captured, in the internal sales-tracking store (ZZ-02)",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["cookieId", "orderForm"],
          properties: {
            cookieId,
            orderForm: {
              type: "object",
              maxProperties: 30,
              propertyNames: { pattern: "^[a-z][a-z0-9_]{0,63}$" },
              additionalProperties: { type: "string", maxLength: 1000 },
            },
          },
        },
        response: {
          201: {
            type: "object",
            additionalProperties: false,
            required: ["entryId", "capturedAt"],
            properties: {
              entryId: { type: "string", format: "uuid" },
              capturedAt: { type: "string", format: "date-time" },
            },
          },
          ...errors,
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await captureOrderForm(opts.deps, actingOf(request), request.body)),
  );
  app.post<{ Body: { cookieId: string } }>(
    "/v1/sales-tracking/search",
    {
      schema: {
        tags,
        security,
        summary: "Read the order forms of one cookie, through the gate for the sales-tracking purpose",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["cookieId"],
          properties: { cookieId },
        },
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: entrySchema } },
          },
          ...errors,
        },
      },
    },
    async (request) => ({ items: await readOrderForms(opts.deps, actingOf(request), request.body.cookieId) }),
  );
}
