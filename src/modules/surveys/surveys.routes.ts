import type { FastifyInstance } from "fastify";
import { actingOf } from "../../http/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import { errorResponses, subjectParams } from "../records/schemas.ts";
import type { RecordsDeps } from "../records/records.ts";
import { collectionPointSchema, provenanceSchema, purposeSchema } from "../records/records.ts";
import {
  aggregateSurvey,
  readAnswers,
  readQuoteRequests,
  storeAnswers,
  storeQuoteRequest,
  type SurveyAnswer,
} from "./surveys.service.ts";

const STAFF = { staff: "any" } as const;

const surveyId = { type: "string", pattern: "^[a-z0-9][a-z0-9_.-]{0,63}$" } as const;
const purposeQuery = {
  type: "object",
  additionalProperties: false,
  required: ["purpose"],
  properties: { purpose: purposeSchema },
} as const;

const answerSchema = {
  type: "object",
  additionalProperties: false,
  required: ["surveyId", "questionId", "answer", "provenance"],
  properties: {
    surveyId: { type: "string" },
    questionId: { type: "string" },
    answer: { type: "string" },
    provenance: provenanceSchema,
  },
} as const;

const quoteSchema = {
  type: "object",
  additionalProperties: false,
  required: ["quoteId", "provenance"],
  properties: {
    quoteId: { type: "string", format: "uuid" },
    details: { type: "string" },
    provenance: provenanceSchema,
  },
} as const;

const aggregateSchema = {
  type: "object",
  additionalProperties: false,
  required: ["surveyId", "minCohort", "respondents", "cells"],
  properties: {
    surveyId: { type: "string" },
    minCohort: { type: ["integer", "null"] },
    respondents: { type: ["integer", "null"] },
    cells: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["questionId", "answer", "count", "withheld"],
        properties: {
          questionId: { type: "string" },
          answer: { type: ["string", "null"] },
          count: { type: ["integer", "null"] },
          withheld: { type: "boolean" },
        },
      },
    },
  },
} as const;

/** Survey answers, their aggregate (Z16-06), and quote requests (Z16-02, Z19-01). */
export async function surveyRoutes(app: FastifyInstance, opts: RecordsDeps): Promise<void> {
  const security = [{ apiKey: [] }];

  app.post<{
    Params: { id: string; surveyId: string };
    Body: { answers: SurveyAnswer[]; purpose: string; collectionPoint: string };
  }>(
    "/v1/subjects/:id/surveys/:surveyId/answers",
    {
      config: {
        use: {
          callers: STAFF,
          personal: true,
          action: "collect",
          purpose: "body",
          touches: ["survey_answers"],
        },
        idempotent: true,
      },
      schema: {
        tags: ["surveys"],
        summary: "Store a subject's answers to a survey, with where they were given",
        security,
        params: {
          type: "object",
          required: ["id", "surveyId"],
          properties: { id: { type: "string", format: "uuid" }, surveyId },
        },
        body: {
          type: "object",
          additionalProperties: false,
          required: ["answers", "purpose", "collectionPoint"],
          properties: {
            answers: {
              type: "array",
              minItems: 1,
              maxItems: 200,
              items: {
                type: "object",
                additionalProperties: false,
                required: ["questionId", "answer"],
                properties: { questionId: surveyId, answer: { type: "string", maxLength: 2000 } },
              },
            },
            purpose: purposeSchema,
            collectionPoint: collectionPointSchema,
          },
        },
        response: {
          201: {
            type: "object",
            additionalProperties: false,
            required: ["surveyId", "questionIds", "provenance"],
            properties: {
              surveyId: { type: "string" },
              questionIds: { type: "array", items: { type: "string" } },
              provenance: provenanceSchema,
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { id, surveyId: survey } = request.params;
      return reply
        .code(201)
        .send(unwrap(await storeAnswers(opts, actingOf(request), id, survey, request.body)));
    },
  );

  app.get<{ Params: { id: string }; Querystring: { purpose: string } }>(
    "/v1/subjects/:id/survey-answers",
    {
      config: {
        use: {
          callers: STAFF,
          personal: true,
          action: "read",
          purpose: "query",
          touches: ["survey_answers"],
        },
      },
      schema: {
        tags: ["surveys"],
        summary: "One subject's survey answers; refused for aggregate-only purposes (Z16-06)",
        security,
        params: subjectParams,
        querystring: purposeQuery,
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: answerSchema } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => ({
      items: unwrap(await readAnswers(opts, actingOf(request), request.params.id, request.query)),
    }),
  );

  app.get<{ Params: { surveyId: string }; Querystring: { purpose: string } }>(
    "/v1/surveys/:surveyId/aggregate",
    {
      config: {
        use: {
          callers: STAFF,
          personal: true,
          action: "analyse",
          purpose: "query",
          touches: ["survey_answers"],
        },
      },
      schema: {
        tags: ["surveys"],
        summary: "Counts per answer; cells under the pack's minimum cohort are withheld (Z16-06)",
        security,
        params: { type: "object", required: ["surveyId"], properties: { surveyId } },
        querystring: purposeQuery,
        response: { 200: aggregateSchema, ...errorResponses },
      },
    },
    async (request) =>
      unwrap(await aggregateSurvey(opts, actingOf(request), request.params.surveyId, request.query)),
  );

  app.post<{ Params: { id: string }; Body: { details: string; purpose: string; collectionPoint: string } }>(
    "/v1/subjects/:id/quote-requests",
    {
      config: {
        use: {
          callers: STAFF,
          personal: true,
          action: "collect",
          purpose: "body",
          touches: ["quote_requests"],
        },
        idempotent: true,
      },
      schema: {
        tags: ["surveys"],
        summary: "Store a quote request, with where it was given",
        security,
        params: subjectParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["details", "purpose", "collectionPoint"],
          properties: {
            details: { type: "string", minLength: 1, maxLength: 10_000 },
            purpose: purposeSchema,
            collectionPoint: collectionPointSchema,
          },
        },
        response: { 201: quoteSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(unwrap(await storeQuoteRequest(opts, actingOf(request), request.params.id, request.body))),
  );

  app.get<{ Params: { id: string }; Querystring: { purpose: string } }>(
    "/v1/subjects/:id/quote-requests",
    {
      config: {
        use: {
          callers: STAFF,
          personal: true,
          action: "read",
          purpose: "query",
          touches: ["quote_requests"],
        },
      },
      schema: {
        tags: ["surveys"],
        summary: "A subject's quote requests, read for a stated purpose",
        security,
        params: subjectParams,
        querystring: purposeQuery,
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["items"],
            properties: { items: { type: "array", items: quoteSchema } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => ({
      items: unwrap(await readQuoteRequests(opts, actingOf(request), request.params.id, request.query)),
    }),
  );
}
