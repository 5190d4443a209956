import { provenanceOf } from "../orders/records.ts";
import type { SubjectSection } from "../subjects/sections.ts";
import { allAnswers, allQuotes } from "./surveys.service.ts";

/** Survey answers: exported to the person; deleted on erasure. */
export const surveyAnswersSection: SubjectSection = {
  name: "survey_answers",
  async export(trx, subjectId, cipher) {
    return (await allAnswers(trx, subjectId)).map((r) => ({
      surveyId: r.survey_id,
      questionId: r.question_id,
      ...(cipher === null ? {} : { answer: cipher.decrypt("survey_answers", r.answer_enc) }),
      provenance: provenanceOf({ ...r, at: r.collected_at }),
    }));
  },
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
  async export(trx, subjectId, cipher) {
    return (await allQuotes(trx, subjectId)).map((r) => ({
      quoteId: r.quote_id,
      ...(cipher === null ? {} : { details: cipher.decrypt("quote_requests", r.details_enc) }),
      provenance: provenanceOf({ ...r, at: r.collected_at }),
    }));
  },
  async erase(trx, subjectId) {
    const result = await trx
      .deleteFrom("quote_requests")
      .where("subject_id", "=", subjectId)
      .executeTakeFirst();
    return { deleted: Number(result.numDeletedRows), kept: 0 };
  },
};
