import type { FastifyInstance, FastifyRequest } from "fastify";
import { requireCsrf } from "../../http/csrf.ts";
import { requiredIfMatch, setETag } from "../../http/etag.ts";
import { customerSession } from "../../http/gpc.ts";
import { requireSecureTransport, type CustomerSession } from "../../http/session.ts";
import type { ContactInput } from "../subjects/contacts.ts";
import {
  ADDRESS_KINDS,
  addressField,
  CONTACT_FIELDS,
  RECORD_FIELDS,
  type AddressKind,
} from "../subjects/subjects.ts";
import type { AddressInput } from "../subjects/subjects.values.ts";
import type { CustomersDeps } from "./customers.service.ts";
import { addressRecord, exportSchema, subjectView } from "../subjects/subjects.schemas.ts";
import { unwrap } from "../../use/refusal.ts";
import {
  addressBody,
  contactBody,
  contactRecord,
  ownConsentsResponse,
  profilePatch,
  versionResponse,
} from "./customers.schemas.ts";
import { consentBody, eventSchema } from "../consent/consent.schemas.ts";
import { ledgerEntrySchema, shineTheLightSchema } from "../disclosures/disclosures.schemas.ts";
import { SERVICE_FIELDS } from "../orders/orders.ts";
import { plan, serviceSchema } from "../orders/services.routes.ts";
import { PAYMENT_FIELDS } from "../payments/payments.ts";
import { paymentMethodSchema } from "../payments/payments.routes.ts";
import {
  OWN_PROFILE_FIELDS,
  selfService,
  type OwnChoice,
  type OwnProfileField,
  type SelfService,
} from "./self-service.ts";

export interface MeRoutesOptions {
  readonly deps: CustomersDeps;
}

const errors = Object.fromEntries(
  [400, 401, 403, 404, 409, 412, 428].map((s) => [s, { $ref: "Problem#" }]),
) as Record<number, { $ref: string }>;
/** A service as its customer sees it: a hold for verification without the checks' reasons. */
const ownServiceSchema = {
  ...serviceSchema,
  properties: {
    ...serviceSchema.properties,
    fraudHold: {
      type: "object",
      additionalProperties: false,
      required: ["holdId"],
      properties: { holdId: { type: "string", format: "uuid" } },
    },
  },
} as const;

const tags = ["account"];
const uuid = { type: "string", format: "uuid" } as const;

/**
 * `/v1/account/me…`: a signed-in customer reads and edits their own record (Z16-17, Z19-09,
 * ZZ-09, ZM-07). The subject is the session's; every call goes through the gate as the customer
 * under the pack's self-service purpose and is audited. Changes need X-CSRF-Token; PATCH needs
 * If-Match with the record's ETag.
 */
