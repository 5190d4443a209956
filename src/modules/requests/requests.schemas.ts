import { DENIAL_REASONS, REQUEST_INTAKES, REQUEST_KINDS, REQUEST_STATES } from "./requests.ts";

/** Response and body schemas of the request routes: every field listed, none personal. */
const nullableTime = { type: ["string", "null"], format: "date-time" } as const;

const viewProperties = {
  id: { type: "string", format: "uuid" },
  kind: { type: "string", enum: REQUEST_KINDS },
  state: { type: "string", enum: REQUEST_STATES },
  intake: { type: "string", enum: REQUEST_INTAKES },
  subjectId: { type: ["string", "null"], format: "uuid" },
  jurisdiction: { type: ["string", "null"] },
  law: { type: "string", description: "the law whose clock the request runs on: ccpa, gdpr or none" },
  queue: { type: "string" },
  receivedAt: { type: "string", format: "date-time" },
  due: {
    ...nullableTime,
    description:
      "answer due by this instant (the end of dueDate in the policy's time zone); null once closed",
  },
  dueDate: { type: ["string", "null"], description: "the due date, YYYY-MM-DD in the policy's time zone" },
  acknowledgeBy: nullableTime,
  overdue: { type: "boolean" },
  daysLeft: { type: ["integer", "null"], description: "whole days left; negative when overdue" },
  paused: {
    type: "boolean",
    description: "the clock is stopped while the identity check waits on the person (GDPR)",
  },
  extended: { type: "boolean" },
  extensionReason: { type: ["string", "null"] },
  denialReason: { type: ["string", "null"], enum: [...DENIAL_REASONS, null] },
  assignee: { type: ["string", "null"] },
  agentId: { type: ["string", "null"] },
  agentRequestId: { type: ["string", "null"] },
  closedAt: nullableTime,
  version: { type: "integer" },
} as const;

export const requestView = {
  type: "object",
  additionalProperties: false,
  required: Object.keys(viewProperties),
  properties: viewProperties,
} as const;

export const requestDetail = {
  type: "object",
  additionalProperties: false,
  required: [...Object.keys(viewProperties), "history", "result"],
  properties: {
    ...viewProperties,
    history: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["from", "to", "actor", "at", "reason"],
        properties: {
          from: { type: ["string", "null"] },
          to: { type: "string" },
          actor: { type: "string" },
          at: { type: "string", format: "date-time" },
          reason: { type: ["string", "null"] },
        },
      },
    },
    result: {
      type: ["object", "null"],
      additionalProperties: true,
      description:
        "what fulfilment did: counts, sections erased and kept with the reason; never a personal value",
    },
  },
} as const;

export const receivedSchema = {
  type: "object",
  additionalProperties: false,
  required: ["request", "repeated"],
  properties: {
    request: requestView,
    repeated: {
      type: "boolean",
      description: "true: an open request of this kind for this person exists; nothing new was made",
    },
  },
} as const;

const postal = {
  type: "object",
  additionalProperties: false,
  required: ["line1", "city", "postalCode", "country"],
  properties: {
    line1: { type: "string", minLength: 1, maxLength: 200 },
    line2: { type: "string", maxLength: 200 },
    city: { type: "string", minLength: 1, maxLength: 100 },
    region: { type: "string", maxLength: 100 },
    postalCode: { type: "string", minLength: 1, maxLength: 20 },
    country: { type: "string", pattern: "^[A-Za-z]{2}$" },
  },
} as const;

export const claimantSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    email: { type: "string", minLength: 3, maxLength: 320 },
    firstName: { type: "string", minLength: 1, maxLength: 100 },
    lastName: { type: "string", minLength: 1, maxLength: 100 },
    postalAddress: postal,
    zip: { type: "string", minLength: 1, maxLength: 20 },
  },
} as const;

export const detailsSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    channel: { type: "string", enum: ["email", "postal", "catalogue", "phone", "sms"] },
    corrections: {
      type: "object",
      maxProperties: 20,
      additionalProperties: { type: "string", maxLength: 500 },
      description: "field name → the corrected value",
    },
    text: { type: "string", maxLength: 5000 },
  },
} as const;

export const kindSchema = { type: "string", enum: REQUEST_KINDS } as const;
export const jurisdictionSchema = {
  type: "string",
  maxLength: 10,
  description: "a country (DE), a subdivision (US-CA) or a group (EU, EEA); else the person's",
} as const;
