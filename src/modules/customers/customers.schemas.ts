import { CHANNELS } from "../../policy/schema.ts";
import { CONSENT_STATES } from "../../gate/types.ts";
import { TARGET_KINDS } from "../consent/consent.ts";
import { ADDRESS_KINDS } from "../subjects/subjects.ts";
import { addressInput } from "../subjects/subjects.schemas.ts";
import { preferencesSchema } from "../consent/consent.schemas.ts";
import { OWN_PROFILE_FIELDS } from "./self-service.ts";

/**
 * JSON schemas of the account endpoints. Response schemas list every property with
 * additionalProperties false, so nothing leaves beyond what is named here (and, for the record,
 * beyond what the gate allowed).
 */
const text = (max: number) => ({ type: "string", minLength: 1, maxLength: max }) as const;
const dateTime = { type: "string", format: "date-time" } as const;

export const signupBody = {
  type: "object",
  additionalProperties: false,
  required: ["email", "password", "firstName", "lastName", "birthDate"],
  properties: {
    email: text(320),
    // The policy (12–256 characters, not common) is checked by the service, which says which rule failed.
    password: { type: "string", maxLength: 1024 },
    firstName: text(200),
    lastName: text(200),
    birthDate: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
    jurisdiction: { type: "string", pattern: "^[A-Z]{2}(-[A-Z]{2})?$" },
    consents: {
      type: "array",
      maxItems: 50,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["targetKind", "target", "action"],
        properties: {
          targetKind: { type: "string", enum: TARGET_KINDS },
          target: text(200),
          channel: { type: "string", enum: ["", ...CHANNELS] },
          action: { type: "string", enum: CONSENT_STATES },
        },
      },
    },
  },
} as const;

export const signinBody = {
  type: "object",
  additionalProperties: false,
  required: ["email", "password"],
  properties: { email: { type: "string", maxLength: 320 }, password: { type: "string", maxLength: 1024 } },
} as const;

export const passwordBody = {
  type: "object",
  additionalProperties: false,
  required: ["currentPassword", "newPassword"],
  properties: {
    currentPassword: { type: "string", maxLength: 1024 },
    newPassword: { type: "string", maxLength: 1024 },
  },
} as const;

export const sessionResponse = {
  type: "object",
  additionalProperties: false,
  required: ["subjectId", "customerNumber", "csrfToken", "expiresAt"],
  properties: {
    subjectId: { type: "string", format: "uuid" },
    customerNumber: { type: ["string", "null"] },
    csrfToken: { type: "string", description: "send as X-CSRF-Token on every state-changing request" },
    expiresAt: dateTime,
  },
} as const;

export const csrfResponse = {
  type: "object",
  additionalProperties: false,
  required: ["csrfToken", "expiresAt"],
  properties: { csrfToken: { type: "string" }, expiresAt: dateTime },
} as const;

const provenance = {
  type: "object",
  additionalProperties: false,
  required: ["collectionPoint", "purpose", "collectedAt", "policyVersion"],
  properties: {
    collectionPoint: { type: "string" },
    purpose: { type: "string" },
    collectedAt: dateTime,
    policyVersion: { type: "string" },
  },
} as const;

export const contactRecord = {
  type: "object",
  additionalProperties: false,
  required: ["contactId", "name", "email", "phone", "provenance"],
  properties: {
    contactId: { type: "string", format: "uuid" },
    name: { type: "string" },
    email: { type: ["string", "null"] },
    phone: { type: ["string", "null"] },
    provenance,
  },
} as const;

export const profilePatch = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: Object.fromEntries(
    OWN_PROFILE_FIELDS.map((f) => [f, { type: ["string", "null"], minLength: 1, maxLength: 500 }]),
  ),
} as const;

export const versionResponse = {
  type: "object",
  additionalProperties: false,
  required: ["version"],
  properties: { version: { type: "integer" }, addressId: { type: "string" }, contactId: { type: "string" } },
} as const;

export const addressBody = {
  type: "object",
  additionalProperties: false,
  required: ["kind", "address"],
  properties: { kind: { type: "string", enum: ADDRESS_KINDS }, address: addressInput },
} as const;

export const contactBody = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: text(200),
    email: { type: ["string", "null"], maxLength: 320 },
    phone: { type: ["string", "null"], maxLength: 40 },
  },
} as const;

/** The customer's own view of their choices: the same shape the consent module answers staff with. */
/**
 * What a customer reads of their own choices: the preferences, and `gpc`, whether a Global Privacy
 * Control signal of theirs is on file with its opt-out in force, and when it was first honoured
 * (11 CCR 7025(c)(6)).
 */
export const ownConsentsResponse = {
  ...preferencesSchema,
  required: [...preferencesSchema.required, "gpc"],
  properties: {
    ...preferencesSchema.properties,
    gpc: {
      type: "object",
      additionalProperties: false,
      required: ["honoured", "at"],
      properties: {
        honoured: { type: "boolean", description: "a signal is on file and its opt-out is in force" },
        at: { type: ["string", "null"], format: "date-time", description: "the first signal recorded" },
      },
    },
  },
} as const;

/** The person's opt-out state as a GPP string (src/modules/consent/gpp.ts). */
export const gppResponse = {
  type: "object",
  additionalProperties: false,
  required: ["gpp", "sections"],
  properties: {
    gpp: { type: "string", description: "an IAB Global Privacy Platform string" },
    sections: { type: "array", items: { type: "string" }, description: "the sections it holds, by name" },
  },
} as const;