export async function meRoutes(app: FastifyInstance, opts: MeRoutesOptions): Promise<void> {
  const { deps } = opts;
  app.decorateRequest("customer", null);
  app.addHook("onRequest", requireSecureTransport(deps.settings));
  // Before the body is read: a request without a session learns nothing of what the route takes.
  app.addHook("onRequest", customerSession(deps));
  app.addHook("onRequest", requireCsrf());
  const own = (request: FastifyRequest): SelfService =>
    selfService(deps, (request.customer as CustomerSession).subjectId);

  app.get(
    "/v1/account/me",
    {
      config: {
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "read",
          purpose: "self-service",
          touches: RECORD_FIELDS,
        },
      },
      schema: { tags, summary: "My record", response: { 200: subjectView, ...errors } },
    },
    async (request, reply) => {
      const view = unwrap(await own(request).read());
      setETag(reply, view.version);
      return view;
    },
  );

  app.patch<{ Body: Partial<Record<OwnProfileField, string | null>> }>(
    "/v1/account/me",
    {
      config: {
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "collect",
          purpose: "self-service",
          touches: OWN_PROFILE_FIELDS,
        },
      },
      schema: {
        tags,
        summary: "Change my profile (If-Match)",
        body: profilePatch,
        response: { 200: versionResponse, ...errors },
      },
    },
    async (request, reply) => {
      const expected = requiredIfMatch(request);
      const service = own(request);
      // `*` means "whatever is current": the service still locks the row for the write.
      const version = expected ?? unwrap(await service.read()).version;
      const updated = unwrap(await service.update(version, request.body));
      setETag(reply, updated.version);
      return { version: updated.version };
    },
  );

  app.get(
    "/v1/account/me/addresses",
    {
      config: {
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "read",
          purpose: "self-service",
          touches: ADDRESS_FIELDS,
        },
      },
      schema: {
        tags,
        summary: "My addresses",
        response: { 200: { type: "array", items: addressRecord }, ...errors },
      },
    },
    async (request) => unwrap(await own(request).addresses()),
  );

  app.post<{ Body: { kind: AddressKind; address: AddressInput } }>(
    "/v1/account/me/addresses",
    {
      config: {
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "collect",
          purpose: "self-service",
          touches: ADDRESS_FIELDS,
        },
      },
      schema: {
        tags,
        summary: "Add a billing, shipping or postal address",
        body: addressBody,
        response: { 201: versionResponse, ...errors },
      },
    },
    async (request, reply) => {
      const added = unwrap(await own(request).addAddress(request.body.kind, request.body.address));
      setETag(reply, added.version);
      return reply.code(201).send(added);
    },
  );

  app.delete<{ Params: { kind: AddressKind; addressId: string } }>(
    "/v1/account/me/addresses/:kind/:addressId",
    {
      config: {
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "collect",
          purpose: "self-service",
          touches: ADDRESS_FIELDS,
        },
      },
      schema: {
        tags,
        summary: "Remove an address",
        params: {
          type: "object",
          required: ["kind", "addressId"],
          properties: { kind: addressBody.properties.kind, addressId: uuid },
        },
        response: { 200: versionResponse, ...errors },
      },
    },
    async (request, reply) => {
      const removed = unwrap(await own(request).removeAddress(request.params.kind, request.params.addressId));
      setETag(reply, removed.version);
      return removed;
    },
  );

  app.get(
    "/v1/account/me/contacts",
    {
      config: {
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "read",
          purpose: "self-service",
          touches: CONTACT_FIELDS,
        },
      },
      schema: {
        tags,
        summary: "My extra contacts",
        response: { 200: { type: "array", items: contactRecord }, ...errors },
      },
    },
    async (request) => unwrap(await own(request).contacts()),
  );

  app.post<{ Body: ContactInput }>(
    "/v1/account/me/contacts",
    {
      config: {
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "collect",
          purpose: "self-service",
          touches: CONTACT_FIELDS,
        },
      },
      schema: {
        tags,
        summary: "Add a contact",
        body: contactBody,
        response: { 201: versionResponse, ...errors },
      },
    },
    async (request, reply) => {
      const added = unwrap(await own(request).addContact(request.body));
      setETag(reply, added.version);
      return reply.code(201).send(added);
    },
  );

  app.delete<{ Params: { contactId: string } }>(
    "/v1/account/me/contacts/:contactId",
    {
      config: {
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "collect",
          purpose: "self-service",
          touches: CONTACT_FIELDS,
        },
      },
      schema: {
        tags,
        summary: "Remove a contact",
        params: { type: "object", required: ["contactId"], properties: { contactId: uuid } },
        response: { 200: versionResponse, ...errors },
      },
    },
    async (request, reply) => {
      const removed = unwrap(await own(request).removeContact(request.params.contactId));
      setETag(reply, removed.version);
      return removed;
    },
  );

  app.get(
    "/v1/account/me/consents",
    {
      config: {
        use: { callers: CUSTOMER, personal: true, action: "read", purpose: "self-service", touches: [] },
      },
      schema: {
        tags,
        summary: "My consent choices, and whether my Global Privacy Control signal is honoured",
        response: { 200: ownConsentsResponse, ...errors },
      },
    },
    async (request) => {
      const { preferences: prefs, gpc } = unwrap(await own(request).consents());
      return {
        ...prefs,
        consents: prefs.consents.map((c) => ({ ...c, updatedAt: new Date(c.updatedAt).toISOString() })),
        gpc: { honoured: gpc.honoured, at: gpc.at === null ? null : gpc.at.toISOString() },
      };
    },
  );

  app.post<{ Body: OwnChoice }>(
    "/v1/account/me/consents",
    {
      config: {
        use: { callers: CUSTOMER, personal: true, action: "collect", purpose: "self-service", touches: [] },
      },
      schema: {
        tags,
        summary:
          "Make a consent choice of my own: grant, withdraw or object, for a purpose, topic, sharing scope or permission",
        description:
          "Recorded in the consent ledger with source `web`, as the customer. An unknown target is 400; a choice the policy does not let this person make (an age rule) is refused with its clause. Needs X-CSRF-Token.",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["targetKind", "target", "action"],
          properties: {
            targetKind: consentBody.properties.targetKind,
            target: consentBody.properties.target,
            channel: consentBody.properties.channel,
            action: consentBody.properties.action,
          },
        },
        response: { 201: eventSchema, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(unwrap(await own(request).choose(request.body))),
  );

  app.get(
    "/v1/account/me/services",
    {
      config: {
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "read",
          purpose: "self-service",
          touches: SERVICE_FIELDS,
        },
      },
      schema: {
        tags,
        summary: "My services (ZM-07): plan, status and history, newest first",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: serviceSchema } },
          },
          ...errors,
        },
      },
    },
    async (request) => ({ items: unwrap(await own(request).services()) }),
  );

  app.post<{ Body: { plan: string } }>(
    "/v1/account/me/services",
    {
      config: {
        idempotent: true,
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "collect",
          purpose: "self-service",
          touches: SERVICE_FIELDS,
        },
      },
      schema: {
        tags,
        summary: "Order a service on a plan (ZM-07)",
        body: { type: "object", additionalProperties: false, required: ["plan"], properties: { plan } },
        response: { 201: ownServiceSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { fraudHold, ...service } = unwrap(await own(request).addService(request.body.plan, request.ip));
      setETag(reply, service.version);
      // Held for verification (ZM-09): the customer learns that, not which checks tripped.
      return reply
        .code(201)
        .send(fraudHold === undefined ? service : { ...service, fraudHold: { holdId: fraudHold.holdId } });
    },
  );

  app.patch<{
    Params: { serviceId: string };
    Body: { action: "change"; plan: string } | { action: "cancel" };
  }>(
    "/v1/account/me/services/:serviceId",
    {
      config: {
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "collect",
          purpose: "self-service",
          touches: SERVICE_FIELDS,
        },
      },
      schema: {
        tags,
        summary: "Change the plan of one of my services, or cancel it (ZM-07); needs If-Match",
        params: { type: "object", required: ["serviceId"], properties: { serviceId: uuid } },
        body: {
          type: "object",
          additionalProperties: false,
          required: ["action"],
          properties: { action: { type: "string", enum: ["change", "cancel"] }, plan },
          if: { properties: { action: { const: "change" } } },
          then: { required: ["plan"] },
          else: { not: { required: ["plan"] } },
        },
        response: { 200: serviceSchema, ...errors },
      },
    },
    async (request, reply) => {
      const version = requiredIfMatch(request);
      const service = unwrap(
        await own(request).changeService(request.params.serviceId, version, request.body),
      );
      setETag(reply, service.version);
      return service;
    },
  );

  app.get(
    "/v1/account/me/payment-methods",
    {
      config: {
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "read",
          purpose: "self-service",
          touches: ["card_last4", "card_brand", "card_expiry"],
        },
      },
      schema: {
        tags,
        summary:
          "My payment methods: brand, last four digits, expiry, the order each was given for, whether reuse is allowed",
        description: "The payment provider's token is never read or shown here.",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: paymentMethodSchema } },
          },
          ...errors,
        },
      },
    },
    async (request) => ({ items: unwrap(await own(request).paymentMethods()) }),
  );

  app.patch<{ Params: { paymentMethodId: string }; Body: { reuseAllowed: boolean } }>(
    "/v1/account/me/payment-methods/:paymentMethodId",
    {
      config: {
        use: {
          callers: CUSTOMER,
          personal: true,
          action: "collect",
          purpose: "self-service",
          touches: PAYMENT_FIELDS,
        },
      },
      schema: {
        tags,
        summary: "Allow or stop the reuse of one of my payment methods for later orders; needs If-Match",
        description:
          "Recorded as the card_reuse permission in the consent ledger, with source web. A charge for another order than the one the method was given for needs it (ZM-14, PS-02).",
        params: { type: "object", required: ["paymentMethodId"], properties: { paymentMethodId: uuid } },
        body: {
          type: "object",
          additionalProperties: false,
          required: ["reuseAllowed"],
          properties: { reuseAllowed: { type: "boolean" } },
        },
        response: { 200: paymentMethodSchema, ...errors },
      },
    },
    async (request, reply) => {
      const version = requiredIfMatch(request);
      const { paymentMethodId } = request.params;
      const method = unwrap(
        await own(request).setPaymentReuse(paymentMethodId, version, request.body.reuseAllowed),
      );
      setETag(reply, method.version);
      return method;
    },
  );

  app.get<{ Querystring: { year: string } }>(
    "/v1/account/me/shine-the-light",
    {
      config: {
        use: { callers: CUSTOMER, personal: true, action: "read", purpose: "self-service", touches: [] },
      },
      schema: {
        tags,
        summary:
          "Shine the Light (Z19-10): the categories of my information given to third parties for their direct marketing in a calendar year, and to whom",
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["year"],
          properties: { year: { type: "string", pattern: "^(19|20|21)[0-9]{2}$" } },
        },
        response: { 200: shineTheLightSchema, ...errors },
      },
    },
    async (request) => unwrap(await own(request).shineTheLight(Number(request.query.year))),
  );

  app.get(
    "/v1/account/me/disclosures",
    {
      config: {
        use: { callers: CUSTOMER, personal: true, action: "read", purpose: "self-service", touches: [] },
      },
      schema: {
        tags,
        summary: "Who my data was given to (ALL-04): every disclosure that named me, oldest first",
        description:
          "Each with the recipient, its kind, the purpose and ground, the fields and categories given, the policy version and when. Audited as a read of my own record.",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: ledgerEntrySchema } },
          },
          ...errors,
        },
      },
    },
    async (request) => ({ items: unwrap(await own(request).disclosures()) }),
  );

  app.get(
    "/v1/account/me/export",
    {
      config: {
        use: { callers: CUSTOMER, personal: true, action: "read", purpose: "self-service", touches: ["*"] },
      },
      schema: {
        tags,
        summary: "Everything held about me, every section, with where each datum came from (ALL-04)",
        description:
          "The person's own access export: the whole record, the consent history, who the data was given to, and the account. Each section's shape belongs to its module.",
        response: { 200: exportSchema, ...errors },
      },
    },
    async (request, reply) => {
      void reply.header("cache-control", "no-store");
      return unwrap(await own(request).exportAll());
    },
  );
}

const CUSTOMER = { customer: true } as const;
const ADDRESS_FIELDS = ADDRESS_KINDS.map(addressField);
