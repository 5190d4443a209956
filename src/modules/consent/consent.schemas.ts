import { CONSENT_STATES } from "../../gate/types.ts";
import { CHANNELS } from "../../policy/schema.ts";
import { CONSENT_SOURCES, EVIDENCE_KEYS, EVIDENCE_VALUE, TARGET_KINDS } from "./consent.ts";

/** JSON schemas of the consent routes. Responses list every field, so nothing else leaves. */
export const subjectParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;

export const evidenceSchema = {
  type: "object",
  additionalProperties: false,
  description: "references to what the person did (ids, page paths); never personal data",
  properties: Object.fromEntries(
    EVIDENCE_KEYS.map((k) => [k, { type: "string", pattern: EVIDENCE_VALUE.source, maxLength: 200 }]),
  ),
} as const;

export const consentBody = {
  type: "object",
  additionalProperties: false,
  required: ["targetKind", "target", "action", "source"],
  properties: {
    targetKind: { type: "string", enum: TARGET_KINDS },
    target: {
      type: "string",
      pattern: "^[a-z][a-z0-9_.-]*$",
      maxLength: 200,
      description: "a purpose id, topic id, sharing scope or permission of the pack in force",
    },
    channel: { type: "string", enum: ["", ...CHANNELS], default: "", description: "'' = every channel" },
    action: { type: "string", enum: CONSENT_STATES },
    source: { type: "string", enum: CONSENT_SOURCES },
    evidence: evidenceSchema,
  },
} as const;

export const stopBody = {
  type: "object",
  additionalProperties: false,
  required: ["source"],
  properties: { source: { type: "string", enum: CONSENT_SOURCES }, evidence: evidenceSchema },
} as const;

export const stopParams = {
  type: "object",
  required: ["id", "channel"],
  properties: { id: { type: "string", format: "uuid" }, channel: { type: "string", enum: CHANNELS } },
} as const;

export const eventSchema = {
  type: "object",
  additionalProperties: false,
  required: [
    "eventId",
    "subjectId",
    "targetKind",
    "target",
    "channel",
    "action",
    "source",
    "policyVersion",
    "at",
    "actor",
    "evidence",
  ],
  properties: {
    eventId: { type: "string", format: "uuid" },
    subjectId: { type: "string", format: "uuid" },
    targetKind: { type: "string", enum: TARGET_KINDS },
    target: { type: "string" },
    channel: { type: "string" },
    action: { type: "string", enum: CONSENT_STATES },
    source: { type: "string", enum: CONSENT_SOURCES },
    policyVersion: { type: "string" },
    at: { type: "string", format: "date-time" },
    actor: { type: "string" },
    evidence: evidenceSchema,
  },
} as const;

export const preferencesSchema = {
  type: "object",
  additionalProperties: false,
  required: ["consents", "optOuts", "permissions"],
  properties: {
    consents: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["scope", "channel", "state", "updatedAt"],
        properties: {
          scope: { type: "string" },
          channel: { type: "string" },
          state: { type: "string", enum: CONSENT_STATES },
          updatedAt: { type: "string", format: "date-time" },
        },
      },
    },
    optOuts: { type: "array", items: { type: "string" } },
    permissions: { type: "array", items: { type: "string" } },
  },
} as const;

export const stopResponse = {
  type: "object",
  additionalProperties: false,
  required: ["channel", "events"],
  properties: { channel: { type: "string", enum: CHANNELS }, events: { type: "array", items: eventSchema } },
} as const;
