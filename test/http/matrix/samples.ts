/**
 * One request for every route of the API, for the route-by-route matrix (matrix.test.ts): the
 * URL with the ids of the seeded records filled in, a body that passes the route's schema, and
 * where the purpose goes. A route the table does not know fails the matrix: a new route is
 * covered the day it is added.
 */
export interface Ids {
  /** The person whose record carries the markers (customer A, signed up). */
  readonly subject: string;
  /** Another signed-up customer (B) and records of theirs, for "A's session on B's ids". */
  readonly other: string;
  readonly otherAddress: string | null;
  readonly otherContact: string | null;
  /** A person made to be erased, so erasing does not take the markers away. */
  readonly doomed: string;
  readonly address: string | null;
  readonly contact: string | null;
  readonly service: string | null;
  readonly paymentMethod: string | null;
  readonly message: string | null;
  readonly orderId: string;
  readonly campaign: string;
  readonly complaint: string;
  readonly removal: string;
  /** A rights request about customer A. */
  readonly request: string;
  readonly staff: string;
  readonly spareKey: string;
  readonly recipient: string;
  readonly processor: string | null;
  /** A purpose of the pack, for bodies that name one where the route takes none from the caller. */
  readonly purpose: string;
}

export type PurposeAt = "query" | "body" | "none";

export interface Sample {
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Where a purpose goes when the route takes one from the caller. */
  readonly purposeAt: PurposeAt;
  readonly contentType?: string;
}

const someone = "00000000-0000-4000-8000-000000000000";

