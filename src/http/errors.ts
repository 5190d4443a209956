import { ERROR_CODES, ERROR_TITLES, type ErrorCode } from "../errors.ts";

/** The HTTP status of every error code (src/errors.ts); docs/errors.md lists the same pairs. */
export const STATUS = {
  PLEDGE_VALIDATION_FAILED: 400,
  PLEDGE_MALFORMED_JSON: 400,
  PLEDGE_BODY_TOO_LARGE: 413,
  PLEDGE_UNSUPPORTED_MEDIA_TYPE: 415,
  PLEDGE_AUTH_MISSING: 401,
  PLEDGE_AUTH_INVALID: 401,
  PLEDGE_FORBIDDEN_ROLE: 403,
  PLEDGE_UNKNOWN_PURPOSE: 400,
  PLEDGE_UNKNOWN_FIELD: 400,
  PLEDGE_UNKNOWN_RECIPIENT: 400,
  PLEDGE_UNKNOWN_TOPIC: 400,
  PLEDGE_UNKNOWN_ROLE: 400,
  PLEDGE_NO_POLICY_IN_FORCE: 400,
  PLEDGE_POLICY_INVALID: 422,
  PLEDGE_POLICY_MISCONFIGURED: 422,
  PLEDGE_POLICY_HISTORY_INVALID: 422,
  PLEDGE_POLICY_WRONG_COMPANY: 400,
  PLEDGE_POLICY_VERSION_EXISTS: 409,
  PLEDGE_POLICY_BACKDATED: 409,
  PLEDGE_UNKNOWN_SHARING_SCOPE: 400,
  PLEDGE_UNKNOWN_PERMISSION: 400,
  PLEDGE_CONSENT_CHANNEL_INVALID: 400,
  PLEDGE_SUPPRESSION_IMPORT_REJECTED: 422,
  PLEDGE_USE_REFUSED: 403,
  PLEDGE_PRECONDITION_REQUIRED: 428,
  PLEDGE_PRECONDITION_FAILED: 412,
  PLEDGE_RECORD_EXISTS: 409,
  PLEDGE_SERVICE_TRANSITION_INVALID: 409,
  PLEDGE_ORDER_TRANSITION_INVALID: 409,
  PLEDGE_PAYMENT_METHOD_INVALID: 400,
  PLEDGE_CHARGE_REFUSED: 403,
  PLEDGE_UNDER_MINIMUM_AGE: 403,
  PLEDGE_DUPLICATE_IDENTITY: 409,
  PLEDGE_INVALID_EMAIL: 400,
  PLEDGE_INVALID_PHONE: 400,
  PLEDGE_INVALID_POSTAL_CODE: 400,
  PLEDGE_INVALID_POSTAL_ADDRESS: 400,
  PLEDGE_CARD_NUMBER_REFUSED: 400,
  PLEDGE_IDEMPOTENCY_MISMATCH: 422,
  PLEDGE_IDEMPOTENCY_IN_PROGRESS: 409,
  PLEDGE_INVALID_CURSOR: 400,
  PLEDGE_PASSWORD_WEAK: 400,
  PLEDGE_SIGNIN_FAILED: 401,
  PLEDGE_SIGNIN_BACKOFF: 429,
  PLEDGE_SESSION_REQUIRED: 401,
  PLEDGE_STAFF_SIGNIN_FAILED: 401,
  PLEDGE_STAFF_SETUP_INVALID: 403,
  PLEDGE_STAFF_CODE_INVALID: 400,
  PLEDGE_USERNAME_TAKEN: 409,
  PLEDGE_REAUTH_FAILED: 403,
  PLEDGE_CSRF_FAILED: 403,
  PLEDGE_TLS_REQUIRED: 403,
  PLEDGE_CAMPAIGN_INVALID: 400,
  PLEDGE_CAMPAIGN_NO_TRANSPORT: 409,
  PLEDGE_CAMPAIGN_TRANSITION_INVALID: 409,
  PLEDGE_COMPLAINT_TRANSITION_INVALID: 409,
  PLEDGE_REQUEST_TRANSITION_INVALID: 409,
  PLEDGE_REQUEST_EXTENSION_REFUSED: 409,
  PLEDGE_REQUEST_AMBIGUOUS_MATCH: 422,
  PLEDGE_REQUEST_NO_MATCH: 422,
  PLEDGE_REQUEST_LINK_INVALID: 410,
  PLEDGE_LEGAL_HOLD: 409,
  PLEDGE_LEGAL_GROUND_REFUSED: 403,
  PLEDGE_LEGAL_APPROVAL_REFUSED: 409,
  PLEDGE_LEGAL_NOT_APPROVED: 409,
  PLEDGE_LEGAL_OUT_OF_SCOPE: 403,
  PLEDGE_LEGAL_STATE: 409,
  PLEDGE_ANALYTICS_RANGE_INVALID: 400,
  PLEDGE_ANALYTICS_BUDGET_EXHAUSTED: 403,
  PLEDGE_FRAUD_HOLD: 409,
  PLEDGE_FRAUD_REJECTED: 403,
  PLEDGE_FRAUD_HOLD_CLOSED: 409,
  PLEDGE_NOT_FOUND: 404,
  PLEDGE_DRP_VERIFY_KEY_INVALID: 400,
  PLEDGE_DRP_AGENT_EXISTS: 409,
  PLEDGE_DRP_TOKEN_INVALID: 401,
  PLEDGE_DRP_ENVELOPE_MALFORMED: 400,
  PLEDGE_DRP_SIGNATURE_INVALID: 403,
  PLEDGE_DRP_WRONG_AGENT: 403,
  PLEDGE_DRP_WRONG_BUSINESS: 403,
  PLEDGE_DRP_NOT_YET_VALID: 403,
  PLEDGE_DRP_EXPIRED: 403,
  PLEDGE_DRP_VERSION_UNSUPPORTED: 400,
  PLEDGE_DRP_REPLAYED: 403,
  PLEDGE_LIST_UNAVAILABLE: 409,
  PLEDGE_WEBHOOK_SIGNATURE_INVALID: 401,
  PLEDGE_UNSUBSCRIBE_TOKEN_INVALID: 400,
  PLEDGE_UNSUBSCRIBE_TOKEN_EXPIRED: 410,
  PLEDGE_METHOD_NOT_ALLOWED: 405,
  PLEDGE_RATE_LIMITED: 429,
  PLEDGE_METRICS_UNAUTHORIZED: 401,
  PLEDGE_NOT_READY: 503,
  PLEDGE_WEB_NOT_BUILT: 503,
  PLEDGE_STORE_UNAVAILABLE: 503,
  PLEDGE_INTERNAL: 500,
} as const satisfies Record<ErrorCode, number>;

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
  const status = STATUS[code];
  const title = ERROR_TITLES[code];
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
