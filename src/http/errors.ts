/**
 * The error catalogue: every stable code Pledge answers with, its HTTP status and its title.
 * docs/errors.md lists the same codes (a test keeps the two equal). Domain code throws or returns
 * `PledgeError` with a code; only the HTTP layer looks up the status. Details name ids, fields and
 * variables, never personal data.
 */
export const ERRORS = {
  PLEDGE_VALIDATION_FAILED: { status: 400, title: "The request does not match the schema" },
  PLEDGE_MALFORMED_JSON: { status: 400, title: "The request body is not valid JSON" },
  PLEDGE_BODY_TOO_LARGE: { status: 413, title: "The request body is too large" },
  PLEDGE_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "The request body's media type is not supported" },
  PLEDGE_AUTH_MISSING: { status: 401, title: "No API key was given" },
  PLEDGE_AUTH_INVALID: { status: 401, title: "The API key is not valid" },
  PLEDGE_FORBIDDEN_ROLE: { status: 403, title: "The caller's role may not use this endpoint" },
  PLEDGE_UNKNOWN_PURPOSE: { status: 400, title: "The purpose is not in the policy pack" },
  PLEDGE_UNKNOWN_FIELD: { status: 400, title: "A field is not in any category of the policy pack" },
  PLEDGE_UNKNOWN_RECIPIENT: { status: 400, title: "The recipient is not in the policy pack" },
  PLEDGE_UNKNOWN_TOPIC: { status: 400, title: "The topic is not in the policy pack" },
  PLEDGE_UNKNOWN_ROLE: { status: 400, title: "The staff role is not in the policy pack" },
  PLEDGE_NO_POLICY_IN_FORCE: { status: 400, title: "No policy version is in force at that instant" },
  PLEDGE_POLICY_INVALID: { status: 422, title: "The policy pack is invalid" },
  PLEDGE_POLICY_MISCONFIGURED: { status: 422, title: "The policy pack cannot be enforced" },
  PLEDGE_POLICY_HISTORY_INVALID: {
    status: 422,
    title: "The versions of a company's policy do not fit together",
  },
  PLEDGE_POLICY_WRONG_COMPANY: { status: 400, title: "The policy pack is for another company" },
  PLEDGE_POLICY_VERSION_EXISTS: { status: 409, title: "That policy version, or its instant, is taken" },
  PLEDGE_POLICY_BACKDATED: {
    status: 409,
    title: "The policy version would take effect before the version in force now",
  },
  PLEDGE_UNKNOWN_SHARING_SCOPE: { status: 400, title: "The sharing scope is not in the policy pack" },
  PLEDGE_UNKNOWN_PERMISSION: { status: 400, title: "The permission is not one Pledge knows" },
  PLEDGE_CONSENT_CHANNEL_INVALID: { status: 400, title: "The consent target does not use that channel" },
  PLEDGE_SUPPRESSION_IMPORT_REJECTED: { status: 422, title: "The suppression file has bad rows" },
  PLEDGE_USE_REFUSED: { status: 403, title: "The policy does not allow this use of personal data" },
  PLEDGE_PRECONDITION_REQUIRED: { status: 428, title: "If-Match is required to change this record" },
  PLEDGE_PRECONDITION_FAILED: {
    status: 412,
    title: "The record changed since the version given in If-Match",
  },
  PLEDGE_RECORD_EXISTS: { status: 409, title: "The subject already has a record with this id" },
  PLEDGE_SERVICE_TRANSITION_INVALID: {
    status: 409,
    title: "The service cannot make this change from its status",
  },
  PLEDGE_PAYMENT_METHOD_INVALID: {
    status: 400,
    title: "The payment method is not a provider token with its last four digits",
  },
  PLEDGE_CHARGE_REFUSED: { status: 403, title: "The payment method may not be charged for this order" },
  PLEDGE_UNDER_MINIMUM_AGE: {
    status: 403,
    title: "The person is under the policy's minimum age; nothing they sent was kept",
  },
  PLEDGE_DUPLICATE_IDENTITY: { status: 409, title: "Another subject already has this email or phone number" },
  PLEDGE_INVALID_EMAIL: { status: 400, title: "The email address is not valid" },
  PLEDGE_INVALID_PHONE: { status: 400, title: "The phone number is not valid" },
  PLEDGE_INVALID_POSTAL_CODE: { status: 400, title: "The postal code is not valid for the country" },
  PLEDGE_INVALID_POSTAL_ADDRESS: { status: 400, title: "The postal address is not valid" },
  PLEDGE_CARD_NUMBER_REFUSED: { status: 400, title: "Pledge never accepts a card number" },
  PLEDGE_IDEMPOTENCY_MISMATCH: {
    status: 422,
    title: "The Idempotency-Key was used with a different request",
  },
  PLEDGE_IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    title: "A request with this Idempotency-Key is still being processed",
  },
  PLEDGE_INVALID_CURSOR: { status: 400, title: "The pagination cursor is not valid" },
  PLEDGE_PASSWORD_WEAK: { status: 400, title: "The password is too short, too long or too common" },
  PLEDGE_SIGNIN_FAILED: { status: 401, title: "The email address or password is not right" },
  PLEDGE_SESSION_REQUIRED: { status: 401, title: "Sign in first: there is no valid session" },
  PLEDGE_REAUTH_FAILED: { status: 403, title: "The current password is not right" },
  PLEDGE_CSRF_FAILED: { status: 403, title: "The CSRF token is missing or does not match the session" },
  PLEDGE_TLS_REQUIRED: { status: 403, title: "This endpoint is served over HTTPS only" },
  PLEDGE_CAMPAIGN_INVALID: {
    status: 400,
    title: "The campaign's topic, class or channel does not fit the policy pack",
  },
  PLEDGE_CAMPAIGN_NO_TRANSPORT: { status: 409, title: "Email cannot be sent: no SMTP relay is configured" },
  PLEDGE_CAMPAIGN_TRANSITION_INVALID: {
    status: 409,
    title: "The campaign cannot make this change from its status",
  },
  PLEDGE_COMPLAINT_TRANSITION_INVALID: {
    status: 409,
    title: "The privacy complaint cannot make this change from its status",
  },
  PLEDGE_NOT_FOUND: { status: 404, title: "Not found" },
  PLEDGE_LIST_UNAVAILABLE: {
    status: 409,
    title: "No list can be made for this campaign in its channel, recipient or status",
  },
  PLEDGE_WEBHOOK_SIGNATURE_INVALID: { status: 401, title: "The webhook signature is missing or wrong" },
  PLEDGE_UNSUBSCRIBE_TOKEN_INVALID: {
    status: 400,
    title: "The unsubscribe token is not valid, or was issued for another address",
  },
  PLEDGE_UNSUBSCRIBE_TOKEN_EXPIRED: { status: 410, title: "The unsubscribe token has expired" },
  PLEDGE_METHOD_NOT_ALLOWED: { status: 405, title: "The method is not allowed on this resource" },
  PLEDGE_RATE_LIMITED: { status: 429, title: "Too many requests" },
  PLEDGE_NOT_READY: { status: 503, title: "Pledge is not ready to serve" },
  PLEDGE_INTERNAL: { status: 500, title: "Internal error" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export class PledgeError extends Error {
  constructor(
    readonly code: ErrorCode,
    /** Plain words for the caller: ids, field names, variable names; never personal data. */
    readonly detail: string,
    /** Clauses of the policy behind the error, when the error is a refusal the policy explains. */
    readonly clauses: readonly string[] = [],
  ) {
    super(`${code}: ${detail}`);
    this.name = "PledgeError";
  }

  get status(): number {
    return ERRORS[this.code].status;
  }
}

/** RFC 9457 problem details, with Pledge's stable `code` and, for schema failures, the `errors`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string;
  readonly instance?: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
  /** Clause ids of the policy behind a refusal (an unknown purpose names the purpose list's clause). */
  readonly clauses?: readonly string[];
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export function problem(
  code: ErrorCode,
  detail: string,
  extra: { instance?: string; errors?: Problem["errors"]; clauses?: Problem["clauses"] } = {},
): Problem {
  const { status, title } = ERRORS[code];
  return { type: `urn:pledge:error:${code}`, title, status, code, detail, ...extra };
}

/** The JSON schema of a problem body, referenced by route schemas for their error responses. */
export const problemSchema = {
  $id: "Problem",
  type: "object",
  description: "RFC 9457 problem details",
  required: ["type", "title", "status", "code", "detail"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    code: { type: "string", enum: ERROR_CODES },
    detail: { type: "string" },
    instance: { type: "string" },
    clauses: { type: "array", items: { type: "string" } },
    errors: {
      type: "array",
      items: {
        type: "object",
        required: ["path", "message"],
        properties: { path: { type: "string" }, message: { type: "string" } },
      },
    },
  },
} as const;
