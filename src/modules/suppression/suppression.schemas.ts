import { CHANNELS } from "../../policy/schema.ts";
import { REMOVAL_REASONS, SUPPRESSION_REASONS, SUPPRESSION_SOURCES } from "./suppression.ts";

/** JSON schemas of the Do Not Send routes. Addresses only ever arrive in bodies, never in URLs. */
export const postalAddress = {
  type: "object",
  additionalProperties: false,
  required: ["line1", "city", "postalCode", "country"],
  properties: {
    line1: { type: "string", minLength: 1, maxLength: 200 },
    line2: { type: ["string", "null"], maxLength: 200 },
    city: { type: "string", minLength: 1, maxLength: 100 },
    region: { type: ["string", "null"], maxLength: 100 },
    postalCode: { type: "string", minLength: 1, maxLength: 20 },
    country: { type: "string", minLength: 2, maxLength: 2 },
  },
} as const;

const address = {
  description: "an email address or phone number as text; a postal address as its parts (postal, catalogue)",
  anyOf: [{ type: "string", minLength: 1, maxLength: 320 }, postalAddress],
} as const;

const channel = { type: "string", enum: CHANNELS } as const;

export const checkBody = {
  type: "object",
  additionalProperties: false,
  required: ["channel", "address"],
  properties: { channel, address },
} as const;

export const addBody = {
  type: "object",
  additionalProperties: false,
  required: ["channel", "address", "reason", "source"],
  properties: {
    channel,
    address,
    reason: { type: "string", enum: SUPPRESSION_REASONS },
    source: { type: "string", enum: SUPPRESSION_SOURCES },
  },
} as const;

export const removeBody = {
  type: "object",
  additionalProperties: false,
  required: ["channel", "address", "reason"],
  properties: { channel, address, reason: { type: "string", enum: REMOVAL_REASONS } },
} as const;

export const importQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    channel: { ...channel, description: "the channel of rows that name none" },
    reason: { type: "string", enum: SUPPRESSION_REASONS, default: "import" },
    source: { type: "string", enum: SUPPRESSION_SOURCES, default: "import" },
  },
} as const;

export const entrySchema = {
  type: "object",
  additionalProperties: false,
  required: ["channel", "addressIndex", "reason", "source", "createdAt", "createdBy"],
  properties: {
    channel,
    addressIndex: { type: "string", description: "the blind index of the normalised address" },
    reason: { type: "string", enum: SUPPRESSION_REASONS },
    source: { type: "string", enum: SUPPRESSION_SOURCES },
    createdAt: { type: "string", format: "date-time" },
    createdBy: { type: "string" },
  },
} as const;

export const checkResponse = {
  type: "object",
  additionalProperties: false,
  required: ["channel", "suppressed", "entry"],
  properties: { channel, suppressed: { type: "boolean" }, entry: { anyOf: [entrySchema, { type: "null" }] } },
} as const;

export const addResponse = {
  type: "object",
  additionalProperties: false,
  required: ["added", "entry"],
  properties: { added: { type: "boolean", description: "false when already listed" }, entry: entrySchema },
} as const;

export const importResponse = {
  type: "object",
  additionalProperties: false,
  required: ["rows", "added", "alreadyListed"],
  properties: { rows: { type: "integer" }, added: { type: "integer" }, alreadyListed: { type: "integer" } },
} as const;

export const EXPORT_NOTE =
  "Pledge does not keep the addresses on the Do Not Send list: each entry is the blind index (keyed HMAC) of the normalised address. Check an address with POST /v1/suppression/check.";

export const exportResponse = {
  type: "object",
  additionalProperties: false,
  required: ["addressesKept", "note", "items", "nextCursor"],
  properties: {
    addressesKept: { type: "boolean", const: false },
    note: { type: "string" },
    items: { type: "array", items: entrySchema },
    nextCursor: { type: ["string", "null"] },
  },
} as const;
