import { pageSchema, paginationQuery } from "../../http/pagination.ts";
import { CHANNELS, MESSAGE_CLASSES } from "../../policy/schema.ts";
import { CAMPAIGN_STATUSES, MESSAGE_STATES } from "./campaigns.table.ts";

/** JSON schemas of the campaign routes: every response field is listed. */
const id = { type: "string", format: "uuid" } as const;
const nullableString = { type: ["string", "null"] } as const;
const nullableTime = { type: ["string", "null"], format: "date-time" } as const;

export const idParams = {
  type: "object",
  additionalProperties: false,
  required: ["id"],
  properties: { id },
} as const;

export const createBody = {
  type: "object",
  additionalProperties: false,
  required: ["name", "purpose", "messageClass", "channel", "text"],
  properties: {
    name: { type: "string", minLength: 1, maxLength: 200 },
    purpose: { type: "string", minLength: 1, maxLength: 200 },
    topic: { type: "string", minLength: 1, maxLength: 200 },
    messageClass: { type: "string", enum: MESSAGE_CLASSES },
    channel: { type: "string", enum: CHANNELS },
    subjectLine: { type: "string", minLength: 1, maxLength: 998 },
    text: { type: "string", minLength: 1, maxLength: 200_000 },
    html: { type: "string", minLength: 1, maxLength: 500_000 },
    recipient: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      description: "the processor (mail house, call centre) that receives postal, catalogue and phone lists",
    },
  },
} as const;

const counts = {
  type: "object",
  additionalProperties: false,
  required: [...MESSAGE_STATES],
  properties: Object.fromEntries(MESSAGE_STATES.map((s) => [s, { type: "integer" }])),
} as const;

const campaignProperties = {
  id,
  name: { type: "string" },
  purpose: { type: "string" },
  topic: nullableString,
  messageClass: { type: "string", enum: MESSAGE_CLASSES },
  channel: { type: "string", enum: CHANNELS },
  recipient: nullableString,
  subjectLine: nullableString,
  text: { type: "string" },
  html: nullableString,
  status: { type: "string", enum: CAMPAIGN_STATUSES },
  policyVersion: nullableString,
  audienceSize: { type: ["integer", "null"] },
  stoppedReason: nullableString,
  stoppedClause: nullableString,
  createdAt: { type: "string", format: "date-time" },
  createdBy: id,
  startedAt: nullableTime,
  finishedAt: nullableTime,
} as const;

export const campaignSchema = {
  type: "object",
  additionalProperties: false,
  required: Object.keys(campaignProperties),
  properties: campaignProperties,
} as const;

export const campaignViewSchema = {
  type: "object",
  additionalProperties: false,
  required: [...Object.keys(campaignProperties), "messages", "uncertain"],
  properties: {
    ...campaignProperties,
    messages: { ...counts, description: "outbox messages per state" },
    uncertain: {
      type: "array",
      description:
        "messages a crash left with an unknown outcome (the relay may or may not have taken them); resent only by POST …/resend-uncertain",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["messageId", "subjectId"],
        properties: { messageId: id, subjectId: id },
      },
    },
  },
} as const;

export const listQuery = {
  type: "object",
  additionalProperties: false,
  properties: { ...paginationQuery },
} as const;

export const listResponse = pageSchema(campaignSchema);

export const previewResponse = {
  type: "object",
  additionalProperties: false,
  required: ["audience", "excluded", "decision"],
  properties: {
    audience: { type: "integer", description: "people the campaign would reach now" },
    excluded: {
      type: "array",
      description: "people left out, by the first rule that refuses them, in rule order",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["code", "clause", "count"],
        properties: { code: { type: "string" }, clause: nullableString, count: { type: "integer" } },
      },
    },
    decision: {
      type: "object",
      additionalProperties: false,
      required: ["outcome", "clauses", "policy"],
      properties: {
        outcome: { type: "string", enum: ["allow", "partial", "deny"] },
        clauses: { type: "array", items: { type: "string" } },
        policy: {
          type: "object",
          additionalProperties: false,
          required: ["company", "version"],
          properties: { company: { type: "string" }, version: { type: "string" } },
        },
      },
    },
  },
} as const;
