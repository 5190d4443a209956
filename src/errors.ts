/**
 * The error catalogue: every stable code Pledge answers with, and its title. Domain code throws or
 * returns `PledgeError` with a code; it never knows how the code travels. The HTTP layer maps each
 * code to a status (src/http/errors.ts), and docs/errors.md lists the same codes (a test keeps
 * them equal). Details name ids, fields and variables, never personal data.
 */
export const ERROR_TITLES = {
  PLEDGE_VALIDATION_FAILED: "The request does not match the schema",
  PLEDGE_MALFORMED_JSON: "The request body is not valid JSON",
  PLEDGE_BODY_TOO_LARGE: "The request body is too large",
  PLEDGE_UNSUPPORTED_MEDIA_TYPE: "The request body's media type is not supported",
  PLEDGE_AUTH_MISSING: "No API key was given",
  PLEDGE_AUTH_INVALID: "The API key is not valid",
  PLEDGE_FORBIDDEN_ROLE: "The caller's role may not use this endpoint",
  PLEDGE_UNKNOWN_PURPOSE: "The purpose is not in the policy pack",
  PLEDGE_UNKNOWN_FIELD: "A field is not in any category of the policy pack",
  PLEDGE_UNKNOWN_RECIPIENT: "The recipient is not in the policy pack",
  PLEDGE_UNKNOWN_TOPIC: "The topic is not in the policy pack",
  PLEDGE_UNKNOWN_ROLE: "The staff role is not in the policy pack",
  PLEDGE_NO_POLICY_IN_FORCE: "No policy version is in force at that instant",
  PLEDGE_POLICY_INVALID: "The policy pack is invalid",
  PLEDGE_POLICY_MISCONFIGURED: "The policy pack cannot be enforced",
  PLEDGE_POLICY_HISTORY_INVALID: "The versions of a company's policy do not fit together",
  PLEDGE_POLICY_WRONG_COMPANY: "The policy pack is for another company",
  PLEDGE_POLICY_VERSION_EXISTS: "That policy version, or its instant, is taken",
  PLEDGE_POLICY_BACKDATED: "The policy version would take effect before the version in force now",
  PLEDGE_UNKNOWN_SHARING_SCOPE: "The sharing scope is not in the policy pack",
  PLEDGE_UNKNOWN_PERMISSION: "The permission is not one Pledge knows",
  PLEDGE_CONSENT_CHANNEL_INVALID: "The consent target does not use that channel",
  PLEDGE_SUPPRESSION_IMPORT_REJECTED: "The suppression file has bad rows",
  PLEDGE_USE_REFUSED: "The policy does not allow this use of personal data",
  PLEDGE_PRECONDITION_REQUIRED: "If-Match is required to change this record",
  PLEDGE_PRECONDITION_FAILED: "The record changed since the version given in If-Match",
  PLEDGE_RECORD_EXISTS: "The subject already has a record with this id",
  PLEDGE_SERVICE_TRANSITION_INVALID: "The service cannot make this change from its status",
  PLEDGE_ORDER_TRANSITION_INVALID: "The order cannot make this move from its status",
  PLEDGE_PAYMENT_METHOD_INVALID: "The payment method is not a provider token with its last four digits",
  PLEDGE_CHARGE_REFUSED: "The payment method may not be charged for this order",
  PLEDGE_UNDER_MINIMUM_AGE: "The person is under the policy's minimum age; nothing they sent was kept",
  PLEDGE_DUPLICATE_IDENTITY: "Another subject already has this email or phone number",
  PLEDGE_INVALID_EMAIL: "The email address is not valid",
  PLEDGE_INVALID_PHONE: "The phone number is not valid",
  PLEDGE_INVALID_POSTAL_CODE: "The postal code is not valid for the country",
  PLEDGE_INVALID_POSTAL_ADDRESS: "The postal address is not valid",
  PLEDGE_CARD_NUMBER_REFUSED: "Pledge never accepts a card number",
  PLEDGE_IDEMPOTENCY_MISMATCH: "The Idempotency-Key was used with a different request",
  PLEDGE_IDEMPOTENCY_IN_PROGRESS: "A request with this Idempotency-Key is still being processed",
  PLEDGE_INVALID_CURSOR: "The pagination cursor is not valid",
  PLEDGE_PASSWORD_WEAK: "The password is too short, too long or too common",
  PLEDGE_SIGNIN_FAILED: "The email address or password is not right",
  PLEDGE_SIGNIN_BACKOFF: "Too many failed sign-ins for this account name; retry after the delay",
  PLEDGE_SESSION_REQUIRED: "Sign in first: there is no valid session",
  PLEDGE_STAFF_SIGNIN_FAILED: "The username, password or code is not right",
  PLEDGE_STAFF_SETUP_INVALID: "The set-up code is not valid, was used already, or has expired",
  PLEDGE_STAFF_CODE_INVALID: "The code from the authenticator app is not right",
  PLEDGE_USERNAME_TAKEN: "Another staff member has this username",
  PLEDGE_REAUTH_FAILED: "The current password is not right",
  PLEDGE_CSRF_FAILED: "The CSRF token is missing or does not match the session",
  PLEDGE_TLS_REQUIRED: "This endpoint is served over HTTPS only",
  PLEDGE_CAMPAIGN_INVALID: "The campaign's topic, class or channel does not fit the policy pack",
  PLEDGE_CAMPAIGN_NO_TRANSPORT: "Email cannot be sent: no SMTP relay is configured",
  PLEDGE_CAMPAIGN_TRANSITION_INVALID: "The campaign cannot make this change from its status",
  PLEDGE_COMPLAINT_TRANSITION_INVALID: "The privacy complaint cannot make this change from its status",
  PLEDGE_REQUEST_TRANSITION_INVALID: "The rights request cannot make this move from its state",
  PLEDGE_REQUEST_EXTENSION_REFUSED:
    "The rights request cannot be extended: once only, with notice, before it is due",
  PLEDGE_REQUEST_AMBIGUOUS_MATCH: "The details given fit more than one person; nobody was acted on",
  PLEDGE_REQUEST_NO_MATCH: "The details given fit nobody on record",
  PLEDGE_REQUEST_LINK_INVALID: "The request link is not valid, was used already, or has expired",
  PLEDGE_LEGAL_HOLD: "A legal hold keeps this person's records: they are not erased while it lasts",
  PLEDGE_FRAUD_HOLD: "The customer is held for fraud verification: their orders are not charged or fulfilled",
  PLEDGE_FRAUD_REJECTED: "The customer was not verified: no order of theirs is taken",
  PLEDGE_FRAUD_HOLD_CLOSED: "The fraud hold is closed already: only a held customer is released or rejected",
  PLEDGE_NOT_FOUND: "Not found",
  PLEDGE_DRP_VERIFY_KEY_INVALID: "The agent's verify key is not an Ed25519 key",
  PLEDGE_DRP_AGENT_EXISTS: "An agent with this id is registered already",
  PLEDGE_DRP_TOKEN_INVALID: "The DRP bearer token is missing, unknown, or its agent is disabled",
  PLEDGE_DRP_ENVELOPE_MALFORMED: "The DRP body is not a signed envelope",
  PLEDGE_DRP_SIGNATURE_INVALID: "The DRP envelope's signature does not verify under the agent's key",
  PLEDGE_DRP_WRONG_AGENT: "The DRP request is another agent's",
  PLEDGE_DRP_WRONG_BUSINESS: "The DRP envelope is for another business",
  PLEDGE_DRP_NOT_YET_VALID: "The DRP envelope was issued in the future",
  PLEDGE_DRP_EXPIRED: "The DRP envelope has expired",
  PLEDGE_DRP_VERSION_UNSUPPORTED: "The DRP envelope is not of protocol version 1.0",
  PLEDGE_DRP_REPLAYED: "The DRP envelope was used before",
  PLEDGE_LIST_UNAVAILABLE: "No list can be made for this campaign in its channel, recipient or status",
  PLEDGE_WEBHOOK_SIGNATURE_INVALID: "The webhook signature is missing or wrong",
  PLEDGE_UNSUBSCRIBE_TOKEN_INVALID: "The unsubscribe token is not valid, or was issued for another address",
  PLEDGE_UNSUBSCRIBE_TOKEN_EXPIRED: "The unsubscribe token has expired",
  PLEDGE_METHOD_NOT_ALLOWED: "The method is not allowed on this resource",
  PLEDGE_RATE_LIMITED: "Too many requests",
  PLEDGE_METRICS_UNAUTHORIZED: "The metrics token is missing or wrong",
  PLEDGE_NOT_READY: "Pledge is not ready to serve",
  PLEDGE_WEB_NOT_BUILT: "The web pages (privacy center, console) have not been built",
  PLEDGE_STORE_UNAVAILABLE: "The database cannot be reached; retry shortly",
  PLEDGE_INTERNAL: "Internal error",
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_TITLES;
export const ERROR_CODES = Object.keys(ERROR_TITLES) as ErrorCode[];

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
}
