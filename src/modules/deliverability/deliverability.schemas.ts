import { DELIVERABILITY_KINDS } from "./deliverability.table.ts";

/** JSON schemas of the deliverability and list routes; responses list every field. */
export const campaignParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;

const messageRef = {
  type: "string",
  minLength: 1,
  maxLength: 998,
  pattern: "^[^\\s@]+(@[^\\s@]+)?$|^<[^\\s@]+@[^\\s@]+>$",
  description: "the outbox message id, or the Message-ID header the message was sent with",
} as const;

const detail = {
  type: "string",
  minLength: 1,
  maxLength: 200,
  pattern: "^[A-Za-z0-9 ._:;,()/#=+-]+$",
  description: "a short code or SMTP status such as 5.1.1; no addresses",
} as const;

export const eventBody = {
  type: "object",
  additionalProperties: false,
  required: ["messageId", "kind"],
  properties: { messageId: messageRef, kind: { type: "string", enum: DELIVERABILITY_KINDS }, detail },
} as const;

export const webhookBody = {
  type: "array",
  minItems: 1,
  maxItems: 1000,
  items: {
    type: "object",
    additionalProperties: false,
    required: ["messageId", "kind", "at"],
    properties: {
      messageId: messageRef,
      kind: { type: "string", enum: DELIVERABILITY_KINDS },
      at: { type: "string", format: "date-time" },
      detail,
    },
  },
} as const;

export const campaignState = {
  type: "object",
  additionalProperties: false,
  required: ["campaignId", "status", "stoppedReason", "stoppedClause", "sent", "bounces", "complaints"],
  properties: {
    campaignId: { type: "string", format: "uuid" },
    status: { type: "string" },
    stoppedReason: { type: ["string", "null"] },
    stoppedClause: { type: ["string", "null"] },
    sent: { type: "integer" },
    bounces: { type: "integer" },
    complaints: { type: "integer" },
  },
} as const;

const rate = {
  type: ["number", "null"],
  description: "messages reported over messages sent; null while nothing was sent",
} as const;

export const ratesResponse = {
  type: "object",
  additionalProperties: false,
  required: [...campaignState.required, "bounceRate", "complaintRate", "guard", "policyVersion"],
  properties: {
    ...campaignState.properties,
    bounceRate: rate,
    complaintRate: rate,
    guard: {
      type: ["object", "null"],
      description: "the pack's send guard (messages.send_guard); null: the pack has none",
      additionalProperties: false,
      required: ["maxBounceRate", "maxComplaintRate", "minSample", "clauses"],
      properties: {
        maxBounceRate: { type: "number" },
        maxComplaintRate: { type: "number" },
        minSample: { type: "integer" },
        clauses: { type: "array", items: { type: "string" } },
      },
    },
    policyVersion: { type: "string", description: "the version whose limits these are (in force now)" },
  },
} as const;

export const eventResponse = {
  type: "object",
  additionalProperties: false,
  required: ["recorded", "suppressed", "campaign"],
  properties: {
    recorded: { type: "boolean", description: "false: this message already had a report of this kind" },
    suppressed: { type: "boolean", description: "a complaint put the address on the Do Not Send list now" },
    campaign: campaignState,
  },
} as const;

export const webhookResponse = {
  type: "object",
  additionalProperties: false,
  required: ["recorded", "duplicates", "suppressed", "campaigns"],
  properties: {
    recorded: { type: "integer" },
    duplicates: { type: "integer" },
    suppressed: { type: "integer" },
    campaigns: { type: "array", items: campaignState },
  },
} as const;

export const listBody = {
  type: "object",
  additionalProperties: false,
  required: ["format"],
  properties: { format: { type: "string", enum: ["csv", "ndjson"] } },
} as const;
