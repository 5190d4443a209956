import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { Authenticator } from "../../http/auth.ts";
import { decodeCursor, encodeCursor, limitOf, pageSchema, paginationQuery } from "../../http/pagination.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import {
  createKey,
  createStaff,
  listKeys,
  listStaff,
  recordAttestation,
  revokeKey,
  type Context,
} from "./staff.service.ts";
import { ADMIN_ROLE, type ApiKeyRecord, type StaffMember } from "./staff.ts";

export interface StaffRoutesOptions {
  readonly db: Kysely<Database>;
  readonly auth: Authenticator;
  readonly clock: () => Date;
  /** The pack in force now: staff roles are checked against it. */
  readonly currentPack: () => PolicyPack;
}

const staffSchema = {
  type: "object",
  required: ["id", "displayName", "role", "attestedAt", "createdAt"],
  properties: {
    id: { type: "string", format: "uuid" },
    displayName: { type: "string" },
    role: { type: "string" },
    attestedAt: { type: ["string", "null"], format: "date-time" },
    createdAt: { type: "string", format: "date-time" },
  },
} as const;

const keySchema = {
  type: "object",
  required: ["id", "staffId", "prefix", "createdAt", "revokedAt", "lastUsedAt"],
  properties: {
    id: { type: "string", format: "uuid" },
    staffId: { type: "string", format: "uuid" },
    prefix: { type: "string", description: "the part of the key after pk_ that identifies it; not a secret" },
    createdAt: { type: "string", format: "date-time" },
    revokedAt: { type: ["string", "null"], format: "date-time" },
    lastUsedAt: {
      type: ["string", "null"],
      format: "date-time",
      description: "when the key last authenticated a request, to the minute; null: never",
    },
  },
} as const;

const pageQuery = { type: "object", additionalProperties: false, properties: paginationQuery } as const;
const POSITION = { createdAt: "time", id: "uuid" } as const;

const newKeySchema = {
  ...keySchema,
  required: [...keySchema.required, "key"],
  properties: {
    ...keySchema.properties,
    key: { type: "string", description: "the API key; shown this once only" },
  },
} as const;

const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;
const errors = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
};

/** Staff and API keys: admin role only. Attestation and revocation clear the authenticator's cache. */
export async function staffRoutes(app: FastifyInstance, opts: StaffRoutesOptions): Promise<void> {
  const { db, auth, clock } = opts;
  const admin = { use: { callers: { staff: [ADMIN_ROLE] }, personal: false } } as const;
  const ctx = (actor: string | undefined): Context => ({
    actor: `staff:${actor ?? "unknown"}`,
    now: clock(),
  });
  const tags = ["staff"];
  const security = [{ apiKey: [] }];

  app.post<{ Body: { displayName: string; role: string; attested?: boolean } }>(
    "/v1/staff",
    {
      config: admin,
      schema: {
        tags,
        security,
        summary: "Add a staff member",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["displayName", "role"],
          properties: {
            displayName: { type: "string", minLength: 1, maxLength: 200 },
            role: { type: "string", description: "a staff role id from the policy pack, or admin" },
            attested: {
              type: "boolean",
              default: false,
              description: "the confidentiality attestation is on file now",
            },
          },
        },
        response: { 201: staffSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { displayName, role, attested = false } = request.body;
      const staff = await createStaff(
        db,
        opts.currentPack(),
        { displayName, role, attested },
        ctx(request.caller?.staffId),
      );
      return reply.code(201).send(presentStaff(staff));
    },
  );

  app.get<{ Querystring: { limit?: string; cursor?: string } }>(
    "/v1/staff",
    {
      config: admin,
      schema: {
        tags,
        security,
        summary: "List staff members, oldest first",
        querystring: pageQuery,
        response: { 200: pageSchema(staffSchema), ...errors },
      },
    },
    async (request) => {
      const limit = limitOf(request.query);
      const { cursor } = request.query;
      const after = cursor === undefined ? null : decodeCursor(cursor, POSITION);
      // One more than asked tells whether another page follows.
      const rows = await listStaff(db, { limit: limit + 1, after });
      return page(rows, limit, presentStaff);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: string; cursor?: string } }>(
    "/v1/staff/:id/keys",
    {
      config: admin,
      schema: {
        tags,
        security,
        summary: "List a staff member's API keys (prefixes and dates, never a key), oldest first",
        params: idParams,
        querystring: pageQuery,
        response: { 200: pageSchema(keySchema), ...errors },
      },
    },
    async (request) => {
      const limit = limitOf(request.query);
      const { cursor } = request.query;
      const after = cursor === undefined ? null : decodeCursor(cursor, POSITION);
      const rows = await listKeys(db, request.params.id, { limit: limit + 1, after });
      return page(rows, limit, presentKey);
    },
  );

  app.post<{ Params: { id: string } }>(
    "/v1/staff/:id/attestation",
    {
      config: admin,
      schema: {
        tags,
        security,
        summary: "Record a staff member's confidentiality attestation",
        params: idParams,
        response: { 200: staffSchema, ...errors },
      },
    },
    async (request) => {
      const staff = await recordAttestation(db, request.params.id, ctx(request.caller?.staffId));
      auth.forget();
      return presentStaff(staff);
    },
  );

  app.post<{ Params: { id: string } }>(
    "/v1/staff/:id/keys",
    {
      config: admin,
      schema: {
        tags,
        security,
        summary: "Make an API key for a staff member",
        params: idParams,
        response: { 201: newKeySchema, ...errors },
      },
    },
    async (request, reply) => {
      const { key, record } = await createKey(db, request.params.id, ctx(request.caller?.staffId));
      return reply.code(201).send({ ...presentKey(record), key });
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/v1/keys/:id",
    {
      config: admin,
      schema: {
        tags,
        security,
        summary: "Revoke an API key",
        params: idParams,
        response: { 200: keySchema, ...errors },
      },
    },
    async (request) => {
      const record = await revokeKey(db, request.params.id, ctx(request.caller?.staffId));
      auth.forget();
      return presentKey(record);
    },
  );
}

/** A page of `limit` items and the cursor after its last, when `rows` (one more than asked) had more. */
function page<T extends { id: string; createdAt: Date }, P>(
  rows: readonly T[],
  limit: number,
  present: (row: T) => P,
): { items: P[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > limit && last !== undefined
      ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id })
      : null;
  return { items: items.map(present), nextCursor };
}

function presentStaff(s: StaffMember) {
  return {
    id: s.id,
    displayName: s.displayName,
    role: s.role,
    attestedAt: s.attestedAt?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
  };
}

function presentKey(k: ApiKeyRecord) {
  return {
    id: k.id,
    staffId: k.staffId,
    prefix: k.prefix,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  };
}
