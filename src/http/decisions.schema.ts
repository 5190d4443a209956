import { ACTIONS, CONSENT_STATES, PERMISSIONS, SUBJECT_STATUSES } from "../gate/types.ts";
import { CHANNELS, MESSAGE_CLASSES } from "../policy/schema.ts";

/**
 * JSON schemas of POST /v1/decisions. The request mirrors `Use` (less the actor, which comes from
 * the API key) and `Facts` (less what the server knows: attestation, region). The response lists
 * every field, so nothing else can leave.
 */
const ID = "^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*$";
const SLUG = "^[a-z][a-z0-9_-]*$";
const FIELD = "^[a-z][a-z0-9_]*$";

const subjectFacts = {
  type: ["object", "null"],
  additionalProperties: false,
  required: ["status"],
  description:
    "what is known about the one person the use concerns; null for uses about nobody in particular",
  properties: {
    status: { type: "string", enum: SUBJECT_STATUSES },
    age: { type: ["integer", "null"], minimum: 0, maximum: 150, default: null },
    jurisdiction: { type: ["string", "null"], pattern: "^[A-Z]{2}(-[A-Z]{2})?$", default: null },
    consents: {
      type: "object",
      description: "consent state by purpose or topic id, or by `<id>:<channel>`",
      propertyNames: { pattern: "^[a-z][a-z0-9_.-]*(:[a-z]+)?$", maxLength: 200 },
      additionalProperties: { type: "string", enum: CONSENT_STATES },
      default: {},
    },
    optOuts: {
      type: "array",
      items: { type: "string", pattern: SLUG, maxLength: 100 },
      maxItems: 100,
      default: [],
    },
    suppressed: { type: "array", items: { type: "string", enum: CHANNELS }, uniqueItems: true, default: [] },
    permissions: {
      type: "array",
      items: { type: "string", enum: PERMISSIONS },
      uniqueItems: true,
      default: [],
    },
  },
} as const;

export const decisionRequestSchema = {
  type: "object",
  additionalProperties: false,
  required: ["use"],
  properties: {
    use: {
      type: "object",
      additionalProperties: false,
      required: ["action", "purpose", "fields"],
      properties: {
        action: { type: "string", enum: ACTIONS },
        purpose: { type: "string", pattern: ID, maxLength: 200, description: "a purpose id from the pack" },
        fields: {
          type: "array",
          items: { type: "string", pattern: FIELD, maxLength: 100 },
          maxItems: 500,
          description: "record fields the use touches",
        },
        recipient: {
          type: "string",
          pattern: SLUG,
          maxLength: 100,
          description: "a recipient id from the pack",
        },
        channel: { type: "string", enum: CHANNELS },
        messageClass: { type: "string", enum: MESSAGE_CLASSES },
        topic: { type: "string", pattern: SLUG, maxLength: 100, description: "a topic id from the pack" },
        ground: {
          type: "string",
          pattern: SLUG,
          maxLength: 100,
          description: "the legal or content ground invoked",
        },
        caseId: { type: "string", minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9._:-]+$" },
        aggregate: { type: "boolean" },
        projection: {
          type: "boolean",
          description: "remove disallowed fields (partial) instead of refusing",
        },
        at: { type: "string", format: "date-time", description: "when the use happens; default: now" },
      },
    },
    facts: {
      type: "object",
      additionalProperties: false,
      properties: {
        subject: { ...subjectFacts, default: null },
        recipientContractOnFile: {
          type: "boolean",
          description: "whether the recipient's contract is on file; default false when a recipient is named",
        },
      },
      default: {},
    },
    subjectId: {
      type: "string",
      format: "uuid",
      description: "a stored subject: the gate reads its facts from the store (instead of facts.subject)",
    },
  },
} as const;

export const decisionResponseSchema = {
  type: "object",
  required: ["decision", "at", "audit"],
  properties: {
    decision: {
      type: "object",
      required: ["outcome", "fields", "removed", "reasons", "policy"],
      properties: {
        outcome: { type: "string", enum: ["allow", "deny", "partial"] },
        fields: { type: "array", items: { type: "string" } },
        removed: { type: "array", items: { type: "string" } },
        reasons: {
          type: "array",
          items: {
            type: "object",
            required: ["clause", "rule", "code", "detail"],
            properties: {
              clause: { type: ["string", "null"] },
              rule: { type: "integer" },
              code: { type: "string" },
              detail: { type: "string" },
            },
          },
        },
        policy: {
          type: "object",
          required: ["company", "version"],
          properties: { company: { type: "string" }, version: { type: "string" } },
        },
      },
    },
    at: { type: "string", format: "date-time", description: "the instant the decision was made for" },
    audit: {
      type: "object",
      required: ["chain", "seq", "hash"],
      properties: {
        chain: { type: "integer", description: "the audit chain the decision was recorded in" },
        seq: { type: "integer" },
        hash: { type: "string" },
      },
    },
  },
} as const;
