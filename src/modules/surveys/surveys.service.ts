import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { use } from "../../use/kernel.ts";
import { ok, type Result } from "../../use/refusal.ts";
import type { FieldView } from "../../use/view.ts";
import { provenanceOf, type Provenance, type RecordsDeps } from "../records/records.ts";
import { withheldCells } from "../analytics/analytics.ts";
import "./surveys.events.ts";

/**
 * Survey answers and quote requests (Z16-02, Z19-01), each kept with where it was given. Survey
 * answers are analysed only in aggregate (Z16-06): an individual read for an aggregate-only
 * purpose is refused by the gate (rule 5), and the aggregate withholds every cell smaller than
 * the pack's minimum cohort.
 */
export interface SurveyAnswer {
  readonly questionId: string;
  readonly answer: string;
}

export interface StoredAnswer extends SurveyAnswer {
  readonly surveyId: string;
  readonly provenance: Provenance;
}

/** What storing answers answers with: ids and provenance, no answers. */
export interface AnswersStored {
  readonly surveyId: string;
  readonly questionIds: readonly string[];
  readonly provenance: Provenance;
}

export interface AggregateCell {
  readonly questionId: string;
  /**
   * Null when the cell is withheld: an answer fewer people than the minimum cohort gave (free
   * text above all) could tell who gave it, so a withheld cell shows neither its count nor its answer.
   */
  readonly answer: string | null;
  /** Null when the cell is withheld (fewer respondents than the minimum cohort). */
  readonly count: number | null;
  readonly withheld: boolean;
}

export interface SurveyAggregate {
  readonly surveyId: string;
  readonly minCohort: number | null;
  readonly respondents: number | null;
  readonly cells: readonly AggregateCell[];
}

/**
 * Stores a person's answers: a `collect` use of `survey_answers`. Under an aggregate-only purpose
 * (the analysis the answers are given for) the collect is marked as an aggregate use: the answers
 * are taken in to be counted, never to be read one by one.
 */
export async function storeAnswers(
  deps: RecordsDeps,
  acting: Acting,
  subjectId: string,
  surveyId: string,
  input: { answers: readonly SurveyAnswer[]; purpose: string; collectionPoint: string },
): Promise<Result<AnswersStored>> {
  const { pack } = deps.policies.at(deps.clock().toISOString());
  const aggregate = pack.purposes.some((p) => p.id === input.purpose && p.aggregate_only);
  const ask = { action: "collect", purpose: input.purpose, fields: ["survey_answers"], aggregate } as const;
  return use(deps, acting, { subject: subjectId }, ask, async ({ trx, now, decision, view }) => {
    const fields = await view();
    const rows = input.answers.map((a) => ({
      subject_id: subjectId,
      survey_id: surveyId,
      question_id: a.questionId,
      answer_enc: fields.seal("survey_answers", a.answer),
      collection_point: input.collectionPoint,
      purpose: input.purpose,
      policy_version: decision.policy.version,
      collected_at: now,
    }));
    // A person answering again replaces the earlier answer to the same question.
    await trx
      .insertInto("survey_answers")
      .values(rows)
      .onConflict((oc) =>
        oc.columns(["subject_id", "survey_id", "question_id"]).doUpdateSet((eb) => ({
          answer_enc: eb.ref("excluded.answer_enc"),
          collection_point: eb.ref("excluded.collection_point"),
          purpose: eb.ref("excluded.purpose"),
          policy_version: eb.ref("excluded.policy_version"),
          collected_at: eb.ref("excluded.collected_at"),
        })),
      )
      .execute();
    const first = rows[0]!;
    return ok({
      surveyId,
      questionIds: rows.map((r) => r.question_id),
      provenance: provenanceOf({ ...first, at: first.collected_at }),
    });
  });
}

/** One person's answers, for a purpose the gate allows per person (never an aggregate-only one). */
export async function readAnswers(
  deps: RecordsDeps,
  acting: Acting,
  subjectId: string,
  query: { purpose: string },
): Promise<Result<StoredAnswer[]>> {
  const ask = { action: "read", purpose: query.purpose, fields: ["survey_answers"] } as const;
  return use(deps, acting, { subject: subjectId }, ask, async ({ trx, view }) => {
    const rows = await allAnswers(trx, subjectId);
    const fields = await view();
    return ok(
      rows.map((r) => ({
        surveyId: r.survey_id,
        questionId: r.question_id,
        answer: fields.open("survey_answers", r.answer_enc),
        provenance: provenanceOf({ ...r, at: r.collected_at }),
      })),
    );
  });
}

/**
 * Z16-06: counts per question and answer over everyone who answered, as an `analyse` use with
 * `aggregate: true` (audited with no subject). Cells under the pack's `analytics.min_cohort` are
 * withheld, with their complement (the same rule as site statistics); a pack without a minimum cohort withholds every cell. Answers are decrypted per
 * subject in memory and never leave; erased subjects (key destroyed) drop out.
 */
