import type { FastifyInstance } from "fastify";
import { requiredIfMatch, setETag } from "../../http/etag.ts";
import { decodeCursor, encodeCursor, limitOf, pageSchema, paginationQuery } from "../../http/pagination.ts";
import { PledgeError } from "../../errors.ts";
import { createSubject, type CreateSubjectInput } from "./create.ts";
import { listSubjects, searchSubjects } from "./list.ts";
import { readSubject } from "./read.ts";
import * as S from "./subjects.schemas.ts";
import { actingOf } from "../../http/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import type { SubjectsDeps } from "./subjects.service.ts";
import { RECORD_FIELDS, type ProfileField, type SubjectStatus } from "./subjects.ts";
import { updateSubject } from "./update.ts";

export interface SubjectRoutesOptions {
  readonly deps: SubjectsDeps;
}

const security = [{ apiKey: [] }];
const tags = ["subjects"];

/**
 * /v1/subjects: create, read for a purpose, change with If-Match, list, look up by email or
 * phone. Every use goes through the gate in the service; refusals that depend on the person
 * answer the same 404 as a subject that does not exist.
 */
export async function subjectRoutes(app: FastifyInstance, opts: SubjectRoutesOptions): Promise<void> {
  const { deps } = opts;
  const staff = { staff: "any" } as const;

  app.post<{ Body: CreateSubjectInput }>(
    "/v1/subjects",
    {
      config: {
        idempotent: true,
        use: { callers: staff, personal: true, action: "collect", purpose: "body", touches: RECORD_FIELDS },
      },
      schema: {
        tags,
        security,
        summary: "Create a subject (a `collect` of every field sent, age-gated)",
        body: S.createBody,
        response: { 201: S.created, ...S.problems(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const c = unwrap(await createSubject(deps, actingOf(request), request.body));
      setETag(reply, c.version);
      void reply.code(201).header("location", `/v1/subjects/${c.id}`);
      return { id: c.id, status: c.status, version: c.version, createdAt: c.createdAt, fields: c.fields };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { purpose: string; fields?: string } }>(
    "/v1/subjects/:id",
    {
      config: {
        use: { callers: staff, personal: true, action: "read", purpose: "query", touches: RECORD_FIELDS },
      },
      schema: {
        tags,
        security,
        summary: "Read a subject for a purpose; only the fields the gate allows leave",
        params: S.subjectParams,
        querystring: S.readQuery,
        response: { 200: S.subjectView, ...S.problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const fields = request.query.fields?.split(",");
      const unknown = fields?.filter((f) => !(RECORD_FIELDS as readonly string[]).includes(f)) ?? [];
      if (unknown.length > 0) {
        throw new PledgeError(
          "PLEDGE_UNKNOWN_FIELD",
          `not a field of the customer record: ${unknown.join(", ")}`,
        );
      }
      const input = {
        subjectId: request.params.id,
        purpose: request.query.purpose,
        ...(fields ? { fields } : {}),
      };
      const view = unwrap(await readSubject(deps, actingOf(request), input));
      setETag(reply, view.version);
      return view;
    },
  );

  app.patch<{
    Params: { id: string };
    Body: {
      purpose: string;
      collectionPoint: string;
      fields?: Partial<Record<ProfileField, string | null>>;
      status?: SubjectStatus;
      jurisdiction?: string | null;
    };
  }>(
    "/v1/subjects/:id",
    {
      config: {
        use: { callers: staff, personal: true, action: "collect", purpose: "body", touches: RECORD_FIELDS },
      },
      schema: {
        tags,
        security,
        summary: "Change a subject (If-Match required; a `collect` of the fields changed)",
        params: S.subjectParams,
        body: S.updateBody,
        response: { 200: S.updated, ...S.problems(400, 401, 403, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const expected = requiredIfMatch(request);
      const body = request.body;
      const result = await updateSubject(deps, actingOf(request), {
        subjectId: request.params.id,
        ...(expected === null ? {} : { expectedVersion: expected }),
        purpose: body.purpose,
        collectionPoint: body.collectionPoint,
        ...(body.fields ? { fields: body.fields } : {}),
        ...(body.status ? { status: body.status } : {}),
        ...(body.jurisdiction !== undefined ? { jurisdiction: body.jurisdiction } : {}),
      });
      const u = unwrap(result);
      setETag(reply, u.version);
      return u;
    },
  );

  app.get<{
    Querystring: {
      status?: SubjectStatus;
      jurisdiction?: string;
      createdFrom?: string;
      createdTo?: string;
      limit?: string;
      cursor?: string;
    };
  }>(
    "/v1/subjects",
    {
      config: { use: { callers: staff, personal: true, action: "read", purpose: "none", touches: [] } },
      schema: {
        tags,
        security,
        summary: "List subjects (ids, status, times; no personal values)",
        querystring: { ...S.listQuery, properties: { ...S.listQuery.properties, ...paginationQuery } },
        response: { 200: pageSchema(S.subjectSummary), ...S.problems(400, 401) },
      },
    },
    async (request) => {
      const { cursor, limit: _limit, ...q } = request.query;
      const after =
        cursor === undefined ? undefined : decodeCursor(cursor, { createdAt: "time", id: "uuid" });
      const page = await listSubjects(deps, {
        ...q,
        limit: limitOf(request.query),
        ...(after ? { after } : {}),
      });
      const last = page.items[page.items.length - 1];
      return {
        items: page.items,
        nextCursor: page.more && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
      };
    },
  );

  app.post<{ Body: { purpose: string; email?: string; phone?: string } }>(
    "/v1/subjects/search",
    {
      config: {
        use: { callers: staff, personal: true, action: "read", purpose: "body", touches: ["email", "phone"] },
      },
      schema: {
        tags,
        security,
        summary: "Find subjects by email or phone (the value in the body, never the URL)",
        body: S.searchBody,
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: S.subjectSummary } },
          },
          ...S.problems(400, 401, 403),
        },
      },
    },
    async (request) => ({ items: unwrap(await searchSubjects(deps, actingOf(request), request.body)) }),
  );
}
