/** JSON schemas of the disclosure routes. Responses list every field, so nothing else leaves. */
const strings = { type: "array", items: { type: "string" } } as const;
const nullableString = { type: ["string", "null"] } as const;
const day = { type: ["string", "null"], pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" } as const;

export const subjectParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;

export const recipientParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: "^[a-z][a-z0-9_-]*$", maxLength: 100 } },
} as const;

export const recipientUpdateBody = {
  type: "object",
  additionalProperties: false,
  required: ["legalName", "address"],
  properties: {
    legalName: { type: "string", minLength: 1, maxLength: 300 },
    address: {
      type: "string",
      minLength: 1,
      maxLength: 1000,
      description: "the recipient's business address",
    },
    contractRef: { type: ["string", "null"], minLength: 1, maxLength: 200 },
    contractSignedOn: { ...day, format: "date" },
    contractExpiresOn: { ...day, format: "date" },
  },
} as const;

export const recipientSchema = {
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "name",
    "kind",
    "categories",
    "purposes",
    "requires",
    "optOutScope",
    "singleSubject",
    "clauses",
    "onFile",
    "contractOnFile",
  ],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    kind: { type: "string" },
    categories: strings,
    purposes: strings,
    requires: strings,
    optOutScope: nullableString,
    singleSubject: { type: "boolean" },
    clauses: strings,
    onFile: {
      type: ["object", "null"],
      additionalProperties: false,
      required: ["legalName", "address", "contractRef", "contractSignedOn", "contractExpiresOn", "updatedAt"],
      properties: {
        legalName: { type: "string" },
        address: { type: "string" },
        contractRef: nullableString,
        contractSignedOn: nullableString,
        contractExpiresOn: nullableString,
        updatedAt: { type: "string", format: "date-time" },
      },
    },
    contractOnFile: { type: "boolean" },
  },
} as const;

export const shareBody = {
  type: "object",
  additionalProperties: false,
  required: ["recipient", "purpose", "fields"],
  properties: {
    recipient: { type: "string", pattern: "^[a-z][a-z0-9_-]*$", maxLength: 100 },
    purpose: { type: "string", pattern: "^[a-z][a-z0-9_.]*$", maxLength: 200 },
    fields: {
      type: "array",
      minItems: 1,
      maxItems: 50,
      items: { type: "string", pattern: "^[a-z][a-z0-9_]*$", maxLength: 100 },
    },
  },
} as const;

export const shareSchema = {
  type: "object",
  additionalProperties: false,
  required: ["disclosureId", "subjectId", "recipient", "purpose", "fields", "removed", "clauses", "values"],
  properties: {
    disclosureId: { type: "string", format: "uuid" },
    subjectId: { type: "string", format: "uuid" },
    recipient: { type: "string" },
    purpose: { type: "string" },
    fields: strings,
    removed: strings,
    clauses: strings,
    values: { type: "object", additionalProperties: { type: "string" } },
  },
} as const;

export const ledgerEntrySchema = {
  type: "object",
  additionalProperties: false,
  required: [
    "disclosureId",
    "recipient",
    "recipientName",
    "recipientKind",
    "kind",
    "purpose",
    "ground",
    "fields",
    "categories",
    "policyVersion",
    "at",
  ],
  properties: {
    disclosureId: { type: "string", format: "uuid" },
    recipient: { type: "string" },
    recipientName: { type: "string" },
    recipientKind: { type: "string" },
    kind: { type: "string" },
    purpose: { type: "string" },
    ground: { type: "string" },
    fields: strings,
    categories: strings,
    policyVersion: { type: "string" },
    at: { type: "string", format: "date-time" },
  },
} as const;

export const shineTheLightSchema = {
  type: "object",
  additionalProperties: false,
  required: ["subjectId", "year", "from", "to", "categories", "recipients"],
  properties: {
    subjectId: { type: "string", format: "uuid" },
    year: { type: "integer" },
    from: { type: "string", format: "date-time" },
    to: { type: "string", format: "date-time" },
    categories: strings,
    recipients: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "name", "address", "categories", "disclosures"],
        properties: {
          id: { type: "string" },
          name: { type: "string" },
          address: nullableString,
          categories: strings,
          disclosures: { type: "integer" },
        },
      },
    },
  },
} as const;

export const reportLineSchema = {
  type: "object",
  additionalProperties: false,
  required: ["recipient", "recipientKind", "category", "disclosures", "people"],
  properties: {
    recipient: { type: "string" },
    recipientKind: { type: "string" },
    category: { type: "string" },
    disclosures: { type: "integer" },
    people: { type: "integer" },
  },
} as const;
