import type { FastifyInstance } from "fastify";
import { setETag } from "../../http/etag.ts";
import { ADMIN_ROLE } from "../staff/staff.ts";
import { addAddress, listAddresses, removeAddress } from "./addresses.ts";
import { addContact, listContacts, removeContact, type ContactInput } from "./contacts.ts";
import { eraseSubject } from "./erase.ts";
import { exportForPurpose } from "./export.ts";
import type { SubjectRoutesOptions } from "./subjects.routes.ts";
import * as S from "./subjects.schemas.ts";
import { actingOf } from "../../http/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import {
  ADDRESS_KINDS,
  addressField,
  CONTACT_FIELDS as CONTACT_FIELDS_OF,
  type AddressKind,
} from "./subjects.ts";
import type { AddressInput } from "./subjects.values.ts";

const security = [{ apiKey: [] }];
const tags = ["subjects"];
const obj = (required: string[], properties: Record<string, unknown>) => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
});
const items = (item: unknown) => obj(["items"], { items: { type: "array", items: item } });
const writeQuery = obj(["purpose"], { purpose: S.purpose, collectionPoint: S.collectionPoint });
const versioned = (idName: string) =>
  obj([idName, "version"], { [idName]: S.uuid, version: { type: "integer" } });
const contactRecord = obj(["contactId", "name", "email", "phone", "provenance"], {
  contactId: S.uuid,
  name: { type: "string", description: "empty when the purpose does not allow names" },
  email: { type: ["string", "null"] },
  phone: { type: ["string", "null"] },
  provenance: S.provenanceSchema,
});

const STAFF = { staff: "any" } as const;
const ADDRESS_FIELDS = ADDRESS_KINDS.map(addressField);
const CONTACT_FIELDS = [...CONTACT_FIELDS_OF];

/** Roles that may erase a subject: Pledge's admin and a pack role named `privacy`. */
export const ERASE_ROLES = [ADMIN_ROLE, "privacy"] as const;

