import { AUTHORITY_PATTERN, COUNTRY_PATTERN, INSTRUMENTS, LEGAL_STATES, REFERENCE_PATTERN } from "./legal.ts";

/** Response and body schemas of /v1/legal: every field listed, nothing more leaves. */
export const problems = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
  409: { $ref: "Problem#" },
} as const;

const dateTime = { type: "string", format: "date-time" } as const;
const nullableDateTime = { type: ["string", "null"], format: "date-time" } as const;

/** A new request (or, with `emergency`, an emergency recorded after the fact: no instrument, a justification). */
export function newRequestSchema(emergency = false) {
  const common = {
    authority: {
      type: "string",
      pattern: AUTHORITY_PATTERN,
      description: "the authority, e.g. Arlington County Police",
    },
    country: { type: "string", pattern: COUNTRY_PATTERN, description: "ISO 3166-1 alpha-2" },
    reference: {
      type: "string",
      pattern: REFERENCE_PATTERN,
      description: "the authority's reference (case, docket or request number)",
    },
    ground: {
      type: "string",
      minLength: 1,
      maxLength: 100,
      description: "one of the pack's disclosure_grounds",
    },
    subjects: {
      type: "array",
      items: { type: "string", format: "uuid" },
      minItems: 1,
      maxItems: 1000,
      uniqueItems: true,
    },
    fields: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 100, uniqueItems: true },
    nondisclosureUntil: {
      ...dateTime,
      description: "the end of a non-disclosure order: the people are told then",
    },
  };
  const required = ["authority", "country", "reference", "ground", "subjects", "fields"];
  return emergency
    ? {
        type: "object",
        additionalProperties: false,
        required: [...required, "justification"],
        properties: { ...common, justification: { type: "string", minLength: 10, maxLength: 2000 } },
      }
    : {
        type: "object",
        additionalProperties: false,
        required: [...required, "instrument"],
        properties: { ...common, instrument: { type: "string", enum: [...INSTRUMENTS] } },
      };
}

export const legalRequestSchema = {
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "authority",
    "country",
    "instrument",
    "reference",
    "ground",
    "subjects",
    "fields",
    "state",
    "receivedBy",
    "receivedAt",
    "approvals",
    "justification",
    "nondisclosureUntil",
    "closedBy",
    "closedAt",
    "note",
  ],
  properties: {
    id: { type: "string", format: "uuid" },
    authority: { type: "string" },
    country: { type: "string" },
    instrument: { type: "string", enum: [...INSTRUMENTS] },
    reference: { type: "string" },
    ground: { type: "string" },
    subjects: { type: "array", items: { type: "string", format: "uuid" } },
    fields: { type: "array", items: { type: "string" } },
    state: { type: "string", enum: [...LEGAL_STATES] },
    receivedBy: { type: "string" },
    receivedAt: dateTime,
    approvals: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["by", "at"],
        properties: { by: { type: "string" }, at: dateTime },
      },
    },
    justification: { type: ["string", "null"] },
    nondisclosureUntil: nullableDateTime,
    closedBy: { type: ["string", "null"] },
    closedAt: nullableDateTime,
    note: { type: ["string", "null"] },
  },
} as const;

export const productionSchema = {
  type: "object",
  additionalProperties: false,
  required: ["request", "records", "withheld"],
  properties: {
    request: legalRequestSchema,
    records: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["subjectId", "disclosureId", "values"],
        properties: {
          subjectId: { type: "string", format: "uuid" },
          disclosureId: { type: "string", format: "uuid" },
          values: { type: "object", additionalProperties: { type: "string" } },
          messages: {
            type: "array",
            items: {
              type: "object",
              additionalProperties: false,
              required: ["messageId", "at", "content"],
              properties: { messageId: { type: "string" }, at: dateTime, content: { type: "string" } },
            },
          },
        },
      },
    },
    withheld: { type: "array", items: { type: "string", format: "uuid" } },
  },
} as const;

const line = {
  requests: { type: "integer" },
  accounts: { type: "integer" },
  produced: { type: "integer" },
  producedPercent: { type: "integer" },
} as const;
const lineRequired = ["requests", "accounts", "produced", "producedPercent"];

export const transparencySchema = {
  type: "object",
  additionalProperties: false,
  required: ["period", "from", "to", "total", "byInstrument", "byCountry"],
  properties: {
    period: { type: "string" },
    from: dateTime,
    to: dateTime,
    total: { type: "object", additionalProperties: false, required: lineRequired, properties: line },
    byInstrument: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["instrument", ...lineRequired],
        properties: { instrument: { type: "string" }, ...line },
      },
    },
    byCountry: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["country", ...lineRequired],
        properties: { country: { type: "string" }, ...line },
      },
    },
  },
} as const;