export async function aggregateSurvey(
  deps: RecordsDeps,
  acting: Acting,
  surveyId: string,
  query: { purpose: string },
): Promise<Result<SurveyAggregate>> {
  const ask = {
    action: "analyse",
    purpose: query.purpose,
    fields: ["survey_answers"],
    aggregate: true,
  } as const;
  return use(deps, acting, { nobody: true }, ask, async (scope) => {
    const { trx } = scope;
    const minCohort = scope.pack.analytics?.min_cohort ?? null;
    const rows = await trx
      .selectFrom("survey_answers")
      .select(["subject_id", "question_id", "answer_enc"])
      .where("survey_id", "=", surveyId)
      .orderBy("subject_id")
      .execute();
    const counts = new Map<string, { questionId: string; answer: string; count: number }>();
    const respondents = new Set<string>();
    let subject: string | null = null;
    let view: FieldView | null = null;
    for (const row of rows) {
      if (row.subject_id !== subject) {
        subject = row.subject_id;
        const cipher = await deps.vault.cipherFor(trx, subject);
        view = cipher === null ? null : scope.narrow(cipher);
      }
      if (view === null) continue;
      respondents.add(row.subject_id);
      const answer = view.open("survey_answers", row.answer_enc);
      const key = JSON.stringify([row.question_id, answer]);
      const cell = counts.get(key) ?? { questionId: row.question_id, answer, count: 0 };
      cell.count += 1;
      counts.set(key, cell);
    }
    const small = (n: number) => minCohort === null || n < minCohort;
    // Per question, a cell under the cohort is withheld with its complement (withheldCells), so
    // the respondents minus the published counts of a question recover no withheld answer.
    const hidden = new Set<string>();
    for (const questionId of new Set([...counts.values()].map((c) => c.questionId))) {
      const cells = [...counts.entries()]
        .filter(([, c]) => c.questionId === questionId)
        .map(([key, c]) => ({ key, views: c.count, visitors: c.count }));
      for (const key of withheldCells(cells, minCohort ?? Number.POSITIVE_INFINITY)) hidden.add(key);
    }
    const withheld = (c: { questionId: string; answer: string }) =>
      hidden.has(JSON.stringify([c.questionId, c.answer]));
    // Released cells first, in answer order; withheld ones after them, so where one stands tells nothing.
    const cells = [...counts.values()]
      .sort(
        (a, b) =>
          a.questionId.localeCompare(b.questionId) ||
          Number(withheld(a)) - Number(withheld(b)) ||
          (withheld(a) ? 0 : a.answer.localeCompare(b.answer)),
      )
      .map((c) => ({
        questionId: c.questionId,
        answer: withheld(c) ? null : c.answer,
        count: withheld(c) ? null : c.count,
        withheld: withheld(c),
      }));
    scope.record({
      type: "survey.aggregated",
      at: scope.now,
      actor: auditActor(acting.actor),
      subjectId: null,
      payload: {
        surveyId,
        purpose: query.purpose,
        cells: cells.length,
        withheld: cells.filter((c) => c.withheld).length,
      },
    });
    return ok({ surveyId, minCohort, respondents: small(respondents.size) ? null : respondents.size, cells });
  });
}

export async function allAnswers(db: Kysely<Database>, subjectId: string) {
  return db
    .selectFrom("survey_answers")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .orderBy("survey_id")
    .orderBy("question_id")
    .execute();
}

export interface QuoteRequest {
  readonly quoteId: string;
  readonly details?: string;
  readonly provenance: Provenance;
}

export async function storeQuoteRequest(
  deps: RecordsDeps,
  acting: Acting,
  subjectId: string,
  input: { details: string; purpose: string; collectionPoint: string },
): Promise<Result<QuoteRequest>> {
  const ask = { action: "collect", purpose: input.purpose, fields: ["quote_requests"] } as const;
  return use(deps, acting, { subject: subjectId }, ask, async ({ trx, now, decision, view }) => {
    const row = {
      subject_id: subjectId,
      quote_id: randomUUID(),
      details_enc: (await view()).seal("quote_requests", input.details),
      collection_point: input.collectionPoint,
      purpose: input.purpose,
      policy_version: decision.policy.version,
      collected_at: now,
    };
    await trx.insertInto("quote_requests").values(row).execute();
    // The id and provenance only: the answer may be stored for Idempotency-Key replays.
    return ok({ quoteId: row.quote_id, provenance: provenanceOf({ ...row, at: row.collected_at }) });
  });
}

export async function readQuoteRequests(
  deps: RecordsDeps,
  acting: Acting,
  subjectId: string,
  query: { purpose: string },
): Promise<Result<QuoteRequest[]>> {
  const ask = { action: "read", purpose: query.purpose, fields: ["quote_requests"] } as const;
  return use(deps, acting, { subject: subjectId }, ask, async ({ trx, view }) => {
    const rows = await allQuotes(trx, subjectId);
    const fields = await view();
    return ok(
      rows.map((r) => ({
        quoteId: r.quote_id,
        details: fields.open("quote_requests", r.details_enc),
        provenance: provenanceOf({ ...r, at: r.collected_at }),
      })),
    );
  });
}

export async function allQuotes(db: Kysely<Database>, subjectId: string) {
  return db
    .selectFrom("quote_requests")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .orderBy("collected_at")
    .execute();
}