/** Access export, erasure, and the address and contact sub-resources of /v1/subjects/:id. */
export async function subjectPartRoutes(app: FastifyInstance, opts: SubjectRoutesOptions): Promise<void> {
  const { deps } = opts;
  type Id = { id: string };

  app.get<{ Params: Id; Querystring: { purpose: string } }>(
    "/v1/subjects/:id/export",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "read", purpose: "query", touches: ["*"] },
      },
      schema: {
        tags,
        security,
        summary: "Export a person's record for a stated purpose: the sections and fields the purpose allows",
        description:
          "Each section holding a field the purpose allows, projected to those fields; communications content never (it is opened one message at a time, on a ground). The person's own full access export (ALL-04) is `GET /v1/account/me/export`.",
        params: S.subjectParams,
        querystring: S.purposeQuery,
        response: {
          200: S.exportSchema,
          ...S.problems(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      unwrap(
        await exportForPurpose(deps, actingOf(request), {
          subjectId: request.params.id,
          purpose: request.query.purpose,
        }),
      ),
  );

  app.delete<{ Params: Id }>(
    "/v1/subjects/:id",
    {
      config: {
        use: {
          callers: { staff: ERASE_ROLES },
          personal: true,
          action: "erase",
          purpose: "pack",
          touches: ["*"],
        },
      },
      schema: {
        tags,
        security,
        summary: "Erase a subject: sections cleared, data key destroyed, kept records stated",
        params: S.subjectParams,
        response: {
          200: obj(["id", "erasedAt", "keyDestroyed", "sections", "kept"], {
            id: S.uuid,
            erasedAt: { type: "string", format: "date-time" },
            keyDestroyed: { type: "boolean" },
            sections: {
              type: "array",
              items: obj(["name", "deleted", "kept", "keptReason"], {
                name: { type: "string" },
                deleted: { type: "integer" },
                kept: { type: "integer" },
                keptReason: { type: ["string", "null"] },
              }),
            },
            kept: {
              type: "array",
              items: { type: "string" },
              description: "what was kept and why, for the person",
            },
          }),
          ...S.problems(401, 403, 404),
        },
      },
    },
    async (request) => unwrap(await eraseSubject(deps, actingOf(request), { subjectId: request.params.id })),
  );

  app.post<{
    Params: Id;
    Body: { purpose: string; collectionPoint: string; kind: AddressKind; address: AddressInput };
  }>(
    "/v1/subjects/:id/addresses",
    {
      config: {
        idempotent: true,
        use: { callers: STAFF, personal: true, action: "collect", purpose: "body", touches: ADDRESS_FIELDS },
      },
      schema: {
        tags,
        security,
        summary: "Add a billing, shipping or postal address",
        params: S.subjectParams,
        body: obj(["purpose", "collectionPoint", "kind", "address"], {
          purpose: S.purpose,
          collectionPoint: S.collectionPoint,
          kind: { type: "string", enum: ADDRESS_KINDS },
          address: S.addressInput,
        }),
        response: { 201: versioned("addressId"), ...S.problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const r = unwrap(
        await addAddress(deps, actingOf(request), { subjectId: request.params.id, ...request.body }),
      );
      setETag(reply, r.version);
      return reply.code(201).send(r);
    },
  );

  app.get<{ Params: Id; Querystring: { purpose: string } }>(
    "/v1/subjects/:id/addresses",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "read", purpose: "query", touches: ADDRESS_FIELDS },
      },
      schema: {
        tags,
        security,
        summary: "Addresses of the kinds the purpose allows",
        params: S.subjectParams,
        querystring: S.purposeQuery,
        response: { 200: items(S.addressRecord), ...S.problems(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      items: unwrap(
        await listAddresses(deps, actingOf(request), {
          subjectId: request.params.id,
          purpose: request.query.purpose,
        }),
      ),
    }),
  );

  app.delete<{
    Params: Id & { addressId: string };
    Querystring: { purpose: string; collectionPoint?: string; kind: AddressKind };
  }>(
    "/v1/subjects/:id/addresses/:addressId",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "collect", purpose: "query", touches: ADDRESS_FIELDS },
      },
      schema: {
        tags,
        security,
        summary: "Remove an address",
        params: obj(["id", "addressId"], { id: S.uuid, addressId: S.uuid }),
        querystring: obj(["purpose", "kind"], {
          purpose: S.purpose,
          collectionPoint: S.collectionPoint,
          kind: { type: "string", enum: ADDRESS_KINDS },
        }),
        response: {
          200: obj(["version"], { version: { type: "integer" } }),
          ...S.problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const r = unwrap(
        await removeAddress(deps, actingOf(request), {
          subjectId: request.params.id,
          addressId: request.params.addressId,
          kind: q.kind,
          purpose: q.purpose,
          collectionPoint: q.collectionPoint ?? "api",
        }),
      );
      setETag(reply, r.version);
      return r;
    },
  );

  app.post<{ Params: Id; Body: { purpose: string; collectionPoint: string; contact: ContactInput } }>(
    "/v1/subjects/:id/contacts",
    {
      config: {
        idempotent: true,
        use: { callers: STAFF, personal: true, action: "collect", purpose: "body", touches: CONTACT_FIELDS },
      },
      schema: {
        tags,
        security,
        summary: "Add a contact to the account (ZM-07)",
        params: S.subjectParams,
        body: obj(["purpose", "collectionPoint", "contact"], {
          purpose: S.purpose,
          collectionPoint: S.collectionPoint,
          contact: obj(["name"], {
            name: { type: "string", minLength: 1, maxLength: 200 },
            email: { type: ["string", "null"], maxLength: 320 },
            phone: { type: ["string", "null"], maxLength: 40 },
          }),
        }),
        response: { 201: versioned("contactId"), ...S.problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const r = unwrap(
        await addContact(deps, actingOf(request), { subjectId: request.params.id, ...request.body }),
      );
      setETag(reply, r.version);
      return reply.code(201).send(r);
    },
  );

  app.get<{ Params: Id; Querystring: { purpose: string } }>(
    "/v1/subjects/:id/contacts",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "read", purpose: "query", touches: CONTACT_FIELDS },
      },
      schema: {
        tags,
        security,
        summary: "Contacts, projected to the fields the purpose allows",
        params: S.subjectParams,
        querystring: S.purposeQuery,
        response: { 200: items(contactRecord), ...S.problems(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      items: unwrap(
        await listContacts(deps, actingOf(request), {
          subjectId: request.params.id,
          purpose: request.query.purpose,
        }),
      ),
    }),
  );

  app.delete<{
    Params: Id & { contactId: string };
    Querystring: { purpose: string; collectionPoint?: string };
  }>(
    "/v1/subjects/:id/contacts/:contactId",
    {
      config: {
        use: { callers: STAFF, personal: true, action: "collect", purpose: "query", touches: CONTACT_FIELDS },
      },
      schema: {
        tags,
        security,
        summary: "Remove a contact",
        params: obj(["id", "contactId"], { id: S.uuid, contactId: S.uuid }),
        querystring: writeQuery,
        response: {
          200: obj(["version"], { version: { type: "integer" } }),
          ...S.problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const r = unwrap(
        await removeContact(deps, actingOf(request), {
          subjectId: request.params.id,
          contactId: request.params.contactId,
          purpose: q.purpose,
          collectionPoint: q.collectionPoint ?? "api",
        }),
      );
      setETag(reply, r.version);
      return r;
    },
  );
}