/** The sample of each `METHOD url` (Fastify's url pattern). */
export const SAMPLES: Readonly<Record<string, (ids: Ids) => Sample>> = {
  "GET /openapi.json": () => ({ url: "/openapi.json", purposeAt: "none" }),
  "GET /healthz": () => ({ url: "/healthz", purposeAt: "none" }),
  "GET /readyz": () => ({ url: "/readyz", purposeAt: "none" }),
  "GET /policy": () => ({ url: "/policy", purposeAt: "none" }),
  "GET /policy/versions": () => ({ url: "/policy/versions", purposeAt: "none" }),
  "GET /policy/versions/:version": () => ({ url: "/policy/versions/1900-01-01", purposeAt: "none" }),
  "GET /.well-known/gpc.json": () => ({ url: "/.well-known/gpc.json", purposeAt: "none" }),
  "GET /v1/policy": () => ({ url: "/v1/policy", purposeAt: "none" }),
  "GET /v1/policy/changes": () => ({ url: "/v1/policy/changes?from=none&to=none", purposeAt: "none" }),
  // The web applications' pages and built files (src/http/web.routes.ts): nobody's data.
  "GET /assets/:name": () => ({ url: "/assets/none.js", purposeAt: "none" }),
  "GET /": () => ({ url: "/", purposeAt: "none" }),
  "GET /signin": () => ({ url: "/signin", purposeAt: "none" }),
  "GET /signup": () => ({ url: "/signup", purposeAt: "none" }),
  "GET /privacy": () => ({ url: "/privacy", purposeAt: "none" }),
  "GET /privacy/*": () => ({ url: "/privacy/versions/1900-01-01", purposeAt: "none" }),
  "GET /my/*": () => ({ url: "/my/information", purposeAt: "none" }),
  "GET /console": () => ({ url: "/console", purposeAt: "none" }),
  "GET /console/*": () => ({ url: "/console/people", purposeAt: "none" }),
  "POST /v1/staff/:id/invitation": (ids) => ({
    url: `/v1/staff/${ids.staff}/invitation`,
    body: { username: "matrix-member" },
    purposeAt: "none",
  }),
  "GET /v1/staff/:id/login": (ids) => ({ url: `/v1/staff/${ids.staff}/login`, purposeAt: "none" }),
  "POST /v1/console/setup/secret": () => ({
    url: "/v1/console/setup/secret",
    body: { username: "nobody", setupCode: "x".repeat(24) },
    purposeAt: "none",
  }),
  "POST /v1/console/setup": () => ({
    url: "/v1/console/setup",
    body: { username: "nobody", setupCode: "x".repeat(24), password: "a long passphrase 1", code: "000000" },
    purposeAt: "none",
  }),
  "POST /v1/console/signin": () => ({
    url: "/v1/console/signin",
    body: { username: "nobody", password: "wrong password here", code: "000000" },
    purposeAt: "none",
  }),
  "POST /v1/console/signout": () => ({ url: "/v1/console/signout", purposeAt: "none" }),
  "GET /v1/console/me": () => ({ url: "/v1/console/me", purposeAt: "none" }),
  "POST /v1/console/attestation": () => ({
    url: "/v1/console/attestation",
    body: { confirm: true },
    purposeAt: "none",
  }),
  "GET /v1/audit/checkpoint": () => ({ url: "/v1/audit/checkpoint", purposeAt: "none" }),
  "GET /v1/audit/chain": () => ({ url: "/v1/audit/chain", purposeAt: "none" }),
  "GET /v1/audit/checkpoint/key": () => ({ url: "/v1/audit/checkpoint/key", purposeAt: "none" }),
  "GET /v1/audit/events": (ids) => ({ url: `/v1/audit/events?subjectId=${ids.subject}`, purposeAt: "none" }),
  "POST /v1/decisions": (ids) => ({
    url: "/v1/decisions",
    body: { use: { action: "read", purpose: ids.purpose, fields: ["email"] }, subjectId: ids.subject },
    purposeAt: "none",
  }),
  "POST /v1/staff": () => ({
    url: "/v1/staff",
    body: { displayName: "matrix", role: "admin", attested: true },
    purposeAt: "none",
  }),
  "POST /v1/staff/:id/attestation": (ids) => ({
    url: `/v1/staff/${ids.staff}/attestation`,
    purposeAt: "none",
  }),
  "POST /v1/staff/:id/keys": (ids) => ({ url: `/v1/staff/${ids.staff}/keys`, purposeAt: "none" }),
  "GET /v1/staff": () => ({ url: "/v1/staff", purposeAt: "none" }),
  "GET /v1/staff/:id/keys": (ids) => ({ url: `/v1/staff/${ids.staff}/keys`, purposeAt: "none" }),
  "DELETE /v1/keys/:id": (ids) => ({ url: `/v1/keys/${ids.spareKey}`, purposeAt: "none" }),
  "POST /v1/subjects": () => ({
    url: "/v1/subjects",
    body: {
      status: "prospect",
      collectionPoint: "matrix",
      birthDate: "1980-01-01",
      fields: { first_name: "Matrix" },
    },
    purposeAt: "body",
  }),
  "GET /v1/subjects": () => ({ url: "/v1/subjects?limit=5", purposeAt: "none" }),
  "POST /v1/subjects/search": () => ({
    url: "/v1/subjects/search",
    body: { email: MARKERS.email },
    purposeAt: "body",
  }),
  "GET /v1/subjects/:id": (ids) => ({ url: `/v1/subjects/${ids.subject}`, purposeAt: "query" }),
  "PATCH /v1/subjects/:id": (ids) => ({
    url: `/v1/subjects/${ids.subject}`,
    body: { collectionPoint: "matrix", fields: {} },
    headers: { "if-match": "*" },
    purposeAt: "body",
  }),
  "DELETE /v1/subjects/:id": (ids) => ({ url: `/v1/subjects/${ids.doomed}`, purposeAt: "none" }),
  "GET /v1/subjects/:id/export": (ids) => ({ url: `/v1/subjects/${ids.subject}/export`, purposeAt: "query" }),
  "POST /v1/subjects/:id/legal-holds": (ids) => ({
    url: `/v1/subjects/${ids.subject}/legal-holds`,
    body: { matter: "2026-CV-0001" },
    purposeAt: "none",
  }),
  "GET /v1/subjects/:id/legal-holds": (ids) => ({
    url: `/v1/subjects/${ids.subject}/legal-holds`,
    purposeAt: "none",
  }),
  "POST /v1/subjects/:id/legal-holds/:holdId/release": (ids) => ({
    url: `/v1/subjects/${ids.subject}/legal-holds/${someone}/release`,
    purposeAt: "none",
  }),
  "POST /v1/legal/requests": (ids) => ({
    url: "/v1/legal/requests",
    body: {
      authority: "Matrix County Police",
      country: "US",
      instrument: "subpoena",
      reference: "MX-2026-1",
      ground: "legal_requirement",
      subjects: [ids.subject],
      fields: ["email"],
    },
    purposeAt: "none",
  }),
  "GET /v1/legal/requests": () => ({ url: "/v1/legal/requests", purposeAt: "none" }),
  "GET /v1/legal/requests/:id": () => ({ url: `/v1/legal/requests/${someone}`, purposeAt: "none" }),
  "POST /v1/legal/requests/:id/approvals": () => ({
    url: `/v1/legal/requests/${someone}/approvals`,
    purposeAt: "none",
  }),
  "POST /v1/legal/requests/:id/refuse": () => ({
    url: `/v1/legal/requests/${someone}/refuse`,
    body: {},
    purposeAt: "none",
  }),
  "POST /v1/legal/requests/:id/withdraw": () => ({
    url: `/v1/legal/requests/${someone}/withdraw`,
    body: {},
    purposeAt: "none",
  }),
  "POST /v1/legal/requests/:id/production": () => ({
    url: `/v1/legal/requests/${someone}/production`,
    body: {},
    purposeAt: "none",
  }),
  "POST /v1/retention/runs": () => ({
    url: "/v1/retention/runs",
    body: { dryRun: true },
    purposeAt: "none",
  }),
  "GET /v1/retention/runs": () => ({ url: "/v1/retention/runs", purposeAt: "none" }),
  "GET /v1/retention/runs/:runId": () => ({ url: `/v1/retention/runs/${someone}`, purposeAt: "none" }),
  "POST /v1/legal/emergencies": (ids) => ({
    url: "/v1/legal/emergencies",
    body: {
      authority: "Matrix County Police",
      country: "US",
      reference: "MX-2026-2",
      ground: "legal_requirement",
      subjects: [ids.subject],
      fields: ["email"],
      justification: "a person's life was in danger",
    },
    purposeAt: "none",
  }),
  "POST /v1/legal/notices/send": () => ({ url: "/v1/legal/notices/send", purposeAt: "none" }),
  "GET /v1/legal/transparency": () => ({ url: "/v1/legal/transparency?period=2026-H1", purposeAt: "none" }),
  "GET /v1/fraud/holds": () => ({ url: "/v1/fraud/holds?status=held", purposeAt: "none" }),
  "GET /v1/fraud/holds/:holdId": () => ({ url: `/v1/fraud/holds/${someone}`, purposeAt: "none" }),
  "POST /v1/fraud/holds/:holdId/release": () => ({
    url: `/v1/fraud/holds/${someone}/release`,
    purposeAt: "none",
  }),
  "POST /v1/fraud/holds/:holdId/reject": () => ({
    url: `/v1/fraud/holds/${someone}/reject`,
    purposeAt: "none",
  }),
  "POST /v1/fraud/holds/expire": () => ({ url: "/v1/fraud/holds/expire", purposeAt: "none" }),
  "POST /v1/subjects/:id/addresses": (ids) => ({
    url: `/v1/subjects/${ids.subject}/addresses`,
    body: {
      collectionPoint: "matrix",
      kind: "shipping",
      address: { line1: "1 Other St", city: "Elsewhere", postalCode: "10001", country: "US" },
    },
    purposeAt: "body",
  }),
  "GET /v1/subjects/:id/addresses": (ids) => ({
    url: `/v1/subjects/${ids.subject}/addresses`,
    purposeAt: "query",
  }),
  "DELETE /v1/subjects/:id/addresses/:addressId": (ids) => ({
    url: `/v1/subjects/${ids.subject}/addresses/${someone}?kind=shipping`,
    purposeAt: "query",
  }),
  "POST /v1/subjects/:id/contacts": (ids) => ({
    url: `/v1/subjects/${ids.subject}/contacts`,
    body: { collectionPoint: "matrix", contact: { name: "Other Person" } },
    purposeAt: "body",
  }),
  "GET /v1/subjects/:id/contacts": (ids) => ({
    url: `/v1/subjects/${ids.subject}/contacts`,
    purposeAt: "query",
  }),
  "DELETE /v1/subjects/:id/contacts/:contactId": (ids) => ({
    url: `/v1/subjects/${ids.subject}/contacts/${someone}`,
    purposeAt: "query",
  }),
  "POST /v1/subjects/:id/consents": (ids) => ({
    url: `/v1/subjects/${ids.subject}/consents`,
    body: { targetKind: "sharing", target: "partner_sharing", action: "withdrawn", source: "staff" },
    purposeAt: "body",
  }),
  "GET /v1/subjects/:id/consents": (ids) => ({
    url: `/v1/subjects/${ids.subject}/consents`,
    purposeAt: "query",
  }),
  "POST /v1/subjects/:id/channels/:channel/stop": (ids) => ({
    url: `/v1/subjects/${ids.subject}/channels/sms/stop`,
    body: { source: "staff" },
    purposeAt: "body",
  }),
  "GET /v1/subjects/:id/preferences": (ids) => ({
    url: `/v1/subjects/${ids.subject}/preferences`,
    purposeAt: "query",
  }),
  "POST /v1/subjects/:id/communications": (ids) => ({
    url: `/v1/subjects/${ids.subject}/communications`,
    body: { direction: "inbound", channel: "email", content: "another message", collectionPoint: "matrix" },
    purposeAt: "body",
  }),
  "GET /v1/subjects/:id/communications": (ids) => ({
    url: `/v1/subjects/${ids.subject}/communications`,
    purposeAt: "query",
  }),
  "POST /v1/subjects/:id/communications/:mid/open": (ids) => ({
    url: `/v1/subjects/${ids.subject}/communications/${ids.message ?? someone}/open`,
    body: { ground: "legal_process", caseId: "CASE-1" },
    purposeAt: "body",
  }),
  "POST /v1/subjects/:id/orders": (ids) => ({
    url: `/v1/subjects/${ids.subject}/orders`,
    body: {
      orderId: `M-${Math.random().toString(36).slice(2, 10)}`,
      items: [{ sku: "OTHER", quantity: 1, unitAmount: "1.00" }],
      total: { amount: "1.00", currency: "USD" },
      collectionPoint: "matrix",
    },
    purposeAt: "body",
  }),
  "GET /v1/subjects/:id/orders": (ids) => ({ url: `/v1/subjects/${ids.subject}/orders`, purposeAt: "query" }),
  "POST /v1/subjects/:id/orders/moves": (ids) => ({
    url: `/v1/subjects/${ids.subject}/orders/moves`,
    body: { orderId: ids.orderId, action: "fulfil" },
    headers: { "if-match": "*" },
    purposeAt: "body",
  }),
  "POST /v1/subjects/:id/services": (ids) => ({
    url: `/v1/subjects/${ids.subject}/services`,
    body: { plan: "other-plan", collectionPoint: "matrix" },
    purposeAt: "body",
  }),
  "GET /v1/subjects/:id/services": (ids) => ({
    url: `/v1/subjects/${ids.subject}/services`,
    purposeAt: "query",
  }),
  "PATCH /v1/subjects/:id/services/:serviceId": (ids) => ({
    url: `/v1/subjects/${ids.subject}/services/${ids.service ?? someone}`,
    body: { action: "change", plan: "other-plan", collectionPoint: "matrix" },
    headers: { "if-match": "*" },
    purposeAt: "body",
  }),
  "GET /v1/subjects/:id/services/:serviceId": (ids) => ({
    url: `/v1/subjects/${ids.subject}/services/${ids.service ?? someone}`,
    purposeAt: "query",
  }),
  "POST /v1/subjects/:id/surveys/:surveyId/answers": (ids) => ({
    url: `/v1/subjects/${ids.subject}/surveys/s2/answers`,
    body: { answers: [{ questionId: "q1", answer: "another answer" }], collectionPoint: "matrix" },
    purposeAt: "body",
  }),
  "GET /v1/subjects/:id/survey-answers": (ids) => ({
    url: `/v1/subjects/${ids.subject}/survey-answers`,
    purposeAt: "query",
  }),
  "GET /v1/surveys/:surveyId/aggregate": () => ({ url: "/v1/surveys/s1/aggregate", purposeAt: "query" }),
  // Site statistics: the script, a hit, and aggregates (the matrix's markers are never page views).
  "GET /analytics.js": () => ({ url: "/analytics.js", purposeAt: "none" }),
  "POST /v1/analytics/hits": () => ({
    url: "/v1/analytics/hits",
    body: { page: "https://shop.example/matrix" },
    purposeAt: "none",
  }),
  "GET /v1/analytics/report": () => ({
    url: "/v1/analytics/report?site=shop.example&from=2020-01-01&to=2020-01-31",
    purposeAt: "query",
  }),
  "POST /v1/analytics/exports": (ids) => ({
    url: "/v1/analytics/exports",
    body: { site: "shop.example", from: "2020-01-01", to: "2020-01-31", recipient: ids.recipient },
    purposeAt: "body",
  }),
  "POST /v1/subjects/:id/quote-requests": (ids) => ({
    url: `/v1/subjects/${ids.subject}/quote-requests`,
    body: { details: "another quote", collectionPoint: "matrix" },
    purposeAt: "body",
  }),
  "GET /v1/subjects/:id/quote-requests": (ids) => ({
    url: `/v1/subjects/${ids.subject}/quote-requests`,
    purposeAt: "query",
  }),
  "POST /v1/subjects/:id/payment-methods": (ids) => ({
    url: `/v1/subjects/${ids.subject}/payment-methods`,
    body: {
      token: "tok_other_token_0000",
      brand: "visa",
      last4: "4242",
      expiry: "09/2030",
      orderId: ids.orderId,
      reuseAllowed: false,
      collectionPoint: "matrix",
    },
    purposeAt: "body",
  }),
  "GET /v1/subjects/:id/payment-methods": (ids) => ({
    url: `/v1/subjects/${ids.subject}/payment-methods`,
    purposeAt: "query",
  }),
  "PATCH /v1/subjects/:id/payment-methods/:pm": (ids) => ({
    url: `/v1/subjects/${ids.subject}/payment-methods/${ids.paymentMethod ?? someone}`,
    body: { reuseAllowed: false, collectionPoint: "matrix" },
    headers: { "if-match": "*" },
    purposeAt: "body",
  }),
  "POST /v1/subjects/:id/payment-methods/:pm/charges": (ids) => ({
    url: `/v1/subjects/${ids.subject}/payment-methods/${ids.paymentMethod ?? someone}/charges`,
    body: { orderId: ids.orderId },
    purposeAt: "body",
  }),
  "POST /v1/subjects/:id/disclosures": (ids) => ({
    url: `/v1/subjects/${ids.subject}/disclosures`,
    body: { recipient: ids.processor ?? ids.recipient, fields: ["first_name", "email"] },
    purposeAt: "body",
  }),
  "GET /v1/subjects/:id/disclosures": (ids) => ({
    url: `/v1/subjects/${ids.subject}/disclosures`,
    purposeAt: "query",
  }),
  "GET /v1/recipients": () => ({ url: "/v1/recipients", purposeAt: "none" }),
  "PUT /v1/recipients/:id": (ids) => ({
    url: `/v1/recipients/${ids.recipient}`,
    body: {
      legalName: "Recipient Ltd",
      address: "1 Road, Town",
      contractRef: "C-1",
      contractSignedOn: "2000-01-01",
    },
    purposeAt: "none",
  }),
  "GET /v1/reports/shine-the-light": (ids) => ({
    url: `/v1/reports/shine-the-light?subjectId=${ids.subject}&year=2025`,
    purposeAt: "query",
  }),
  "GET /v1/reports/disclosures": () => ({
    url: "/v1/reports/disclosures?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
    purposeAt: "query",
  }),
  "POST /v1/exports": (ids) => ({
    url: "/v1/exports",
    body: {
      recipient: ids.recipient,
      fields: ["first_name", "email", "postal_address"],
      format: "csv",
      projection: true,
    },
    purposeAt: "body",
  }),
  "POST /v1/affiliate-conversions": (ids) => ({
    url: "/v1/affiliate-conversions",
    body: { subjectId: ids.subject, affiliate: "aff-1" },
    purposeAt: "none",
  }),
  "POST /v1/sales-tracking": () => ({
    url: "/v1/sales-tracking",
    body: { cookieId: "cookie-matrix-1", orderForm: { product: "vps" } },
    purposeAt: "none",
  }),
  "POST /v1/sales-tracking/search": () => ({
    url: "/v1/sales-tracking/search",
    body: { cookieId: "cookie-matrix-1" },
    purposeAt: "none",
  }),
  "POST /v1/suppression/check": () => ({
    url: "/v1/suppression/check",
    body: { channel: "email", address: { email: "nobody@example.com" } },
    purposeAt: "none",
  }),
  "POST /v1/suppression": () => ({
    url: "/v1/suppression",
    body: {
      channel: "email",
      address: { email: "listed@example.com" },
      reason: "unsubscribe",
      source: "staff",
    },
    purposeAt: "none",
  }),
  "POST /v1/suppression/remove": () => ({
    url: "/v1/suppression/remove",
    body: { channel: "email", address: "never-listed@example.com", reason: "added_in_error" },
    purposeAt: "none",
  }),
  "POST /v1/suppression/import": () => ({
    url: "/v1/suppression/import?channel=email",
    body: '{"email":"imported@example.com"}\n',
    contentType: "application/x-ndjson",
    purposeAt: "none",
  }),
  "GET /v1/suppression/export": () => ({ url: "/v1/suppression/export?channel=email", purposeAt: "none" }),
  "POST /v1/account/signup": () => ({
    url: "/v1/account/signup",
    body: {
      email: `signup-${Math.random().toString(36).slice(2, 10)}@example.com`,
      password: "violet harbour tractor 42",
      firstName: "New",
      lastName: "Customer",
      birthDate: "1990-01-01",
    },
    purposeAt: "none",
  }),
  "POST /v1/account/signin": () => ({
    url: "/v1/account/signin",
    body: { email: "nobody@example.com", password: "wrong password here" },
    purposeAt: "none",
  }),
  "POST /v1/account/signout": () => ({ url: "/v1/account/signout", purposeAt: "none" }),
  "GET /v1/account/csrf": () => ({ url: "/v1/account/csrf", purposeAt: "none" }),
  "POST /v1/account/password": () => ({
    url: "/v1/account/password",
    body: { currentPassword: "not the password at all", newPassword: "another long passphrase 7" },
    purposeAt: "none",
  }),
  "GET /v1/account/me": () => ({ url: "/v1/account/me", purposeAt: "none" }),
  "PATCH /v1/account/me": () => ({
    url: "/v1/account/me",
    body: { interests: "other interests" },
    headers: { "if-match": "*" },
    purposeAt: "none",
  }),
  "GET /v1/account/me/addresses": () => ({ url: "/v1/account/me/addresses", purposeAt: "none" }),
  "POST /v1/account/me/addresses": () => ({
    url: "/v1/account/me/addresses",
    body: {
      kind: "shipping",
      address: { line1: "2 Own St", city: "Hometown", postalCode: "10002", country: "US" },
    },
    purposeAt: "none",
  }),
  "DELETE /v1/account/me/addresses/:kind/:addressId": (ids) => ({
    url: `/v1/account/me/addresses/postal/${ids.otherAddress ?? someone}`,
    purposeAt: "none",
  }),
  "GET /v1/account/me/contacts": () => ({ url: "/v1/account/me/contacts", purposeAt: "none" }),
  "GET /v1/account/me/payment-methods": () => ({ url: "/v1/account/me/payment-methods", purposeAt: "none" }),
  "PATCH /v1/account/me/payment-methods/:paymentMethodId": () => ({
    url: `/v1/account/me/payment-methods/${someone}`,
    body: { reuseAllowed: false },
    headers: { "if-match": "*" },
    purposeAt: "none",
  }),
  "GET /v1/account/me/services": () => ({ url: "/v1/account/me/services", purposeAt: "none" }),
  "POST /v1/account/me/services": () => ({
    url: "/v1/account/me/services",
    body: { plan: "Sample plan" },
    purposeAt: "none",
  }),
  "PATCH /v1/account/me/services/:serviceId": () => ({
    url: `/v1/account/me/services/${someone}`,
    body: { action: "cancel" },
    headers: { "if-match": "*" },
    purposeAt: "none",
  }),
  "POST /v1/account/me/contacts": () => ({
    url: "/v1/account/me/contacts",
    body: { name: "Own Contact" },
    purposeAt: "none",
  }),
  "DELETE /v1/account/me/contacts/:contactId": (ids) => ({
    url: `/v1/account/me/contacts/${ids.otherContact ?? someone}`,
    purposeAt: "none",
  }),
  "GET /v1/account/me/consents": () => ({ url: "/v1/account/me/consents", purposeAt: "none" }),
  "POST /v1/account/me/consents": (ids) => ({
    url: "/v1/account/me/consents",
    body: { targetKind: "purpose", target: ids.purpose, action: "withdrawn" },
    purposeAt: "none",
  }),
  "GET /v1/account/me/export": () => ({ url: "/v1/account/me/export", purposeAt: "none" }),
  "GET /v1/account/me/disclosures": () => ({ url: "/v1/account/me/disclosures", purposeAt: "none" }),
  "GET /v1/account/me/shine-the-light": () => ({
    url: "/v1/account/me/shine-the-light?year=2020",
    purposeAt: "none",
  }),
  "GET /v1/account/gpp": () => ({ url: "/v1/account/gpp", purposeAt: "none" }),
  "POST /v1/account/views": () => ({
    url: "/v1/account/views",
    body: { page: "https://shop.example/p/matrix?ref=x", product: "MATRIX-1" },
    purposeAt: "none",
  }),
  "GET /v1/account/recommendations": () => ({
    url: "/v1/account/recommendations?limit=5",
    purposeAt: "none",
  }),
  "POST /v1/campaigns": () => ({
    url: "/v1/campaigns",
    body: {
      name: "matrix",
      messageClass: "marketing",
      channel: "email",
      subjectLine: "Hello",
      text: "Hello",
    },
    purposeAt: "body",
  }),
  "GET /v1/campaigns": () => ({ url: "/v1/campaigns", purposeAt: "none" }),
  "GET /v1/campaigns/:id": (ids) => ({ url: `/v1/campaigns/${ids.campaign}`, purposeAt: "none" }),
  "POST /v1/campaigns/:id/preview": (ids) => ({
    url: `/v1/campaigns/${ids.campaign}/preview`,
    purposeAt: "none",
  }),
  "POST /v1/campaigns/:id/send": (ids) => ({ url: `/v1/campaigns/${ids.campaign}/send`, purposeAt: "none" }),
  "POST /v1/campaigns/:id/cancel": () => ({ url: `/v1/campaigns/${someone}/cancel`, purposeAt: "none" }),
  "POST /v1/campaigns/:id/resend-uncertain": (ids) => ({
    url: `/v1/campaigns/${ids.campaign}/resend-uncertain`,
    purposeAt: "none",
  }),
  "POST /v1/campaigns/:id/list": (ids) => ({
    url: `/v1/campaigns/${ids.campaign}/list`,
    body: { format: "csv" },
    purposeAt: "none",
  }),
  "POST /v1/campaigns/:id/events": (ids) => ({
    url: `/v1/campaigns/${ids.campaign}/events`,
    body: { messageId: someone, kind: "bounce" },
    purposeAt: "none",
  }),
  "GET /v1/campaigns/:id/deliverability": (ids) => ({
    url: `/v1/campaigns/${ids.campaign}/deliverability`,
    purposeAt: "none",
  }),
  "POST /v1/webhooks/deliverability": () => ({
    url: "/v1/webhooks/deliverability",
    body: [],
    purposeAt: "none",
  }),
  "POST /v1/removal-requests": () => ({
    url: "/v1/removal-requests",
    body: { firstName: MARKERS.first_name, lastName: MARKERS.last_name, email: MARKERS.email, zip: "94107" },
    purposeAt: "none",
  }),
  "GET /v1/removal-requests": () => ({
    url: "/v1/removal-requests?queue=customer-service",
    purposeAt: "none",
  }),
  "POST /v1/removal-requests/:id/apply": (ids) => ({
    url: `/v1/removal-requests/${ids.removal}/apply`,
    purposeAt: "none",
  }),
  "POST /v1/unsubscribe/mailto": () => ({
    url: "/v1/unsubscribe/mailto",
    body: { from: "nobody@example.com", channel: "email" },
    purposeAt: "none",
  }),
  "GET /u/:token": () => ({ url: "/u/not-a-token", purposeAt: "none" }),
  "POST /u/:token": () => ({ url: "/u/not-a-token", purposeAt: "none" }),
  "POST /v1/policy/versions": () => ({
    url: "/v1/policy/versions",
    body: "company: [not valid",
    contentType: "application/yaml",
    purposeAt: "none",
  }),
  "POST /v1/privacy-complaints/inbound": () => ({
    url: "/v1/privacy-complaints/inbound",
    body: { from: "someone@example.com", subject: "Privacy Policy", text: "another complaint" },
    purposeAt: "none",
  }),
  "POST /v1/privacy-complaints": () => ({
    url: "/v1/privacy-complaints",
    body: { from: "someone@example.com", text: "another complaint" },
    purposeAt: "none",
  }),
  "POST /v1/requests": () => ({
    url: "/v1/requests",
    body: { kind: "access", claimant: { email: MARKERS.email } },
    purposeAt: "none",
  }),
  "GET /v1/requests": () => ({ url: "/v1/requests?state=open", purposeAt: "none" }),
  "GET /v1/requests/:id": (ids) => ({ url: `/v1/requests/${ids.request}`, purposeAt: "none" }),
  "POST /v1/requests/:id/moves": (ids) => ({
    url: `/v1/requests/${ids.request}/moves`,
    body: { to: "in_progress" },
    headers: { "if-match": "*" },
    purposeAt: "none",
  }),
  "PUT /v1/requests/:id/assignee": (ids) => ({
    url: `/v1/requests/${ids.request}/assignee`,
    body: { assignee: null },
    headers: { "if-match": "*" },
    purposeAt: "none",
  }),
  "POST /v1/account/requests": () => ({
    url: "/v1/account/requests",
    body: { kind: "opt_out_sale" },
    purposeAt: "none",
  }),
  "GET /v1/account/requests": () => ({ url: "/v1/account/requests", purposeAt: "none" }),
  "GET /v1/account/requests/:id/package": () => ({
    url: `/v1/account/requests/${someone}/package`,
    purposeAt: "none",
  }),
  "POST /v1/public/requests": () => ({
    url: "/v1/public/requests",
    body: { kind: "access", email: MARKERS.email },
    purposeAt: "none",
  }),
  "GET /requests/verify/:token": () => ({
    url: `/requests/verify/${"A".repeat(22)}.${"B".repeat(22)}`,
    purposeAt: "none",
  }),
  "POST /requests/verify/:token": () => ({
    url: `/requests/verify/${"A".repeat(22)}.${"B".repeat(22)}`,
    purposeAt: "none",
  }),
  "POST /v1/public/requests/verify": () => ({
    url: "/v1/public/requests/verify",
    body: { token: `${"A".repeat(22)}.${"B".repeat(22)}` },
    purposeAt: "none",
  }),
  "GET /v1/requests/download/:token": () => ({
    url: `/v1/requests/download/${"A".repeat(22)}.${"B".repeat(22)}`,
    purposeAt: "none",
  }),
  "POST /v1/drp/agents": () => ({
    url: "/v1/drp/agents",
    body: { id: "MATRIX_AGENT", name: "Matrix agent", verifyKey: Buffer.alloc(32, 7).toString("base64") },
    purposeAt: "none",
  }),
  "GET /v1/drp/agents": () => ({ url: "/v1/drp/agents", purposeAt: "none" }),
  "GET /v1/drp/agents/:id": () => ({ url: "/v1/drp/agents/MATRIX_AGENT", purposeAt: "none" }),
  "DELETE /v1/drp/agents/:id": () => ({ url: "/v1/drp/agents/NO_SUCH_AGENT", purposeAt: "none" }),
  // Envelopes no agent signed: the matrix holds the routes to their callers and to what leaves;
  // test/drp/ signs real ones.
  "POST /v1/agent/:agentId": () => ({
    url: "/v1/agent/MATRIX_AGENT",
    body: "AAAA",
    contentType: "text/plain",
    purposeAt: "none",
  }),
  "GET /v1/agent/:agentId": () => ({ url: "/v1/agent/MATRIX_AGENT", purposeAt: "none" }),
  "POST /v1/data-rights-request": () => ({
    url: "/v1/data-rights-request",
    body: "AAAA",
    contentType: "text/plain",
    purposeAt: "none",
  }),
  "GET /v1/data-rights-request/:id": () => ({ url: `/v1/data-rights-request/${someone}`, purposeAt: "none" }),
  "DELETE /v1/data-rights-request/:id": () => ({
    url: `/v1/data-rights-request/${someone}`,
    body: "AAAA",
    contentType: "text/plain",
    purposeAt: "none",
  }),
  "GET /v1/privacy-complaints": () => ({ url: "/v1/privacy-complaints", purposeAt: "none" }),
  "GET /v1/privacy-complaints/:id": (ids) => ({
    url: `/v1/privacy-complaints/${ids.complaint}`,
    purposeAt: "query",
  }),
  "PATCH /v1/privacy-complaints/:id": (ids) => ({
    url: `/v1/privacy-complaints/${ids.complaint}`,
    body: { status: "in_progress" },
    headers: { "if-match": "*" },
    purposeAt: "body",
  }),
};

