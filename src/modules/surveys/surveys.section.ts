import type { Selectable } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { provenanceOf } from "../records/records.ts";
import {
  sectionQuery,
  subquery,
  withDates,
  type JsonRow,
  type SubjectSection,
} from "../subjects/sections.ts";
import type { QuoteRequestsTable, SurveyAnswersTable } from "./surveys.table.ts";
import { allAnswers, allQuotes } from "./surveys.service.ts";

/** Survey answers: exported to the person; deleted on erasure. */
export const surveyAnswersSection: SubjectSection = {
  name: "survey_answers",
  fields: ["survey_answers"],
  async export(trx, subjectId, view) {
    return (await allAnswers(trx, subjectId)).map((r) => ({
      surveyId: r.survey_id,
      questionId: r.question_id,
      ...(view?.allows("survey_answers") === true
        ? { answer: view.open("survey_answers", r.answer_enc) }
        : {}),
      provenance: provenanceOf({ ...r, at: r.collected_at }),
    }));
  },
  query: sectionQuery<JsonRow<Selectable<SurveyAnswersTable>>[]>(
    (subjectId) =>
      jsonArrayFrom(
        subquery
          .selectFrom("survey_answers")
          .selectAll()
          .where("subject_id", "=", subjectId)
          .orderBy("survey_id")
          .orderBy("question_id"),
      ),
    (rows, view) =>
      rows.map((json) => {
        const r = withDates(json, ["collected_at"]);
        return {
          surveyId: r.survey_id,
          questionId: r.question_id,
          ...(view?.allows("survey_answers") === true
            ? { answer: view.open("survey_answers", r.answer_enc) }
            : {}),
          provenance: provenanceOf({ ...r, at: r.collected_at }),
        };
      }),
  ),
  async erase(trx, subjectId) {
    const result = await trx
      .deleteFrom("survey_answers")
      .where("subject_id", "=", subjectId)
      .executeTakeFirst();
    return { deleted: Number(result.numDeletedRows), kept: 0 };
  },
};

/** Quote requests: exported; deleted on erasure. */
export const quoteRequestsSection: SubjectSection = {
  name: "quote_requests",
  fields: ["quote_requests"],
  async export(trx, subjectId, view) {
    return (await allQuotes(trx, subjectId)).map((r) => ({
      quoteId: r.quote_id,
      ...(view?.allows("quote_requests") === true
        ? { details: view.open("quote_requests", r.details_enc) }
        : {}),
      provenance: provenanceOf({ ...r, at: r.collected_at }),
    }));
  },
  query: sectionQuery<JsonRow<Selectable<QuoteRequestsTable>>[]>(
    (subjectId) =>
      jsonArrayFrom(
        subquery
          .selectFrom("quote_requests")
          .selectAll()
          .where("subject_id", "=", subjectId)
          .orderBy("collected_at")
          .orderBy("quote_id"),
      ),
    (rows, view) =>
      rows.map((json) => {
        const r = withDates(json, ["collected_at"]);
        return {
          quoteId: r.quote_id,
          ...(view?.allows("quote_requests") === true
            ? { details: view.open("quote_requests", r.details_enc) }
            : {}),
          provenance: provenanceOf({ ...r, at: r.collected_at }),
        };
      }),
  ),
  async erase(trx, subjectId) {
    const result = await trx
      .deleteFrom("quote_requests")
      .where("subject_id", "=", subjectId)
      .executeTakeFirst();
    return { deleted: Number(result.numDeletedRows), kept: 0 };
  },
};