/**
 * The values customer A's record is filled with, each unmistakable in any response, and the pack
 * field each one is a value of: a marker found in a response is that field's value leaving.
 */
export const MARKERS = {
  first_name: "Quintilla",
  last_name: "Vexbourne",
  email: "quintilla.vexbourne@example.org",
  phone: "+14155550177",
  zip: "94107-4411",
  interests: "zebrafish-taxidermy",
  line1: "17 Ximenes Boulevard",
  contact: "Oswaldine Quarry",
  card_token: "tok_matrixcardtoken77",
  order_sku: "SKU-MATRIX-XQ9",
  plan: "plan-matrix-xq9",
  message: "the matrix message body xq9",
  answer: "matrix survey answer xq9",
  quote: "matrix quote details xq9",
  complaint: "matrix complaint text xq9",
} as const;

/** Which pack field a marker is a value of. */
export const MARKER_FIELD: Readonly<Record<keyof typeof MARKERS, string>> = {
  first_name: "first_name",
  last_name: "last_name",
  email: "email",
  phone: "phone",
  zip: "zip",
  interests: "interests",
  line1: "postal_address",
  contact: "first_name",
  card_token: "card_token",
  order_sku: "order_items",
  plan: "services",
  message: "message_content",
  answer: "survey_answers",
  quote: "quote_requests",
  complaint: "support_tickets",
};
